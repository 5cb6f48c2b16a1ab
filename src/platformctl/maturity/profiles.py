"""Profiles reported beside the score, never added to it: IDP pillars, CNCF PEMM aspects, DORA.

- **Pillars**: the four IDP pillars are the dimensions the model names in ``pillars``.
- **PEMM aspects**: CNCF's model says aspects evolve independently, so each aspect is the
  weighted mean (question weights) of the answered questions it names, exact, and is named by
  the level whose band holds its half-up rounded value (provisional, operational, scalable,
  optimizing). n/a questions are left out; unknown ones count 0.
- **DORA Quick Check**: each metric 0-10 as dora.dev computes it: a categorical answer at
  position i of n choices (worst first) is 10 x i / (n - 1); a rate bucket [low, high] is
  10 x (1 - midpoint / 100). Overall = mean of the answered metrics; throughput = mean of the
  categorical ones, stability = mean of the rates. Compared with DORA's published benchmark.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from platformctl.maturity.exact import HUNDRED, ZERO, as_text, exact, half_up, shown

if TYPE_CHECKING:
    from platformctl.maturity.model import MaturityModel, Question
    from platformctl.maturity.questionnaire.answers import AnswerSet
    from platformctl.maturity.scoring import Assessment

# DORA Quick Check 2025 edition, all industries: mean and standard deviation of the 0-10 score.
BENCHMARK_MEAN = Fraction("4.3")
BENCHMARK_SD = Fraction("1.2")
BENCHMARK_SOURCE = "DORA Quick Check, 2025 benchmark, all industries"


def pillars(model: MaturityModel, assessment: Assessment) -> list[dict[str, Any]]:
    """The IDP pillars profile: the named dimensions' scores."""
    dims = {d.id: d for d in assessment.dimensions}
    return [
        {"id": p, "name": dims[p].name, "score": None if dims[p].excluded else float(dims[p].shown)}
        for p in model.pillars
        if p in dims
    ]


def aspects(model: MaturityModel, assessment: Assessment) -> list[dict[str, Any]]:
    """The PEMM per-aspect profile (see the module docstring)."""
    out = []
    for aspect in model.aspects:
        scored = [assessment.by_question(qid) for qid in aspect.questions]
        weights = [(exact(model.question(s.question).weight), s.score) for s in scored if s.score is not None]
        total = sum((w for w, _ in weights), ZERO)
        value = HUNDRED * sum((w * s for w, s in weights if s is not None), ZERO) / total if total else None
        level = model.band_of(half_up(value)) if value is not None else None
        out.append(
            {
                "id": aspect.id,
                "name": aspect.name,
                "questions": list(aspect.questions),
                "score": None if value is None else shown(value),
                "score_exact": None if value is None else as_text(value),
                "level": level,
                "level_name": model.aspect_levels[level - 1] if level and model.aspect_levels else "",
                "unknown": sum(1 for s in scored if s.status == "unknown"),
            }
        )
    return out


def quick_check(model: MaturityModel, assessment: Assessment, answers: AnswerSet) -> dict[str, Any] | None:
    """The DORA Quick Check profile, or None when the model has no Quick Check metrics."""
    metrics = [q for q in model.questions if q.quick_check]
    if not metrics:
        return None
    rows = [_metric(q, assessment, answers) for q in metrics]
    values = {r["question"]: r["value_exact"] for r in rows if r["value_exact"] is not None}

    def mean(kind: str | None) -> Fraction | None:
        chosen = [Fraction(values[q.id]) for q in metrics if q.id in values and kind in (None, q.quick_check)]
        return sum(chosen, ZERO) / len(chosen) if chosen else None

    overall = mean(None)
    services = sorted({r["service"] for r in rows if r["service"]})
    return {
        "metrics": rows,
        "score": _out(overall),
        "score_exact": None if overall is None else as_text(overall),
        "throughput": _out(mean("categorical")),
        "stability": _out(mean("rate")),
        "answered": len(values),
        "benchmark": {
            "source": BENCHMARK_SOURCE,
            "mean": float(BENCHMARK_MEAN),
            "sd": float(BENCHMARK_SD),
            "difference": _out(None if overall is None else overall - BENCHMARK_MEAN),
            "in_sd": None
            if overall is None
            else float(half_up((overall - BENCHMARK_MEAN) / BENCHMARK_SD, 2)),
        },
        "services": services,
        "blended": len(services) > 1,
        "unscoped": [r["question"] for r in rows if not r["service"]],
    }


def _out(value: Fraction | None) -> float | None:
    return None if value is None else shown(value)


def _metric(q: Question, assessment: Assessment, answers: AnswerSet) -> dict[str, Any]:
    s = assessment.by_question(q.id)
    given = answers.answers.get(q.id)
    value: Fraction | None = None
    choice = q.choices[q.index(s.effective)] if s.effective else None
    if choice is not None:
        index = q.index(choice.id)
        if q.quick_check == "categorical":
            value = Fraction(10 * index, len(q.choices) - 1)
        elif choice.range is not None:
            mid = (exact(choice.range[0]) + exact(choice.range[1])) / 2
            value = 10 * (1 - mid / 100)
    return {
        "question": q.id,
        "kind": q.quick_check,
        "status": s.status,
        "choice": s.effective,
        "label": choice.label if choice else "",
        "value": _out(value),
        "value_exact": None if value is None else as_text(value),
        "cluster": choice.cluster if choice else None,
        "service": (given.service if given else "") or answers.service,
    }
