"""``platformctl check service`` and ``platformctl update service``: keep a service on its golden path."""

# Annotations are evaluated when the module is imported, not postponed: typer would otherwise
# compile and evaluate each command's string annotations every time it builds it (cli/app.py).

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from platformctl.cli.completion import service_dirs
from platformctl.cli.context import command_context
from platformctl.cli.groups import group_help
from platformctl.cli.options import DryRunOpt, JsonOpt, NoInputOpt
from platformctl.cli.prompting import question_prompter

if TYPE_CHECKING:
    from rich.console import Console

    from platformctl.cli.io import IO
    from platformctl.scaffold.lifecycle import ServiceStatus, UpdateResult

check_app = typer.Typer(help=group_help("check"), no_args_is_help=True)
update_app = typer.Typer(help=group_help("update"), no_args_is_help=True)

PathArg = Annotated[
    Path,
    typer.Argument(
        help="The service checkout (default: here)", show_default=False, autocompletion=service_dirs
    ),
]


@check_app.command("service")
def check_service(ctx: typer.Context, path: PathArg = Path("."), json: JsonOpt = False) -> None:
    """Report the golden path version of a service and its drift from the pristine render.

    Drift includes uncommitted edits, deletions and new files (labelled uncommitted).

    Example: platformctl check service ./payments --json

    Exit codes: 0 current, 3 an update is available or the recorded golden path is not
    available, 2 not a service.
    """
    from platformctl.scaffold.lifecycle import check_service as check

    state = command_context(ctx, json=json)
    status = check(path, state.settings())
    document = {**asdict(status), "root": str(status.root)}
    state.io.emit(document, lambda out: _render_status(out, status))
    _publish_status(state.io, status)
    if status.available is None:
        from platformctl.errors import CheckFailed

        raise CheckFailed(
            f"golden path {status.golden_path!r} recorded in platform.yaml is not available here",
            hint="add its source under golden_paths in platformctl.yaml "
            "(see 'platformctl docs configuration'), or upgrade platformctl",
        )
    if status.update_available:
        from platformctl.errors import CheckFailed

        raise CheckFailed(f"{status.name}: golden path {status.available} is available", reported=True)


def _publish_status(io: "IO", status: "ServiceStatus") -> None:
    """Step outputs and a summary inside GitHub Actions: a nightly job branches on them."""
    if not io.in_github_actions:
        return
    from platformctl.cli import gha

    drift = status.drift or {}
    counts = ", ".join(f"{len(v)} {k}" for k, v in drift.items()) or "unknown (pristine commit missing)"
    gha.publish(
        {
            "update_available": str(status.update_available).lower(),
            "version": status.version,
            "available": status.available or "",
            "golden_path": status.golden_path,
        },
        f"### Service `{status.name}`: golden path {status.golden_path} {status.version}\n\n"
        f"newest available: {status.available or 'not available'}; drift from the pristine render: {counts}",
        io.env,
    )


def _render_status(out: "Console", status: "ServiceStatus") -> None:
    from rich.markup import escape

    available = escape(status.available) if status.available else "[red]not available[/]"
    uncommitted = set(status.uncommitted)
    out.print(
        f"[bold]{escape(status.name)}[/]: golden path {escape(status.golden_path)} "
        f"{escape(status.version)} (newest available: {available})"
    )
    if status.update_available:
        out.print(f"[yellow]update available[/]: run 'platformctl update service' to take {status.available}")
    elif status.available:
        out.print("[green]current[/]")
    if not status.pristine_present:
        out.print(
            f"pristine commit {status.pristine_commit[:12]} is missing (shallow clone? "
            "run 'git fetch --unshallow origin')"
        )
    elif status.drift is not None:
        counts = ", ".join(f"{len(v)} {k}" for k, v in status.drift.items())
        if uncommitted:
            counts += f" ({len(uncommitted)} uncommitted)"
        out.print(f"drift from the pristine render: {counts}")
        for kind, mark in (("changed", "~"), ("added", "+"), ("removed", "-")):
            for name in status.drift[kind]:
                label = " [yellow](uncommitted)[/]" if name in uncommitted else ""
                out.print(f"  {mark} {escape(name)}{label}")


