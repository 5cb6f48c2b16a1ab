"""Re-running `new service` compares what was asked with what the service records.

The service a re-run meets is the state a real ``new service`` left, made once per test process
and copied back for each test (the ``created`` fixture of ``tests/conftest.py``): the subject
here is the re-run."""

from __future__ import annotations

from pathlib import Path

import yaml


def descriptor(root: Path) -> dict:
    return yaml.safe_load((root / "work" / "payments" / "platform.yaml").read_text())


def test_rerun_with_other_answers_is_refused_naming_each(cli, created):
    root = created("payments")
    before = descriptor(root)
    result = cli("new", "service", "payments", "--owner", "team-payments", "--set", "port=9000")
    assert result.exit_code == 2, result.stderr
    error, hint = result.stderr.strip().splitlines()[-2:]
    assert error.startswith("error: ")
    assert "owner 'platform-team' recorded, 'team-payments' asked" in error
    assert "port 8080 recorded, 9000 asked" in error
    assert "update service" in hint and "new name" in hint
    assert result.stdout == ""
    assert descriptor(root) == before


def test_rerun_with_another_golden_path_is_refused(cli, created):
    created("payments")
    result = cli("new", "service", "payments", "-g", "go-service", "--json")
    assert result.exit_code == 2
    assert "golden path python-service recorded, go-service asked" in result.stderr
    assert result.json()["error"]["exit_code"] == 2  # --json: the error document, nothing else


def test_rerun_with_another_provider_is_refused(cli, created):
    created("payments")
    result = cli("new", "service", "payments", "--provider", "github")
    assert result.exit_code == 2
    assert "provider local recorded, github asked" in result.stderr


def test_identical_and_bare_reruns_report_recorded_facts(cli):
    created = cli("new", "service", "payments", "-g", "go-service", "--owner", "team-payments")
    assert created.exit_code == 0, created.stderr
    for args in ((), ("-g", "go-service", "--owner", "team-payments")):
        again = cli("new", "service", "payments", *args, "--json")
        assert again.exit_code == 0, again.stderr
        doc = again.json()
        assert doc["changed"] is False
        assert doc["golden_path"]["name"] == "go-service"
        assert not any("make install" in step for step in doc["next_steps"])  # python's next steps


def test_rerun_with_another_org_is_refused(cli, created):
    created("payments")
    result = cli("new", "service", "payments", "--org", "elsewhere")
    assert result.exit_code == 2
    assert "repository local/payments recorded, elsewhere/payments asked" in result.stderr
