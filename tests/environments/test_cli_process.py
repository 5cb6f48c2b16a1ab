"""`platformctl env` against the Kubernetes fake on loopback: one whole run as a separate
process (no TTY), the table, status, guard, list and reap behaviour in-process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.environments.conftest import LocalStore, write_service

SECRET = "correct horse battery staple"


def env_vars() -> dict[str, str]:
    keep = ("PLATFORMCTL_HOME", "KUBECONFIG", "TEST_DB_PASSWORD", "HOME")
    return {name: os.environ[name] for name in keep}


def test_plan_json_apply_and_zero_write_rerun(cli, cli_process, kube, platform_home):
    """The apply is the separate process; the plan before it and the rerun after run in-process."""
    service = write_service(Path.cwd(), providers="local, kubernetes")
    store = LocalStore(platform_home)
    dry = cli("env", "up", "staging", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    plan = dry.json()
    assert plan["schema_version"] == 1 and plan["dry_run"] is True and plan["writes"] == 0
    assert plan["summary"] == {"create": 12, "update": 0, "delete": 0, "unchanged": 0}
    assert {
        "provider": "kubernetes",
        "kind": "Secret",
        "name": "platformctl-secrets",
        "action": "create",
        "secret": True,
        "detail": "will be set",
    } in plan["changes"]
    assert kube.writes == 0 and store.writes == 0

    applied = cli_process("env", "up", "staging", "--json", env=env_vars(), cwd=service)
    assert applied.exit_code == 0, applied.stderr
    assert applied.json()["writes"] == 12 and applied.json()["changed"] is True
    assert applied.stderr == ""  # --json: no progress chatter
    assert kube.writes == 7 and store.writes == 5

    again = cli("env", "up", "staging")
    assert again.exit_code == 0, again.stderr
    assert "no changes" in again.stdout
    assert kube.writes == 7 and store.writes == 5
    for result in (dry, applied, again):
        assert SECRET not in result.stdout + result.stderr


def test_plan_table_status_down_and_production_guard(cli, kube, platform_home):
    write_service(Path.cwd(), providers="kubernetes")
    result = cli("env", "up", "staging")
    assert result.exit_code == 0, result.stderr
    assert "kubernetes  + create     Namespace payments-staging" in result.stderr
    assert "kubernetes  + create     Secret platformctl-secrets" in result.stderr
    assert "will be set" in result.stderr
    assert "Plan: 7 to create, 0 to update, 0 to delete, 0 unchanged." in result.stderr
    assert "Applied environment staging: 7 writes (kubernetes 7)" in result.stdout

    status = cli("env", "status", "staging")
    assert status.exit_code == 0 and "in sync" in status.stdout

    assert cli("env", "up", "production").exit_code == 0
    refused = cli("env", "down", "production")
    assert refused.exit_code == 2
    assert "error: production is a production-class environment" in refused.stderr
    assert "hint: pass --yes" in refused.stderr
    assert kube.get("namespaces", "payments-production") is not None
    removed = cli("env", "down", "production", "--yes", "--json")
    assert removed.exit_code == 0, removed.stderr
    assert removed.json()["writes"] == 1
    assert kube.get("namespaces", "payments-production") is None


def test_list_and_reap(cli, kube, platform_home):
    write_service(Path.cwd(), providers="kubernetes")
    assert cli("env", "up", "pr-5", "--ttl", "2d").exit_code == 0
    listed = cli("env", "list")
    assert listed.exit_code == 0, listed.stderr
    assert "pr-5" in listed.stdout and "preview" in listed.stdout and "kubernetes" in listed.stdout
    kube.get("namespaces", "payments-pr-5")["metadata"]["annotations"]["platformctl.io/expires-at"] = (
        "2001-01-01T00:00:00+00:00"
    )
    reaped = cli("env", "reap", "--json")
    assert reaped.exit_code == 0, reaped.stderr
    assert [e["name"] for e in reaped.json()["removed"]] == ["pr-5"]
    assert kube.get("namespaces", "payments-pr-5") is None


# The fast loop checks both in tests/test_startup.py::test_every_command_help_loads_no_heavy_library,
# which runs every group's and command's --help in one fresh process.
@pytest.mark.slow
def test_help_loads_no_heavy_library():
    from tests.test_startup import probe

    assert probe(["env", "--help"]) == []
    assert probe(["env", "up", "--help"]) == []
