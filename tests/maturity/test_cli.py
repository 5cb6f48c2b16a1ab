"""Non-interactive runs of `platformctl assess maturity` through the real entry point."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import yaml

from platformctl.maturity.model import load_model
from tests.maturity.helpers import TINY_MODEL, git_repo, write_answers, write_model
from tests.test_startup import probe


@pytest.fixture
def tiny(tmp_path):
    return write_model(tmp_path / "tiny.yaml")


@pytest.fixture
def good(tmp_path):
    return write_answers(tmp_path / "answers.yaml", {"a.ci": "one", "a.iac": "most", "b.docs": "d0"})


def top_answers(path):
    model = load_model()
    return write_answers(path, {q.id: q.choices[-1].id for q in model.questions})


def test_json_document(cli, tiny, good):
    result = cli("assess", "maturity", "--model", str(tiny), "--answers", str(good), "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["schema_version"] == 1
    assert (doc["score"], doc["level"]["level"], doc["band"]["level"]) == (62.5, 3, 3)
    assert [d["score"] for d in doc["dimensions"]] == [83.3, 0.0]
    assert [r["question"] for r in doc["recommendations"]] == ["a.ci", "b.docs"]
    assert doc["recommendations"][0]["gain"] == 12.5
    assert doc["model"] == {"name": "Tiny model", "version": "0.1", "format": "platformctl.io/maturity/v1"}
    assert doc["history"]["saved"] is False and doc["history"]["change"] is None
    assert result.stderr == ""


def test_builtin_model_all_top_scores_100_level_4(cli, tmp_path):
    result = cli("assess", "maturity", "--answers", str(top_answers(tmp_path / "a.yaml")), "--json")
    assert result.exit_code == 0, result.stderr
    assert (result.json()["score"], result.json()["level"]["name"]) == (100.0, "optimized")


def test_terminal_report(cli, tiny, good):
    result = cli("assess", "maturity", "--model", str(tiny), "--answers", str(good))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Platform maturity  62.5/100 · level 3 (three)" in out
    assert "Alpha" in out and "█" in out and "░" in out
    assert "+12.5 Share templates. (a.ci)" in out


def test_no_tty_and_no_answers_names_the_flag(cli):
    result = cli("assess", "maturity")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no answers to score: pass --answers FILE")
    assert result.stdout == ""


def test_missing_answers_are_listed_unless_allowed(cli, tiny, tmp_path):
    partial = write_answers(tmp_path / "p.yaml", {"a.ci": "one"})
    result = cli("assess", "maturity", "--model", str(tiny), "--answers", str(partial))
    assert result.exit_code == 2
    assert f"error: 2 question(s) have no answer in {partial}: a.iac, b.docs" in result.stderr
    assert "--allow-unknown" in result.stderr
    assert "Traceback" not in result.stderr
    allowed = cli(
        "assess", "maturity", "--model", str(tiny), "--answers", str(partial), "--allow-unknown", "--json"
    )
    assert allowed.exit_code == 0, allowed.stderr
    assert allowed.json()["unknown"] == ["a.iac", "b.docs"]
    assert allowed.json()["notes"] == ["2 unanswered question(s) scored as unknown"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("answers:\n  a.ci: tree\n", ":2: question 'a.ci': unknown choice 'tree'"),
        ("answers:\n  a.cii: one\n", ":2: unknown question 'a.cii'"),
        ("answers:\n  b.docs: n/a\n", ":2: question 'b.docs' is n/a without a reason"),
    ],
)
def test_invalid_answers_exit_2_naming_the_question(cli, tiny, tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = cli("assess", "maturity", "--model", str(tiny), "--answers", str(path))
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first == f"error: {path}{message}"


def test_invalid_model_exits_2_naming_the_line(cli, tmp_path, good):
    broken = write_model(
        tmp_path / "broken.yaml",
        TINY_MODEL.replace("{question: a.ci, at_least: one", "{question: a.cx, at_least: one"),
    )
    result = cli("assess", "maturity", "--model", str(broken), "--answers", str(good))
    assert result.exit_code == 2
    line = next(i for i, s in enumerate(broken.read_text().splitlines(), 1) if "a.cx" in s)
    assert (
        result.stderr.splitlines()[0]
        == f"error: {broken}:{line}: gate 'One CI system' names unknown question 'a.cx'"
    )


def test_fail_under_exit_3_with_the_reason_after_the_report(cli, tiny, good):
    result = cli(
        "assess", "maturity", "--model", str(tiny), "--answers", str(good), "--fail-under", "70", "--json"
    )
    assert result.exit_code == 3
    assert result.json()["score"] == 62.5  # the document is still printed for the CI log
    assert "error: score 62.5 is under 70 (--fail-under)" in result.stderr
    passing = cli(
        "assess",
        "maturity",
        "--model",
        str(tiny),
        "--answers",
        str(good),
        "--fail-under",
        "62.5",
        "--fail-under-level",
        "3",
    )
    assert passing.exit_code == 0, passing.stderr


def test_fail_under_level_names_the_failing_gate(cli, tiny, tmp_path):
    answers = write_answers(tmp_path / "a.yaml", {"a.ci": "two", "a.iac": "most", "b.docs": "d5"})
    result = cli(
        "assess", "maturity", "--model", str(tiny), "--answers", str(answers), "--fail-under-level", "2"
    )
    assert result.exit_code == 3
    assert "level 1 is under 2 (--fail-under-level); failing gates: One CI system" in result.stderr
    bad = cli(
        "assess", "maturity", "--model", str(tiny), "--answers", str(answers), "--fail-under-level", "9"
    )
    assert bad.exit_code == 2 and "the model has levels 1 to 4" in bad.stderr
    assert cli("assess", "maturity", "--answers", str(answers), "--fail-under", "101").exit_code == 2


def test_detect_caps_an_answer_and_shows_the_evidence(cli, tiny, good, tmp_path):
    repo = git_repo(
        tmp_path / "repo",
        {
            ".github/workflows/ci.yml": "on: push\n",
            "Jenkinsfile": "x\n",
            ".gitlab-ci.yml": "a:\n  script: b\n",
        },
    )
    result = cli(
        "assess", "maturity", "--model", str(tiny), "--answers", str(good), "--detect", str(repo), "--json"
    )
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    ci = next(a for a in doc["answers"] if a["question"] == "a.ci")
    assert (ci["choice"], ci["effective"], ci["capped"]) == ("one", "many", True)
    assert ci["evidence"]["status"] == "contradicted"
    assert ci["evidence"]["summary"] == "github-actions, gitlab-ci, jenkins in 1 of 1 repository"
    assert doc["repositories"] == ["repo"]
    assert doc["level"]["level"] == 1
    assert [g["question"] for g in doc["failing_gates"]] == ["a.ci"]
    human = cli("assess", "maturity", "--model", str(tiny), "--answers", str(good), "--detect", str(repo))
    assert "capped by evidence: a.ci" in human.stdout
    assert "scanning repo" in human.stderr


def test_history_save_and_change_since_previous(cli, tiny, good, tmp_path):
    first = cli("assess", "maturity", "--model", str(tiny), "--answers", str(good), "--save", "--json")
    assert first.exit_code == 0, first.stderr
    history = tmp_path / "work" / ".platformctl" / "maturity-history.jsonl"
    assert json.loads(history.read_text())["score"] == 62.5
    better = write_answers(tmp_path / "b.yaml", {"a.ci": "shared", "a.iac": "most", "b.docs": "d0"})
    second = cli("assess", "maturity", "--model", str(tiny), "--answers", str(better), "--save", "--json")
    doc = second.json()
    assert doc["history"]["change"]["score"] == 12.5
    assert doc["history"]["change"]["level"] == 1  # 75.0 is in the band of level 4
    assert [p["score"] for p in doc["history"]["trend"]] == [62.5, 75.0]
    assert len(history.read_text().splitlines()) == 2
    human = cli("assess", "maturity", "--model", str(tiny), "--answers", str(good))
    assert "+0.0 points" not in human.stdout and "-12.5 points, level down 1." in human.stdout
    custom = tmp_path / "elsewhere.jsonl"
    cli(
        "assess", "maturity", "--model", str(tiny), "--answers", str(good), "--save", "--history", str(custom)
    )
    assert len(custom.read_text().splitlines()) == 1


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.external = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag in ("script", "link", "img", "iframe") or (tag != "a" and "src" in attrs):
            self.external.append((tag, attrs))


def test_html_report_is_self_contained_with_a_radar_and_trend(cli, tmp_path):
    answers = top_answers(tmp_path / "a.yaml")
    cli("assess", "maturity", "--answers", str(answers), "--save")
    out = tmp_path / "report.html"
    result = cli(
        "assess", "maturity", "--answers", str(answers), "--save", "--format", "html", "--output", str(out)
    )
    assert result.exit_code == 0, result.stderr
    html = out.read_text()
    parser = Collector()
    parser.feed(html)
    assert parser.tags[0] == "html" and "style" in parser.tags
    assert parser.external == []
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    svgs = [ET.fromstring(s) for s in _svg_blocks(html)]  # noqa: S314 (our own output)
    ns = "{http://www.w3.org/2000/svg}"
    radar = next(s for s in svgs if s.get("class") == "radar")
    dims = len(load_model().dimensions)
    polygons = radar.findall(f"{ns}polygon")
    assert {len(p.get("points").split()) for p in polygons} == {dims}
    score = next(p for p in polygons if p.get("class") == "radar-score")
    grid_outer = [p for p in polygons if p.get("class") == "radar-grid"][-1]
    assert score.get("points") == grid_outer.get("points")  # all 100: the score is the outer ring
    trend = next(s for s in svgs if s.get("class") == "trend")
    assert len(trend.findall(f"{ns}circle")) == 2
    assert "Level 4 · optimized" in html


def _svg_blocks(html):
    blocks, start = [], 0
    while (i := html.find("<svg", start)) != -1:
        end = html.index("</svg>", i) + len("</svg>")
        blocks.append(html[i:end])
        start = end
    return blocks


def test_markdown_report_to_stdout_and_json_report_to_file(cli, tiny, good, tmp_path):
    md = cli("assess", "maturity", "--model", str(tiny), "--answers", str(good), "--format", "markdown")
    assert md.exit_code == 0, md.stderr
    assert md.stdout.startswith("# Platform maturity: 62.5/100 · level 3 (three)")
    assert "| Alpha | 83.3 | `████████░░` | 75% |" in md.stdout
    assert "1. **+12.5** `a.ci`: Share templates. (→ One with shared templates)." in md.stdout
    target = tmp_path / "out" / "report.json"
    js = cli("assess", "maturity", "--model", str(tiny), "--answers", str(good), "-o", str(target), "--json")
    assert js.exit_code == 0, js.stderr
    assert json.loads(target.read_text())["score"] == js.json()["score"] == 62.5
    assert f"wrote {target}" not in js.stderr  # --json keeps stderr quiet
    bad = cli("assess", "maturity", "--model", str(tiny), "--answers", str(good), "-o", "report.txt")
    assert bad.exit_code == 2 and "pass --format markdown, json or html" in bad.stderr
    both = cli(
        "assess", "maturity", "--model", str(tiny), "--answers", str(good), "--format", "html", "--json"
    )
    assert both.exit_code == 2 and "--format then needs --output" in both.stderr


def test_github_actions_outputs_and_summary(cli, tiny, good, tmp_path):
    outputs, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary)}
    result = cli(
        "assess", "maturity", "--model", str(tiny), "--answers", str(good), "--fail-under", "90", env=env
    )
    assert result.exit_code == 3
    text = outputs.read_text()
    for name, value in (("score", "62.5"), ("level", "3"), ("level_name", "three"), ("band", "3")):
        assert f"{name}<<" in text and f"\n{value}\n" in text
    assert summary.read_text().startswith("# Platform maturity: 62.5/100 · level 3 (three)")
    assert "## Answers" not in summary.read_text()
    assert "::error title=platformctl::score 62.5 is under 90" in result.stderr


def test_save_answers_writes_a_fillable_file(cli, tiny, tmp_path):
    partial = write_answers(tmp_path / "p.yaml", {"a.ci": "one"})
    target = tmp_path / "filled.yaml"
    result = cli(
        "assess",
        "maturity",
        "--model",
        str(tiny),
        "--answers",
        str(partial),
        "--allow-unknown",
        "--save-answers",
        str(target),
    )
    assert result.exit_code == 0, result.stderr
    data = yaml.safe_load(target.read_text())
    assert data["answers"] == {"a.ci": "one", "a.iac": None, "b.docs": None}


def test_help_loads_no_heavy_library():
    assert probe(["assess", "maturity", "--help"]) == []
