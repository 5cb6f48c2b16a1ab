"""``new service``'s answers: merged from flags and files, settled against a recorded service
on a re-run, confirmed on a terminal; and what a failure after rendering should say."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.cli.prompting import question_prompter

if TYPE_CHECKING:
    from platformctl.cli.context import AppContext
    from platformctl.config import Settings
    from platformctl.scaffold.catalog import GoldenPath
    from platformctl.scaffold.create import ServiceRequest
    from platformctl.scaffold.descriptor import ServiceDescriptor
    from platformctl.scaffold.rerun import Asked


def where_things_are(exc: Exception, request: ServiceRequest) -> Exception:
    """A failure once the service is rendered says where it is and that a re-run finishes it."""
    from platformctl.errors import ForeignRepository, PlatformctlError
    from platformctl.scaffold.rerun import existing_service

    if isinstance(exc, ForeignRepository) or existing_service(request.target, request.name) is None:
        return exc  # nothing of this run is left behind: the error stands as it is
    where = f"the service is in {shown_path(request.target)}; re-run the same command to finish it"
    if isinstance(exc, OSError):
        path = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f)
        return PlatformctlError(f"{path}: {exc.strerror}" if path else str(exc), hint=where)
    if isinstance(exc, PlatformctlError):
        exc.hint = f"{exc.hint}; {where}" if exc.hint else where
    return exc


def given_answers(
    name: str, owner: str | None, description: str | None, sets: list[str], answers_file: Path | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Merge answers: answers file < --set < dedicated flags; remember where each came from."""
    from platformctl.scaffold.answers import parse_set_options, read_answers_file

    given: dict[str, Any] = {}
    origin: dict[str, str] = {}
    if answers_file is not None:
        for key, value in read_answers_file(answers_file).items():
            given[key], origin[key] = value, f"{answers_file}: {key}"
    for key, value in parse_set_options(sets).items():
        given[key], origin[key] = value, f"--set {key}"
    for key, value, flag in (("owner", owner, "--owner"), ("description", description, "--description")):
        if value is not None:
            given[key], origin[key] = value, flag
    if given.get("service_name", name) != name:
        from platformctl.errors import UsageError

        raise UsageError("service_name comes from the NAME argument; do not set it separately")
    given["service_name"], origin["service_name"] = name, "NAME"
    return given, origin


def settle_answers(
    state: AppContext,
    gp: GoldenPath,
    settings: Settings,
    recorded: ServiceDescriptor | None,
    given: dict[str, Any],
    origin: dict[str, str],
    provider: str,
    target: Path,
) -> tuple[dict[str, Any], Any]:
    """Every answer: for a new service settings fill the gaps, for a re-run the recorded answers
    do, and a re-run that asks for anything else is refused."""
    from platformctl.scaffold.answers import resolve_answers
    from platformctl.scaffold.defaults import defaults_from_settings
    from platformctl.scaffold.rerun import Asked

    explicit = {key for key in given if key != "service_name"}
    if recorded is not None and not explicit:
        # A re-run asking nothing new finishes the service as recorded and renders nothing:
        # its recorded answers need no second validation (Jinja was most of a re-run's cost).
        refuse_changes(recorded, target, Asked(golden_path=gp.name, provider=provider))
        return {**_recorded_answers(gp, recorded), "service_name": given["service_name"]}, None
    if recorded is None:
        # The owner team and the organisation a golden path asks for default to the settings.
        for question, (value, source) in defaults_from_settings(gp, settings).items():
            if question not in given:
                given[question], origin[question] = value, source
    else:
        given = {**_recorded_answers(gp, recorded), **given}
    ask = question_prompter(state.io, f"{given.get('service_name')} from {gp.name} {gp.version}")
    answers = resolve_answers(gp, given, ask=ask, origin=origin)
    org_question = gp.question("organization")
    # Only the golden path's own default is a placeholder (a typed answer is not).
    placeholder = org_question is not None and answers.get("organization") == org_question.default
    if recorded is None and "organization" not in given and placeholder:
        _warn_placeholder_org(state, str(answers.get("organization", "")))
    if recorded is not None:
        picked = {key: answers[key] for key in explicit if key in answers}
        refuse_changes(recorded, target, Asked(golden_path=gp.name, provider=provider, answers=picked))
    return answers, ask


def confirm_answers(ask: Any, gp: GoldenPath, answers: dict[str, Any], target: Path) -> None:
    """After questions were asked on the terminal: the answers, and a last chance to stop."""
    from platformctl.cli.prompting import QuestionPrompter

    if not isinstance(ask, QuestionPrompter) or not ask.asked:
        return
    from platformctl.scaffold.answers import shown_value

    secret = {q.name for q in gp.questions if q.secret}
    rows = [(k, "(secret)" if k in secret else shown_value(v)) for k, v in answers.items()]
    if not ask.confirm(f"Create {answers.get('service_name')} in {shown_path(target)} with:", rows):
        from platformctl.errors import PlatformctlError

        raise PlatformctlError(
            "not created: nothing was written", hint="run the command again to answer anew"
        )


def _warn_placeholder_org(state: AppContext, org: str) -> None:
    """The golden path's organisation default is a placeholder: say once where it will land."""
    state.io.warn(
        f"no 'org' setting: the service uses the placeholder organisation {org!r} "
        f"(container image ghcr.io/{org}/…, CODEOWNERS @{org}/…, CI); set 'org' in "
        "platformctl.yaml ('platformctl config init' asks for it), or pass --set organization=ORG"
    )


def refuse_changes(recorded: ServiceDescriptor, target: Path, asked: Asked) -> None:
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
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
