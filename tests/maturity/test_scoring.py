"""Scoring with hand-computed expectations, on the tiny model and on the built-in model."""

from __future__ import annotations

from fractions import Fraction

import pytest

from platformctl.errors import option
from platformctl.maturity.detectors import Evidence
from platformctl.maturity.model import load_model, parse_model
from platformctl.maturity.questionnaire.answers import Answer
from platformctl.maturity.scoring import assess, evidence_effect, threshold_failures
from tests.maturity.helpers import TINY_MODEL


@pytest.fixture(scope="module")
def tiny():
    return parse_model(TINY_MODEL, "tiny.yaml")


@pytest.fixture(scope="module")
def builtin():
    return load_model()


def answers(**given):
    out = {}
    for key, value in given.items():
        qid = key.replace("_", ".", 1)
        if value == "unknown":
            out[qid] = Answer(qid, "unknown")
        elif value == "n/a":
            out[qid] = Answer(qid, "n/a", reason="does not apply here")
        else:
            out[qid] = Answer(qid, "answered", choice=value)
    return out


def ci_evidence(kinds, repositories=1, with_signal=1):
    return {
        "ci_systems": Evidence("ci_systems", "CI/CD systems", repositories, with_signal, tuple(kinds), ())
    }


def test_hand_computed_score_level_and_recommendations(tiny):
    # a = (1*2/4 + 2*2/2) / 3 = 0.8333; b = 0; overall = (3*83.33 + 1*0) / 4 = 62.5
    result = assess(tiny, answers(a_ci="one", a_iac="most", b_docs="d0"))
    assert [round(float(d.score), 2) for d in result.dimensions] == [83.33, 0.0]
    assert result.score == 62.5
    assert (result.band, result.gated_level, result.level) == (3, 4, 3)
    assert result.failing_gates == []
    # a.ci one->shared: 100 * 3/4 * 1/3 * (4-2)/4 = 12.5; b.docs d0->d1: 100 * 1/4 * 1 * 1/5 = 5.0
    assert [(r.question, r.target, round(r.gain, 3)) for r in result.recommendations] == [
        ("a.ci", "shared", 12.5),
        ("b.docs", "d1", 5.0),
    ]
    assert result.recommendations[0].text == "Share templates."


def test_all_top_answers_score_100_and_level_4(builtin):
    result = assess(
        builtin, {q.id: Answer(q.id, "answered", choice=q.choices[-1].id) for q in builtin.questions}
    )
    assert result.score == 100.0
    assert (result.band, result.level) == (4, 4)
    assert result.recommendations == []
    assert all(d.score == pytest.approx(100.0) for d in result.dimensions)


def test_all_bottom_answers_score_0_and_level_1(builtin):
    result = assess(
        builtin, {q.id: Answer(q.id, "answered", choice=q.choices[0].id) for q in builtin.questions}
    )
    assert result.score == 0.0
    assert (result.band, result.level) == (1, 1)
    assert len(result.failing_gates) == sum(len(g) for g in builtin.gates.values()) == 12


def test_high_score_with_one_failing_level_2_gate_is_level_1_naming_it(builtin):
    given = {q.id: Answer(q.id, "answered", choice=q.choices[-1].id) for q in builtin.questions}
    given["ss.onboarding"] = Answer("ss.onboarding", "answered", choice="over_four_weeks")
    result = assess(builtin, given)
    # self_service weights: onboarding 2 + portal 2 + provisioning 2 + environments 1 + coverage 2
    # + interfaces 1 = 10; the dimension is 0.16 of the total, so the loss is 100 * 0.16 * 2/10 = 3.2.
    assert result.score == 96.8
    assert result.band == 4
    assert result.gated_level == 1
    assert result.level == 1
    assert [(g.level, g.question, g.label, g.actual) for g in result.failing_gates] == [
        (2, "ss.onboarding", "New developers ship to production within 2 weeks", "over_four_weeks")
    ]
    assert threshold_failures(result, fail_under_level=2) == [
        f"level 1 is under 2 ({option('fail_under_level')}); "
        "failing gates: New developers ship to production within 2 weeks"
    ]
    top = result.recommendations[0]
    assert top.question == "ss.onboarding" and top.unlocks == ()  # one step up is not enough for the gate
    assert top.gain == Fraction(4, 5)  # 100 * 0.16 * 2/10 * 1/4, exactly


def test_unknown_scores_zero_and_fails_its_gate(tiny):
    # a = (0 + 2*1) / 3 = 0.6667; overall = 3*66.67/4 = 50.0; the level-2 gate fails on "unknown"
    result = assess(tiny, answers(a_ci="unknown", a_iac="most", b_docs="d0"))
    assert result.score == 50.0
    assert (result.band, result.level) == (3, 1)
    assert [(g.question, g.actual) for g in result.failing_gates] == [("a.ci", "unknown")]
    assert result.dimensions[0].unknown == 1
    # A missing answer is unknown too.
    assert assess(tiny, answers(a_iac="most", b_docs="d0")).score == 50.0


