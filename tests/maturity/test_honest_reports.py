"""Issue 12's defects through the real CLI: exact figures, waived gates, evidence, scope, next steps."""

from __future__ import annotations

import json
import re
import textwrap
from fractions import Fraction

import pytest

from platformctl.maturity.exact import half_up
from platformctl.maturity.model import load_model
from tests.maturity.helpers import git_repo, write_answers, write_model

# Exactly 49.95: dimension a (weight 0.1) answers 12 of 25 points = 48%, dimension b (0.15)
# answers 41 of 80 = 51.25%; 0.4 * 48 + 0.6 * 51.25 = 49.95. Float arithmetic gives
# 49.949999999999996, which rounds to 49.9 and falls out of level 3's band.
EDGE_MODEL = textwrap.dedent("""\
    model: platformctl.io/maturity/v1
    version: "1"
    name: Edge model
    levels:
      - {id: 1, name: one, summary: One., band: [0, 25]}
      - {id: 2, name: two, summary: Two., band: [25, 50]}
      - {id: 3, name: three, summary: Three., band: [50, 75]}
      - {id: 4, name: four, summary: Four., band: [75, 100]}
    dimensions:
      - {id: a, name: Alpha, weight: 0.1}
      - {id: b, name: Beta, weight: 0.15}
    questions:
      - id: a.q
        dimension: a
        text: A?
        choices:
          - {id: low, label: Low, points: 0, recommendation: Go mid.}
          - {id: mid, label: Mid, points: 12, recommendation: Go top.}
          - {id: top, label: Top, points: 25}
      - id: b.q
        dimension: b
        text: B?
        choices:
          - {id: low, label: Low, points: 0, recommendation: Go mid.}
          - {id: mid, label: Mid, points: 41, recommendation: Go top.}
          - {id: top, label: Top, points: 80}
    """)


def run_json(cli, *args):
    result = cli("assess", "maturity", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_exact_49_95_rounds_half_up_to_50_and_reaches_level_3(cli, tmp_path):
    model = write_model(tmp_path / "edge.yaml", EDGE_MODEL)
    answers = write_answers(tmp_path / "a.yaml", {"a.q": "mid", "b.q": "mid"})
    doc = run_json(cli, "--model", str(model), "--answers", str(answers))
    assert doc["score_exact"] == "999/20"
    assert (doc["score"], doc["band"]["level"], doc["level"]["level"]) == (50.0, 3, 3)
    passed = cli("assess", "maturity", "--model", str(model), "--answers", str(answers), "--fail-under", "50")
    assert passed.exit_code == 0, passed.stdout + passed.stderr
    assert "50.0/100" in passed.stdout
    # 50.05 would be needed to fail --fail-under 50.1; 50.0 is under it.
    failed = cli(
        "assess", "maturity", "--model", str(model), "--answers", str(answers), "--fail-under", "50.1"
    )
    assert failed.exit_code == 3
    assert "score 50.0 is under 50.1" in failed.stderr


def test_half_up_rounding_not_half_even():
    assert str(half_up(Fraction(5625, 100))) == "56.3"  # round() says 56.2
    assert str(half_up(Fraction(4995, 100))) == "50.0"
    assert str(half_up(Fraction(-25, 100))) == "-0.3"
    assert str(half_up(Fraction(1, 3), 2)) == "0.33"


def builtin_top(**override):
    model = load_model()
    answers = {q.id: q.choices[-1].id for q in model.questions}
    answers.update(override)
    return model, answers


def gate_questions():
    model = load_model()
    return [g.question for gates in model.gates.values() for g in gates]


def test_all_gates_na_cannot_buy_level_4_and_every_report_lists_them(cli, tmp_path):
    _, answers = builtin_top()
    for qid in gate_questions():
        answers[qid] = {"answer": "n/a", "reason": f"not for us ({qid})"}
    path = write_answers(tmp_path / "a.yaml", answers, scope="Acme payments")
    doc = run_json(cli, "--answers", str(path))
    assert doc["level"]["level"] == 1  # five waivers at level 2, one allowed
    assert doc["gate_waivers_per_level"] == 1
    assert len(doc["waived_gates"]) == len(gate_questions())
    assert all(g["over_limit"] and g["reason"].startswith("not for us") for g in doc["waived_gates"])
    assert "Answer it: n/a waives at most 1 gate" in doc["failing_gates"][0]["next_step"]

    html_path = tmp_path / "r.html"
    assert cli("assess", "maturity", "--answers", str(path), "-o", str(html_path)).exit_code == 0
    html = html_path.read_text()
    assert "Every gate passes" not in html
    assert "Waived gates" in html and "not for us (ss.portal)" in html
    md = cli("assess", "maturity", "--answers", str(path), "--format", "markdown").stdout
    assert "## Waived gates" in md and "not for us (std.iac)" in md
    terminal = cli("assess", "maturity", "--answers", str(path)).stdout
    assert "Waived gates" in terminal and "not for us (obs.incident_aiops)" in terminal

    summary = tmp_path / "summary.md"
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(tmp_path / "o"),
    }
    assert cli("assess", "maturity", "--answers", str(path), env=env).exit_code == 0
    assert "## Waived gates" in summary.read_text() and "not for us (ss.coverage)" in summary.read_text()


