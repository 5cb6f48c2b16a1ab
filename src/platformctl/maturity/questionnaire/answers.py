"""Answers and the answers file (YAML or JSON).

Per question: a choice id, ``unknown`` or ``n/a`` (with a reason), plus optional evidence
links, a note, who answered and when. ``answered_by``/``answered_at`` at the top level are
the defaults for every answer. An empty value (``std.iac:``) means "not answered yet", which
is how a partly filled file is resumed.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from platformctl.errors import UsageError
from platformctl.maturity.model import MODEL_FORMAT

if TYPE_CHECKING:
    from platformctl.maturity.model import MaturityModel, Question
    from platformctl.maturity.yamlpos import Lines

Status = Literal["answered", "unknown", "n/a"]
NA_WORDS = ("n/a", "na")
TOP_KEYS = {"model", "model_version", "scope", "answered_by", "answered_at", "answers"}
ENTRY_KEYS = {"answer", "reason", "note", "evidence", "answered_by", "answered_at"}


@dataclass(frozen=True)
class Answer:
    """One question's answer. ``implicit`` marks an unknown filled in by ``--allow-unknown``."""

    question: str
    status: Status
    choice: str | None = None
    reason: str = ""
    note: str = ""
    evidence: tuple[str, ...] = ()
    answered_by: str = ""
    answered_at: str = ""
    implicit: bool = False

    @property
    def value(self) -> str:
        """What the answers file says: the choice id, ``unknown`` or ``n/a``."""
        return self.choice if self.status == "answered" and self.choice else self.status


@dataclass
class AnswerSet:
    """The answers of one assessment and the file-level facts around them."""

    answers: dict[str, Answer] = field(default_factory=dict)
    scope: str = ""
    source: str = ""

    def missing(self, model: MaturityModel) -> list[str]:
        """Question ids without an answer, in model order."""
        return [q.id for q in model.questions if q.id not in self.answers]

    def with_unknown(self, question_ids: list[str]) -> AnswerSet:
        """A copy where the given questions are answered ``unknown`` (implicitly)."""
        extra = {qid: Answer(qid, "unknown", implicit=True) for qid in question_ids}
        return replace(self, answers={**self.answers, **extra})


def read_answers(path: Path, model: MaturityModel) -> AnswerSet:
    """Read and validate an answers file against ``model``.

    Raises:
        UsageError: unreadable file, invalid YAML, unknown question or choice, n/a without a
            reason; the message names the file, the line and the question.
    """
    from platformctl.errors import ConfigError
    from platformctl.files import read_text
    from platformctl.maturity.yamlpos import load_yaml_with_lines
    from platformctl.yamlfiles import MAX_BYTES

    hint = "check the path given to --answers"
    text = read_text(path, what="answers file", error=UsageError, hint=hint, max_bytes=MAX_BYTES)
    try:
        data, lines = load_yaml_with_lines(text, str(path))
    except ConfigError as exc:
        raise UsageError(exc.message, hint=exc.hint) from None
    return parse_answers(data, lines, model)


def parse_answers(data: Any, lines: Lines, model: MaturityModel) -> AnswerSet:
    """Validate parsed answers data (see ``read_answers``)."""
    if data is None:
        return AnswerSet(source=lines.source)
    if not isinstance(data, dict):
        raise UsageError(
            f"{lines.where(())}: an answers file must be a mapping",
            hint="write 'answers:' followed by one 'question.id: choice' per line",
        )
    if "answers" not in data:  # the short form: question ids at the top level
        data = {"answers": data}
        lines.by_path.update({("answers", *k): v for k, v in list(lines.by_path.items()) if k})
    for key in data:
        if key not in TOP_KEYS:
            raise UsageError(
                f"{lines.where((key,))}: unknown field '{key}'",
                hint=f"allowed at the top level: {', '.join(sorted(TOP_KEYS))}",
            )
    if data.get("model") not in (None, MODEL_FORMAT):
        raise UsageError(
            f"{lines.where(('model',))}: answers are for model {data['model']!r}, not {MODEL_FORMAT}"
        )
    entries = data.get("answers") or {}
    if not isinstance(entries, dict):
        raise UsageError(f"{lines.where(('answers',))}: 'answers' must map question ids to answers")
    defaults = {"answered_by": _text(data.get("answered_by")), "answered_at": _when(data.get("answered_at"))}
    answers: dict[str, Answer] = {}
    for qid, raw in entries.items():
        where = lines.where(("answers", qid))
        question = model.by_id.get(str(qid))
        if question is None:
            close = difflib.get_close_matches(str(qid), list(model.by_id), n=1)
            raise UsageError(
                f"{where}: unknown question '{qid}'",
                hint=f"did you mean '{close[0]}'?"
                if close
                else "the question ids are listed in docs/maturity.md",
            )
        if raw is not None:
            answers[question.id] = _answer(question, raw, where, defaults)
    return AnswerSet(answers, scope=_text(data.get("scope")), source=lines.source)


