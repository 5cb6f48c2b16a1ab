"""What ``new service`` is asked, settled into one :class:`ServiceRequest` before anything is written.

Answers are merged (answers file < ``--set`` < dedicated options), the platform settings fill
the gaps of a new service, the answers recorded in ``platform.yaml`` fill those of a re-run, and
a re-run that asks for anything other than what was recorded is refused by name. The repository
the service asks for is built and validated here too, so the command only parses, calls and
renders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import option

if TYPE_CHECKING:
    from platformctl.config import Settings
    from platformctl.contracts.repositories import RepositoryHost
    from platformctl.scaffold.answers import Asker
    from platformctl.scaffold.catalog import GoldenPath
    from platformctl.scaffold.create import ServiceRequest
    from platformctl.scaffold.descriptor import ServiceDescriptor
    from platformctl.scaffold.rerun import Asked


@dataclass(frozen=True)
class GivenAnswers:
    """Answers given explicitly, and where each came from (for error messages)."""

    values: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceAsk:
    """What ``new service`` was asked besides the answers; None (or empty) means not given."""

    name: str
    golden_path: str | None = None
    directory: Path | None = None
    provider: str | None = None
    org: str | None = None
    visibility: str | None = None
    topics: Sequence[str] = ()
    teams: Sequence[str] = ()
    read_host: bool = True  # False for a dry run: the owner is not read from the host


def given_answers(
    name: str, owner: str | None, description: str | None, sets: Sequence[str], answers_file: Path | None
) -> GivenAnswers:
    """Merge answers: answers file < ``--set`` < dedicated options; remember where each came from.

    Raises:
        UsageError: a malformed ``KEY=VALUE``, an unreadable answers file, or a service name
            that differs from ``name``.
    """
    from platformctl.scaffold.answers import parse_set_options, read_answers_file

    given: dict[str, Any] = {}
    origin: dict[str, str] = {}
    if answers_file is not None:
        for key, value in read_answers_file(answers_file).items():
            given[key], origin[key] = value, f"{answers_file}: {key}"
    for key, value in parse_set_options(sets).items():
        given[key], origin[key] = value, f"{option('set')} {key}"
    for key, value in (("owner", owner), ("description", description)):
        if value is not None:
            given[key], origin[key] = value, option(key)
    if given.get("service_name", name) != name:
        from platformctl.errors import UsageError

        raise UsageError("service_name comes from the NAME argument; do not set it separately")
    given["service_name"], origin["service_name"] = name, "NAME"
    return GivenAnswers(given, origin)


def prepare_service(
    asked: ServiceAsk,
    given: GivenAnswers,
    settings: Settings,
    *,
    hosts: Callable[[str], RepositoryHost],
    prompter: Callable[[str], Asker | None] = lambda subject: None,
    on_placeholder_org: Callable[[str], None] = lambda org: None,
) -> ServiceRequest:
    """Settle everything ``new service`` needs, reading nothing but the target folder and, for
    a repository owner or a re-run's location, the host.

    Args:
        asked: the name and the options given.
        given: the answers given explicitly (see :func:`given_answers`).
        settings: the effective settings (``provider``, ``org``, ``golden_path``, ``owner``).
        hosts: the repository host of a provider name (the caller builds and keeps it).
        prompter: the asker of missing answers for a subject text, or None (no terminal).
        on_placeholder_org: told the organisation answer when it is only the golden path's
            placeholder default (no ``org`` setting).

    Raises:
        UsageError: an unknown golden path or question, an invalid answer or repository option,
            or a re-run that differs from what ``platform.yaml`` records.
        InputRequired: an answer is missing and ``prompter`` gives no asker.
    """
    from platformctl.scaffold.catalog import get_golden_path
    from platformctl.scaffold.create import ServiceRequest
    from platformctl.scaffold.repository import repository_spec
    from platformctl.scaffold.rerun import Asked, existing_service

    target = (asked.directory or Path(asked.name)).absolute()
    recorded = existing_service(target, asked.name)  # a re-run: recorded facts fill what was not asked
    host = hosts(asked.provider or recorded_value(recorded, "provider") or settings.provider)
    gp = get_golden_path(
        settings, asked.golden_path or recorded_value(recorded, "golden_path") or settings.golden_path
    )
    answers = _settle_answers(gp, settings, recorded, given, prompter, on_placeholder_org)
    if recorded is not None:
        explicit = {key for key in given.values if key != "service_name"}
        picked = {key: answers[key] for key in explicit if key in answers}
        refuse_changes(recorded, target, Asked(golden_path=gp.name, provider=host.name, answers=picked))
    request = ServiceRequest(
        name=asked.name,
        golden_path=gp,
        answers=answers,
        target=target,
        provider=host.name,
        repository=repository_spec(
            provider=host.name,
            org=settings.org,
            name=asked.name,
            default_owner=lambda: host.default_owner(read=asked.read_host),
            description=str(answers.get("description") or ""),
            visibility=asked.visibility,
            topics=asked.topics,
            teams=asked.teams,
        ),
    )
    if recorded is not None and asked.org and host.name == recorded.repository.provider:
        # Locating reads the host: only worth it when another place may have been asked.
        refuse_changes(recorded, target, Asked(slug=host.locate(request.repository).slug))
    return request


def _settle_answers(
    gp: GoldenPath,
    settings: Settings,
    recorded: ServiceDescriptor | None,
    given: GivenAnswers,
    prompter: Callable[[str], Asker | None],
    on_placeholder_org: Callable[[str], None],
) -> dict[str, Any]:
    """Every answer: for a new service the settings fill the gaps, for a re-run the recorded
    answers do; the rest is asked (when there is an asker) or defaulted."""
    from platformctl.scaffold.answers import resolve_answers

    values, origin = dict(given.values), dict(given.origin)
    if recorded is not None and not set(values) - {"service_name"}:
        # A re-run asking nothing new finishes the service as recorded and renders nothing:
        # its recorded answers need no second validation (Jinja was most of a re-run's cost).
        return {**_recorded_answers(gp, recorded), "service_name": values["service_name"]}
    injected: set[str] = set()
    if recorded is None:
        injected = _fill_from_settings(gp, settings, values, origin)
    else:
        values = {**_recorded_answers(gp, recorded), **values}
    subject = f"{values.get('service_name')} from {gp.name} {gp.version}"
    answers = _without_unasked(
        gp, resolve_answers(gp, values, ask=prompter(subject), origin=origin), injected
    )
    if recorded is None and "organization" not in values and _is_placeholder_org(gp, answers):
        on_placeholder_org(str(answers.get("organization", "")))
    return answers


def _fill_from_settings(
    gp: GoldenPath, settings: Settings, values: dict[str, Any], origin: dict[str, str]
) -> set[str]:
    """The owner team, the organisation and the ``platform.*`` answers a golden path asks for
    default to the settings; returns the questions filled so."""
    from platformctl.scaffold.defaults import defaults_from_settings

    filled = set()
    for question, (value, source) in defaults_from_settings(gp, settings).items():
        if question not in values:
            values[question], origin[question] = value, source
            filled.add(question)
    return filled


def _without_unasked(gp: GoldenPath, answers: dict[str, Any], injected: set[str]) -> dict[str, Any]:
    """``answers`` less the settings filled in for questions whose ``when:`` is false: a piece
    that is off (no Argo CD, no secrets) records none of the platform's values for it, as
    copier records no answer to a question it does not ask."""
    from platformctl.errors import PlatformctlError
    from platformctl.scaffold.answers import render_default
    from platformctl.scaffold.asking import applies

    earlier: dict[str, Any] = {}  # what copier's context holds when it reaches each question
    for question in gp.questions:
        if question.name in injected and not applies(question, earlier):
            answers.pop(question.name, None)
        if question.name in answers:
            earlier[question.name] = answers[question.name]
        elif question.has_default:  # not asked: copier computes its default
            try:
                earlier[question.name] = render_default(question, earlier)
            except PlatformctlError:
                continue
    return answers


def _is_placeholder_org(gp: GoldenPath, answers: Mapping[str, Any]) -> bool:
    """Only the golden path's own default is a placeholder (a typed answer is not)."""
    question = gp.question("organization")
    return question is not None and answers.get("organization") == question.default


def refuse_changes(recorded: ServiceDescriptor, target: Path, asked: Asked) -> None:
    """Refuse a re-run that asks for anything other than what ``recorded`` holds.

    Raises:
        UsageError: naming every difference.
    """
    from platformctl.scaffold.rerun import differences, refuse_differences

    found = differences(recorded, asked)
    if found:
        refuse_differences(recorded, shown_path(target), found)


def recorded_value(recorded: ServiceDescriptor | None, what: str) -> str | None:
    """The golden path or provider a service already at the target was made with."""
    if recorded is None:
        return None
    return recorded.golden_path.name if what == "golden_path" else recorded.repository.provider


def _recorded_answers(gp: GoldenPath, recorded: ServiceDescriptor) -> dict[str, Any]:
    """The recorded answers to the questions the golden path still asks."""
    asked = {q.name for q in gp.questions if q.asked}
    return {k: v for k, v in recorded.golden_path.answers.items() if k in asked}


def shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else as it is."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
