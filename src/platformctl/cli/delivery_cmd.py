"""``platformctl assess delivery`` and ``platformctl delivery record deployment|incident``."""

# Annotations are evaluated when the module is imported, not postponed: typer would otherwise
# compile and evaluate each command's string annotations every time it builds it (cli/app.py).

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from platformctl.cli.context import command_context
from platformctl.cli.delivery_record import record_app
from platformctl.cli.groups import group_help
from platformctl.cli.options import JsonOpt

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(help=group_help("delivery"), no_args_is_help=True)
app.add_typer(record_app, name="record")

_FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".json": "json"}


def assess_delivery(
    ctx: typer.Context,
    events: Annotated[
        list[Path] | None,
        typer.Option(
            "--events", dir_okay=False, help="JSON Lines events file (repeatable; default: the local store)"
        ),
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider", help="Event source: github, gitlab or local (the store under the platform home)"
        ),
    ] = None,
    repo: Annotated[
        list[str] | None, typer.Option("--repo", metavar="OWNER/NAME", help="Repository to read (repeatable)")
    ] = None,
    org: Annotated[
        str | None, typer.Option("--org", help="Read every repository of this organisation")
    ] = None,
    incident_label: Annotated[
        str, typer.Option("--incident-label", help="Label of incident issues")
    ] = "incident",
    deploy_workflow: Annotated[
        str | None,
        typer.Option(
            "--deploy-workflow",
            metavar="FILE",
            help="GitHub: where a repository has no Deployments, this workflow's runs are its deployments",
        ),
    ] = None,
    status_context: Annotated[
        str | None,
        typer.Option(
            "--status-context",
            metavar="NAME",
            help="GitHub: a commit status context whose failure on a deployed commit is an incident",
        ),
    ] = None,
    since: Annotated[str, typer.Option("--since", help="Window start: 90d, 12w or a date")] = "90d",
    until: Annotated[
        str | None, typer.Option("--until", help="Window end date, included (default: now)")
    ] = None,
    environment: Annotated[str, typer.Option("--environment", help="Environment to measure")] = "production",
    report_format: Annotated[
        str | None, typer.Option("--format", help="markdown or html (stdout, or --output)")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", dir_okay=False, help="Write the report here")
    ] = None,
    save: Annotated[bool, typer.Option("--save", help="Append the roll-up to the delivery history")] = False,
    history: Annotated[
        Path, typer.Option("--history", dir_okay=False, help="History file (JSON lines)")
    ] = Path(".platformctl/delivery-history.jsonl"),
    fail_if: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-if", metavar="METRIC<OP>VALUE", help="Exit 3 when the roll-up meets this (repeatable)"
        ),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Compute the five DORA metrics from recorded deployments and incidents.

    Example: platformctl assess delivery --events deploys.jsonl --since 90d --fail-if change_fail_rate>15

    Exit codes: 0 measured, 3 a --fail-if threshold was crossed, 2 bad flags or events.
    """
    import datetime as dt

    from platformctl.delivery.report import build_document
    from platformctl.delivery.thresholds import failures, parse_rule
    from platformctl.delivery.window import make_window

    state = command_context(ctx, json=json)
    rules = [parse_rule(r) for r in fail_if or ()]
    fmt = _format(report_format, output)
    window = make_window(since, until, dt.datetime.now(dt.UTC))
    if provider in ("github", "gitlab") or repo or org:
        from platformctl.cli.delivery_forge import ForgeRead, from_forge

        read = ForgeRead(environment, window, incident_label, deploy_workflow, status_context)
        loaded, sources = from_forge(state, provider, repo or [], org, read)
        for path in events or ():
            from platformctl.delivery.store import load_events

            loaded.extend(load_events(path))
            sources.append(str(path))
    else:
        if deploy_workflow is not None or status_context is not None:
            from platformctl.errors import UsageError

            flag = "--deploy-workflow" if deploy_workflow is not None else "--status-context"
            raise UsageError(
                f"{flag} reads GitHub", hint="pass it with --provider github and --repo or --org"
            )
        loaded, sources = _load(state, events or [], provider)
    document = build_document(loaded, window, environment, sources)
    if save:
        _save(history, document)
    if fmt and output is None:
        _stdout(_report(fmt, document))
    else:
        if fmt and output is not None:
            _write(state.io, output, _report(fmt, document))
        state.io.emit(document, lambda out: _render(out, document))
    _publish(state.io, document)
    failed = failures(rules, document["overall"])
    if failed:
        from platformctl.errors import CheckFailed

        raise CheckFailed("; ".join(failed), hint="the report lists the figures per service")


def _load(state: Any, files: list[Path], provider: str | None) -> tuple[Any, list[str]]:
    from platformctl.delivery.events import EventSet
    from platformctl.delivery.store import load_events, store_path
    from platformctl.errors import UsageError

    if provider not in (None, "local"):
        raise UsageError(
            f"--provider {provider}: not an event source",
            hint="pass --provider github, gitlab or local, or --events FILE "
            "(see 'platformctl docs delivery')",
        )
    loaded, sources = EventSet(), []
    for path in files:
        loaded.extend(load_events(path))
        sources.append(str(path))
    if not files or provider == "local":
        store = store_path(state.settings().home)
        loaded.extend(load_events(store, missing_ok=True))
        sources.append("local store")
    return loaded, sources


def _format(fmt: str | None, output: Path | None) -> str | None:
    from platformctl.errors import UsageError

    if fmt is None and output is not None:
        fmt = _FORMATS.get(output.suffix.lower())
        if fmt is None:
            raise UsageError(
                f"cannot tell the report format from {output.name!r}",
                hint="pass --format markdown, json or html",
            )
    if fmt not in (None, "markdown", "html", "json"):
        raise UsageError(
            f"--format {fmt!r}: not a report format", hint="pass --format markdown, json or html"
        )
    return fmt


def _report(fmt: str, document: dict[str, Any]) -> str:
    from platformctl.delivery.render import render_html, render_markdown

    if fmt == "html":
        return render_html(document)
    if fmt == "markdown":
        return render_markdown(document)
    import json

    from platformctl.cli.io import SCHEMA_VERSION

    return json.dumps({"schema_version": SCHEMA_VERSION, **document}, indent=2) + "\n"


def _stdout(text: str) -> None:
    import sys

    from platformctl.textsafe import escape_controls

    sys.stdout.write(escape_controls(text, keep="\n\t"))
    sys.stdout.flush()


def _write(io: Any, path: Path, text: str) -> None:
    from platformctl.errors import UsageError
    from platformctl.files import atomic_write_text

    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise UsageError(
            f"cannot write report {path}: {exc.strerror}", hint="choose another --output"
        ) from None
    io.step(f"wrote {path}")


def _save(path: Path, document: dict[str, Any]) -> None:
    import json

    from platformctl.delivery.store import append_line

    entry = {
        "window": document["window"],
        "environment": document["environment"],
        "overall": document["overall"],
    }
    append_line(path, json.dumps(entry, sort_keys=True))


def _render(out: "Console", document: dict[str, Any]) -> None:
    from rich.table import Table

    from platformctl.delivery.render import cells, forge_line

    w = document["window"]
    out.print(
        f"[bold]Delivery performance[/] {document['environment']}, {w['since'][:10]} to {w['until'][:10]}"
    )
    groups = [("all services", document["overall"]), *document["services"].items()]
    for name, figures in groups:
        table = Table(title=name, show_edge=False, box=None, header_style="bold", title_justify="left")
        for column in ("Metric", "Value", "DORA cluster"):
            table.add_column(column)
        for row in cells(figures):
            table.add_row(*row)
        compared = document.get("gitlab_dora", {}).get(name)
        if compared is not None:
            table.add_row("GitLab's DORA API", forge_line(compared), "–")
        out.print(table)
    out.print(f"[dim]Roll-up: {document['rollup']}.[/]")


def _publish(io: Any, document: dict[str, Any]) -> None:
    if not io.in_github_actions:
        return
    from platformctl.cli import gha
    from platformctl.delivery.render import render_markdown

    o = document["overall"]
    gha.publish(
        {
            "deploys_per_week": str(o["deployment_frequency"]["per_week"]),
            "lead_time_median_hours": _out(o["change_lead_time"]["median_hours"]),
            "change_fail_rate": _out(o["change_fail_rate"]["percent"]),
            "recovery_median_hours": _out(o["recovery_time"]["median_hours"]),
            "rework_rate": _out(o["rework_rate"]["percent"]),
        },
        render_markdown(document),
        io.env,
    )


def _out(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
