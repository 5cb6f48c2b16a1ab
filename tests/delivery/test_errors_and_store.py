"""Malformed input gives one error and a hint (exit 2); ``delivery record`` feeds the same figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.delivery import scenarios
from tests.delivery.helpers import write_events


def test_a_time_without_a_zone_is_refused_naming_the_line(cli: Any, tmp_path: Path) -> None:
    events = write_events(
        tmp_path / "e.jsonl",
        [
            {"type": "deployment", "service": "api", "sha": "a", "at": "2026-03-02T12:00:00Z"},
            {"type": "deployment", "service": "api", "sha": "b", "at": "2026-03-02T12:00:00"},
        ],
    )
    result = cli("assess", "delivery", "--events", str(events))
    assert result.exit_code == 2
    assert "e.jsonl:2" in result.stderr and "no time zone" in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr


def test_a_line_that_is_not_json_is_refused(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text('{"type": "deployment",\n')
    result = cli("assess", "delivery", "--events", str(path))
    assert result.exit_code == 2 and "e.jsonl:1" in result.stderr


def test_bad_flags_are_usage_errors(cli: Any, tmp_path: Path) -> None:
    events = write_events(tmp_path / "e.jsonl", scenarios.steady_weekly())
    for flags in (
        ("--since", "soon"),
        ("--until", "2026-13-01"),
        ("--fail-if", "speed>1"),
        ("--since", "2026-03-02", "--until", "2026-03-01"),
    ):
        result = cli("assess", "delivery", "--events", str(events), *flags)
        assert result.exit_code == 2, flags
        assert "error:" in result.stderr and "hint:" in result.stderr


def test_recorded_events_give_the_same_figures_as_the_file(cli: Any, tmp_path: Path) -> None:
    for record in scenarios.never_restored():
        if record["type"] == "deployment":
            args = [
                "delivery",
                "record",
                "deployment",
                "--service",
                record["service"],
                "--sha",
                record["sha"],
                "--at",
                record["at"],
                "--status",
                record.get("status", "success"),
            ]
            args += ["--id", record["id"]] if "id" in record else []
            args += [f"--change={c['sha']}@{c['committed_at']}" for c in record["changes"]]
        else:
            args = [
                "delivery",
                "record",
                "incident",
                "--id",
                record["id"],
                "--service",
                record["service"],
                "--started-at",
                record["started_at"],
                "--resolved-at",
                record["resolved_at"],
                "--deployment",
                record["deployment"],
            ]
        assert cli(*args).exit_code == 0
    window = ("--since", "2026-03-01", "--until", "2026-03-05", "--json")
    from_store = cli("assess", "delivery", *window).json()
    events = write_events(tmp_path / "e.jsonl", scenarios.never_restored())
    from_file = cli("assess", "delivery", "--events", str(events), *window).json()
    assert from_store["overall"] == from_file["overall"]
    assert from_store["overall"]["recovery_time"]["unrestored"] == 1


def test_record_refuses_an_invalid_event_and_writes_nothing(cli: Any, isolation: Path) -> None:
    result = cli("delivery", "record", "deployment", "--service", "api", "--sha", "a", "--at", "yesterday")
    assert result.exit_code == 2
    assert not list(isolation.rglob("events.jsonl"))


def test_save_appends_the_roll_up_to_the_history(cli: Any, tmp_path: Path) -> None:
    events = write_events(tmp_path / "e.jsonl", scenarios.steady_weekly())
    history = tmp_path / "h.jsonl"
    args = ("assess", "delivery", "--events", str(events), "--since", "2026-01-05", "--until", "2026-03-29")
    assert cli(*args, "--save", "--history", str(history)).exit_code == 0
    entry = json.loads(history.read_text().splitlines()[0])
    assert entry["overall"]["deployment_frequency"]["per_week"] == 1.0


def test_an_incident_recorded_again_with_its_resolution_is_resolved(cli: Any) -> None:
    """d2 fails at 03-05 12:00; INC-3 recorded open, then again resolved at 14:30: recovery 2.5 h
    by incident (not the 24 h to the next deployment), and it counts once."""
    record = ("delivery", "record")
    assert (
        cli(
            *record,
            "deployment",
            "--service",
            "api",
            "--sha",
            "s2",
            "--id",
            "d2",
            "--at",
            "2026-03-05T12:00:00Z",
        ).exit_code
        == 0
    )
    assert (
        cli(
            *record, "deployment", "--service", "api", "--sha", "s3", "--at", "2026-03-06T12:00:00Z"
        ).exit_code
        == 0
    )
    incident = (
        *record,
        "incident",
        "--id",
        "INC-3",
        "--service",
        "api",
        "--deployment",
        "d2",
        "--started-at",
        "2026-03-05T12:10:00Z",
    )
    assert cli(*incident).exit_code == 0
    assert cli(*incident, "--resolved-at", "2026-03-05T16:30:00+02:00").exit_code == 0
    doc = cli("assess", "delivery", "--since", "2026-03-01", "--until", "2026-03-31", "--json").json()
    rt = doc["overall"]["recovery_time"]
    assert (rt["failures"], rt["by_incident"], rt["median_hours"]) == (1, 1, 2.5)
    assert doc["overall"]["change_fail_rate"]["failed"] == 1