def test_one_waived_gate_per_level_is_allowed_and_shown(cli, tmp_path):
    _, answers = builtin_top(
        **{"obs.incident_aiops": {"answer": "n/a", "reason": "no production incidents yet"}}
    )
    path = write_answers(tmp_path / "a.yaml", answers)
    doc = run_json(cli, "--answers", str(path))
    assert doc["level"]["level"] == 4 and doc["failing_gates"] == []
    assert [(g["question"], g["over_limit"]) for g in doc["waived_gates"]] == [("obs.incident_aiops", False)]
    html_path = tmp_path / "r.html"
    assert cli("assess", "maturity", "--answers", str(path), "-o", str(html_path)).exit_code == 0
    assert "Every gate passes, 1 of them waived" in html_path.read_text()


def three_ci_files():
    return {
        ".github/workflows/ci.yml": "on: push\n",
        "Jenkinsfile": "x\n",
        ".gitlab-ci.yml": "a:\n  script: b\n",
    }


def test_empty_or_plain_folders_are_no_evidence(cli, tmp_path):
    from tests.maturity.helpers import build_files

    _, answers = builtin_top()
    path = write_answers(tmp_path / "a.yaml", answers)
    empty = tmp_path / "empty"
    empty.mkdir()
    plain = build_files(tmp_path / "plain", three_ci_files())  # CI files, but no repository
    doc = run_json(cli, "--answers", str(path), "--detect", str(empty), "--detect", str(plain))
    assert doc["repositories"] == [] and doc["evidence"] == []
    assert not any(a["capped"] for a in doc["answers"])
    assert any("no repository scanned" in n for n in doc["notes"])
    assert any("--detect plain: not a git repository" in n for n in doc["notes"])
    md = cli("assess", "maturity", "--answers", str(path), "--detect", str(empty), "--format", "markdown")
    assert "Evidence: no repository scanned, so no answer is capped" in md.stdout


def test_a_cap_names_its_repositories_and_coverage_caps_need_a_sample(cli, tmp_path):
    _, answers = builtin_top()
    path = write_answers(tmp_path / "a.yaml", answers)
    clones = tmp_path / "clones"
    git_repo(clones / "billing", three_ci_files())
    doc = run_json(cli, "--answers", str(path), "--detect", str(clones))
    ci = next(a for a in doc["answers"] if a["question"] == "std.cicd_systems")
    assert (
        ci["capped"] and "3 kinds" in ci["evidence"]["because"] and "(billing)" in ci["evidence"]["because"]
    )
    portal = next(a for a in doc["answers"] if a["question"] == "ss.portal")
    assert not portal["capped"]  # no catalog file in 1 repository: below the sample of 3
    for name in ("orders", "search"):
        git_repo(clones / name, {"README.md": "x\n"})
    doc = run_json(cli, "--answers", str(path), "--detect", str(clones))
    portal = next(a for a in doc["answers"] if a["question"] == "ss.portal")
    assert portal["capped"] and "in 3 repositories" in portal["evidence"]["because"]
    assert doc["evidence_min_repositories"] == 3


def test_scope_is_shown_and_history_compares_the_same_scope(cli, tmp_path):
    model = load_model()
    low = {q.id: q.choices[0].id for q in model.questions}
    top = {q.id: q.choices[-1].id for q in model.questions}
    team_a = write_answers(tmp_path / "a.yaml", top, scope="team-a")
    team_b = write_answers(tmp_path / "b.yaml", low, scope="team-b")
    assert cli("assess", "maturity", "--answers", str(team_a), "--save").exit_code == 0
    doc = run_json(cli, "--answers", str(team_b), "--save")
    assert doc["history"]["change"] is None  # team-a's run is another platform
    assert [p["score"] for p in doc["history"]["trend"]] == [0.0]
    again = run_json(cli, "--answers", str(team_a))
    assert again["history"]["change"]["score"] == 0.0 and again["history"]["previous"]["scope"] == "team-a"
    assert "Scope: team-b" in cli("assess", "maturity", "--answers", str(team_b)).stdout
    md = cli("assess", "maturity", "--answers", str(team_b), "--format", "markdown").stdout
    assert "Scope: team-b" in md


