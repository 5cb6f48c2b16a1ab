"""The neutral event model: deployments (with the changes they shipped) and incidents.

Every source maps onto these types. Times are always time-zone aware and compared in UTC;
a time without an offset is refused, because guessing the zone moves events across window
and week boundaries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from platformctl.errors import UsageError

STATUSES = ("success", "failure")


@dataclass(frozen=True)
class Change:
    """One commit shipped by a deployment; ``pr`` when it reached the branch through a pull request."""

    sha: str
    committed_at: dt.datetime
    pr: str = ""


@dataclass(frozen=True)
class Deployment:
    """One deployment attempt of a service to an environment."""

    service: str
    environment: str
    sha: str
    at: dt.datetime
    status: str = "success"
    id: str = ""
    changes: tuple[Change, ...] = ()
    remediates: str = ""  # id of the incident this deployment was made to fix
    unplanned: bool = False  # a hotfix or revert: rework even when no incident is recorded

    @property
    def key(self) -> str:
        """The id when the source gave one, else the deployed SHA."""
        return self.id or self.sha

    @property
    def rework(self) -> bool:
        """Whether this deployment was unplanned remediation."""
        return self.unplanned or bool(self.remediates)


@dataclass(frozen=True)
class Incident:
    """A failure in production, linked to the deployment (or SHA) that caused it where known."""

    id: str
    service: str
    started_at: dt.datetime
    resolved_at: dt.datetime | None = None
    deployment: str = ""
    sha: str = ""


@dataclass
class EventSet:
    """Everything one source produced."""

    deployments: list[Deployment] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)

    def extend(self, other: EventSet) -> None:
        """Add another source's events."""
        self.deployments.extend(other.deployments)
        self.incidents.extend(other.incidents)


def parse_time(value: Any, where: str) -> dt.datetime:
    """An ISO 8601 time with an offset (``Z`` or ``+02:00``), as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{where}: expected an ISO 8601 time", hint="write e.g. 2026-03-02T14:00:00Z")
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise UsageError(
            f"{where}: {value!r} is not an ISO 8601 time", hint="write e.g. 2026-03-02T14:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        raise UsageError(
            f"{where}: {value!r} has no time zone",
            hint="add Z (UTC) or an offset such as +02:00",
        )
    return parsed.astimezone(dt.UTC)


def _text(data: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise UsageError(f"{where}: {key!r} must be a string", hint="see docs/delivery.md")
    value = str(value)
    if required and not value:
        raise UsageError(f"{where}: {key!r} is required", hint="see docs/delivery.md")
    return value


def deployment_from(data: dict[str, Any], where: str) -> Deployment:
    """A deployment from one decoded ``{"type": "deployment", ...}`` record."""
    status = _text(data, "status", where, required=False) or "success"
    if status not in STATUSES:
        raise UsageError(
            f"{where}: status {status!r} is not one of {', '.join(STATUSES)}", hint="see docs/delivery.md"
        )
    raw_changes = data.get("changes", [])
    if not isinstance(raw_changes, list):
        raise UsageError(f"{where}: 'changes' must be a list", hint="see docs/delivery.md")
    changes = []
    for n, item in enumerate(raw_changes):
        spot = f"{where}: changes[{n}]"
        if not isinstance(item, dict):
            raise UsageError(f"{spot}: expected an object", hint="see docs/delivery.md")
        changes.append(
            Change(
                _text(item, "sha", spot),
                parse_time(item.get("committed_at"), f"{spot}.committed_at"),
                _text(item, "pr", spot, required=False),
            )
        )
    unplanned = data.get("unplanned", False)
    if not isinstance(unplanned, bool):
        raise UsageError(f"{where}: 'unplanned' must be true or false", hint="see docs/delivery.md")
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
        raise UsageError(f"{where}: expected a JSON object", hint="see docs/delivery.md")
    kind = data.get("type")
    if kind == "deployment":
        return deployment_from(data, where)
    if kind == "incident":
        return incident_from(data, where)
    raise UsageError(f"{where}: 'type' must be deployment or incident", hint="see docs/delivery.md")
