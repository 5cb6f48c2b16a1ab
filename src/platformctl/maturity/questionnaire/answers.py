"""Answers and the answers file (YAML or JSON).

Per question: a choice id, ``unknown`` or ``n/a`` (with a reason), plus optional evidence
links, a note, who answered and when. ``answered_by``/``answered_at`` at the top level are
the defaults for every answer. An empty value (``std.iac:``) means "not answered yet", which
is how a partly filled file is resumed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from platformctl.errors import UsageError, option
from platformctl.maturity.model import MODEL_FORMAT
from platformctl.maturity.questionnaire.scalars import date_text, scalar_text, whole_characters

if TYPE_CHECKING:
    from platformctl.maturity.model import MaturityModel, Question
    from platformctl.maturity.yamlpos import Lines

Status = Literal["answered", "unknown", "n/a"]
NA_WORDS = ("n/a", "na")
TOP_KEYS = {"model", "model_version", "scope", "service", "measured", "answered_by", "answered_at", "answers"}
ENTRY_KEYS = {"answer", "reason", "note", "evidence", "answered_by", "answered_at", "service"}
# Measured figures the seeds cite for return on investment: reported, never scored.
MEASURED_KEYS = {
    "onboarding_days": "days for a new developer to ship a first change",
    "deployment_minutes": "minutes from merge to running in production",
    "mttr_hours": "hours to restore service after an incident (MTTR)",
}


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
    service: str = ""  # the service a DORA metric describes

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
    model_version: str = ""  # as the file says; "" when it does not say
    service: str = ""  # default service of the DORA metrics
    measured: dict[str, float] = field(default_factory=dict)
    migrations: list[str] = field(default_factory=list)  # answers moved to a renamed choice

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

    hint = f"check the path given to {option('answers')}"
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
    data = _top_level(data, lines)
    version = scalar_text(data.get("model_version"))
    _check_version(version, model, lines)
    entries = data.get("answers") or {}
    if not isinstance(entries, dict):
        raise UsageError(f"{lines.where(('answers',))}: 'answers' must map question ids to answers")
    defaults = {
        "answered_by": scalar_text(data.get("answered_by")),
        "answered_at": date_text(data.get("answered_at")),
    }
    answers: dict[str, Answer] = {}
    migrations: list[str] = []
    for qid, raw in entries.items():
        where = lines.where(("answers", qid))
        question = _question(model, qid, where)
        if raw is not None:
            answers[question.id] = _answer(question, raw, where, defaults, migrations)
    return AnswerSet(
        answers,
        scope=scalar_text(data.get("scope")),
        source=lines.source,
        model_version=version,
        service=scalar_text(data.get("service")),
        measured=_measured(data.get("measured"), lines),
        migrations=migrations,
    )


def _top_level(data: Any, lines: Lines) -> dict[Any, Any]:
    """The file's mapping in the long form (``answers:`` under the top-level fields), checked."""
    if not isinstance(data, dict):
        raise UsageError(
            f"{lines.where(())}: an answers file must be a mapping",
            hint="write 'answers:' followed by one 'question.id: choice' per line",
        )
    mapping: dict[Any, Any] = data
    if "answers" not in mapping:  # the short form: question ids (and the top-level fields) at the top
        top = {k: v for k, v in mapping.items() if k in TOP_KEYS}
        mapping = {**top, "answers": {k: v for k, v in mapping.items() if k not in TOP_KEYS}}
        lines.by_path.update({("answers", *k): v for k, v in list(lines.by_path.items()) if k})
    for key in mapping:
        if key not in TOP_KEYS:
            raise UsageError(
                f"{lines.where((key,))}: unknown field '{key}'",
                hint=f"allowed at the top level: {', '.join(sorted(TOP_KEYS))}",
            )
    if mapping.get("model") not in (None, MODEL_FORMAT):
        raise UsageError(
            f"{lines.where(('model',))}: answers are for model {mapping['model']!r}, not {MODEL_FORMAT}"
        )
    return mapping


def _question(model: MaturityModel, qid: Any, where: str) -> Question:
    question = model.by_id.get(str(qid))
    if question is None:
        close = difflib.get_close_matches(str(qid), list(model.by_id), n=1)
        raise UsageError(
            f"{where}: unknown question '{qid}'",
            hint=f"did you mean '{close[0]}'?"
            if close
            else "the question ids are listed in 'platformctl docs maturity'",
        )
    return question


