"""Model 2.0.0 through the CLI: the CI gate, profiles, measured figures and older answers files."""

from __future__ import annotations

import pytest
import yaml

from platformctl.maturity.model import load_model
from tests.maturity.helpers import git_repo, write_answers


def top(**override):
    model = load_model()
    answers = {q.id: q.choices[-1].id for q in model.questions}
    answers.update(override)
    return answers


def run_json(cli, path, *args):
    result = cli("assess", "maturity", "--answers", str(path), *args, "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_two_ci_tools_is_not_level_1_evidence_but_three_are(cli, tmp_path):
    path = write_answers(tmp_path / "a.yaml", top(**{"std.cicd_systems": "one_default_templates"}))
    two = git_repo(tmp_path / "two", {".github/workflows/ci.yml": "on: push\n", "Jenkinsfile": "x\n"})
    doc = run_json(cli, path, "--detect", str(two))
    ci = next(a for a in doc["answers"] if a["question"] == "std.cicd_systems")
    assert (ci["effective"], ci["capped"]) == ("two", True)
    assert doc["level"]["level"] == 4  # the level-2 gate passes with two tools
    three = git_repo(
        tmp_path / "three",
        {
            ".github/workflows/ci.yml": "on: push\n",
            "Jenkinsfile": "x\n",
            ".gitlab-ci.yml": "a:\n  script: b\n",
        },
    )
    doc = run_json(cli, path, "--detect", str(three))
    assert doc["level"]["level"] == 1
    assert [g["question"] for g in doc["failing_gates"]] == ["std.cicd_systems"]


def test_pemm_pillars_and_quick_check_profiles_in_every_report(cli, tmp_path):
    answers = top(**{"pp.marketing": "word_of_mouth", "dora.change_fail_rate": "over_50"})
    path = write_answers(tmp_path / "a.yaml", answers, service="checkout", measured={"onboarding_days": 3})
    doc = run_json(cli, path)
    adoption = next(a for a in doc["pemm"] if a["id"] == "adoption")
    # (2 x 4/4 + 1 x 0/4 + 2 x 4/4) / 5 = 4/5 -> 80.0, optimizing
    assert (adoption["score"], adoption["level_name"]) == (80.0, "optimizing")
    assert [p["id"] for p in doc["pillars"]] == [
        "standardization",
        "self_service",
        "observability",
        "governance",
    ]
    qc = doc["dora_quick_check"]
    # three categorical metrics at 10, rework up to 10% at 10 x (1 - 5/100) = 9.5, the change
    # fail rate over 50% at 10 x (1 - 75/100) = 2.5: 42 / 5 = 8.4; stability (9.5 + 2.5) / 2 = 6
    assert (qc["score"], qc["stability"], qc["throughput"]) == (8.4, 6.0, 10.0)
    assert qc["benchmark"]["difference"] == 4.1 and qc["services"] == ["checkout"] and not qc["blended"]
    assert doc["measured"] == {"onboarding_days": 3.0}
    md = cli("assess", "maturity", "--answers", str(path), "--format", "markdown").stdout
    assert "## CNCF PEMM aspects" in md and "| Adoption | 80.0 | optimizing |" in md
    assert "## DORA Quick Check" in md and "Delivery score 8.4/10" in md and "| Onboarding | 3 days |" in md
    html = tmp_path / "r.html"
    assert cli("assess", "maturity", "--answers", str(path), "-o", str(html)).exit_code == 0
    assert "CNCF PEMM aspects" in html.read_text() and "IDP pillars" in html.read_text()
    assert "DORA Quick Check" in cli("assess", "maturity", "--answers", str(path)).stdout


def test_metrics_of_different_services_are_flagged_as_blended(cli, tmp_path):
    answers = top()
    answers["dora.lead_time"] = {"answer": "under_an_hour", "service": "search"}
    doc = run_json(cli, write_answers(tmp_path / "a.yaml", answers, service="checkout"))
    assert doc["dora_quick_check"]["blended"] and doc["dora_quick_check"]["services"] == [
        "checkout",
        "search",
    ]
    md = cli("assess", "maturity", "--answers", str(tmp_path / "a.yaml"), "--format", "markdown").stdout
    assert "the metrics describe different services (checkout, search)" in md


def test_measured_figures_are_validated(cli, tmp_path):
    path = write_answers(tmp_path / "a.yaml", top(), measured={"onboarding_days": "soon"})
    result = cli("assess", "maturity", "--answers", str(path))
    assert result.exit_code == 2
    assert "'onboarding_days' must be a number" in result.stderr and "hint:" in result.stderr


@pytest.fixture
def version_1_answers(tmp_path):
    # An answers file as model 1.0.0 wrote it: no new questions, the old rate bucket ids.
    model = load_model()
    answers = {q.id: q.choices[-1].id for q in model.questions if not q.since}
    answers["dora.change_fail_rate"] = "from_16_to_20"
    answers["dora.rework_rate"] = "up_to_5"
    path = tmp_path / "old.yaml"
    path.write_text(
        yaml.safe_dump({"model": "platformctl.io/maturity/v1", "model_version": "1.0.0", "answers": answers})
    )
    return path


def test_an_answers_file_of_model_1_keeps_working_with_clear_notes(cli, version_1_answers):
    doc = run_json(cli, version_1_answers)
    cfr = next(a for a in doc["answers"] if a["question"] == "dora.change_fail_rate")
    assert cfr["choice"] == "up_to_20"
    added = [q.id for q in load_model().questions if q.since]
    assert sorted(doc["unknown"]) == sorted(added)
    notes = " ".join(doc["notes"])
    assert "'from_16_to_20' is now 'up_to_20'" in notes and "'up_to_5' is now 'up_to_10'" in notes
    assert f"{len(added)} question(s) added to the model after version 1.0.0" in notes
    assert "written for model version 1.0.0" in notes
    terminal = cli("assess", "maturity", "--answers", str(version_1_answers)).stdout
    assert "note: " in terminal and "--review" in terminal


def test_a_current_file_missing_questions_is_still_an_error(cli, tmp_path):
    model = load_model()
    answers = {q.id: q.choices[0].id for q in model.questions if q.id != "tt.enabling"}
    path = write_answers(tmp_path / "a.yaml", answers, model_version=model.version)
    result = cli("assess", "maturity", "--answers", str(path))
    assert result.exit_code == 2 and "tt.enabling" in result.stderr


def test_saved_answers_keep_service_measured_and_per_answer_service(cli, tmp_path):
    answers = top()
    answers["dora.lead_time"] = {"answer": "under_an_hour", "service": "search"}
    path = write_answers(
        tmp_path / "a.yaml", answers, scope="Acme", service="checkout", measured={"mttr_hours": 2}
    )
    saved = tmp_path / "saved.yaml"
    assert cli("assess", "maturity", "--answers", str(path), "--save-answers", str(saved)).exit_code == 0
    data = yaml.safe_load(saved.read_text())
    assert (data["scope"], data["service"], data["measured"]) == ("Acme", "checkout", {"mttr_hours": 2.0})
    assert data["model_version"] == load_model().version
    assert data["answers"]["dora.lead_time"] == {"answer": "under_an_hour", "service": "search"}
