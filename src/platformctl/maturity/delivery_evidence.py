"""Measured delivery figures (a saved ``assess delivery`` report) as evidence for the DORA questions.

A measured value answers a DORA question left unanswered (or unknown) and caps an answer
better than the measurement, as ``--detect`` evidence caps repository questions. An answer
worse than the measurement is kept and shown as corroborated-or-not beside it: people may know
of failures the data does not record. The report's figures for its only service are used; with
several services the pooled roll-up is, and the evidence says so (DORA metrics are per service).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import UsageError, option

if TYPE_CHECKING:
    from platformctl.maturity.model import MaturityModel, Question

# (choice id, upper bound in hours), best first; anything longer is the last id.
_DURATIONS = (
    ("under_an_hour", 1.0),
    ("under_a_day", 24.0),
    ("day_to_week", 168.0),
    ("week_to_month", 720.0),
    ("one_to_six_months", 4380.0),
)
_LONGEST = "over_six_months"
# (choice id, lower bound in deployments per day), most frequent first.
_FREQUENCIES = (
    ("on_demand", 2.0),
    ("hourly_to_daily", 1.0),
    ("daily_to_weekly", 1 / 7),
    ("weekly_to_monthly", 1 / 30),
    ("monthly_to_six_monthly", 1 / 182),
)
_RAREST = "under_six_monthly"


@dataclass(frozen=True)
class Measured:
    """The choice a measurement supports, and the measurement in words."""

    choice: str
    because: str


def load_delivery_report(path: Path) -> dict[str, Any]:
    """A delivery report written by ``assess delivery --json`` or ``-o FILE.json``.

    Raises:
        UsageError: unreadable, not JSON, or not a delivery report.
    """
    from platformctl.yamlfiles import load_yaml_file

    as_json = option("json", command="assess delivery")
    hint = f"write it with: platformctl assess delivery {as_json} > delivery.json"
    data = load_yaml_file(path, what="delivery report", error=UsageError, hint=hint)
    if not isinstance(data, dict) or not isinstance(data.get("overall"), dict) or "services" not in data:
        raise UsageError(f"{path}: not a delivery report", hint=hint)
    return data


def _figures(report: dict[str, Any]) -> tuple[dict[str, Any], str]:
    services = report.get("services") or {}
    if len(services) == 1:
        name, figures = next(iter(services.items()))
        return figures, f"service {name}"
    return report["overall"], f"{len(services)} services pooled"


def _duration(hours: float) -> str:
    return next((cid for cid, bound in _DURATIONS if hours < bound), _LONGEST)


def _rate_choice(question: Question, percent: float) -> str | None:
    for choice in question.choices:
        if choice.range is None:
            continue
        low, high = float(choice.range[0]), float(choice.range[1])
        if percent <= high and (percent > low or low == 0):
            return choice.id
    return None


def measured_answers(model: MaturityModel, report: dict[str, Any]) -> dict[str, Measured]:
    """The DORA questions of ``model`` the report measures (a metric with no samples measures nothing)."""
    figures, scope = _figures(report)
    window = report.get("window", {})
    span = f"{str(window.get('since', ''))[:10]} to {str(window.get('until', ''))[:10]}, {scope}"
    found: dict[str, tuple[str | None, str]] = {}
    df = figures["deployment_frequency"]
    if df.get("successful"):
        per_day = float(df["per_day"])
        every = next((cid for cid, low in _FREQUENCIES if per_day >= low), _RAREST)
        found["dora.deploy_frequency"] = (every, f"{df['per_week']:g} deployments/week ({span})")
    lt = figures["change_lead_time"]
    if lt.get("median_hours") is not None:
        found["dora.lead_time"] = (
            _duration(float(lt["median_hours"])),
            f"median lead time {lt['median_hours']:g} h over {lt['changes']} changes ({span})",
        )
    rt = figures["recovery_time"]
    if rt.get("median_hours") is not None:
        found["dora.recovery_time"] = (
            _duration(float(rt["median_hours"])),
            f"median recovery {rt['median_hours']:g} h over {rt['restored']} restored failures ({span})",
        )
    for qid, key, what in (
        ("dora.change_fail_rate", "change_fail_rate", "change fail rate"),
        ("dora.rework_rate", "rework_rate", "rework rate"),
    ):
        percent = figures[key].get("percent")
        if percent is not None and qid in model.by_id:
            fig = figures[key]
            part = fig.get("failed", fig.get("rework"))
            found[qid] = (
                _rate_choice(model.question(qid), float(percent)),
                f"{what} {percent:g} % ({part} of {fig['deployments']} deployments; {span})",
            )
    out: dict[str, Measured] = {}
    for qid, (choice, because) in found.items():
        if qid in model.by_id and choice and model.question(qid).choice(choice):
            out[qid] = Measured(choice, f"measured: {because}")
    return out
