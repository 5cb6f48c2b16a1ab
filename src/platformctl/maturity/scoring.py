"""Scoring: pure functions from a model, answers and evidence to an ``Assessment``.

- A question scores points/max points of its answer; ``unknown`` scores 0 and is flagged;
  ``n/a`` is left out of its dimension (more than 25% of a dimension's weight n/a marks the
  dimension incomplete; a dimension entirely n/a is left out of the overall score).
- Evidence never raises an answer: a rule that matches caps it at a lower choice.
- Dimension score = weighted mean of its questions; overall = weighted mean of dimensions,
  0-100, rounded to one decimal (the rounded score decides the band and thresholds).
- Level = min(band of the score, highest level whose gates and all lower gates pass). A gate
  on an unknown answer fails; on an n/a answer it is waived and reported as such.
- Recommendations: each question's next step, ordered by the points it would add.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platformctl.maturity.detectors import Evidence
    from platformctl.maturity.model import EvidenceRule, MaturityModel, Question
    from platformctl.maturity.questionnaire.answers import Answer

INCOMPLETE_NA_SHARE = 0.25


@dataclass(frozen=True)
class EvidenceEffect:
    """What evidence does to one question: an upper bound and/or a suggested answer."""

    cap: str | None = None
    suggest: str | None = None
    because: str = ""


@dataclass(frozen=True)
class QuestionScore:
    """One question's answer as scored."""

    question: str
    dimension: str
    status: str  # answered | unknown | n/a
    choice: str | None  # as answered
    effective: str | None  # after an evidence cap
    score: float | None  # 0..1, None when n/a
    capped: bool = False
    evidence: Evidence | None = None
    evidence_status: str = ""  # contradicted | corroborated | not found | "" (not scanned)
    because: str = ""


@dataclass(frozen=True)
class DimensionScore:
    """One dimension's score (0-100) and how complete its answers are."""

    id: str
    name: str
    weight: float  # share of the overall score, 0..1 (0 when excluded)
    score: float
    band: int
    answered: int
    unknown: int
    not_applicable: int
    incomplete: bool
    excluded: bool


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


@dataclass(frozen=True)
class Recommendation:
    """The next step on one question and the overall points it would add."""

    question: str
    dimension: str
    current: str | None  # effective choice, None when unknown
    target: str
    text: str
    gain: float
    unlocks: tuple[str, ...] = ()  # labels of failing gates this step would pass


@dataclass(frozen=True)
class Assessment:
    """The result of scoring."""

    model: MaturityModel
    score: float
    band: int
    gated_level: int
    level: int
    dimensions: list[DimensionScore]
    questions: list[QuestionScore]
    gates: list[GateResult]
    recommendations: list[Recommendation] = field(default_factory=list)

    @property
    def failing_gates(self) -> list[GateResult]:
        """Gates not passed, lowest level first."""
        return [g for g in self.gates if not g.passed]

    def by_question(self, question_id: str) -> QuestionScore:
        """The scored answer of one question."""
        return next(q for q in self.questions if q.question == question_id)


def evidence_effect(question: Question, evidence: Evidence | None) -> EvidenceEffect:
    """Apply the question's evidence rules: the lowest matching cap, the first matching suggestion."""
    if evidence is None or evidence.repositories == 0:
        return EvidenceEffect()
    cap = suggest = None
    because = ""
    for rule in question.evidence:
        if not _holds(rule, evidence):
            continue
        if rule.cap and (cap is None or question.index(rule.cap) < question.index(cap)):
            cap, because = rule.cap, f"{evidence.title}: {evidence.summary()}"
        if rule.suggest and suggest is None:
            suggest = rule.suggest
    if cap and suggest and question.index(suggest) > question.index(cap):
        suggest = cap
    return EvidenceEffect(cap, suggest, because)


def _holds(rule: EvidenceRule, ev: Evidence) -> bool:
    checks = {
        "kinds_at_least": lambda v: len(ev.kinds) >= v,
        "kinds_at_most": lambda v: len(ev.kinds) <= v,
        "coverage_at_least": lambda v: ev.coverage >= v,
        "coverage_below": lambda v: ev.coverage < v,
    }
    return all(checks[name](value) for name, value in rule.conditions().items())


def assess(
    model: MaturityModel, answers: Mapping[str, Answer], evidence: Mapping[str, Evidence] | None = None
) -> Assessment:
    """Score ``answers`` (missing ones count as unknown) against ``model`` with ``evidence``."""
    evidence = evidence or {}
    questions = [_score_question(q, answers.get(q.id), evidence) for q in model.questions]
    dimensions = _dimensions(model, questions)
    total = sum(d.weight * d.score for d in dimensions if not d.excluded)
    score = round(total, 1)
    band = model.band_of(score)
    gates = _gates(model, questions)
    gated = _gated_level(model, gates)
    result = Assessment(model, score, band, gated, min(band, gated), dimensions, questions, gates)
    result.recommendations.extend(_recommendations(model, result))
    return result


