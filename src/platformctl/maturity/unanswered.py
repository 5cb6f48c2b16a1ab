"""The questions an answers file leaves open, settled before scoring.

A question the delivery report measures needs no answer; one added to the model after the version
the file was written for is unknown until answered; any other is unknown only with
``--allow-unknown``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from platformctl.errors import InputRequired, option

if TYPE_CHECKING:
    from platformctl.maturity.delivery_evidence import Measured
    from platformctl.maturity.model import MaturityModel
    from platformctl.maturity.questionnaire.answers import AnswerSet
    from platformctl.maturity.service import MaturityRequest

FIRST_VERSION = "1.0.0"  # the model version before answers files recorded one


def settle_unanswered(
    request: MaturityRequest,
    model: MaturityModel,
    answer_set: AnswerSet,
    measured: dict[str, Measured],
    notes: list[str],
) -> AnswerSet:
    """The answers with every missing question scored as unknown, each reason added to ``notes``.

    Raises:
        InputRequired: questions that are neither measured nor new have no answer, and
            ``request.allow_unknown`` is off.
    """
    missing = answer_set.missing(model)
    if measured and (by_data := [m for m in missing if m in measured]):
        answer_set = answer_set.with_unknown(by_data)  # the measurement answers them when scored
        missing = [m for m in missing if m not in measured]
    added = _added_since(model, answer_set, missing)
    if added:
        answer_set = answer_set.with_unknown(added)
        notes.append(
            f"{len(added)} question(s) added to the model after version "
            f"{answer_set.model_version or FIRST_VERSION} are scored as unknown until answered: "
            f"{', '.join(added)} (answer them with {option('review')}, or in the file)"
        )
        missing = [m for m in missing if m not in added]
    if missing:
        answer_set = _fill_missing(request, answer_set, missing)
        notes.append(f"{len(missing)} unanswered question(s) scored as unknown")
    return answer_set


def _added_since(model: MaturityModel, answer_set: AnswerSet, missing: list[str]) -> list[str]:
    """Missing questions the answers file could not know: added after the version it was written for.

    A file that names no ``model_version`` predates the field, so it was written for 1.0.0.
    """
    from platformctl.maturity.questionnaire.answers import version_key

    written_for = version_key(answer_set.model_version or FIRST_VERSION)
    if written_for is None:
        return []
    return [
        qid
        for qid in missing
        if (since := version_key(model.question(qid).since or FIRST_VERSION)) is not None
        and since > written_for
    ]


def _fill_missing(request: MaturityRequest, answer_set: AnswerSet, missing: list[str]) -> AnswerSet:
    if not request.allow_unknown:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        raise InputRequired(
            f"{len(missing)} question(s) have no answer in "
            f"{answer_set.source or request.answers_file}: {shown}",
            hint="answer them in the file (a choice id, 'unknown' or 'n/a' with a reason), "
            f"or pass {option('allow_unknown')} to score them as unknown",
        )
    return answer_set.with_unknown(missing)
