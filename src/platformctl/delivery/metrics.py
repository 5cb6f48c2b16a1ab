"""The five DORA metrics for one service, and their roll-up over several services.

Definitions (docs/delivery.md cites DORA's guide for each):

- deployment frequency: successful deployments in the window, per week and per day;
- change lead time: per change, first successful deployment containing it minus its commit
  time; median and p90 (nearest rank) of those samples;
- change fail rate: deployments that caused a failure / all deployment attempts. A deployment
  caused a failure when its own status is ``failure`` or an incident links it (by id or SHA);
- failed deployment recovery time: per failing deployment, until the linked incident's
  resolution where one is recorded, else until the next successful deployment; a failure not
  restored before the window ends is counted as unrestored, never guessed;
- deployment rework rate: unplanned deployments (remediating an incident, hotfix, revert) /
  all deployment attempts.

Roll-ups never average per-service figures: counts are summed and the per-change and
per-failure samples are pooled before the median is taken.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from platformctl.delivery.events import Deployment, EventSet, Incident
from platformctl.delivery.window import Window


@dataclass(frozen=True)
class Recovery:
    """How one failing deployment was restored."""

    deployment: str
    hours: float | None  # None: not restored within the window
    via: str  # incident | next deployment | unrestored


@dataclass
class Samples:
    """The raw material of the metrics: counts and samples, poolable across services."""

    deployments: int = 0
    successful: int = 0
    failed: int = 0
    rework: int = 0
    lead_hours: list[float] = field(default_factory=list)
    recoveries: list[Recovery] = field(default_factory=list)
    unlinked_incidents: int = 0

    def add(self, other: Samples) -> None:
        """Pool another service's samples into these."""
        self.deployments += other.deployments
        self.successful += other.successful
        self.failed += other.failed
        self.rework += other.rework
        self.lead_hours += other.lead_hours
        self.recoveries += other.recoveries
        self.unlinked_incidents += other.unlinked_incidents


def median(values: list[float]) -> float | None:
    """The median (mean of the two middle values for an even count); None when empty."""
    return statistics.median(values) if values else None


def p90(values: list[float]) -> float | None:
    """The 90th percentile by nearest rank: the smallest value with 90% of samples at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def _failing_keys(
    deployments: list[Deployment], incidents: Iterable[Incident]
) -> tuple[dict[str, Incident | None], int]:
    """Keys of the deployments that caused a failure, with the incident that says so (if any)."""
    by_key = {d.key: d for d in deployments}
    by_sha: dict[str, Deployment] = {}
    for d in sorted(deployments, key=lambda d: d.at):
        by_sha.setdefault(d.sha, d)  # the first deployment of a SHA introduced it
        for change in d.changes:
            by_sha.setdefault(change.sha, d)
    failing: dict[str, Incident | None] = {d.key: None for d in deployments if d.status == "failure"}
    unlinked = 0
    for incident in incidents:
        culprit = by_key.get(incident.deployment) or by_sha.get(incident.sha)
        if culprit is None:
            unlinked += 1
        elif failing.get(culprit.key) is None:
            failing[culprit.key] = incident
    return failing, unlinked


def _recovery(
    deploy: Deployment, incident: Incident | None, later: list[Deployment], window: Window
) -> Recovery:
    if incident is not None and incident.resolved_at is not None and incident.resolved_at < window.until:
        return Recovery(deploy.key, _hours(incident.resolved_at - deploy.at), "incident")
    restored = next(
        (d for d in later if d.at > deploy.at and d.status == "success" and d.key != deploy.key), None
    )
    if restored is None or restored.at >= window.until:
        return Recovery(deploy.key, None, "unrestored")
    return Recovery(deploy.key, _hours(restored.at - deploy.at), "next deployment")


def _lead_times(successful: list[Deployment]) -> list[float]:
    """One sample per change: its first successful deployment (a redeploy is not a new change)."""
    first: dict[str, float] = {}
    for deploy in sorted(successful, key=lambda d: d.at):
        for change in deploy.changes:
            if change.sha not in first:
                first[change.sha] = max(0.0, _hours(deploy.at - change.committed_at))
    return list(first.values())


def service_samples(deployments: list[Deployment], incidents: list[Incident], window: Window) -> Samples:
    """The samples of one service and environment in ``window`` (events outside it ignored)."""
    inside = sorted((d for d in deployments if d.at in window), key=lambda d: d.at)
    successful = [d for d in inside if d.status == "success"]
    failing, unlinked = _failing_keys(inside, (i for i in incidents if i.started_at in window))
    recoveries = [_recovery(d, failing[d.key], inside, window) for d in inside if d.key in failing]
    return Samples(
        deployments=len(inside),
        successful=len(successful),
        failed=len(failing),
        rework=sum(1 for d in inside if d.rework),
        lead_hours=_lead_times(successful),
        recoveries=recoveries,
        unlinked_incidents=unlinked,
    )


def merged_incidents(incidents: list[Incident]) -> list[Incident]:
    """One incident per id: a record with a resolution wins over one without, a later over an
    earlier (``delivery record incident`` is run again with ``--resolved-at`` to resolve one)."""
    merged: dict[tuple[str, str], Incident] = {}
    for incident in incidents:
        key = (incident.service, incident.id)
        known = merged.get(key)
        if known is None or incident.resolved_at is not None or known.resolved_at is None:
            merged[key] = incident
    return list(merged.values())


def grouped_by_service(
    events: EventSet, environment: str
) -> dict[str, tuple[list[Deployment], list[Incident]]]:
    """Each service's deployments to ``environment`` and its incidents, services in name order
    (grouped in one pass: hundreds of services must not cost a scan of all events each)."""
    deployments: dict[str, list[Deployment]] = {}
    for d in events.deployments:
        if d.environment == environment:
            deployments.setdefault(d.service, []).append(d)
    incidents: dict[str, list[Incident]] = {}
    for i in merged_incidents(events.incidents):
        incidents.setdefault(i.service, []).append(i)
    return {name: (deployments[name], incidents.get(name, [])) for name in sorted(deployments)}


def by_service(events: EventSet, window: Window, environment: str) -> dict[str, Samples]:
    """Samples per service for one environment, services in name order."""
    grouped = grouped_by_service(events, environment)
    return {name: service_samples(mine, theirs, window) for name, (mine, theirs) in grouped.items()}


def rollup(per_service: dict[str, Samples]) -> Samples:
    """All services pooled: summed counts, concatenated samples (never a median of medians)."""
    total = Samples()
    for samples in per_service.values():
        total.add(samples)
    return total