def test_not_applicable_is_left_out_and_a_gate_on_it_is_waived(tiny):
    # a = a.iac only = 1.0; overall = (3*100 + 1*0) / 4 = 75.0 -> band 4; the level-2 gate is waived
    result = assess(tiny, answers(a_ci="n/a", a_iac="most", b_docs="d0"))
    assert result.score == 75.0
    assert result.level == 4
    waived = [g for g in result.gates if g.waived]
    assert [(g.question, g.passed) for g in waived] == [("a.ci", True)]
    assert result.dimensions[0].not_applicable == 1
    assert result.dimensions[0].incomplete is True  # 1 of 3 weight = 33% n/a, over 25%
    assert "a.ci" not in [r.question for r in result.recommendations]


def test_incomplete_and_excluded_dimensions(tiny):
    # a.iac n/a is 2/3 of dimension a's weight (> 25%): incomplete. b entirely n/a: excluded,
    # and the overall score is dimension a alone: a.ci one = 2/4 -> 50.0
    result = assess(tiny, answers(a_ci="one", a_iac="n/a", b_docs="n/a"))
    a, b = result.dimensions
    assert a.incomplete and not a.excluded
    assert b.excluded and b.weight == 0.0
    assert a.weight == 1.0
    assert result.score == 50.0


def test_evidence_caps_never_raises(tiny):
    # three CI systems found: the "one" answer is capped at "many" (0 points) and the gate fails.
    result = assess(tiny, answers(a_ci="one", a_iac="most", b_docs="d0"), ci_evidence(["a", "b", "c"]))
    scored = result.by_question("a.ci")
    assert (scored.choice, scored.effective, scored.capped, scored.evidence_status) == (
        "one",
        "many",
        True,
        "contradicted",
    )
    assert "a, b, c in 1 of 1 repository" in scored.because
    assert result.score == 50.0  # a = (0 + 2) / 3; 3 * 66.67 / 4
    assert result.level == 1
    # two systems cap at "two"; an answer already below the cap is left alone.
    low = assess(tiny, answers(a_ci="many", a_iac="most", b_docs="d0"), ci_evidence(["a", "b"]))
    assert low.by_question("a.ci").effective == "many"
    assert low.by_question("a.ci").evidence_status == "corroborated"


def test_evidence_suggestion_and_cap_rules(tiny):
    question = tiny.question("a.ci")
    assert evidence_effect(question, None).cap is None
    one = evidence_effect(question, ci_evidence(["github-actions"])["ci_systems"])
    assert (one.cap, one.suggest) == (None, "one")
    nothing = evidence_effect(question, ci_evidence([], with_signal=0)["ci_systems"])
    assert (nothing.cap, nothing.suggest) == (None, None)
    many = evidence_effect(question, ci_evidence(["a", "b", "c", "d"])["ci_systems"])
    assert many.cap == "many"  # the lowest matching cap wins


def test_thresholds(tiny):
    result = assess(tiny, answers(a_ci="one", a_iac="most", b_docs="d0"))
    assert threshold_failures(result, fail_under=62.5, fail_under_level=3) == []
    assert threshold_failures(result, fail_under=70) == [f"score 62.5 is under 70 ({option('fail_under')})"]
    level = option("fail_under_level")
    assert threshold_failures(result, fail_under_level=4) == [f"level 3 is under 4 ({level})"]


def test_band_edges(tiny):
    assert [tiny.band_of(s) for s in (0, 24.9, 25, 49.9, 50, 74.9, 75, 100)] == [1, 1, 2, 2, 3, 3, 4, 4]


def test_builtin_model_matches_the_design(builtin):
    assert [(lv.id, lv.band) for lv in builtin.levels] == [
        (1, (0, 25)),
        (2, (25, 50)),
        (3, (50, 75)),
        (4, (75, 100)),
    ]
    gates = {level: [g.question for g in gs] for level, gs in builtin.gates.items()}
    assert gates == {
        2: [
            "std.cicd_systems",
            "std.deploy_automation",
            "ss.onboarding",
            "obs.central_monitoring",
            "std.docs",
        ],
        3: ["std.service_templates", "ss.portal", "std.iac"],
        4: ["ss.coverage", "pp.dora_tracking", "gov.policy_as_code", "obs.incident_aiops"],
    }
    assert len(builtin.questions) == 43
    assert sum(Fraction(str(d.weight)) for d in builtin.dimensions) == 1
    dora = [q.id for q in builtin.questions if q.dimension == "delivery"]
    assert dora == [
        "dora.deploy_frequency",
        "dora.lead_time",
        "dora.recovery_time",
        "dora.change_fail_rate",
        "dora.rework_rate",
    ]
