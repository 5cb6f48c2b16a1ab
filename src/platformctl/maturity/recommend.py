"""Next steps: one per question below its best answer, ordered by the level they unlock first.

- An answered question's step is its choice's recommendation (to the next choice), worth the
  overall points that step adds (exact; compared after half-up rounding to one decimal).
- An unknown answer's real next step is to find out the answer; what it is worth depends on
  the answer found, so it has no gain.
- Order: steps towards a failing gate of the next level (or any lower one) first, lowest
  level first; then every other step by points gained; ties keep the model's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from platformctl.maturity.exact import HUNDRED, ZERO, exact, half_up

if TYPE_CHECKING:
    from platformctl.maturity.gates import GateResult
    from platformctl.maturity.model import MaturityModel, Question
    from platformctl.maturity.scoring import Assessment, QuestionScore


@dataclass(frozen=True)
class Recommendation:
    """The next step on one question and the overall points it would add."""

    question: str
    dimension: str
    current: str | None  # effective choice, None when unknown
    target: str | None  # the next choice, None when the step is to find out the answer
    text: str
    gain: Fraction | None  # None when the answer is unknown
    unlocks: tuple[str, ...] = ()  # labels of failing gates this step would pass
    toward_level: int | None = None  # lowest level of a failing gate this step works towards
    kind: str = "step"  # step | find_out


def recommendations(model: MaturityModel, result: Assessment) -> list[Recommendation]:
    """Every next step, in the order the reports show them."""
    failing = [g for g in result.gates if not g.passed and not g.over_limit]
    keyed = []
    for order, s in enumerate(result.questions):
        q = model.question(s.question)
        if s.status == "n/a" or (s.effective is not None and s.effective == q.choices[-1].id):
            continue
        gates = [g for g in failing if g.question == q.id]
        rec = _find_out(q, s, gates) if s.effective is None else _step(model, result, q, s, gates)
        keyed.append((_key(rec, result.level, order), rec))
    return [rec for _, rec in sorted(keyed, key=lambda item: item[0])]


def _key(rec: Recommendation, level: int, order: int) -> tuple[int, int, object, int]:
    towards_next = rec.toward_level is not None and rec.toward_level <= level + 1
    rank = rec.toward_level if towards_next and rec.toward_level is not None else 1_000
    return (0 if towards_next else 1, rank, -half_up(rec.gain or ZERO), order)


def _step(
    model: MaturityModel, result: Assessment, q: Question, s: QuestionScore, gates: list[GateResult]
) -> Recommendation:
    index = q.index(s.effective) if s.effective else 0
    target = q.choices[index + 1]
    return Recommendation(
        q.id,
        s.dimension,
        s.effective,
        target.id,
        q.choices[index].recommendation or "",
        gain_of(model, result, q, index, index + 1),
        tuple(g.label for g in gates if index + 1 >= q.index(g.required)),
        min((g.level for g in gates), default=None),
    )


def _find_out(q: Question, s: QuestionScore, gates: list[GateResult]) -> Recommendation:
    text = "Find out the real answer and record it (unknown scores 0)"
    if s.suggested:
        text += f"; the evidence suggests “{q.choices[q.index(s.suggested)].label}”"
    for g in gates:
        text += f"; the level-{g.level} gate needs at least “{q.choices[q.index(g.required)].label}”"
    return Recommendation(
        q.id,
        s.dimension,
        None,
        None,
        text + ".",
        None,
        (),
        min((g.level for g in gates), default=None),
        "find_out",
    )


def gain_of(model: MaturityModel, result: Assessment, q: Question, start: int, end: int) -> Fraction:
    """Overall points (exact) of moving question ``q`` from choice ``start`` to ``end``.

    100 x (dimension share) x (question weight / applicable weight of its dimension)
    x (points difference / best points).
    """
    dims = {d.id: d for d in result.dimensions}
    applicable = sum(
        (
            exact(model.question(o.question).weight)
            for o in result.questions
            if o.dimension == q.dimension and o.score is not None
        ),
        ZERO,
    )
    step = (exact(q.choices[end].points) - exact(q.choices[start].points)) / exact(q.max_points)
    return HUNDRED * dims[q.dimension].weight * exact(q.weight) / applicable * step
