"""The delivery document: figures, DORA clusters and a weekly trend, for every output format.

Clusters follow the DORA 2023 Accelerate State of DevOps report's performance levels (the
thresholds are in docs/delivery.md). Rework rate has no published cluster, so it gets none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from platformctl.delivery.events import EventSet
from platformctl.delivery.metrics import (
    Samples,
    by_service,
    grouped_by_service,
    median,
    p90,
    rollup,
    service_samples,
)
from platformctl.delivery.window import Window

HOUR, DAY, WEEK, MONTH = 1.0, 24.0, 168.0, 720.0


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 2)


def frequency_cluster(per_week: float) -> str:
    """Elite: daily or more; high: weekly or more; medium: monthly or more; else low."""
    if per_week >= 7:
        return "elite"
    if per_week >= 1:
        return "high"
    return "medium" if per_week >= 7 / 30 else "low"


def duration_cluster(hours: float | None, *, recovery: bool) -> str | None:
    """Lead time: elite < 1 day, high < 1 week, medium < 1 month. Recovery: elite < 1 h,
    high < 1 day, medium < 1 week. Else low; None without samples."""
    if hours is None:
        return None
    limits = (HOUR, DAY, WEEK) if recovery else (DAY, WEEK, MONTH)
    for name, limit in zip(("elite", "high", "medium"), limits, strict=True):
        if hours < limit:
            return name
    return "low"


def fail_rate_cluster(percent: float | None) -> str | None:
    """Elite ≤ 5 %, high ≤ 10 %, medium ≤ 15 %, else low; None without deployments."""
    if percent is None:
        return None
    for name, limit in (("elite", 5.0), ("high", 10.0), ("medium", 15.0)):
        if percent <= limit:
            return name
    return "low"


def figures(samples: Samples, window: Window) -> dict[str, Any]:
    """The five metrics of one set of samples, each with its sample size and cluster."""
    per_week = samples.successful / window.weeks
    lead_median = median(samples.lead_hours)
    fail_rate = _rate(samples.failed, samples.deployments)
    return {
        "deployment_frequency": {
            "deployments": samples.deployments,
            "successful": samples.successful,
            "per_week": round(per_week, 3),
            "per_day": round(per_week / 7, 3),
            "cluster": frequency_cluster(per_week) if samples.deployments else None,
        },
        "change_lead_time": {
            "changes": len(samples.lead_hours),
            "median_hours": _round(lead_median),
            "p90_hours": _round(p90(samples.lead_hours)),
            "cluster": duration_cluster(lead_median, recovery=False),
        },
        "change_fail_rate": {
            "failed": samples.failed,
            "deployments": samples.deployments,
            "percent": fail_rate,
            "cluster": fail_rate_cluster(fail_rate),
            "unlinked_incidents": samples.unlinked_incidents,
        },
        "recovery_time": _recovery_time(samples),
        "rework_rate": {
            "rework": samples.rework,
            "deployments": samples.deployments,
            "percent": _rate(samples.rework, samples.deployments),
        },
    }


def _recovery_time(samples: Samples) -> dict[str, Any]:
    """How the failed deployments were restored: counts, by what, and how long it took."""
    restored = [r.hours for r in samples.recoveries if r.hours is not None]
    recovery_median = median(restored)
    return {
        "failures": len(samples.recoveries),
        "restored": len(restored),
        "unrestored": sum(1 for r in samples.recoveries if r.hours is None),
        "by_incident": sum(1 for r in samples.recoveries if r.via == "incident"),
        "by_next_deployment": sum(1 for r in samples.recoveries if r.via == "next deployment"),
        "median_hours": _round(recovery_median),
        "p90_hours": _round(p90(restored)),
        "cluster": duration_cluster(recovery_median, recovery=True),
    }


def weekly_trend(events: EventSet, window: Window, environment: str) -> list[dict[str, Any]]:
    """Per week (from the window start, 7 days each; the last may be shorter): deployments,
    failures and the median lead time of the changes first deployed that week, all services pooled."""
    weeks = []
    grouped = grouped_by_service(events, environment)  # once, not per week: 200 services x 13 weeks
    start = window.since
    while start < window.until:
        end = min(start + dt.timedelta(days=7), window.until)
        week = Window(start, end)
        pooled = Samples()
        for mine, theirs in grouped.values():
            pooled.add(service_samples(mine, theirs, week))
        weeks.append(
            {
                "week_start": start.isoformat(),
                "deployments": pooled.deployments,
                "failed": pooled.failed,
                "lead_time_median_hours": _round(median(pooled.lead_hours)),
            }
        )
        start = end
    return weeks


def build_document(events: EventSet, window: Window, environment: str, sources: list[str]) -> dict[str, Any]:
    """The whole delivery report as plain data (the --json document, and what every format renders)."""
    per_service = by_service(events, window, environment)
    services = {name: figures(s, window) for name, s in per_service.items()}
    document = {
        "window": {
            "since": window.since.isoformat(),
            "until": window.until.isoformat(),
            "days": round(window.days, 3),
        },
        "environment": environment,
        "sources": sources,
        "services": services,
        "overall": figures(rollup(per_service), window),
        "rollup": "counts summed and per-change/per-failure samples pooled across services; "
        "no median of medians",
        "trend": weekly_trend(events, window, environment),
    }
    if events.reported:
        document["gitlab_dora"] = forge_comparison(events.reported, services)
    return document


def _ours(figures_of: dict[str, Any] | None) -> dict[str, float | None]:
    if figures_of is None:
        return dict.fromkeys(COMPARED)
    return {
        "successful_deployments": figures_of["deployment_frequency"]["successful"],
        "lead_time_median_hours": figures_of["change_lead_time"]["median_hours"],
        "recovery_median_hours": figures_of["recovery_time"]["median_hours"],
        "change_fail_rate": figures_of["change_fail_rate"]["percent"],
    }


COMPARED = ("successful_deployments", "lead_time_median_hours", "recovery_median_hours", "change_fail_rate")


def forge_comparison(reported: dict[str, dict[str, Any]], services: dict[str, Any]) -> dict[str, Any]:
    """Per service, the forge's own figures beside ours and the difference (ours minus theirs);
    a service where the forge offers none says so (``available: false`` and why)."""
    out: dict[str, Any] = {}
    for name, theirs in sorted(reported.items()):
        if not theirs.get("available"):
            out[name] = {"available": False, "reason": str(theirs.get("reason", ""))}
            continue
        ours = _ours(services.get(name))
        metrics = {}
        for key in COMPARED:
            mine, other = ours[key], theirs.get(key)
            gap = round(mine - other, 2) if mine is not None and other is not None else None
            metrics[key] = {"platformctl": mine, "gitlab": other, "difference": gap}
        out[name] = {"available": True, "metrics": metrics}
    return out
