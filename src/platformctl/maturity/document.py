"""The assessment as one JSON-ready document: what ``--json`` prints and every report renders.

Building every report from this document keeps them consistent: what the HTML or Markdown
report shows is exactly what a script reading the JSON gets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from platformctl.maturity.model import MaturityModel, Question
    from platformctl.maturity.scoring import QuestionScore
    from platformctl.maturity.service import MaturityRun

TREND_POINTS = 20


def build_document(run: MaturityRun) -> dict[str, Any]:
    """The whole result of a run (without ``schema_version``, which the output layer adds)."""
    a, model = run.assessment, run.model
    return {
        "generated_at": run.generated_at,
        "scope": run.answers.scope,
        "model": {"name": model.name, "version": model.version, "format": model.model},
        "score": a.score,
        "band": _level(model, a.band),
        "level": {**_level(model, a.level), "summary": model.level(a.level).summary},
        "gated_level": a.gated_level,
        "levels": [{"level": lv.id, "name": lv.name, "band": list(lv.band)} for lv in model.levels],
        "failing_gates": [
            {**_gate(model, g), "next_step": _next_step(a, g.question)} for g in a.gates if not g.passed
        ],
        "waived_gates": [_gate(model, g) for g in a.gates if g.waived],
        "dimensions": [
            {
                "id": d.id,
                "name": d.name,
                "weight": round(100 * d.weight, 1),
                "score": round(d.score, 1),
                "band": d.band,
                "answered": d.answered,
                "unknown": d.unknown,
                "not_applicable": d.not_applicable,
                "incomplete": d.incomplete,
                "excluded": d.excluded,
            }
            for d in a.dimensions
        ],
        "answers": [_answer(run, model.question(s.question), s) for s in a.questions],
        "recommendations": [
            {
                "question": r.question,
                "dimension": r.dimension,
                "text": r.text,
                "gain": round(r.gain, 2),
                "from": r.current,
                "to": r.target,
                "to_label": _label(model.question(r.question), r.target),
                "unlocks": list(r.unlocks),
            }
            for r in a.recommendations
        ],
        "unknown": [s.question for s in a.questions if s.status == "unknown"],
        "not_applicable": [
            {"question": s.question, "reason": run.answers.answers[s.question].reason}
            for s in a.questions
            if s.status == "n/a"
        ],
        "evidence": [ev.as_dict() for ev in run.evidence.values()],
        "repositories": run.repositories,
        "history": _history(run),
        "answers_file": str(run.answers_saved_to or run.answers.source or "") or None,
        "notes": run.notes,
        "caveats": list(model.caveats),
    }


def _level(model: MaturityModel, level: int) -> dict[str, Any]:
    return {"level": level, "name": model.level(level).name}


def _gate(model: MaturityModel, gate: Any) -> dict[str, Any]:
    question = model.question(gate.question)
    return {
        "level": gate.level,
        "question": gate.question,
        "label": gate.label,
        "required": gate.required,
        "required_label": _label(question, gate.required),
        "actual": gate.actual,
        "actual_label": _label(question, gate.actual),
    }


def _next_step(assessment: Any, question_id: str) -> str:
    return next((r.text for r in assessment.recommendations if r.question == question_id), "")


def _label(question: Question, choice_id: str | None) -> str:
    choice = question.choice(choice_id) if choice_id else None
    return choice.label if choice else (choice_id or "")


def _answer(run: MaturityRun, question: Question, s: QuestionScore) -> dict[str, Any]:
    given = run.answers.answers.get(question.id)
    evidence = None
    if s.evidence is not None:
        shown = s.evidence.summary()
        if s.evidence_status in ("corroborated", "contradicted"):
            shown = f"{s.evidence_status}: {shown}"
        evidence = {
            "detector": s.evidence.detector,
            "status": s.evidence_status,
            "summary": s.evidence.summary(),
            "shown": shown,
            "because": s.because,
        }
    return {
        "question": question.id,
        "dimension": question.dimension,
        "text": " ".join(question.text.split()),
        "status": s.status,
        "choice": s.choice,
        "choice_label": _label(question, s.choice),
        "effective": s.effective,
        "effective_label": _label(question, s.effective),
        "score": None if s.score is None else round(100 * s.score, 1),
        "capped": s.capped,
        "reason": given.reason if given else "",
        "note": given.note if given else "",
        "evidence_links": list(given.evidence) if given else [],
        "answered_by": given.answered_by if given else "",
        "answered_at": given.answered_at if given else "",
        "evidence": evidence,
    }


def _history(run: MaturityRun) -> dict[str, Any]:
    entries = list(run.history.entries)
    if not run.history_saved:
        entries.append(run.current)  # the trend always ends with this run
    return {
        "file": str(run.history.path),
        "saved": run.history_saved,
        "previous": run.change and _previous(run),
        "change": run.change.as_dict() if run.change else None,
        "trend": [{"at": e.at, "score": e.score, "level": e.level} for e in entries[-TREND_POINTS:]],
        "skipped_lines": run.history.skipped_lines,
    }


def _previous(run: MaturityRun) -> dict[str, Any] | None:
    entries = run.history.entries[:-1] if run.history_saved else run.history.entries
    return entries[-1].as_dict() if entries else None
