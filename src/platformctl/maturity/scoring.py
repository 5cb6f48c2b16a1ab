"""Scoring: pure functions from a model, answers and evidence to an ``Assessment``.

- A question scores points/max points of its answer; ``unknown`` scores 0 and is flagged;
  ``n/a`` is left out of its dimension (more than 25% of a dimension's weight n/a marks the
  dimension incomplete; a dimension entirely n/a is left out of the overall score).
- Evidence never raises an answer: a rule that matches caps it at a lower choice. A measured
  delivery figure (``delivery_evidence.py``) also answers a DORA question left unknown.
- Dimension score = weighted mean of its questions; overall = weighted mean of dimensions,
  0-100. Everything is an exact fraction (``exact.py``); the overall score is rounded half-up
  to one decimal once, and that rounded score decides the band and the thresholds.
- Level = min(band of the score, highest level whose gates and all lower gates pass; see
  ``gates.py``). Next steps: ``recommend.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from platformctl.errors import option
from platformctl.maturity.exact import HUNDRED, ZERO, exact, half_up

if TYPE_CHECKING:
    from platformctl.maturity.delivery_evidence import Measured
    from platformctl.maturity.detectors import Evidence
    from platformctl.maturity.gates import GateResult
    from platformctl.maturity.model import EvidenceRule, MaturityModel, Question
    from platformctl.maturity.questionnaire.answers import Answer
    from platformctl.maturity.recommend import Recommendation

INCOMPLETE_NA_SHARE = Fraction(1, 4)


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
    score: Fraction | None  # 0..1 exactly, None when n/a
    capped: bool = False
    evidence: Evidence | None = None
    evidence_status: str = ""  # contradicted | corroborated | not found | "" (not scanned)
    because: str = ""
    suggested: str | None = None  # the choice the evidence suggests, if any
    measured: str = ""  # a measured delivery figure behind this answer (``--delivery``)


@dataclass(frozen=True)
class DimensionScore:
    """One dimension's score (0-100, exact) and how complete its answers are."""

    id: str
    name: str
    weight: Fraction  # share of the overall score, 0..1 (0 when excluded)
    score: Fraction
    band: int
    answered: int
    unknown: int
    not_applicable: int
    incomplete: bool
    excluded: bool

    @property
    def shown(self) -> Decimal:
        """The score as reports show it: half-up, one decimal."""
        return half_up(self.score)


@dataclass(frozen=True)
class Assessment:
    """The result of scoring. ``exact`` is the overall score as a fraction; ``score`` its
    half-up rounding to one decimal, which decides the band and every threshold."""

    model: MaturityModel
    exact: Fraction
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

    @property
    def waived_gates(self) -> list[GateResult]:
        """Gates on n/a answers (passing or over the waiver limit), lowest level first."""
        return [g for g in self.gates if g.waived]

    def by_question(self, question_id: str) -> QuestionScore:
        """The scored answer of one question."""
        return next(q for q in self.questions if q.question == question_id)


def evidence_effect(question: Question, evidence: Evidence | None, min_sample: int = 1) -> EvidenceEffect:
    """Apply the question's evidence rules: the lowest matching cap, the first matching suggestion.

    No real repository scanned means no effect. A cap on coverage needs ``min_sample``
    repositories (a share of one or two repositories says little); a cap on kinds needs one,
    because a tool found is a tool in use. Suggestions only pre-select an answer, so they
    need no sample.
    """
    if evidence is None or evidence.repositories == 0:
        return EvidenceEffect()
    cap = suggest = None
    because = ""
    for rule in question.evidence:
        if not _holds(rule, evidence, min_sample):
            continue
        if rule.cap and (cap is None or question.index(rule.cap) < question.index(cap)):
            cap, because = rule.cap, f"{evidence.title}: {evidence.detail()}"
        if rule.suggest and suggest is None:
            suggest = rule.suggest
    if cap and suggest and question.index(suggest) > question.index(cap):
        suggest = cap
    return EvidenceEffect(cap, suggest, because)


def _holds(rule: EvidenceRule, ev: Evidence, min_sample: int) -> bool:
    conditions = rule.conditions()
    sampled = any(name.startswith("coverage") for name in conditions)
    if rule.cap and sampled and ev.repositories < min_sample:  # a suggestion only pre-selects
        return False
    checks: dict[str, Callable[[float], bool]] = {
        "kinds_at_least": lambda v: len(ev.kinds) >= v,
        "kinds_at_most": lambda v: len(ev.kinds) <= v,
        "coverage_at_least": lambda v: ev.exact_coverage >= exact(v),
        "coverage_below": lambda v: ev.exact_coverage < exact(v),
    }
    return all(checks[name](value) for name, value in conditions.items())


