"""``assess delivery --events``: the five metrics equal the hand computation for each scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.delivery import scenarios
from tests.delivery.helpers import write_events


def _assess(
    cli: Any, tmp_path: Path, records: list[dict[str, Any]], since: str, until: str, *more: str
) -> Any:
    events = write_events(tmp_path / "events.jsonl", records)
    result = cli(
        "assess", "delivery", "--events", str(events), "--since", since, "--until", until, "--json", *more
    )
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_steady_weekly_deployer(cli: Any, tmp_path: Path) -> None:
    doc = _assess(cli, tmp_path, scenarios.steady_weekly(), "2026-01-05", "2026-03-29")
    o = doc["overall"]
    assert doc["window"]["days"] == 84
    assert o["deployment_frequency"]["per_week"] == 1.0
    assert o["deployment_frequency"]["cluster"] == "high"
    assert (o["change_lead_time"]["median_hours"], o["change_lead_time"]["p90_hours"]) == (24.0, 24.0)
    assert o["change_lead_time"]["changes"] == 12
    assert o["change_lead_time"]["cluster"] == "high"  # exactly a day is not under a day
    assert o["change_fail_rate"]["percent"] == 0.0
    assert o["recovery_time"]["failures"] == 0 and o["recovery_time"]["median_hours"] is None
    assert o["rework_rate"]["percent"] == 0.0
    assert [w["deployments"] for w in doc["trend"]] == [1] * 12


def test_two_incidents_and_a_revert(cli: Any, tmp_path: Path) -> None:
    doc = _assess(cli, tmp_path, scenarios.incidents_and_revert(), "2026-03-01", "2026-03-31")
    o = doc["overall"]
    assert o["deployment_frequency"]["deployments"] == 10
    assert o["change_fail_rate"]["failed"] == 2 and o["change_fail_rate"]["percent"] == 20.0
    assert o["change_fail_rate"]["cluster"] == "low"
    rt = o["recovery_time"]
    assert (rt["median_hours"], rt["p90_hours"]) == (13.5, 24.0)
    assert (rt["by_incident"], rt["by_next_deployment"], rt["unrestored"]) == (1, 1, 0)
    assert o["rework_rate"]["rework"] == 2 and o["rework_rate"]["percent"] == 20.0
    assert o["change_lead_time"]["median_hours"] == 6.0


def test_rebased_and_squashed_pull_requests_with_several_commits(cli: Any, tmp_path: Path) -> None:
    doc = _assess(cli, tmp_path, scenarios.several_commits(), "2026-03-01", "2026-03-31")
    lt = doc["overall"]["change_lead_time"]
    assert lt["changes"] == 4  # c3 deployed twice counts once, at its first deployment
    assert (lt["median_hours"], lt["p90_hours"]) == (9.0, 24.0)


def test_failure_never_restored_within_the_window(cli: Any, tmp_path: Path) -> None:
    doc = _assess(cli, tmp_path, scenarios.never_restored(), "2026-03-01", "2026-03-05")
    o = doc["overall"]
    assert o["change_fail_rate"]["percent"] == 50.0
    rt = o["recovery_time"]
    assert (rt["failures"], rt["restored"], rt["unrestored"], rt["median_hours"]) == (1, 0, 1, None)


def test_time_zones_and_window_boundaries(cli: Any, tmp_path: Path) -> None:
    doc = _assess(cli, tmp_path, scenarios.window_edges(), "2026-03-01", "2026-03-31")
    assert doc["window"]["since"] == "2026-03-01T00:00:00+00:00"
    assert doc["window"]["until"] == "2026-04-01T00:00:00+00:00"
    assert doc["overall"]["deployment_frequency"]["deployments"] == 2


def test_empty_window(cli: Any, tmp_path: Path) -> None:
    doc = _assess(cli, tmp_path, scenarios.steady_weekly(), "2025-01-01", "2025-03-31")
    o = doc["overall"]
    assert doc["services"]["api"]["deployment_frequency"]["deployments"] == 0  # known, but idle
    assert o["deployment_frequency"]["deployments"] == 0 and o["deployment_frequency"]["cluster"] is None
    assert o["change_lead_time"]["median_hours"] is None and o["change_fail_rate"]["percent"] is None
    assert o["rework_rate"]["percent"] is None


def test_roll_up_pools_samples_instead_of_taking_medians_of_medians(cli: Any, tmp_path: Path) -> None:
    doc = _assess(cli, tmp_path, scenarios.two_services(), "2026-03-01", "2026-03-31")
    assert doc["services"]["api"]["change_lead_time"]["median_hours"] == 2.0
    assert doc["services"]["web"]["change_lead_time"]["median_hours"] == 10.0
    assert doc["overall"]["change_lead_time"]["median_hours"] == 2.5
    assert doc["overall"]["deployment_frequency"]["deployments"] == 4


def test_fail_if_exits_3_when_a_threshold_holds(cli: Any, tmp_path: Path) -> None:
    events = write_events(tmp_path / "e.jsonl", scenarios.incidents_and_revert())
    base = ("assess", "delivery", "--events", str(events), "--since", "2026-03-01", "--until", "2026-03-31")
    assert cli(*base, "--fail-if", "change_fail_rate>25").exit_code == 0
    failed = cli(*base, "--fail-if", "change_fail_rate>15")
    assert failed.exit_code == 3
    assert "change_fail_rate is 20" in failed.stderr


def test_reports_in_markdown_and_html(cli: Any, tmp_path: Path) -> None:
    events = write_events(tmp_path / "e.jsonl", scenarios.incidents_and_revert())
    base = ("assess", "delivery", "--events", str(events), "--since", "2026-03-01", "--until", "2026-03-31")
    md = cli(*base, "--format", "markdown")
    assert md.exit_code == 0
    assert "| Change fail rate | 20.0 % (2 of 10) | low |" in md.stdout
    assert cli(*base, "-o", str(tmp_path / "r.html")).exit_code == 0
    html = (tmp_path / "r.html").read_text()
    assert "<svg" in html and "Deployments per week" in html
    assert "<script" not in html and "src=" not in html  # one self-contained file


def test_in_github_actions_outputs_and_summary_are_written(cli: Any, tmp_path: Path) -> None:
    events = write_events(tmp_path / "e.jsonl", scenarios.incidents_and_revert())
    outputs, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary)}
    result = cli(
        "assess",
        "delivery",
        "--events",
        str(events),
        "--since",
        "2026-03-01",
        "--until",
        "2026-03-31",
        env=env,
    )
    assert result.exit_code == 0, result.stderr
    lines = outputs.read_text().splitlines()  # NAME<<DELIMITER, value, DELIMITER
    values = {lines[i].split("<<")[0]: lines[i + 1] for i in range(0, len(lines), 3)}
    assert values["change_fail_rate"] == "20" and values["recovery_median_hours"] == "13.5"
    assert values["deploys_per_week"] == "2.258"  # 10 deployments in 31 days
    assert "# Delivery performance" in summary.read_text()