@update_app.command("service")
def update_service(
    ctx: typer.Context,
    path: PathArg = Path("."),
    to: Annotated[str | None, typer.Option("--to", help="Target golden-path version")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", metavar="KEY=VALUE", help="Answer a (new) question (repeatable)"),
    ] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Merge on the current branch")] = False,
    dry_run: DryRunOpt = False,
    no_input: NoInputOpt = False,
    json: JsonOpt = False,
) -> None:
    """Merge the newest version of the service's golden path, keeping local edits.

    Example: platformctl update service ./payments --dry-run

    Exit codes: 0 on a clean merge or when already current, 3 on conflicts (left for you to
    resolve), 2 on a dirty tree or bad flags.
    """
    from contextlib import nullcontext

    from platformctl.locks import service_lock
    from platformctl.scaffold.answers import parse_set_options
    from platformctl.scaffold.descriptor import read_descriptor
    from platformctl.scaffold.lifecycle import find_service_root
    from platformctl.scaffold.lifecycle import update_service as update

    state = command_context(ctx, json=json, no_input=no_input)
    sets = parse_set_options(set_ or [])
    ask = question_prompter(state.io)
    settings = state.settings()
    name = read_descriptor(find_service_root(path)).name
    wait = settings.lock_wait
    lock = nullcontext() if dry_run else service_lock(settings.home, name, "updating", wait=wait)
    with lock:
        result = update(path, settings, to=to, sets=sets, ask=ask, dry_run=dry_run, in_place=in_place)
    document = _update_document(result)
    state.io.emit(document, lambda out: _render_update(out, result))
    if state.io.in_github_actions:
        from platformctl.cli import gha

        gha.publish(
            {
                "status": document["status"],
                "branch": result.branch or "",
                "from_version": result.from_version,
                "to_version": result.to_version,
            },
            f"### Service `{result.name}`: golden path {result.golden_path} "
            f"{result.from_version} → {result.to_version}\n\n{document['status']}"
            + (f" on branch `{result.branch}`" if result.branch else ""),
            state.io.env,
        )
    if result.conflicts:
        from platformctl.errors import CheckFailed

        raise CheckFailed(
            f"{len(result.conflicts)} file(s) conflict: {', '.join(result.conflicts)}",
            hint="resolve them, 'git add' them and 'git commit' to finish; or 'git merge --abort'",
        )


def _update_document(result: "UpdateResult") -> dict[str, Any]:
    document = asdict(result)
    document["root"] = str(result.root)
    document["status"] = (
        "current"
        if result.current
        else "dry-run"
        if result.dry_run
        else "conflicts"
        if result.conflicts
        else "merged"
    )
    return document


def _render_update(out: "Console", result: "UpdateResult") -> None:
    from rich.markup import escape

    if result.current:
        out.print(
            f"{result.name} is already on {result.golden_path} {result.to_version}: nothing to do",
            markup=False,
        )
        return
    verb = "would update" if result.dry_run else "updating"
    out.print(
        f"{result.name}: {verb} {result.golden_path} {result.from_version} → {result.to_version}",
        markup=False,
    )
    for kind, mark in (("changed", "~"), ("added", "+"), ("removed", "-")):
        for name in result.files.get(kind, []):
            out.print(f"  {mark} {escape(name)}")
    if result.dry_run:
        out.print("nothing was changed")
    elif result.conflicts:
        out.print(f"merge left on branch {result.branch} with conflicts in:", markup=False)
        for name in result.conflicts:
            out.print(f"  ! {escape(name)}")
    else:
        commit = (result.merge_commit or "")[:12]
        out.print(f"[green]merged[/] on branch {escape(result.branch or '')} ({commit})")
        out.print(
            "Next: run the service's tests, push the branch and open a pull request; "
            "merge it with a merge commit, not a squash"
        )
