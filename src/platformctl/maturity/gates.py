"""Gates: what each level requires, n/a waivers and their limit.

A gate passes when the effective answer is at least the named choice; an unknown answer fails
it. An n/a answer waives it, and the report lists it with its reason. Waivers are limited:
at most ``model.gate_waivers_per_level`` gates of one level may be waived (the built-in model
allows one). Past the limit, every waived gate of that level fails, so answering n/a to every
gate cannot buy a level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platformctl.maturity.model import MaturityModel
    from platformctl.maturity.scoring import QuestionScore


@dataclass(frozen=True)
class GateResult:
    """One gate of one level, and whether the answers meet it."""

    level: int
    question: str
    label: str
    required: str
    actual: str  # choice id, "unknown" or "n/a"
    passed: bool
    waived: bool = False
    over_limit: bool = False  # waived, but the level has more waivers than the model allows


def evaluate_gates(model: MaturityModel, scored: list[QuestionScore]) -> list[GateResult]:
    """Every gate of every level, in model order, with the waiver limit applied."""
    by_id = {s.question: s for s in scored}
    out = []
    for level in sorted(model.gates):
        gates = model.gates[level]
        waived = sum(1 for gate in gates if by_id[gate.question].status == "n/a")
        over = waived > model.gate_waivers_per_level
        for gate in gates:
            q = model.question(gate.question)
            s = by_id[gate.question]
            if s.status == "n/a":
                out.append(GateResult(level, q.id, gate.label, gate.at_least, "n/a", not over, True, over))
            elif s.effective is None:
                out.append(GateResult(level, q.id, gate.label, gate.at_least, "unknown", False))
            else:
                passed = q.index(s.effective) >= q.index(gate.at_least)
                out.append(GateResult(level, q.id, gate.label, gate.at_least, s.effective, passed))
    return out


def gated_level(model: MaturityModel, gates: list[GateResult]) -> int:
    """The highest level whose gates, and the gates of every level below it, pass."""
    reached = model.levels[0].id
    for level in model.levels[1:]:
        if any(not g.passed for g in gates if g.level == level.id):
            break
        reached = level.id
    return reached
