"""The questionnaire state machine, driven by a scripted person."""

from __future__ import annotations

import pytest

from platformctl.maturity.detectors import Evidence
from platformctl.maturity.model import parse_model
from platformctl.maturity.questionnaire.answers import Answer, AnswerSet
from platformctl.maturity.questionnaire.flow import QuestionnaireStopped, Reply, run_questionnaire
from tests.maturity.helpers import TINY_MODEL


@pytest.fixture(scope="module")
def tiny():
    return parse_model(TINY_MODEL, "tiny.yaml")


class Script:
    """Replies in order; records every prompt shown."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.prompts = []

    def __call__(self, prompt):
        self.prompts.append(prompt)
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return reply


def test_answer_back_skip_na_and_saving_progress(tiny):
    saved = []
    script = Script(
        Reply("answer", choice="one"),
        Reply("back"),
        Reply("answer", choice="two"),
        Reply("na", reason="no infra"),
        Reply("skip"),
    )
    result = run_questionnaire(
        tiny,
        AnswerSet(),
        script,
        answered_by="alice",
        answered_at="2025-05-01",
        on_change=lambda s: saved.append(sorted(s.answers)),
    )
    assert [(p.question.id, p.position, p.total, p.default) for p in script.prompts] == [
        ("a.ci", 1, 3, None),
        ("a.iac", 2, 3, None),
        ("a.ci", 1, 3, "one"),
        ("a.iac", 2, 3, None),
        ("b.docs", 3, 3, None),
    ]
    assert {q: a.value for q, a in result.answers.items()} == {
        "a.ci": "two",
        "a.iac": "n/a",
        "b.docs": "unknown",
    }
    assert result.answers["a.iac"].reason == "no infra"
    assert result.answers["a.ci"].answered_by == "alice"
    assert saved[-1] == ["a.ci", "a.iac", "b.docs"] and len(saved) == 4


def test_resume_asks_only_open_questions_and_review_asks_all(tiny):
    start = AnswerSet({"a.ci": Answer("a.ci", "answered", choice="one", note="kept")})
    script = Script(Reply("answer", choice="most"), Reply("answer", choice="d1"))
    result = run_questionnaire(tiny, start, script)
    assert [p.question.id for p in script.prompts] == ["a.iac", "b.docs"]
    assert result.answers["a.ci"].choice == "one"
    review = Script(
        Reply("answer", choice="shared"), Reply("answer", choice="most"), Reply("answer", choice="d1")
    )
    again = run_questionnaire(tiny, result, review, review=True)
    assert [p.default for p in review.prompts] == ["one", "most", "d1"]
    assert again.answers["a.ci"].choice == "shared"
    assert again.answers["a.ci"].note == "kept"  # a revised answer keeps its note


def test_back_from_the_first_question_stays_there(tiny):
    script = Script(Reply("back"), Reply("quit"))
    with pytest.raises(QuestionnaireStopped):
        run_questionnaire(tiny, AnswerSet(), script)
    assert [p.question.id for p in script.prompts] == ["a.ci", "a.ci"]


@pytest.mark.parametrize("stop", [Reply("quit"), KeyboardInterrupt(), EOFError()])
def test_quit_and_interrupts_stop_with_exit_130(tiny, stop):
    script = Script(Reply("answer", choice="one"), stop)
    with pytest.raises(QuestionnaireStopped) as info:
        run_questionnaire(tiny, AnswerSet(), script)
    assert info.value.exit_code == 130
    assert info.value.message == "stopped at question 2/3; 1 of 3 answered"


def test_evidence_prefills_a_suggestion_and_shows_the_cap(tiny):
    one = {"ci_systems": Evidence("ci_systems", "CI/CD systems", 2, 2, ("github-actions",), ())}
    script = Script(Reply("quit"))
    with pytest.raises(QuestionnaireStopped):
        run_questionnaire(tiny, AnswerSet(), script, evidence=one)
    assert script.prompts[0].default == "one"
    assert script.prompts[0].evidence is one["ci_systems"]
    three = {"ci_systems": Evidence("ci_systems", "CI/CD systems", 1, 1, ("a", "b", "c"), ())}
    script = Script(Reply("quit"))
    with pytest.raises(QuestionnaireStopped):
        run_questionnaire(tiny, AnswerSet(), script, evidence=three)
    # No suggestion: the answer the evidence caps at is pre-selected.
    assert (script.prompts[0].effect.cap, script.prompts[0].default) == ("many", "many")
