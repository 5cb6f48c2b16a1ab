"""``assess maturity --delivery REPORT``: measured figures answer or cap the DORA questions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.delivery import scenarios
from tests.delivery.helpers import write_events
from tests.maturity.helpers import write_answers


def _delivery_report(cli: Any, tmp_path: Path) -> Path:
    """incidents_and_revert: 10 deployments in 31 days (2.26/week), lead 6 h, CFR 20 %,
    recovery median 13.5 h, rework 20 %."""
    events = write_events(tmp_path / "events.jsonl", scenarios.incidents_and_revert())
    report = tmp_path / "delivery.json"
    result = cli(
        "assess",
        "delivery",
        "--events",
        str(events),
        "--since",
        "2026-03-01",
        "--until",
        "2026-03-31",
        "-o",
        str(report),
    )
    assert result.exit_code == 0, result.stderr
    return report


def _answers_by_id(cli: Any, tmp_path: Path, answers: dict[str, Any]) -> dict[str, Any]:
    path = write_answers(tmp_path / "answers.yaml", answers)
    result = cli(
        "assess",
        "maturity",
        "--answers",
        str(path),
        "--allow-unknown",
        "--json",
        "--delivery",
        str(_delivery_report(cli, tmp_path)),
    )
    assert result.exit_code == 0, result.stderr
    return {a["question"]: a for a in result.json()["answers"]}


def test_measured_values_answer_unanswered_dora_questions(cli: Any, tmp_path: Path) -> None:
    answers = _answers_by_id(cli, tmp_path, {})
    expected = {
        "dora.deploy_frequency": "daily_to_weekly",  # 2.26/week: at least weekly, under daily
        "dora.lead_time": "under_a_day",  # median 6 h
        "dora.recovery_time": "under_a_day",  # median 13.5 h
        "dora.change_fail_rate": "up_to_20",  # 20 %: more than 10, up to 20
        "dora.rework_rate": "up_to_20",
    }
    for qid, choice in expected.items():
        assert answers[qid]["status"] == "answered", qid
        assert answers[qid]["effective"] == choice, qid
        assert answers[qid]["evidence"]["detector"] == "delivery"
        assert answers[qid]["evidence"]["shown"].startswith("measured:")
    assert (
        "change fail rate 20 % (2 of 10 deployments" in answers["dora.change_fail_rate"]["evidence"]["shown"]
    )


def test_a_better_answer_than_measured_is_capped(cli: Any, tmp_path: Path) -> None:
    answers = _answers_by_id(
        cli, tmp_path, {"dora.change_fail_rate": "up_to_10", "dora.lead_time": "day_to_week"}
    )
    cfr = answers["dora.change_fail_rate"]
    assert cfr["capped"] and cfr["choice"] == "up_to_10" and cfr["effective"] == "up_to_20"
    assert cfr["evidence"]["status"] == "contradicted"
    lead = answers["dora.lead_time"]  # answered worse than measured: kept, shown beside it
    assert not lead["capped"] and lead["effective"] == "day_to_week"
    assert lead["evidence"]["shown"].startswith("corroborated: measured: median lead time 6 h")


def test_a_file_that_is_not_a_delivery_report_is_refused(cli: Any, tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "answers.yaml", {})
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"score": 3}')
    result = cli("assess", "maturity", "--answers", str(answers), "--allow-unknown", "--delivery", str(bogus))
    assert result.exit_code == 2
    assert "not a delivery report" in result.stderr and "hint:" in result.stderr


def test_the_markdown_report_shows_the_measurement_beside_the_answer(cli: Any, tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "answers.yaml", {"dora.change_fail_rate": "up_to_10"})
    report = _delivery_report(cli, tmp_path)
    result = cli(
        "assess",
        "maturity",
        "--answers",
        str(answers),
        "--allow-unknown",
        "--delivery",
        str(report),
        "--format",
        "markdown",
    )
    assert result.exit_code == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if "(`dora.change_fail_rate`)" in x)
    assert "capped at: More than 10%, up to 20%" in line
    assert "contradicted: measured: change fail rate 20 %" in line
