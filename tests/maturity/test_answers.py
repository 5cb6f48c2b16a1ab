"""The answers file: forms, validation naming question and line, and round trips."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from platformctl.errors import UsageError
from platformctl.maturity.model import parse_model
from platformctl.maturity.questionnaire.answers import AnswerSet, dump_answers, read_answers
from tests.maturity.helpers import TINY_MODEL


@pytest.fixture(scope="module")
def tiny():
    return parse_model(TINY_MODEL, "tiny.yaml")


def read(tmp_path, text, model):
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    return read_answers(path, model)


def problem(tmp_path, text, model):
    with pytest.raises(UsageError) as info:
        read(tmp_path, text, model)
    return info.value


def test_structured_form_with_defaults_and_metadata(tmp_path, tiny):
    got = read(
        tmp_path,
        """\
answered_by: alice
answered_at: 2025-05-01
scope: Acme
answers:
  a.ci: one
  a.iac: {answer: n/a, reason: no infrastructure of our own}
  b.docs:
    answer: unknown
    answered_by: bob
    evidence: https://wiki.example.com/docs
""",
        tiny,
    )
    assert got.scope == "Acme"
    ci, iac, docs = (got.answers[q] for q in ("a.ci", "a.iac", "b.docs"))
    assert (ci.status, ci.choice, ci.answered_by, ci.answered_at) == (
        "answered",
        "one",
        "alice",
        "2025-05-01",
    )
    assert (iac.status, iac.reason) == ("n/a", "no infrastructure of our own")
    assert (docs.status, docs.answered_by, docs.evidence) == (
        "unknown",
        "bob",
        ("https://wiki.example.com/docs",),
    )
    assert got.missing(tiny) == []


def test_short_form_and_empty_values_are_unanswered(tmp_path, tiny):
    got = read(tmp_path, "a.ci: two\na.iac:\n", tiny)
    assert got.answers["a.ci"].choice == "two"
    assert got.missing(tiny) == ["a.iac", "b.docs"]


def test_json_is_accepted(tmp_path, tiny):
    got = read(tmp_path, '{"answers": {"a.ci": "many", "b.docs": {"answer": "d5"}}}', tiny)
    assert [a.value for a in got.answers.values()] == ["many", "d5"]


def test_unknown_question_names_the_line_and_suggests(tmp_path, tiny):
    err = problem(tmp_path, "answers:\n  a.ci: one\n  a.iacc: most\n", tiny)
    assert err.message == f"{tmp_path / 'answers.yaml'}:3: unknown question 'a.iacc'"
    assert err.hint == "did you mean 'a.iac'?"


def test_unknown_choice_lists_the_choices(tmp_path, tiny):
    err = problem(tmp_path, "answers:\n  a.ci: three\n", tiny)
    assert err.message.endswith(":2: question 'a.ci': unknown choice 'three'")
    assert err.hint == "choose one of: many, two, one, shared, unknown, n/a"


def test_na_needs_a_reason(tmp_path, tiny):
    err = problem(tmp_path, "answers:\n  a.ci: n/a\n", tiny)
    assert err.message.endswith(":2: question 'a.ci' is n/a without a reason")


def test_bad_shapes(tmp_path, tiny):
    assert "must be a mapping" in problem(tmp_path, "- a\n", tiny).message
    assert "unknown field 'answer'" in problem(tmp_path, "answer:\n  a.ci: one\nanswers: {}\n", tiny).message
    assert (
        "unknown field 'by'" in problem(tmp_path, "answers:\n  a.ci: {answer: one, by: me}\n", tiny).message
    )
    assert "not valid YAML" in problem(tmp_path, "answers: [\n", tiny).message
    assert "answers are for model 'other'" in problem(tmp_path, "model: other\nanswers: {}\n", tiny).message


def test_dump_round_trips_and_leaves_open_questions_empty(tmp_path, tiny):
    original = read(
        tmp_path,
        "answers:\n  a.ci: {answer: one, note: see wiki, answered_at: 2025-05-01}\n"
        "  a.iac: {answer: n/a, reason: 'none: really'}\n",
        tiny,
    )
    text = dump_answers(original, tiny)
    assert "# How many CI systems?\n  # choices: many | two | one | shared | unknown | n/a\n" in text
    assert "\n  b.docs:\n" in text
    data = yaml.safe_load(text)
    assert data["answers"]["b.docs"] is None
    again = read(tmp_path, text, tiny)
    assert again.answers == original.answers


def test_implicit_unknowns_are_saved_as_open(tiny):
    filled = AnswerSet().with_unknown(["a.ci"])
    assert filled.answers["a.ci"].status == "unknown"
    assert yaml.safe_load(dump_answers(filled, tiny))["answers"]["a.ci"] is None


def test_dates_and_datetimes_become_iso_text(tmp_path, tiny):
    got = read(tmp_path, "answered_at: 2025-05-01 10:00:00\nanswers: {a.ci: one}\n", tiny)
    assert got.answers["a.ci"].answered_at == dt.datetime(2025, 5, 1, 10).isoformat()
