"""GitLab's own DORA figures (``GET /projects/:id/dora/metrics``, Ultimate only), for comparison.

Four requests per project, one per metric, for the same window (``start_date`` and
``end_date`` are the window's first and last UTC days, ``interval=all`` for one figure,
``environment_tiers[]`` the environment when it names a tier). GitLab answers 403 (or 404)
where the API is not available: that is reported as such, never as an error. What GitLab's
``value`` means differs from platformctl's figures on purpose (docs/delivery.md):

- ``deployment_frequency``: successful deployments in the window (a count);
- ``lead_time_for_changes``: median seconds from the *merge* of a merge request to its
  deployment (platformctl starts at each commit's author time);
- ``time_to_restore_service``: median seconds an incident was open;
- ``change_failure_rate``: incidents ÷ deployments (a ratio).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from platformctl.providers.http import HttpClient

TIERS = ("production", "staging", "testing", "development", "other")
# GitLab's metric → (our figure, how GitLab's value becomes our unit)
METRICS: dict[str, tuple[str, float]] = {
    "deployment_frequency": ("successful_deployments", 1.0),
    "lead_time_for_changes": ("lead_time_median_hours", 1 / 3600),
    "time_to_restore_service": ("recovery_median_hours", 1 / 3600),
    "change_failure_rate": ("change_fail_rate", 100.0),
}


def dora_metrics(
    client: HttpClient, project: str, environment: str, since: dt.datetime, until: dt.datetime
) -> dict[str, Any]:
    """``{"available": True, figure: value-or-None…}``, or ``{"available": False, "reason": …}``."""
    if environment not in TIERS:
        return {
            "available": False,
            "reason": f"GitLab measures environment tiers, and {environment!r} is not one",
        }
    last_day = until.astimezone(dt.UTC) - dt.timedelta(microseconds=1)
    params = {
        "start_date": since.astimezone(dt.UTC).date().isoformat(),
        "end_date": last_day.date().isoformat(),
        "interval": "all",
        "environment_tiers[]": environment,
    }
    out: dict[str, Any] = {"available": True}
    for metric, (figure, scale) in METRICS.items():
        response = client.request(
            "GET",
            f"{project}/dora/metrics",
            action=f"read GitLab's {metric}",
            params={"metric": metric, **params},
            allow=(403, 404),
        )
        if response.status_code in (403, 404):
            return {
                "available": False,
                "reason": f"GitLab answered {response.status_code} (the DORA API is Ultimate only)",
            }
        out[figure] = _value(response.json(), scale)
    return out


def _value(data: Any, scale: float) -> float | None:
    """The one figure of an ``interval=all`` answer, in our unit; None when GitLab has none."""
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return None
    value = data[0].get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(float(value) * scale, 2)
