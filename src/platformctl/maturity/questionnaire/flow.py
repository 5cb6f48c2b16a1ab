"""The interactive questionnaire as a small state machine, free of any terminal code.

The CLI supplies ``ask``, which shows one ``Prompt`` and returns the person's ``Reply``:
a choice, skip (unknown), n/a with a reason, back, or quit. Answers already given (a resumed
file) are not asked again unless ``review`` is set or the person goes back to them.
Every change is handed to ``on_change`` so progress survives an interruption.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, TypedDict

from platformctl.errors import ExitCode, PlatformctlError
from platformctl.maturity.questionnaire.answers import Answer, AnswerSet
from platformctl.maturity.scoring import evidence_effect

if TYPE_CHECKING:
    from platformctl.maturity.detectors import Evidence
    from platformctl.maturity.model import Dimension, MaturityModel, Question
    from platformctl.maturity.scoring import EvidenceEffect


class QuestionnaireStopped(PlatformctlError):
    """The person stopped the questionnaire; the answers so far are saved."""

    exit_code = ExitCode.INTERRUPTED


@dataclass(frozen=True)
class Prompt:
    """Everything needed to show one question."""

    question: Question
    dimension: Dimension
    position: int  # 1-based position in the model
    total: int
    current: Answer | None
    default: str | None  # choice id pre-selected (current answer, else the evidence's suggestion or cap)
    evidence: Evidence | None
    effect: EvidenceEffect


@dataclass(frozen=True)
class Reply:
    """What the person did with a question."""

    action: Literal["answer", "skip", "na", "back", "quit"]
    choice: str | None = None
    reason: str = ""


Ask = Callable[[Prompt], Reply]


def run_questionnaire(
    model: MaturityModel,
    answer_set: AnswerSet,
    ask: Ask,
    *,
    evidence: Mapping[str, Evidence] | None = None,
    review: bool = False,
    answered_by: str = "",
    answered_at: str = "",
    on_change: Callable[[AnswerSet], None] | None = None,
) -> AnswerSet:
    """Ask the open questions (or all, with ``review``) one at a time; return the answers.

    Raises:
        QuestionnaireStopped: the person quit (or pressed Ctrl-C / Ctrl-D).
    """
    evidence = evidence or {}
    questions = model.questions
    answers = dict(answer_set.answers)
    index = _next_open(questions, answers, -1, review)
    while index < len(questions):
        question = questions[index]
        prompt = _prompt(model, question, index, answers.get(question.id), evidence)
        try:
            reply = ask(prompt)
        except (KeyboardInterrupt, EOFError):
            reply = Reply("quit")
        if reply.action == "quit":
            raise QuestionnaireStopped(
                f"stopped at question {index + 1}/{len(questions)}; "
                f"{len(answers)} of {len(questions)} answered"
            )
        if reply.action == "back":
            index = max(index - 1, 0)
            continue
        answers[question.id] = _answer(question, reply, answers.get(question.id), answered_by, answered_at)
        if on_change:
            on_change(replace(answer_set, answers=dict(answers)))
        index = _next_open(questions, answers, index, review)
    return replace(answer_set, answers=answers)


def _next_open(questions: list[Question], answers: Mapping[str, Answer], index: int, review: bool) -> int:
    index += 1
    while index < len(questions) and not review and questions[index].id in answers:
        index += 1
    return index


def _prompt(
    model: MaturityModel,
    question: Question,
    index: int,
    current: Answer | None,
    evidence: Mapping[str, Evidence],
) -> Prompt:
    found = evidence.get(question.detector) if question.detector else None
    effect = evidence_effect(question, found, model.evidence_min_repositories)
    # Without an answer of its own, the evidence pre-selects: its suggestion, else the answer it
    # caps at (the highest that scores in full), so Enter keeps what the evidence supports.
    default = current.choice if current and current.status == "answered" else effect.suggest or effect.cap
    return Prompt(
        question,
        model.dimension(question.dimension),
        index + 1,
        len(model.questions),
        current,
        default,
        found,
        effect,
    )


class _Kept(TypedDict, total=False):
    note: str
    evidence: tuple[str, ...]


def _answer(question: Question, reply: Reply, current: Answer | None, by: str, at: str) -> Answer:
    # A revised answer keeps the note and evidence links written for the question.
    kept = _Kept(note=current.note, evidence=current.evidence) if current else _Kept()
    if reply.action == "skip":
        return Answer(question.id, "unknown", answered_by=by, answered_at=at, **kept)
    if reply.action == "na":
        if not reply.reason.strip():
            raise ValueError("n/a needs a reason")  # the asker guarantees one; this is a bug guard
        return Answer(question.id, "n/a", reason=reply.reason.strip(), answered_by=by, answered_at=at, **kept)
    if reply.choice is None or question.choice(reply.choice) is None:
        raise ValueError(f"no such choice {reply.choice!r}")
    return Answer(question.id, "answered", choice=reply.choice, answered_by=by, answered_at=at, **kept)
