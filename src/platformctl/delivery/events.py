"""Decoding JSON Lines records into the neutral event model (:mod:`platformctl.contracts.delivery_events`)."""

from __future__ import annotations

from typing import Any

from platformctl.contracts.delivery_events import (
    STATUSES,
    Change,
    Deployment,
    EventSet,
    Incident,
    parse_time,
)
from platformctl.errors import UsageError

_HINT = "see 'platformctl docs delivery'"

__all__ = ["Change", "Deployment", "EventSet", "Incident", "parse_time", "record_from"]


def _text(data: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise UsageError(f"{where}: {key!r} must be a string", hint=_HINT)
    value = str(value)
    if required and not value:
        raise UsageError(f"{where}: {key!r} is required", hint=_HINT)
    return value


def deployment_from(data: dict[str, Any], where: str) -> Deployment:
    """A deployment from one decoded ``{"type": "deployment", ...}`` record."""
    status = _text(data, "status", where, required=False) or "success"
    if status not in STATUSES:
        raise UsageError(f"{where}: status {status!r} is not one of {', '.join(STATUSES)}", hint=_HINT)
    raw_changes = data.get("changes", [])
    if not isinstance(raw_changes, list):
        raise UsageError(f"{where}: 'changes' must be a list", hint=_HINT)
    changes = []
    for n, item in enumerate(raw_changes):
        spot = f"{where}: changes[{n}]"
        if not isinstance(item, dict):
            raise UsageError(f"{spot}: expected an object", hint=_HINT)
        changes.append(
            Change(
                _text(item, "sha", spot),
                parse_time(item.get("committed_at"), f"{spot}.committed_at"),
                _text(item, "pr", spot, required=False),
            )
        )
    unplanned = data.get("unplanned", False)
    if not isinstance(unplanned, bool):
        raise UsageError(f"{where}: 'unplanned' must be true or false", hint=_HINT)
    return Deployment(
        service=_text(data, "service", where),
        environment=_text(data, "environment", where, required=False) or "production",
        sha=_text(data, "sha", where),
        at=parse_time(data.get("at"), f"{where}: at"),
        status=status,
        id=_text(data, "id", where, required=False),
        changes=tuple(changes),
        remediates=_text(data, "remediates", where, required=False),
        unplanned=unplanned,
    )


def incident_from(data: dict[str, Any], where: str) -> Incident:
    """An incident from one decoded ``{"type": "incident", ...}`` record."""
    resolved = data.get("resolved_at")
    return Incident(
        id=_text(data, "id", where),
        service=_text(data, "service", where),
        started_at=parse_time(data.get("started_at"), f"{where}: started_at"),
        resolved_at=None if resolved in (None, "") else parse_time(resolved, f"{where}: resolved_at"),
        deployment=_text(data, "deployment", where, required=False),
        sha=_text(data, "sha", where, required=False),
    )


def record_from(data: Any, where: str) -> Deployment | Incident:
    """One JSON Lines record, by its ``type``."""
    if not isinstance(data, dict):
        raise UsageError(f"{where}: expected a JSON object", hint=_HINT)
    kind = data.get("type")
    if kind == "deployment":
        return deployment_from(data, where)
    if kind == "incident":
        return incident_from(data, where)
    raise UsageError(f"{where}: 'type' must be deployment or incident", hint=_HINT)
