"""Model loading and validation: every error names the file and the line."""

from __future__ import annotations

import pytest

from platformctl.errors import ConfigError
from platformctl.maturity.model import load_model, parse_model
from tests.maturity.helpers import TINY_MODEL


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def error_for(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse_model(text, "model.yaml")
    return info.value.message


def test_builtin_model_loads_from_package_data():
    model = load_model()
    assert model.model == "platformctl.io/maturity/v1"
    assert len({q.id for q in model.questions}) == len(model.questions) == 43
    assert all(q.choices[-1].recommendation is None for q in model.questions)


def test_gate_naming_unknown_question():
    text = TINY_MODEL.replace("{question: a.iac, at_least: most", "{question: a.iaac, at_least: most")
    line = line_of(text, "a.iaac")
    assert (
        error_for(text)
        == f"model.yaml:{line}: gate 'Most infrastructure as code' names unknown question 'a.iaac'"
    )


def test_gate_naming_unknown_choice():
    text = TINY_MODEL.replace("at_least: one,", "at_least: single,")
    assert error_for(text) == (
        f"model.yaml:{line_of(text, 'single')}: gate 'One CI system' names unknown "
        "choice 'single' of question 'a.ci'"
    )


def test_duplicate_question_id():
    text = TINY_MODEL.replace("  - id: b.docs", "  - id: a.iac")
    line = [i for i, s in enumerate(text.splitlines(), start=1) if s == "  - id: a.iac"][1]
    assert error_for(text).startswith(f"model.yaml:{line}: duplicate question id 'a.iac'")


def test_unknown_detector_and_dimension():
    text = TINY_MODEL.replace("detector: ci_systems", "detector: ci_sistems")
    message = error_for(text)
    assert message.startswith(
        f"model.yaml:{line_of(text, 'ci_sistems')}: question 'a.ci' names unknown detector "
        "'ci_sistems' (known: catalog, ci_systems,"
    )
    text = TINY_MODEL.replace("    dimension: b\n", "    dimension: c\n")
    assert (
        error_for(text) == f"model.yaml:{line_of(text, 'dimension: c')}: question 'b.docs' names unknown "
        "dimension 'c' (and 1 more problem)"
    )  # and dimension b has no questions


def test_weights_must_be_positive():
    text = TINY_MODEL.replace("{id: a, name: Alpha, weight: 3}", "{id: a, name: Alpha, weight: -3}")
    message = error_for(text)
    assert message.startswith(f"model.yaml:{line_of(text, 'weight: -3')}: dimensions[0].weight: ")
    assert "greater than 0" in message


def test_choices_must_ascend_and_carry_recommendations():
    text = TINY_MODEL.replace("{id: two, label: Two, points: 1,", "{id: two, label: Two, points: 0,")
    assert error_for(text).startswith(
        f"model.yaml:{line_of(text, 'id: two')}: question 'a.ci': choice 'two' must "
        "have more points than the one before it"
    )
    text = TINY_MODEL.replace(", recommendation: Retire one.}", "}")
    assert error_for(text) == (
        f"model.yaml:{line_of(text, 'id: two')}: question 'a.ci': choice 'two' needs a "
        "recommendation (the next step from it)"
    )


def test_evidence_rules_are_checked():
    text = TINY_MODEL.replace("{kinds_at_least: 2, cap: two}", "{kinds_at_least: 2, cap: to}")
    assert error_for(text) == (
        f"model.yaml:{line_of(text, 'cap: to}')}: question 'a.ci': evidence rule names unknown choice 'to'"
    )
    text = TINY_MODEL.replace("{kinds_at_least: 2, cap: two}", "{cap: two}")
    assert "an evidence rule needs at least one condition" in error_for(text)


def test_bands_must_cover_0_to_100():
    text = TINY_MODEL.replace("band: [25, 50]", "band: [30, 50]")
    assert error_for(text).startswith(
        f"model.yaml:{line_of(text, '[30, 50]')}: level 2 band [30.0, 50.0] must start at 25"
    )


def test_unknown_field_and_missing_field():
    text = TINY_MODEL.replace("    text: How good are the docs?\n", "    txt: How good are the docs?\n")
    message = error_for(text)
    assert f"model.yaml:{line_of(text, 'txt:')}: questions[2].txt: unknown field" in message
    assert message.endswith("(and 1 more problem)")  # the missing "text"


def test_invalid_yaml_names_the_line():
    text = TINY_MODEL.replace("name: Tiny model", "name: [Tiny model")
    assert error_for(text).startswith("model.yaml:")


def test_model_file_not_found(tmp_path):
    with pytest.raises(ConfigError, match="cannot read model file"):
        load_model(tmp_path / "missing.yaml")


def test_docs_list_every_question_and_detector():
    from platformctl.maturity.detector_rules import DETECTORS
    from tests.conftest import REPO_ROOT

    text = (REPO_ROOT / "docs" / "maturity.md").read_text()
    model = load_model()
    for question in model.questions:
        assert f"| `{question.id}` |" in text, question.id
        assert " · ".join(f"`{c.id}`" for c in question.choices) in text, question.id
    for detector in DETECTORS:
        assert f"| `{detector}` |" in text, detector
