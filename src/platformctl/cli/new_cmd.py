"""``platformctl new service NAME``."""

# Annotations are evaluated when the module is imported, not postponed: typer would otherwise
# compile and evaluate each command's string annotations every time it builds it (cli/app.py).

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from platformctl.cli.completion import golden_paths as complete_golden_paths
from platformctl.cli.context import command_context
from platformctl.cli.groups import group_help
from platformctl.cli.options import DryRunOpt, JsonOpt, NoInputOpt

if TYPE_CHECKING:
    from rich.console import Console

    from platformctl.cli.context import AppContext
    from platformctl.config import Settings
    from platformctl.contracts.repositories import CatalogRegistrar, RepositoryHost
    from platformctl.scaffold.answers import Asker
    from platformctl.scaffold.create import ServicePlan, ServiceRequest, ServiceResult
    from platformctl.scaffold.prepare import GivenAnswers, ServiceAsk
    from platformctl.scaffold.rerun import Decision

app = typer.Typer(help=group_help("new"), no_args_is_help=True)


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
    GITLAB_TOKEN, BACKSTAGE_TOKEN. See 'platformctl docs providers' for the requests each provider makes.
    """
    from platformctl.cli import new_recorded
    from platformctl.scaffold.answers import validate_service_name

    state = command_context(ctx, json=json, no_input=no_input)
    validate_service_name(name)  # before anything else: a bad name writes nothing
    flags = (golden_path, owner, description, set_, answers_file, provider, org, visibility, topic, team)
    bare = not (any(flags) or dry_run)  # --dir, --json and --no-input change no decision
    if bare and new_recorded.answer_from_record(state, name, directory):
        return  # converged, and nothing the decision depends on changed since it was recorded
    from platformctl.cli.new_answers import confirm_answers
    from platformctl.scaffold.prepare import ServiceAsk, given_answers

    given = given_answers(name, owner, description, set_ or [], answers_file)
    settings = state.settings(provider=provider, org=org)
    asked = ServiceAsk(
        name=name,
        golden_path=golden_path,
        directory=directory,
        provider=provider,
        org=org,
        visibility=visibility,
        topics=topic or [],
        teams=team or [],
        read_host=not dry_run,
    )
    request, host, ask = _prepare(state, settings, asked, given)
    registrar = state.catalog_registrar(settings)
    if not dry_run:  # a dry run writes nothing: no need to confirm
        confirm_answers(ask, request.golden_path, request.answers, request.target)
    if dry_run:
        from platformctl.scaffold.create import plan_service

        _dry_run(state, plan_service(request, host, registrar, home=settings.home), host)
        return

    _create(state, settings, request, host, registrar, recordable=bare)


def _create(
    state: "AppContext",
    settings: "Settings",
    request: "ServiceRequest",
    host: "RepositoryHost",
    registrar: "CatalogRegistrar | None",
    *,
    recordable: bool,
) -> None:
    """Create (or finish) the service and print the result; a converged run of the real local
    host without flags is recorded for the next one (:mod:`platformctl.cli.new_recorded`)."""
    from platformctl.cli import new_recorded, new_render
    from platformctl.cli.new_answers import where_things_are
    from platformctl.errors import PlatformctlError
    from platformctl.scaffold.create import create_service

    recorder = None
    if recordable and request.provider == "local" and registrar is None and new_recorded.default_hosts(state):
        recorder = new_recorded.Recorder(state, settings, request, Path(host.locate(request.repository).url))
    try:
        result = create_service(
            request,
            host,
            progress=recorder.step if recorder else state.io.step,
            registrar=registrar,
            home=settings.home,
            lock_wait=settings.lock_wait,
        )
    except (PlatformctlError, OSError) as exc:
        told = where_things_are(exc, request)
        if told is exc:
            raise  # the same error, its traceback (for --debug) intact
        raise told from exc
    document, shown = _result_document(result), _shown(result)
    new_render.emit(state, document, shown)
    if recorder is not None:
        recorder.remember(result, document, shown)


def _prepare(
    state: "AppContext", settings: "Settings", asked: "ServiceAsk", given: "GivenAnswers"
) -> "tuple[ServiceRequest, RepositoryHost, Asker | None]":
    """The settled request, the host it goes to, and the terminal's asker if one was used."""
    from platformctl.cli.new_answers import warn_placeholder_org
    from platformctl.cli.prompting import question_prompter
    from platformctl.scaffold.prepare import prepare_service

    hosts: dict[str, RepositoryHost] = {}
    askers: list[Asker | None] = []

    def host_for(provider: str) -> "RepositoryHost":
        if provider not in hosts:
            hosts[provider] = state.repository_host(settings, provider)
        return hosts[provider]

    def prompter(subject: str) -> "Asker | None":
        askers.append(question_prompter(state.io, subject))
        return askers[-1]

    request = prepare_service(
        asked,
        given,
        settings,
        hosts=host_for,
        prompter=prompter,
        on_placeholder_org=lambda found: warn_placeholder_org(state, found),
    )
    return request, host_for(request.provider), askers[-1] if askers else None


def _dry_run(state: "AppContext", plan: "ServicePlan", host: "RepositoryHost") -> None:
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


def _plan_document(plan: "ServicePlan", decision: "Decision") -> dict[str, Any]:
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


def _render_plan(out: "Console", plan: "ServicePlan", decision: "Decision") -> None:
    from platformctl.cli.plain import escape

    req = plan.request
    verb = {"create": "would create", "resume": "would finish", "conflict": "would stop before publishing"}
    out.print(
        f"[bold]Dry run[/]: {verb[decision.action]} {req.name} from {req.golden_path.name} "
        f"{req.golden_path.version} in {escape(str(req.target))}"
    )
    out.print(f"  {escape(decision.reason)}")
    if not plan.resume:
        out.print()
        out.print(f"files ({len(plan.files)}):")
        for path in plan.files:
            out.print(f"  + {escape(path)}")
    out.print()
    out.print("steps:")
    for step in plan.steps:
        out.print(f"  - {escape(step)}")
    out.print()
    out.print("nothing was written")


def _result_document(result: "ServiceResult") -> dict[str, Any]:
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


def _next_steps(result: "ServiceResult") -> list[str]:
    from platformctl.scaffold.prepare import shown_path

    return [f"cd {shown_path(result.request.target)}", *result.request.golden_path.metadata.next_steps]


def _shown(result: "ServiceResult") -> dict[str, str]:
    """What the text output shows besides the document: the golden path as loaded now (the
    document says what ``platform.yaml`` records) and the path relative to the working folder."""
    from platformctl.scaffold.prepare import shown_path

    gp = result.request.golden_path
    return {"golden_path": f"{gp.name} {gp.version}", "path": shown_path(result.request.target)}
