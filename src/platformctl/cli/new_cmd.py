"""``platformctl new service NAME``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from platformctl.cli.completion import golden_paths as complete_golden_paths
from platformctl.cli.context import command_context
from platformctl.cli.options import DryRunOpt, JsonOpt, NoInputOpt
from platformctl.cli.prompting import question_prompter

if TYPE_CHECKING:
    from rich.console import Console

    from platformctl.cli.context import AppContext
    from platformctl.cli.io import IO
    from platformctl.config import Settings
    from platformctl.providers.base import RepositoryHost
    from platformctl.scaffold.catalog import GoldenPath
    from platformctl.scaffold.create import ServicePlan, ServiceRequest, ServiceResult
    from platformctl.scaffold.descriptor import ServiceDescriptor
    from platformctl.scaffold.rerun import Asked, Decision

app = typer.Typer(help="Create things from golden paths.", no_args_is_help=True)


@app.command("service")
def service(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Service name: a lower-case DNS label", show_default=False)],
    golden_path: Annotated[
        str | None,
        typer.Option(
            "--golden-path",
            "-g",
            help="Golden path [config: golden_path]",
            autocompletion=complete_golden_paths,
        ),
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Owner team [config: owner]")] = None,
    description: Annotated[str | None, typer.Option("--description", help="One-line description")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", metavar="KEY=VALUE", help="Answer a question (repeatable)")
    ] = None,
    answers_file: Annotated[
        Path | None,
        typer.Option("--answers-file", "--answers", help="YAML/JSON file of answers", dir_okay=False),
    ] = None,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Where to create the service [default: ./NAME]")
    ] = None,
    provider: Annotated[
        str | None, typer.Option("--provider", help="local, github or gitlab [config: provider]")
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation or group [config: org]")] = None,
    visibility: Annotated[
        str | None, typer.Option("--visibility", help="private, public or internal [default: private]")
    ] = None,
    topic: Annotated[
        list[str] | None, typer.Option("--topic", metavar="TOPIC", help="Repository topic (repeatable)")
    ] = None,
    team: Annotated[
        list[str] | None,
        typer.Option(
            "--team", metavar="TEAM", help="GitHub team to grant access: SLUG or SLUG=PERMISSION (repeatable)"
        ),
    ] = None,
    dry_run: DryRunOpt = False,
    no_input: NoInputOpt = False,
    json: JsonOpt = False,
) -> None:
    """Create a service from a golden path: render it, make it a git repository, publish it.

    Example: platformctl new service payments --owner team-payments --set port=9000

    Tokens come from the environment: PLATFORMCTL_GITHUB_TOKEN (or GH_TOKEN / GITHUB_TOKEN),
    GITLAB_TOKEN, BACKSTAGE_TOKEN. See docs/providers.md for the requests each provider makes.
    """
    from platformctl.scaffold.answers import validate_service_name

    state = command_context(ctx, json=json, no_input=no_input)
    validate_service_name(name)  # before anything else: a bad name writes nothing
    given, origin = _given_answers(name, owner, description, set_ or [], answers_file)
    settings = state.settings(provider=provider, org=org)
    from platformctl.cli.context import catalog_registrar, repository_host
    from platformctl.errors import PlatformctlError
    from platformctl.scaffold.catalog import get_golden_path
    from platformctl.scaffold.create import ServiceRequest, create_service, plan_service
    from platformctl.scaffold.repository import repository_spec
    from platformctl.scaffold.rerun import Asked, existing_service

    target = (directory or Path(name)).absolute()
    recorded = existing_service(target, name)  # a re-run: recorded facts fill what was not asked
    host = repository_host(settings, provider or _recorded(recorded, "provider") or settings.get("provider"))
    registrar = catalog_registrar(settings)
    gp = get_golden_path(
        settings, golden_path or _recorded(recorded, "golden_path") or settings.get("golden_path")
    )
    answers, ask = _settle_answers(state, gp, settings, recorded, given, origin, host.name, target)
    request = ServiceRequest(
        name=name,
        golden_path=gp,
        answers=answers,
        target=target,
        provider=host.name,
        repository=repository_spec(
            provider=host.name,
            org=settings.get("org"),
            name=name,
            default_owner=lambda: host.default_owner(read=not dry_run),
            description=str(answers.get("description") or ""),
            visibility=visibility,
            topics=topic or [],
            teams=team or [],
        ),
    )
    if not dry_run:  # a dry run writes nothing: no need to confirm
        _confirm_answers(ask, gp, answers, target)
    if recorded is not None and org and host.name == recorded.repository.provider:
        # Locating reads the host: only worth it when another place may have been asked.
        _refuse_changes(recorded, target, Asked(slug=host.locate(request.repository).slug))
    if dry_run:
        _dry_run(state, plan_service(request, host, registrar), host)
        return
    try:
        result = create_service(request, host, progress=state.io.step, registrar=registrar)
    except (PlatformctlError, OSError) as exc:
        told = _where_things_are(exc, request)
        if told is exc:
            raise  # the same error, its traceback (for --debug) intact
        raise told from exc
    _publish_to_actions(state.io, result)
    state.io.emit(_result_document(result), lambda out: _render_result(out, result))


def _where_things_are(exc: Exception, request: ServiceRequest) -> Exception:
    """A failure once the service is rendered says where it is and that a re-run finishes it."""
    from platformctl.errors import ForeignRepository, PlatformctlError
    from platformctl.scaffold.rerun import existing_service

    if isinstance(exc, ForeignRepository) or existing_service(request.target, request.name) is None:
        return exc  # nothing of this run is left behind: the error stands as it is
    where = f"the service is in {_shown_path(request.target)}; re-run the same command to finish it"
    if isinstance(exc, OSError):
        path = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f)
        return PlatformctlError(f"{path}: {exc.strerror}" if path else str(exc), hint=where)
    if isinstance(exc, PlatformctlError):
        exc.hint = f"{exc.hint}; {where}" if exc.hint else where
    return exc


def _given_answers(
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


def _settle_answers(
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
        _refuse_changes(recorded, target, Asked(golden_path=gp.name, provider=provider, answers=picked))
    return answers, ask


def _confirm_answers(ask: Any, gp: GoldenPath, answers: dict[str, Any], target: Path) -> None:
    """After questions were asked on the terminal: the answers, and a last chance to stop."""
    from platformctl.cli.prompting import QuestionPrompter

    if not isinstance(ask, QuestionPrompter) or not ask.asked:
        return
    from platformctl.scaffold.answers import shown_value

    secret = {q.name for q in gp.questions if q.secret}
    rows = [(k, "(secret)" if k in secret else shown_value(v)) for k, v in answers.items()]
    if not ask.confirm(f"Create {answers.get('service_name')} in {_shown_path(target)} with:", rows):
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


def _refuse_changes(recorded: ServiceDescriptor, target: Path, asked: Asked) -> None:
    from platformctl.scaffold.rerun import differences, refuse_differences

    found = differences(recorded, asked)
    if found:
        refuse_differences(recorded, _shown_path(target), found)


def _recorded(recorded: ServiceDescriptor | None, what: str) -> str | None:
    """The golden path or provider a service already at the target was made with."""
    if recorded is None:
        return None
    return recorded.golden_path.name if what == "golden_path" else recorded.repository.provider


def _recorded_answers(gp: GoldenPath, recorded: ServiceDescriptor) -> dict[str, Any]:
    """The recorded answers to the questions the golden path still asks."""
    asked = {q.name for q in gp.questions if q.asked}
    return {k: v for k, v in recorded.golden_path.answers.items() if k in asked}


def _dry_run(state: AppContext, plan: ServicePlan, host: RepositoryHost) -> None:
    """Print what the real run would decide; a conflict it would hit is exit 1 here too."""
    from platformctl.errors import ForeignRepository
    from platformctl.scaffold.rerun import decide

    decision = decide(plan, host)
    state.io.emit(_plan_document(plan, decision), lambda out: _render_plan(out, plan, decision))
    if decision.action == "conflict":
        raise ForeignRepository(
            f"dry run: the real run would stop: {decision.reason}",
            hint="choose another service name or --org, or rename or delete that repository first",
            provider=host.name,
        )


def _plan_document(plan: ServicePlan, decision: Decision) -> dict[str, Any]:
    from platformctl.scaffold.answers import recorded_answers

    req = plan.request
    return {
        "dry_run": True,
        "service": req.name,
        "path": str(req.target),
        "decision": decision.action,
        "reason": decision.reason,
        "resume": plan.resume,
        "golden_path": {"name": req.golden_path.name, "version": req.golden_path.version},
        "answers": recorded_answers(req.golden_path, req.answers),
        "files": plan.files,
        "steps": plan.steps,
        "repository": {
            "provider": req.provider,
            "slug": plan.location.slug,
            "clone_url": plan.location.clone_url,
        },
    }


def _render_plan(out: Console, plan: ServicePlan, decision: Decision) -> None:
    from rich.markup import escape

    req = plan.request
    verb = {"create": "would create", "resume": "would finish", "conflict": "would stop before publishing"}
    out.print(
        f"[bold]Dry run[/]: {verb[decision.action]} {req.name} from {req.golden_path.name} "
        f"{req.golden_path.version} in {escape(str(req.target))}"
    )
    out.print(f"  {escape(decision.reason)}")
    if not plan.resume:
        out.print(f"\nfiles ({len(plan.files)}):")
        for path in plan.files:
            out.print(f"  + {escape(path)}")
    out.print("\nsteps:")
    for step in plan.steps:
        out.print(f"  - {escape(step)}")
    out.print("\nnothing was written")


def _result_document(result: ServiceResult) -> dict[str, Any]:
    from platformctl.scaffold.descriptor import read_descriptor

    req = result.request
    recorded = read_descriptor(req.target).golden_path  # facts on disk, never what was asked
    return {
        "service": req.name,
        "path": str(req.target),
        "changed": result.changed,
        "resumed": result.resumed,
        "golden_path": {"name": recorded.name, "version": recorded.version},
        "pristine_commit": result.pristine_commit,
        "head_commit": result.head_commit,
        "repository": {
            "provider": req.provider,
            "slug": result.location.slug,
            "url": result.location.url,
            "clone_url": result.location.clone_url,
        },
        "steps": [{"step": s.step, "changed": s.changed, "detail": s.detail} for s in result.steps],
        "next_steps": _next_steps(result),
    }


def _next_steps(result: ServiceResult) -> list[str]:
    return [f"cd {_shown_path(result.request.target)}", *result.request.golden_path.metadata.next_steps]


def _shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _render_result(out: Console, result: ServiceResult) -> None:
    from rich.markup import escape

    req = result.request
    out.print(
        f"[bold green]{_verb(result)}[/] service [bold]{req.name}[/] from {req.golden_path.name} "
        f"{req.golden_path.version}"
    )
    out.print(f"  path        {escape(_shown_path(req.target))}")
    out.print(f"  repository  {escape(result.location.slug)} ({req.provider})")
    out.print(f"  clone       git clone {escape(result.location.clone_url)}")
    out.print(f"  pristine    {result.pristine_commit[:12]}")
    out.print("\nNext:")
    for command in _next_steps(result):
        out.print(f"  {escape(command)}")


def _verb(result: ServiceResult) -> str:
    if not result.resumed:
        return "Created"
    return "Finished" if result.changed else "Already created:"


def _publish_to_actions(io: IO, result: ServiceResult) -> None:
    if not io.in_github_actions:
        return
    from platformctl.cli import gha

    req = result.request
    gha.publish(
        {
            "repo_url": result.location.url,
            "clone_url": result.location.clone_url,
            "path": str(req.target),
            "service": req.name,
        },
        f"### Service `{req.name}` {_verb(result).lower().rstrip(':')}\n\n| | |\n|---|---|\n"
        f"| golden path | {req.golden_path.name} {req.golden_path.version} |\n"
        f"| repository | {result.location.url} |\n| path | `{req.target}` |",
        io.env,
    )
