"""`new service --dry-run` reads the host and the target folder and decides as the real run does."""

from __future__ import annotations

import os
from pathlib import Path


def test_dry_run_in_a_folder_holding_the_service_says_resume(cli, created):
    created("payments")  # the state a real run left, copied (tests/conftest.py)
    result = cli("new", "service", "payments", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["decision"] == "resume"
    human = cli("new", "service", "payments", "--dry-run")
    assert "would finish payments" in human.stdout and "would create" not in human.stdout


def test_dry_run_sees_a_repository_with_other_history(cli, created, tmp_path):
    created("payments")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.chdir(elsewhere)
    # Another owner: another tree, so never the same commit (an identical render in the same
    # second would be the same history, which the real run rightly finishes).
    other = ("--owner", "team-elsewhere")
    dry = cli("new", "service", "payments", *other, "--dry-run", "--json")
    assert dry.exit_code == 1
    assert dry.json()["decision"] == "conflict"
    assert "local/payments already has a main branch" in dry.stderr
    assert not (elsewhere / "payments").exists()
    real = cli("new", "service", "payments", *other)
    assert real.exit_code == dry.exit_code  # the real run decides the same
    assert not (elsewhere / "payments").exists()


def test_dry_run_of_a_new_service_says_create(cli):
    result = cli("new", "service", "payments", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["decision"] == "create"
    assert not Path("payments").exists()