def test_short_form_carries_scope_and_model_version_is_checked(cli, tmp_path):
    model = load_model()
    short = {q.id: q.choices[0].id for q in model.questions}
    path = tmp_path / "short.yaml"
    path.write_text(json.dumps({"scope": "Acme", "model_version": model.version, **short}))
    assert run_json(cli, "--answers", str(path))["scope"] == "Acme"
    path.write_text(json.dumps({"scope": "Acme", "model_version": "99.0.0", **short}))
    newer = cli("assess", "maturity", "--answers", str(path))
    assert newer.exit_code == 2
    assert "model version 99.0.0, newer than this model" in newer.stderr and "hint:" in newer.stderr


@pytest.fixture
def held_at_two():
    model, answers = builtin_top()
    # Level 3's portal gate fails two steps short; a level-4 gate fails one step short; obs.slo
    # (no gate) is worth the most points.
    answers["ss.portal"] = "spreadsheet"
    answers["pp.dora_tracking"] = "automated_most"
    answers["obs.slo"] = "none"
    return model, answers


def test_next_steps_unlock_the_next_level_first(cli, tmp_path, held_at_two):
    _, answers = held_at_two
    doc = run_json(cli, "--answers", str(write_answers(tmp_path / "a.yaml", answers)))
    assert doc["level"]["level"] == 2
    # First the step towards level 3 (+0.8 = 100 * 0.16 * 2/10 * 1/4), though obs.slo gains
    # more (+1.0 = 100 * 0.14 * 2/7 * 1/4); then by points: obs.slo, then pp.dora_tracking
    # (+0.7, towards level 4, which is not the next level).
    assert [(r["question"], r["gain"], r["toward_level"]) for r in doc["recommendations"]] == [
        ("ss.portal", 0.8, 3),
        ("obs.slo", 1.0, None),
        ("pp.dora_tracking", 0.7, 4),
    ]


def test_unknown_gets_find_out_advice_not_the_worst_choices(cli, tmp_path, held_at_two):
    _, answers = held_at_two
    answers["std.iac"] = "unknown"
    doc = run_json(cli, "--answers", str(write_answers(tmp_path / "a.yaml", answers)))
    rec = next(r for r in doc["recommendations"] if r["question"] == "std.iac")
    worst = load_model().question("std.iac").choices[0].recommendation
    assert rec["kind"] == "find_out" and rec["gain"] is None and worst not in rec["text"]
    assert "Find out the real answer" in rec["text"] and "level-3 gate needs at least" in rec["text"]
    assert "?" in cli("assess", "maturity", "--answers", str(tmp_path / "a.yaml")).stdout


def test_non_bmp_json_escapes_reach_the_html_report_whole(cli, tmp_path):
    # JSON spells U+1F680 as a surrogate pair; the report must hold the character, not fail.
    path = tmp_path / "a.json"
    pair = "\\ud83d\\ude80"
    path.write_text(
        '{"scope": "Rocket '
        + pair
        + '", "answers": {"obs.slo": {"answer": "n/a", "reason": "batch '
        + pair
        + ' only, lone \\ud83d here"}}}'
    )
    html = tmp_path / "r.html"
    result = cli(
        "assess", "maturity", "--answers", str(path), "--allow-unknown", "--format", "html", "-o", str(html)
    )
    assert result.exit_code == 0, result.stderr
    text = html.read_text(encoding="utf-8")
    assert "Rocket \U0001f680" in text and "batch \U0001f680 only, lone \ufffd here" in text


def test_fewer_than_three_dimensions_are_bars_and_na_is_not_zero(cli, tmp_path):
    from tests.maturity.helpers import TINY_MODEL

    model = write_model(tmp_path / "tiny.yaml", TINY_MODEL)
    answers = write_answers(tmp_path / "a.yaml", {"a.ci": "one", "a.iac": "most", "b.docs": "n/a"})
    answers.write_text(answers.read_text().replace("b.docs: n/a", "b.docs: {answer: n/a, reason: no docs}"))
    html = tmp_path / "r.html"
    result = cli("assess", "maturity", "--model", str(model), "--answers", str(answers), "-o", str(html))
    assert result.exit_code == 0, result.stderr
    text = html.read_text()
    assert 'class="bars"' in text and 'class="radar"' not in text
    bars = text[text.index('<svg class="bars"') : text.index("</svg>", text.index('<svg class="bars"'))]
    assert bars.count('class="bar-score"') == 1  # Beta is n/a: no bar at 0, the value says n/a
    assert ">n/a</text>" in bars and ">Beta</text>" in bars
    assert all(int(size) >= 11 for size in re.findall(r'font-size="(\d+)"', bars))