def assess(
    model: MaturityModel,
    answers: Mapping[str, Answer],
    evidence: Mapping[str, Evidence] | None = None,
    measured: Mapping[str, Measured] | None = None,
) -> Assessment:
    """Score ``answers`` (missing ones count as unknown) against ``model`` with ``evidence``;
    ``measured`` delivery figures answer unknown DORA questions and cap better answers."""
    from platformctl.maturity.gates import evaluate_gates, gated_level
    from platformctl.maturity.recommend import recommendations

    evidence = evidence or {}
    measured = measured or {}
    questions = [
        _with_measurement(q, _score_question(model, q, answers.get(q.id), evidence), measured.get(q.id))
        for q in model.questions
    ]
    dimensions = _dimensions(model, questions)
    total = sum((d.weight * d.score for d in dimensions if not d.excluded), ZERO)
    shown = half_up(total)
    band = model.band_of(shown)
    gates = evaluate_gates(model, questions)
    gated = gated_level(model, gates)
    result = Assessment(
        model, total, float(shown), band, gated, min(band, gated), dimensions, questions, gates
    )
    result.recommendations.extend(recommendations(model, result))
    return result


def _score_question(
    model: MaturityModel, q: Question, answer: Answer | None, evidence: Mapping[str, Evidence]
) -> QuestionScore:
    found = evidence.get(q.detector) if q.detector else None
    effect = evidence_effect(q, found, model.evidence_min_repositories)
    status = answer.status if answer else "unknown"
    plain = _plain_status(found)
    if status == "n/a":
        return QuestionScore(
            q.id, q.dimension, "n/a", None, None, None, evidence=found, evidence_status=plain
        )
    if status == "unknown" or answer is None or answer.choice is None:
        return QuestionScore(
            q.id, q.dimension, "unknown", None, None, ZERO, False, found, plain, suggested=effect.suggest
        )
    effective = answer.choice
    capped = effect.cap is not None and q.index(answer.choice) > q.index(effect.cap)
    if capped and effect.cap:
        effective = effect.cap
    choice = q.choices[q.index(effective)]  # answers were validated against the model
    return QuestionScore(
        q.id,
        q.dimension,
        "answered",
        answer.choice,
        effective,
        exact(choice.points) / exact(q.max_points),
        capped,
        found,
        "contradicted" if capped else plain,
        effect.because if capped else "",
        effect.suggest,
    )


def _with_measurement(q: Question, scored: QuestionScore, found: Measured | None) -> QuestionScore:
    """Apply a measured value: it answers an unknown, caps a better answer, sits beside the rest."""
    if found is None or scored.status == "n/a":
        return scored
    points = exact(q.choices[q.index(found.choice)].points) / exact(q.max_points)
    if scored.status == "unknown" or scored.choice is None:
        return replace(
            scored,
            status="answered",
            choice=found.choice,
            effective=found.choice,
            score=points,
            evidence_status="measured",
            because=found.because,
            measured=found.because,
        )
    if q.index(scored.choice) > q.index(found.choice):
        return replace(
            scored,
            effective=found.choice,
            score=points,
            capped=True,
            evidence_status="contradicted",
            because=found.because,
            measured=found.because,
        )
    return replace(scored, evidence_status="corroborated", measured=found.because)


def _plain_status(found: Evidence | None) -> str:
    if found is None or found.repositories == 0:
        return ""
    return "corroborated" if found.with_signal else "not found"


def _dimensions(model: MaturityModel, scored: list[QuestionScore]) -> list[DimensionScore]:
    raw = []
    for dim in model.dimensions:
        mine = [(exact(model.question(s.question).weight), s) for s in scored if s.dimension == dim.id]
        applicable = [(w, s) for w, s in mine if s.score is not None]
        na_weight = sum((w for w, s in mine if s.score is None), ZERO)
        all_weight = sum((w for w, _ in mine), ZERO)
        weight = sum((w for w, _ in applicable), ZERO)
        value = sum((w * (s.score or ZERO) for w, s in applicable), ZERO) / weight if weight else ZERO
        raw.append((dim, value, applicable, mine, na_weight / all_weight if all_weight else ZERO))
    included = sum((exact(dim.weight) for dim, _, applicable, _, _ in raw if applicable), ZERO)
    out = []
    for dim, value, applicable, mine, na_share in raw:
        out.append(
            DimensionScore(
                dim.id,
                dim.name,
                exact(dim.weight) / included if applicable and included else ZERO,
                HUNDRED * value,
                model.band_of(half_up(HUNDRED * value)),
                sum(1 for _, s in mine if s.status == "answered"),
                sum(1 for _, s in mine if s.status == "unknown"),
                sum(1 for _, s in mine if s.status == "n/a"),
                na_share > INCOMPLETE_NA_SHARE,
                not applicable,
            )
        )
    return out


def threshold_failures(
    assessment: Assessment, *, fail_under: float | None = None, fail_under_level: int | None = None
) -> list[str]:
    """Why the assessment misses the CI thresholds (empty when it meets them).

    The rounded score is compared, exactly: 49.95 rounds to 50.0, which passes --fail-under 50.
    """
    reasons = []
    shown = half_up(assessment.exact)
    if fail_under is not None and shown < Decimal(str(fail_under)):
        reasons.append(f"score {shown} is under {fail_under:g} ({option('fail_under')})")
    if fail_under_level is not None and assessment.level < fail_under_level:
        blockers = [g.label for g in assessment.failing_gates if g.level <= fail_under_level]
        why = f"; failing gates: {'; '.join(blockers)}" if blockers else ""
        reasons.append(
            f"level {assessment.level} is under {fail_under_level} ({option('fail_under_level')}){why}"
        )
    return reasons