def _answer(question: Question, raw: Any, where: str, defaults: dict[str, str]) -> Answer:
    entry = raw if isinstance(raw, dict) else {"answer": raw}
    for key in entry:
        if key not in ENTRY_KEYS:
            raise UsageError(
                f"{where}: question '{question.id}': unknown field '{key}'",
                hint=f"allowed: {', '.join(sorted(ENTRY_KEYS))}",
            )
    value = _text(entry.get("answer"))
    evidence = entry.get("evidence") or []
    evidence = [evidence] if isinstance(evidence, str) else evidence
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise UsageError(f"{where}: question '{question.id}': 'evidence' must be a link or a list of links")
    common = {
        "note": _text(entry.get("note")),
        "evidence": tuple(evidence),
        "answered_by": _text(entry.get("answered_by")) or defaults["answered_by"],
        "answered_at": _when(entry.get("answered_at")) or defaults["answered_at"],
    }
    if value.lower() in NA_WORDS:
        reason = _text(entry.get("reason"))
        if not reason:
            raise UsageError(
                f"{where}: question '{question.id}' is n/a without a reason",
                hint=f"write it as: {question.id}: {{answer: n/a, reason: why it does not apply}}",
            )
        return Answer(question.id, "n/a", reason=reason, **common)
    if value.lower() == "unknown":
        return Answer(question.id, "unknown", reason=_text(entry.get("reason")), **common)
    if question.choice(value) is None:
        raise UsageError(
            f"{where}: question '{question.id}': unknown choice '{value}'",
            hint=f"choose one of: {', '.join(c.id for c in question.choices)}, unknown, n/a",
        )
    return Answer(question.id, "answered", choice=value, reason=_text(entry.get("reason")), **common)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # YAML 1.1 reads a bare 'no' as False; give the word back
        return "yes" if value else "no"
    return str(value).strip()


def _when(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return _text(value)


def dump_answers(answer_set: AnswerSet, model: MaturityModel) -> str:
    """The answers file text: every question in model order, unanswered ones left empty.

    Each question carries its text and choice ids as comments, so the file can be reviewed
    and filled in by hand.
    """
    import yaml

    head = {"model": MODEL_FORMAT, "model_version": model.version}
    if answer_set.scope:
        head["scope"] = answer_set.scope
    parts = [yaml.safe_dump(head, sort_keys=False, allow_unicode=True), "answers:\n"]
    for q in model.questions:
        answer = answer_set.answers.get(q.id)
        text = " ".join(q.text.split())
        parts.append(f"\n  # {text}\n  # choices: {' | '.join(c.id for c in q.choices)} | unknown | n/a\n")
        entry = None if answer is None or answer.implicit else _entry(answer)
        dumped = yaml.safe_dump({q.id: entry}, sort_keys=False, allow_unicode=True, width=10_000)
        parts.append("".join(f"  {line}\n" for line in dumped.splitlines()).replace(": null\n", ":\n", 1))
    return "".join(parts)


def _entry(answer: Answer) -> Any:
    entry: dict[str, Any] = {"answer": answer.value}
    for key in ("reason", "note", "answered_by", "answered_at"):
        if getattr(answer, key):
            entry[key] = getattr(answer, key)
    if answer.evidence:
        entry["evidence"] = list(answer.evidence)
    return entry if len(entry) > 1 else answer.value


def save_answers(path: Path, answer_set: AnswerSet, model: MaturityModel) -> None:
    """Write the answers file atomically."""
    from platformctl.files import atomic_write_text

    atomic_write_text(path, dump_answers(answer_set, model))