def _measured(raw: Any, lines: Lines) -> dict[str, float]:
    if raw is None:
        return {}
    where = lines.where(("measured",))
    hint = f"write measured: {{{', '.join(f'{k}: NUMBER' for k in MEASURED_KEYS)}}} (each optional)"
    if not isinstance(raw, dict):
        raise UsageError(f"{where}: 'measured' must map figures to numbers", hint=hint)
    out = {}
    for key, value in raw.items():
        if key not in MEASURED_KEYS:
            raise UsageError(f"{lines.where(('measured', key))}: unknown measured figure '{key}'", hint=hint)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e9:
            raise UsageError(
                f"{lines.where(('measured', key))}: '{key}' must be a number, 0 or more", hint=hint
            )
        out[key] = float(value)
    return out


def version_key(version: str) -> tuple[int, ...] | None:
    """``"1.2.0"`` as ``(1, 2, 0)``; None when it is not dotted numbers."""
    parts = version.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None


def _check_version(version: str, model: MaturityModel, lines: Lines) -> None:
    # Older answers are scored (the run notes what changed); answers for a newer model are not.
    mine, theirs = version_key(model.version), version_key(version)
    if version and mine is not None and theirs is not None and theirs > mine:
        raise UsageError(
            f"{lines.where(('model_version',))}: answers are for model version {version}, "
            f"newer than this model ({model.name} {model.version})",
            hint=f"upgrade platformctl, or pass the matching model with {option('model')}",
        )


def _answer(
    question: Question, raw: Any, where: str, defaults: dict[str, str], migrations: list[str]
) -> Answer:
    entry = raw if isinstance(raw, dict) else {"answer": raw}
    for key in entry:
        if key not in ENTRY_KEYS:
            raise UsageError(
                f"{where}: question '{question.id}': unknown field '{key}'",
                hint=f"allowed: {', '.join(sorted(ENTRY_KEYS))}",
            )
    value = scalar_text(entry.get("answer"))
    common = _common(question, entry, where, defaults)
    if value.lower() in NA_WORDS:
        reason = scalar_text(entry.get("reason"))
        if not reason:
            raise UsageError(
                f"{where}: question '{question.id}' is n/a without a reason",
                hint=f"write it as: {question.id}: {{answer: n/a, reason: why it does not apply}}",
            )
        return Answer(question.id, "n/a", reason=reason, **common)
    if value.lower() == "unknown":
        return Answer(question.id, "unknown", reason=scalar_text(entry.get("reason")), **common)
    value = _choice(question, value, where, migrations)
    return Answer(question.id, "answered", choice=value, reason=scalar_text(entry.get("reason")), **common)


def _common(
    question: Question, entry: dict[Any, Any], where: str, defaults: dict[str, str]
) -> dict[str, Any]:
    """The fields of an answer whatever its status: note, evidence links, who, when, service."""
    evidence = entry.get("evidence") or []
    evidence = [evidence] if isinstance(evidence, str) else evidence
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise UsageError(f"{where}: question '{question.id}': 'evidence' must be a link or a list of links")
    return {
        "note": scalar_text(entry.get("note")),
        "evidence": tuple(whole_characters(link) for link in evidence),
        "answered_by": scalar_text(entry.get("answered_by")) or defaults["answered_by"],
        "answered_at": date_text(entry.get("answered_at")) or defaults["answered_at"],
        "service": scalar_text(entry.get("service")),
    }


def _choice(question: Question, value: str, where: str, migrations: list[str]) -> str:
    """The choice id ``value`` names, through a rename recorded in ``migrations``."""
    renamed = next((c for c in question.choices if value in c.replaces), None)
    if renamed is not None:  # an id of an older model version: keep the file working, say so
        migrations.append(f"{question.id}: '{value}' is now '{renamed.id}' ({renamed.label})")
        value = renamed.id
    if question.choice(value) is None:
        raise UsageError(
            f"{where}: question '{question.id}': unknown choice '{value}'",
            hint=f"choose one of: {', '.join(c.id for c in question.choices)}, unknown, n/a",
        )
    return value


def dump_answers(answer_set: AnswerSet, model: MaturityModel) -> str:
    """The answers file text: every question in model order, unanswered ones left empty.

    Each question carries its text and choice ids as comments, so the file can be reviewed
    and filled in by hand.
    """
    import yaml

    head: dict[str, Any] = {"model": MODEL_FORMAT, "model_version": model.version}
    if answer_set.scope:
        head["scope"] = answer_set.scope
    if answer_set.service:
        head["service"] = answer_set.service
    if answer_set.measured:
        head["measured"] = dict(answer_set.measured)
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
    for key in ("reason", "note", "answered_by", "answered_at", "service"):
        if getattr(answer, key):
            entry[key] = getattr(answer, key)
    if answer.evidence:
        entry["evidence"] = list(answer.evidence)
    return entry if len(entry) > 1 else answer.value


def save_answers(path: Path, answer_set: AnswerSet, model: MaturityModel) -> None:
    """Write the answers file atomically."""
    from platformctl.files import atomic_write_text

    atomic_write_text(path, dump_answers(answer_set, model))
