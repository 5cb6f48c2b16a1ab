"""``--fail-if METRIC<OP>VALUE`` gates on the roll-up figures (exit 3 when one holds)."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from platformctl.errors import UsageError, option

METRICS: dict[str, tuple[str, str]] = {
    "deploys_per_week": ("deployment_frequency", "per_week"),
    "lead_time_median_hours": ("change_lead_time", "median_hours"),
    "lead_time_p90_hours": ("change_lead_time", "p90_hours"),
    "change_fail_rate": ("change_fail_rate", "percent"),
    "recovery_median_hours": ("recovery_time", "median_hours"),
    "rework_rate": ("rework_rate", "percent"),
}
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}
_RULE = re.compile(r"^\s*([a-z_0-9]+)\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_rule(text: str) -> tuple[str, str, float]:
    """``change_fail_rate>15`` → (metric, operator, value)."""
    match = _RULE.match(text)
    if not match or match.group(1) not in METRICS:
        raise UsageError(
            f"{option('fail_if')} {text!r}: expected METRIC<OP>VALUE",
            hint=f"METRIC is one of {', '.join(METRICS)}; OP is <, <=, > or >=",
        )
    return match.group(1), match.group(2), float(match.group(3))


def failures(rules: list[tuple[str, str, float]], overall: dict[str, Any]) -> list[str]:
    """The rules that hold for the roll-up figures; a metric with no samples never holds."""
    out = []
    for metric, op, value in rules:
        group, key = METRICS[metric]
        measured = overall[group][key]
        if measured is not None and _OPS[op](float(measured), value):
            out.append(f"{metric} is {measured:g} ({op} {value:g})")
    return out
