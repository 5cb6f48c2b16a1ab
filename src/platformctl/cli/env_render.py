"""Rendering of environment plans, lists and reaps: human text and ``--json`` documents.

Secret values never reach this module; a secret change is shown only as "will be set".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from platformctl.contracts.environments import EnvironmentSummary, ResourceChange
    from platformctl.environments.apply import ApplyResult, ReapResult
    from platformctl.environments.plan import EnvironmentPlan

_MARK = {
    "create": "[green]+ create   [/]",
    "update": "[yellow]~ update   [/]",
    "delete": "[red]- delete   [/]",
    "unchanged": "[dim]  unchanged[/]",
}
_DETAIL_MAX = 90


def change_detail(change: ResourceChange) -> str:
    """One line saying what changes (no secret value, no hash)."""
    from platformctl.environments.plan import field_changes

    if change.secret:
        return {"create": "will be set", "update": "will be set", "delete": "will be removed"}.get(
            change.action, ""
        )
    if change.action == "unchanged":
        return ""
    if change.kind == "variable":
        old, new = (change.before or {}).get("value"), (change.after or {}).get("value")
        return {"create": f"= {new}", "delete": f"(was {old})"}.get(change.action, f"{old} → {new}")
    if change.action == "delete":
        return ""
    diffs = field_changes(change.before if change.action == "update" else {}, change.after)
    created = change.action == "create"
    parts = [
        f"{path}={_short(new)}" if created else f"{path}: {_short(old)} → {_short(new)}"
        for path, old, new in diffs
        if not (created and path.startswith("labels."))
    ]
    text = ", ".join(parts)
    return text if len(text) <= _DETAIL_MAX else text[: _DETAIL_MAX - 1] + "…"


def _short(value: Any) -> str:
    return "-" if value is None else str(value)


def change_document(change: ResourceChange) -> dict[str, Any]:
    """One change as JSON; secrets carry no before/after."""
    doc: dict[str, Any] = {
        "provider": change.provider,
        "kind": change.kind,
        "name": change.name,
        "action": change.action,
    }
    if change.secret:
        doc["secret"] = True
        doc["detail"] = change_detail(change)
    else:
        doc["before"], doc["after"] = change.before, change.after
    return doc


def plan_document(plan: EnvironmentPlan, *, dry_run: bool, writes: int) -> dict[str, Any]:
    """The JSON document of `env up` / `env down`."""
    spec = plan.spec
    return {
        "service": spec.service,
        "environment": spec.name,
        "class": spec.environment_class,
        "providers": list(spec.providers),
        "ttl": spec.ttl,
        "expires_at": spec.expires_at.isoformat() if spec.expires_at else None,
        "dry_run": dry_run,
        "changed": plan.has_changes and not dry_run,
        "writes": writes,
        "summary": plan.counts(),
        "changes": [change_document(c) for c in plan.changes],
        "notes": plan.notes,
    }


def render_plan(out: Console, plan: EnvironmentPlan, *, dry_run: bool, teardown: bool = False) -> None:
    """The plan table, then one summary line."""
    from platformctl.cli.plain import escape

    spec = plan.spec
    verb = "Removal plan" if teardown else "Plan"
    out.print(
        f"[bold]{verb}[/] for environment [bold]{escape(spec.name)}[/] of {escape(spec.service)} "
        f"(class {escape(spec.environment_class)}; {', '.join(spec.providers)})"
    )
    for note in plan.notes if not teardown else ():
        out.print(f"[yellow]note:[/] {escape(note)}")
    if not plan.has_changes:
        out.print("no changes" if not teardown else "nothing to remove")
        return
    rows = [(c.provider, c.action, f"{c.kind} {c.name}", change_detail(c)) for c in plan.changes]
    width_p = max(len(r[0]) for r in rows)
    width_r = max(len(r[2]) for r in rows)
    for provider, action, resource, detail in rows:
        line = f"  {provider:<{width_p}}  {_MARK[action]}  {escape(resource):<{width_r}}  {escape(detail)}"
        out.print(line.rstrip())
    counts = plan.counts()
    out.print(
        f"Plan: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['delete']} to delete, {counts['unchanged']} unchanged."
    )
    if dry_run:
        out.print("Dry run: nothing was written.")


def render_unchanged(out: Console, document: Mapping[str, Any]) -> None:
    """What :func:`render_plan` prints for a plan without changes, from its JSON document
    (a converged ``env up`` answered from its record)."""
    from platformctl.cli.plain import escape

    out.print(
        f"[bold]Plan[/] for environment [bold]{escape(document['environment'])}[/] of "
        f"{escape(document['service'])} (class {escape(document['class'])}; "
        f"{', '.join(document['providers'])})"
    )
    for note in document["notes"]:
        out.print(f"[yellow]note:[/] {escape(note)}")
    out.print("no changes")


def render_applied(out: Console, result: ApplyResult, *, teardown: bool = False) -> None:
    """What an apply did."""
    from platformctl.cli.plain import escape

    spec = result.plan.spec
    what = "Removed" if teardown else "Applied"
    per = ", ".join(f"{p} {n}" for p, n in result.writes.items())
    out.print(
        f"[bold green]{what}[/] environment [bold]{escape(spec.name)}[/]: "
        f"{result.total_writes} write{'s' * (result.total_writes != 1)} ({per})"
    )
    if spec.expires_at and not teardown:
        out.print(f"expires {spec.expires_at.isoformat(timespec='seconds')} (ttl {spec.ttl})")


def status_document(plan: EnvironmentPlan) -> dict[str, Any]:
    """The JSON document of `env status`."""
    doc = plan_document(plan, dry_run=True, writes=0)
    doc["drifted"] = plan.has_changes
    doc["drift"] = [change_document(c) for c in plan.pending]
    doc["states"] = {name: seen.state for name, seen in plan.observed.items()}
    del doc["dry_run"], doc["changed"], doc["writes"]
    return doc


def render_status(out: Console, plan: EnvironmentPlan) -> None:
    """In sync, or the drifted resources."""
    from platformctl.cli.plain import escape

    spec = plan.spec
    states = ", ".join(f"{name}: {seen.state}" for name, seen in plan.observed.items())
    out.print(f"environment [bold]{escape(spec.name)}[/] of {escape(spec.service)} ({escape(states)})")
    if not plan.has_changes:
        out.print("[green]in sync[/] with its spec")
        return
    out.print(f"[yellow]drifted[/]: {len(plan.pending)} resource(s) differ from the spec")
    for note in plan.notes:
        out.print(f"[yellow]note:[/] {escape(note)}")
    for change in plan.pending:
        line = (
            f"  {change.provider}  {_MARK[change.action]}  {escape(change.kind)} "
            f"{escape(change.name)}  {escape(change_detail(change))}"
        )
        out.print(line.rstrip())


def _expiry(summary: EnvironmentSummary, now: datetime) -> str:
    if summary.expires_at is None:
        return "-"
    stamp = summary.expires_at.isoformat(timespec="seconds")
    return f"{stamp} (expired)" if summary.expires_at <= now else stamp


def summary_document(summary: EnvironmentSummary, now: datetime) -> dict[str, Any]:
    """One listed environment as JSON."""
    return {
        "name": summary.name,
        "provider": summary.provider,
        "class": summary.environment_class,
        "state": summary.state,
        "ttl": summary.ttl,
        "expires_at": summary.expires_at.isoformat() if summary.expires_at else None,
        "expired": bool(summary.expires_at and summary.expires_at <= now),
        "created_at": summary.created_at.isoformat() if summary.created_at else None,
    }


def list_document(service: str, found: Sequence[EnvironmentSummary], now: datetime) -> dict[str, Any]:
    """The JSON document of `env list`."""
    return {"service": service, "environments": [summary_document(s, now) for s in found]}


def render_list(out: Console, service: str, found: Sequence[EnvironmentSummary], now: datetime) -> None:
    """A table of environments, as plain fixed-width lines.

    Thousands of rows are common (one preview environment per pull request): rich's Table
    measures every cell several times, so the widths are computed here once instead.
    """
    from platformctl.cli.plain import escape

    if not found:
        out.print(f"no environments of {escape(service)} yet; create one with 'platformctl env up NAME'")
        return
    rows = [(s.name, s.provider, s.environment_class, s.state, _expiry(s, now)) for s in found]
    header, *lines = _table_lines([_LIST_COLUMNS, *rows])
    out.print(f"[bold]{escape(header)}[/]")
    _write_lines(out, lines)


_LIST_COLUMNS = ("environment", "provider", "class", "state", "expires")


def _table_lines(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows of escaped cells, each padded to its column's widest cell, two spaces apart."""
    from rich.cells import cell_len

    from platformctl.textsafe import escape_controls

    def width(cell: str) -> int:  # terminal cells: wide characters count twice
        return len(cell) if cell.isascii() else cell_len(cell)

    cells = [[escape_controls(cell) for cell in row] for row in rows]
    widths = [max(map(width, column)) for column in zip(*cells, strict=True)]
    return [
        "  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]


def _write_lines(out: Console, lines: Sequence[str]) -> None:
    """Already-escaped plain lines straight to the console's stream, in one write."""
    from platformctl.textsafe import neutralize_workflow_commands

    text = "\n".join(lines) + "\n"
    if getattr(out, "_actions", False):  # the GitHub Actions console: no line may read as a command
        text = neutralize_workflow_commands(text)
    out.file.write(text)
    out.file.flush()


def reap_document(result: ReapResult) -> dict[str, Any]:
    """The JSON document of `env reap`."""

    def doc(s: EnvironmentSummary) -> dict[str, Any]:
        return {
            "name": s.name,
            "provider": s.provider,
            "expires_at": s.expires_at.isoformat() if s.expires_at else None,
        }

    return {
        "dry_run": result.dry_run,
        "removed": [doc(s) for s in result.removed],
        "kept": [doc(s) for s in result.kept],
    }


def render_reap(out: Console, result: ReapResult) -> None:
    """Which expired environments were removed."""
    from platformctl.cli.plain import escape

    if not result.removed:
        out.print("no expired environments")
        return
    verb = "would remove" if result.dry_run else "removed"
    for s in result.removed:
        stamp = s.expires_at.isoformat(timespec="seconds") if s.expires_at else "-"
        out.print(f"{verb} {escape(s.name)} ({s.provider}; expired {stamp})")
