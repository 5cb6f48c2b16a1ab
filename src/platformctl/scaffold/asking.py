"""The order golden-path questions are answered in, and which of them are asked at all.

A copier question's ``when:`` may be a Jinja expression over the answers given so far; copier
renders it and reads the result as a YAML boolean. A question whose ``when`` is false is not
asked: it takes its default (copier computes it and leaves it out of the answers file), unless
it was answered explicitly. Questions that the platform team answers once for every service
(``platform.*`` settings) are never asked either: their value is the setting or the default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from platformctl.scaffold.answers import Asker
    from platformctl.scaffold.catalog import GoldenPath, Question

_TRUE = frozenset({"y", "yes", "t", "true", "on"})
_FALSE = frozenset({"n", "no", "f", "false", "off", "~", "null", "none"})


def cast_to_bool(value: Any) -> bool:
    """``value`` as copier reads a rendered ``when:``: a number, then a YAML boolean or null."""
    if isinstance(value, bool):
        return value
    try:
        return bool(float(value))
    except (TypeError, ValueError):
        pass
    if isinstance(value, str):
        lower = value.strip().lower()
        if not lower or lower in _FALSE:
            return False
        if lower in _TRUE:
            return True
    return bool(value)


def applies(question: Question, context: Mapping[str, Any]) -> bool:
    """Whether ``question``'s ``when:`` holds for the answers in ``context``.

    An expression that needs an answer not known yet counts as true: the question is asked
    (or defaulted) rather than silently dropped, and copier, rendering later, agrees.
    """
    from platformctl.scaffold.answers import render_expression

    when = question.when
    if not isinstance(when, str) or "{" not in when:
        return cast_to_bool(when)
    rendered = render_expression(when, context)
    return True if rendered is None else cast_to_bool(rendered)


def answer_in_order(
    golden_path: GoldenPath, given: Mapping[str, Any], ask: Asker | None, origin: Mapping[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """Each question in order; returns the answers and the names nobody answered.

    At a prompt, BACK returns to the previous prompted question (whose answer becomes the
    default, so Enter keeps it). Questions whose ``when`` is false are left out of the answers
    unless given: copier computes their defaults itself and does not record them.
    """
    from platformctl.scaffold.answers import BACK

    order = [q for q in golden_path.questions if q.asked]
    unasked = never_asked(golden_path)
    answers: dict[str, Any] = {}
    skipped: set[str] = set()  # not applicable: in the context of later questions, not returned
    earlier: dict[str, Any] = {}
    prompted: list[int] = []  # indexes into ``order`` of the questions prompted, in order
    missing: list[str] = []
    index = 0
    while index < len(order):
        question = order[index]
        if question.name in given:
            where = origin.get(question.name, f"answer {question.name!r}")
            answers[question.name] = _given(question, given[question.name], answers, where)
        elif not applies(question, answers):
            if question.has_default:
                answers[question.name] = _default(question, answers)
                skipped.add(question.name)
        elif ask is not None and question.name not in unasked:
            total = len(prompted) + _still_to_ask(order, index, given, unasked, answers)
            value = _ask_until_valid(question, answers, ask, (len(prompted) + 1, total), earlier)
            if value is BACK:
                index = prompted.pop() if prompted else index
                for later in order[index:]:
                    if later.name in answers:
                        earlier[later.name] = answers.pop(later.name)
                    skipped.discard(later.name)
                continue
            answers[question.name] = value
            prompted.append(index)
        elif question.has_default:
            answers[question.name] = _default(question, answers)
        else:
            missing.append(question.name)
        index += 1
    return {k: v for k, v in answers.items() if k not in skipped}, missing


def never_asked(golden_path: GoldenPath) -> frozenset[str]:
    """Questions answered by the platform settings (``platform.*``) or their default, never asked."""
    from platformctl.scaffold.defaults import SETTING_DEFAULTS

    return frozenset(
        question
        for question, key in SETTING_DEFAULTS
        if key.startswith("platform.") and golden_path.question(question) is not None
    )


def _given(question: Question, raw: Any, answers: Mapping[str, Any], where: str) -> Any:
    from platformctl.scaffold.answers import check_answer

    return check_answer(question, raw, answers, where)


def _default(question: Question, answers: Mapping[str, Any]) -> Any:
    from platformctl.scaffold.answers import check_answer, render_default

    default = render_default(question, answers)
    # A literal default is the golden path's own value, validated by copier when it renders:
    # only a default computed from the user's answers can fail here.
    literal = not (isinstance(question.default, str) and "{" in question.default)
    where = f"default of {question.name!r}"
    return check_answer(question, default, answers, where, validate=not literal)


def _still_to_ask(
    order: list[Question],
    start: int,
    given: Mapping[str, Any],
    unasked: frozenset[str],
    answers: dict[str, Any],
) -> int:
    """How many prompts are left from ``order[start]`` on, if every later answer is its default.

    The counter of the prompts shrinks or grows as answers switch optional pieces on or off.
    """
    from platformctl.errors import PlatformctlError
    from platformctl.scaffold.answers import render_default

    context = dict(answers)
    count = 0
    for question in order[start:]:
        if question.name in given:
            context[question.name] = given[question.name]
            continue
        if question.name not in unasked and applies(question, context):
            count += 1
        if question.has_default:
            try:
                context[question.name] = render_default(question, context)
            except PlatformctlError:  # a broken default is reported when it is reached
                continue
    return count


def _ask_until_valid(
    question: Question,
    answers: dict[str, Any],
    ask: Asker,
    position: tuple[int, int],
    earlier: Mapping[str, Any],
) -> Any:
    from platformctl.errors import UsageError
    from platformctl.scaffold.answers import BACK, check_answer, render_default

    default = earlier.get(question.name)
    if default is None and question.has_default:
        default = render_default(question, answers)
    error: str | None = None
    for _ in range(20):
        raw = ask(question, default, error, position)
        if raw == BACK:
            return BACK
        try:
            return check_answer(question, raw, answers, "that answer")
        except UsageError as exc:
            error = exc.message.removeprefix("that answer: ")
    raise UsageError(f"no valid answer for {question.name!r} after 20 attempts")
