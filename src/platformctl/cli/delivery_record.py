"""``platformctl delivery record deployment|incident``: append one event to the local store."""

# Annotations are evaluated when the module is imported, not postponed: typer would otherwise
# compile and evaluate each command's string annotations every time it builds it (cli/app.py).

from typing import Annotated, Any

import typer

from platformctl.cli.context import command_context
from platformctl.cli.options import JsonOpt

record_app = typer.Typer(
    help="Append one event to the local delivery store.\n\n"
    "Example: platformctl delivery record deployment --service api --sha $SHA",
    no_args_is_help=True,
)


@record_app.command("deployment")
def record_deployment(
    ctx: typer.Context,
    service: Annotated[str, typer.Option("--service", help="Service deployed")],
    sha: Annotated[str, typer.Option("--sha", help="Commit deployed")],
    environment: Annotated[str, typer.Option("--environment", help="Environment")] = "production",
    status: Annotated[str, typer.Option("--status", help="success or failure")] = "success",
    at: Annotated[str | None, typer.Option("--at", help="ISO 8601 time with offset (default: now)")] = None,
    deployment_id: Annotated[
        str | None, typer.Option("--id", help="Deployment id (default: the SHA)")
    ] = None,
    change: Annotated[
        list[str] | None,
        typer.Option(
            "--change", metavar="SHA@TIME", help="A commit shipped, with its commit time (repeatable)"
        ),
    ] = None,
    remediates: Annotated[
        str | None, typer.Option("--remediates", help="Incident id this deployment fixes")
    ] = None,
    unplanned: Annotated[bool, typer.Option("--unplanned", help="A hotfix or revert (rework)")] = False,
    json: JsonOpt = False,
) -> None:
    """Append a deployment to the local store (a pipeline step after deploying).

    Example: platformctl delivery record deployment --service api --sha $SHA --change $SHA@$COMMIT_TIME
    """
    record: dict[str, Any] = {
        "type": "deployment",
        "service": service,
        "sha": sha,
        "environment": environment,
        "status": status,
        "at": at or _now(),
    }
    if deployment_id:
        record["id"] = deployment_id
    if change:
        record["changes"] = [_change(c) for c in change]
    if remediates:
        record["remediates"] = remediates
    if unplanned:
        record["unplanned"] = True
    _append(ctx, record, json)


@record_app.command("incident")
def record_incident(
    ctx: typer.Context,
    incident_id: Annotated[str, typer.Option("--id", help="Incident id")],
    service: Annotated[str, typer.Option("--service", help="Service affected")],
    started_at: Annotated[
        str | None, typer.Option("--started-at", help="ISO 8601 time (default: now)")
    ] = None,
    resolved_at: Annotated[
        str | None, typer.Option("--resolved-at", help="ISO 8601 time service was restored")
    ] = None,
    deployment: Annotated[
        str | None, typer.Option("--deployment", help="Id of the deployment that caused it")
    ] = None,
    sha: Annotated[str | None, typer.Option("--sha", help="Commit that caused it")] = None,
    json: JsonOpt = False,
) -> None:
    """Append an incident to the local store (record it again with --resolved-at once restored).

    Example: platformctl delivery record incident --id INC-7 --service api --sha $SHA
    """
    record: dict[str, Any] = {
        "type": "incident",
        "id": incident_id,
        "service": service,
        "started_at": started_at or _now(),
    }
    for key, value in (("resolved_at", resolved_at), ("deployment", deployment), ("sha", sha)):
        if value:
            record[key] = value
    _append(ctx, record, json)


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _change(text: str) -> dict[str, str]:
    from platformctl.errors import UsageError

    sha, sep, when = text.partition("@")
    if not sep or not sha or not when:
        raise UsageError(
            f"--change {text!r}: expected SHA@TIME", hint="e.g. --change 1a2b3c@2026-03-02T10:00:00Z"
        )
    return {"sha": sha, "committed_at": when}


def _append(ctx: typer.Context, record: dict[str, Any], json: bool) -> None:
    from platformctl.delivery.store import append_record, store_path

    state = command_context(ctx, json=json)
    path = store_path(state.settings().home)
    append_record(path, record)
    state.io.emit(
        {"recorded": record, "store": str(path)},
        lambda out: out.print(f"recorded {record['type']} in {path}"),
    )
