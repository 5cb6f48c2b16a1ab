"""The neutral delivery event model: deployments (with the changes they shipped) and incidents.

Every source (an events file, the local store, a forge provider) maps onto these types.
Times are always time-zone aware and compared in UTC; a time without an offset is refused,
because guessing the zone moves events across window and week boundaries.
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
    # Per service, the figures a forge computes itself (GitLab's DORA API), to compare with.
    reported: dict[str, dict[str, Any]] = field(default_factory=dict)

    def extend(self, other: EventSet) -> None:
        """Add another source's events."""
        self.deployments.extend(other.deployments)
        self.incidents.extend(other.incidents)
        self.reported.update(other.reported)


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