def _score_question(q: Question, answer: Answer | None, evidence: Mapping[str, Evidence]) -> QuestionScore:
    found = evidence.get(q.detector) if q.detector else None
    effect = evidence_effect(q, found)
    status = answer.status if answer else "unknown"
    if status == "n/a":
        return QuestionScore(
            q.id, q.dimension, "n/a", None, None, None, evidence=found, evidence_status=_plain_status(found)
        )
    if status == "unknown" or answer is None or answer.choice is None:
        return QuestionScore(
            q.id,
            q.dimension,
            "unknown",
            None,
            None,
            0.0,
            evidence=found,
            evidence_status=_plain_status(found),
        )
    effective = answer.choice
    capped = effect.cap is not None and q.index(answer.choice) > q.index(effect.cap)
    if capped and effect.cap:
        effective = effect.cap
    choice = q.choices[q.index(effective)]  # answers were validated against the model
    ev_status = "contradicted" if capped else _plain_status(found)
    return QuestionScore(
        q.id,
        q.dimension,
        "answered",
        answer.choice,
        effective,
        choice.points / q.max_points,
        capped,
        found,
        ev_status,
        effect.because if capped else "",
    )


def _plain_status(found: Evidence | None) -> str:
    if found is None or found.repositories == 0:
        return ""
    return "corroborated" if found.with_signal else "not found"


def _dimensions(model: MaturityModel, scored: list[QuestionScore]) -> list[DimensionScore]:
    raw = []
    for dim in model.dimensions:
        mine = [(model.question(s.question).weight, s) for s in scored if s.dimension == dim.id]
        applicable = [(w, s) for w, s in mine if s.score is not None]
        na_weight = sum(w for w, s in mine if s.score is None)
        all_weight = sum(w for w, _ in mine)
        weight = sum(w for w, _ in applicable)
        value = sum(w * (s.score or 0.0) for w, s in applicable) / weight if weight else 0.0
        raw.append((dim, value, applicable, mine, na_weight / all_weight if all_weight else 0.0))
    included = sum(dim.weight for dim, _, applicable, _, _ in raw if applicable)
    out = []
    for dim, value, applicable, mine, na_share in raw:
        score = round(100 * value, 1)
        out.append(
            DimensionScore(
                dim.id,
                dim.name,
                dim.weight / included if applicable and included else 0.0,
                100 * value,
                model.band_of(score),
                sum(1 for _, s in mine if s.status == "answered"),
                sum(1 for _, s in mine if s.status == "unknown"),
                sum(1 for _, s in mine if s.status == "n/a"),
                na_share > INCOMPLETE_NA_SHARE,
                not applicable,
            )
        )
    return out


def _gates(model: MaturityModel, scored: list[QuestionScore]) -> list[GateResult]:
    by_id = {s.question: s for s in scored}
    out = []
    for level in sorted(model.gates):
        for gate in model.gates[level]:
            q = model.question(gate.question)
            s = by_id[gate.question]
            if s.status == "n/a":
                out.append(GateResult(level, q.id, gate.label, gate.at_least, "n/a", True, waived=True))
            elif s.effective is None:
                out.append(GateResult(level, q.id, gate.label, gate.at_least, "unknown", False))
            else:
                passed = q.index(s.effective) >= q.index(gate.at_least)
                out.append(GateResult(level, q.id, gate.label, gate.at_least, s.effective, passed))
    return out


def _gated_level(model: MaturityModel, gates: list[GateResult]) -> int:
    reached = model.levels[0].id
    for level in model.levels[1:]:
        if any(not g.passed for g in gates if g.level == level.id):
            break
        reached = level.id
    return reached


def _recommendations(model: MaturityModel, result: Assessment) -> list[Recommendation]:
    dims = {d.id: d for d in result.dimensions}
    failing = [g for g in result.gates if not g.passed]
    recs = []
    for order, s in enumerate(result.questions):
        q = model.question(s.question)
        if s.status == "n/a" or (s.effective is not None and s.effective == q.choices[-1].id):
            continue
        index = q.index(s.effective) if s.effective else 0
        current_points = q.choices[index].points if s.effective else 0.0
        target = q.choices[index + 1]
        dim_weight = sum(
            model.question(o.question).weight
            for o in result.questions
            if o.dimension == s.dimension and o.score is not None
        )
        step = (target.points - current_points) / q.max_points
        gain = 100 * dims[s.dimension].weight * q.weight / dim_weight * step
        unlocks = tuple(g.label for g in failing if g.question == q.id and index + 1 >= q.index(g.required))
        recs.append(
            (
                -round(gain, 6),
                not unlocks,
                order,
                Recommendation(
                    q.id,
                    s.dimension,
                    s.effective,
                    target.id,
                    q.choices[index].recommendation or "",
                    gain,
                    unlocks,
                ),
            )
        )
    return [r for *_, r in sorted(recs, key=lambda item: item[:3])]


def threshold_failures(
    assessment: Assessment, *, fail_under: float | None = None, fail_under_level: int | None = None
) -> list[str]:
    """Why the assessment misses the CI thresholds (empty when it meets them)."""
    reasons = []
    if fail_under is not None and assessment.score < fail_under:
        reasons.append(f"score {assessment.score:.1f} is under {fail_under:g} (--fail-under)")
    if fail_under_level is not None and assessment.level < fail_under_level:
        blockers = [g.label for g in assessment.failing_gates if g.level <= fail_under_level]
        why = f"; failing gates: {'; '.join(blockers)}" if blockers else ""
        reasons.append(f"level {assessment.level} is under {fail_under_level} (--fail-under-level){why}")
    return reasons
