"""`assess maturity`: file-system refusals are exit 1, flags are checked before anything is written,
and `-o FILE` prints one line saying where the report went."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.maturity.helpers import write_answers, write_model


@pytest.fixture
def args(tmp_path: Path) -> list[str]:
    model = write_model(tmp_path / "tiny.yaml")
    answers = write_answers(tmp_path / "answers.yaml", {"a.ci": "one", "a.iac": "most", "b.docs": "d0"})
    return ["assess", "maturity", "--model", str(model), "--answers", str(answers)]


@pytest.fixture
def blocker(tmp_path: Path) -> Path:
    """A regular file where a folder should be: no user, root included, can write below it."""
    path = tmp_path / "not-a-folder"
    path.write_text("")
    return path


def test_unwritable_output_file_is_exit_1(cli, args, blocker):
    result = cli(*args, "-o", str(blocker / "report.md"))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot write report") and "hint: " in result.stderr


def test_unwritable_history_is_exit_1_after_the_report(cli, args, blocker):
    result = cli(*args, "--save", "--history", str(blocker / "history.jsonl"))
    assert result.exit_code == 1
    assert "Score" in result.stdout or "score" in result.stdout.lower()  # the report was printed
    assert "the result was not appended to the history" in result.stderr
    as_json = cli(*args, "--save", "--history", str(blocker / "history.jsonl"), "--json")
    assert as_json.exit_code == 1
    assert as_json.json()["history"]["saved"] is False


def test_a_bad_flag_appends_no_history(cli, args, tmp_path):
    history = tmp_path / "history.jsonl"
    result = cli(*args, "--save", "--history", str(history), "--fail-under-level", "9")
    assert result.exit_code == 2
    assert "--fail-under-level 9" in result.stderr
    assert not history.exists()
    assert cli(*args, "--save", "--history", str(history)).exit_code == 0
    assert len(history.read_text().splitlines()) == 1


def test_html_report_to_a_file_prints_one_line(cli, args, tmp_path):
    report = tmp_path / "report.html"
    result = cli(*args, "--format", "html", "-o", str(report))
    assert result.exit_code == 0, result.stderr
    assert report.read_text().lstrip().lower().startswith("<!doctype html")
    assert result.stdout.strip().splitlines() == [f"Wrote the html report to {report}"]
