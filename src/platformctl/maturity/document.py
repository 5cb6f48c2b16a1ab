"""The assessment as one JSON-ready document: what ``--json`` prints and every report renders.

Building every report from this document keeps them consistent: what the HTML or Markdown
report shows is exactly what a script reading the JSON gets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from platformctl.maturity.exact import HUNDRED, as_text
from platformctl.maturity.exact import shown as rounded

if TYPE_CHECKING:
    from platformctl.maturity.gates import GateResult
    from platformctl.maturity.model import MaturityModel, Question
    from platformctl.maturity.recommend import Recommendation
    from platformctl.maturity.scoring import DimensionScore, QuestionScore
    from platformctl.maturity.service import MaturityRun

TREND_POINTS = 20


def build_document(run: MaturityRun) -> dict[str, Any]:
    """The whole result of a run (without ``schema_version``, which the output layer adds)."""
    from platformctl.maturity import profiles

    a, model = run.assessment, run.model
    return {
        "generated_at": run.generated_at,
        "scope": run.answers.scope,
        "model": {"name": model.name, "version": model.version, "format": model.model},
        "score": a.score,
        "score_exact": as_text(a.exact),
        "band": _level(model, a.band),
        "level": {**_level(model, a.level), "summary": model.level(a.level).summary},
        "gated_level": a.gated_level,
        "levels": [{"level": lv.id, "name": lv.name, "band": list(lv.band)} for lv in model.levels],
        "failing_gates": [
            {**_gate(run, g), "next_step": _next_step(run, g)} for g in a.gates if not g.passed
        ],
        "waived_gates": [_gate(run, g) for g in a.waived_gates],
        "gate_waivers_per_level": model.gate_waivers_per_level,
        "dimensions": [_dimension(d) for d in a.dimensions],
        "answers": [_answer(run, model.question(s.question), s) for s in a.questions],
        "recommendations": [_recommendation(model, r) for r in a.recommendations],
        "unknown": [s.question for s in a.questions if s.status == "unknown"],
        "not_applicable": [
            {"question": s.question, "reason": run.answers.answers[s.question].reason}
            for s in a.questions
            if s.status == "n/a"
        ],
        "pillars": profiles.pillars(model, a),
        "pemm": profiles.aspects(model, a),
        "dora_quick_check": profiles.quick_check(model, a, run.answers),
        "measured": dict(run.answers.measured),
        "evidence": [ev.as_dict() for ev in run.evidence.values()],
        "repositories": run.repositories,
        "evidence_min_repositories": model.evidence_min_repositories,
        "history": _history(run),
        "answers_file": str(run.answers_saved_to or run.answers.source or "") or None,
        "notes": run.notes,
        "caveats": list(model.caveats),
    }


def _dimension(d: DimensionScore) -> dict[str, Any]:
    return {
        "id": d.id,
        "name": d.name,
        "weight": rounded(HUNDRED * d.weight),
        "weight_exact": as_text(d.weight),
        "score": float(d.shown),
        "score_exact": as_text(d.score),
        "band": d.band,
        "answered": d.answered,
        "unknown": d.unknown,
        "not_applicable": d.not_applicable,
        "incomplete": d.incomplete,
        "excluded": d.excluded,
    }


def _recommendation(model: MaturityModel, r: Recommendation) -> dict[str, Any]:
    return {
        "question": r.question,
        "dimension": r.dimension,
        "kind": r.kind,
        "text": r.text,
        "gain": None if r.gain is None else rounded(r.gain),
        "gain_exact": None if r.gain is None else as_text(r.gain),
        "from": r.current,
        "to": r.target,
        "to_label": _label(model.question(r.question), r.target) if r.target else "",
        "unlocks": list(r.unlocks),
        "toward_level": r.toward_level,
    }


def _level(model: MaturityModel, level: int) -> dict[str, Any]:
    return {"level": level, "name": model.level(level).name}


def _gate(run: MaturityRun, gate: GateResult) -> dict[str, Any]:
    question = run.model.question(gate.question)
    given = run.answers.answers.get(gate.question)
    return {
        "level": gate.level,
        "question": gate.question,
        "label": gate.label,
        "required": gate.required,
        "required_label": _label(question, gate.required),
        "actual": gate.actual,
        "actual_label": _label(question, gate.actual),
        "waived": gate.waived,
        "over_limit": gate.over_limit,
        "reason": given.reason if given and gate.waived else "",
    }


def _next_step(run: MaturityRun, gate: GateResult) -> str:
    if gate.over_limit:
        limit = run.model.gate_waivers_per_level
        return (
            f"Answer it: n/a waives at most {limit} gate{'' if limit == 1 else 's'} "
            f"of a level, and level {gate.level} has more."
        )
    return next((r.text for r in run.assessment.recommendations if r.question == gate.question), "")


def _label(question: Question, choice_id: str | None) -> str:
    choice = question.choice(choice_id) if choice_id else None
    return choice.label if choice else (choice_id or "")


def _answer(run: MaturityRun, question: Question, s: QuestionScore) -> dict[str, Any]:
    given = run.answers.answers.get(question.id)
    return {
        "question": question.id,
        "dimension": question.dimension,
        "text": " ".join(question.text.split()),
        "status": s.status,
        "choice": s.choice,
        "choice_label": _label(question, s.choice),
        "effective": s.effective,
        "effective_label": _label(question, s.effective),
        "score": None if s.score is None else rounded(HUNDRED * s.score),
        "capped": s.capped,
        "reason": given.reason if given else "",
        "note": given.note if given else "",
        "evidence_links": list(given.evidence) if given else [],
        "answered_by": given.answered_by if given else "",
        "answered_at": given.answered_at if given else "",
        "service": given.service if given else "",
        "evidence": _evidence(s),
    }


def _evidence(s: QuestionScore) -> dict[str, Any] | None:
    evidence = None
    if s.evidence is not None:
        shown = s.evidence.summary()
        if s.evidence_status == "contradicted":
            shown = f"contradicted: {s.evidence.detail()}"
        elif s.evidence_status == "corroborated":
            shown = f"corroborated: {shown}"
        evidence = {
            "detector": s.evidence.detector,
            "status": s.evidence_status,
            "summary": s.evidence.summary(),
            "shown": shown,
            "because": s.because,
        }
    if s.measured:  # measured delivery figures are the stronger evidence for a DORA question
        label = {"contradicted": "contradicted", "corroborated": "corroborated"}.get(s.evidence_status)
        evidence = {
            "detector": "delivery",
            "status": s.evidence_status,
            "summary": s.measured,
            "shown": f"{label}: {s.measured}" if label else s.measured,
            "because": s.because,
        }
    return evidence


def _history(run: MaturityRun) -> dict[str, Any]:
    entries = run.history.of_scope(run.current.scope)  # other scopes are other platforms
    if not run.history_saved:
        entries.append(run.current)  # the trend always ends with this run
    return {
        "file": str(run.history.path),
        "saved": run.history_saved,
        "previous": run.change and _previous(run),
        "change": run.change.as_dict() if run.change else None,
        "trend": [{"at": e.at, "score": e.score, "level": e.level} for e in entries[-TREND_POINTS:]],
        "scope": run.current.scope,
        "skipped_lines": run.history.skipped_lines,
    }


def _previous(run: MaturityRun) -> dict[str, Any] | None:
    entries = run.history.of_scope(run.current.scope)
    entries = entries[:-1] if run.history_saved else entries
    return entries[-1].as_dict() if entries else None
