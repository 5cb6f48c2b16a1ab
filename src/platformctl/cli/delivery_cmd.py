"""``platformctl assess delivery`` and ``platformctl delivery record deployment|incident``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from platformctl.cli.context import command_context
from platformctl.cli.delivery_record import record_app
from platformctl.cli.options import JsonOpt

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(
    help="Record delivery events (deployments, incidents) in the local store.", no_args_is_help=True
)
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
        cache = history.parent / "delivery-cache.json"
        loaded, sources = _from_forge(
            state, provider, repo or [], org, environment, window, incident_label, cache
        )
        for path in events or ():
            from platformctl.delivery.store import load_events

            loaded.extend(load_events(path))
            sources.append(str(path))
    else:
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


def _from_forge(
    state: Any,
    provider: str | None,
    repos: list[str],
    org: str | None,
    environment: str,
    window: Any,
    incident_label: str,
    cache_file: Path,
) -> tuple[Any, list[str]]:
    """Events of each repository, eight at a time (bounded: the host's secondary rate limits)."""
    from concurrent.futures import ThreadPoolExecutor

    from platformctl.cli.context import git_host_service, http_policy
    from platformctl.delivery.events import EventSet
    from platformctl.delivery.store import load_cache, save_cache
    from platformctl.providers.http import build_client

    settings = state.settings(provider=provider) if provider else state.settings()
    host = _check_forge(provider or settings.provider, repos, org)
    client = build_client(git_host_service(settings, host), http_policy(settings))
    source: Any
    if host == "github":
        from platformctl.providers.github.deployments import GitHubDeliverySource
        from platformctl.providers.repo_trees import GitHubTrees as Trees

        source = GitHubDeliverySource(client, incident_label=incident_label, cache=load_cache(cache_file))
    else:
        from platformctl.providers.gitlab.deployments import GitLabDeliverySource
        from platformctl.providers.repo_trees import GitLabTrees as Trees  # type: ignore[assignment]

        source = GitLabDeliverySource(client)
    loaded = EventSet()
    try:
        if org:
            repos = [*repos, *(r.slug for r in Trees(client).repositories(org))]
        with ThreadPoolExecutor(max_workers=8) as pool:
            for one in pool.map(lambda slug: source.events(slug, environment, window.since), repos):
                loaded.extend(one)
    finally:
        client.close()
    if host == "github":
        save_cache(cache_file, source.cache)
    return loaded, [f"{host}:{slug}" for slug in repos]


def _check_forge(host: str, repos: list[str], org: str | None) -> str:
    from platformctl.errors import UsageError

    if host not in ("github", "gitlab"):
        raise UsageError(
            f"--repo and --org need a forge, not {host!r}",
            hint="pass --provider github or gitlab, or --events FILE (see 'platformctl docs delivery')",
        )
    if not repos and not org:
        raise UsageError(
            f"--provider {host} needs --repo OWNER/NAME or --org ORG", hint="name what to measure"
        )
    for slug in repos:
        parts = slug.split("/")
        if len(parts) < 2 or not all(parts) or (host == "github" and len(parts) != 2):
            raise UsageError(f"--repo {slug!r}: expected OWNER/NAME", hint="e.g. --repo acme/payments")
    return host


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


def _render(out: Console, document: dict[str, Any]) -> None:
    from rich.table import Table

    from platformctl.delivery.render import cells

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
