"""Every environment scenario on GitLab: the real CLI in a subprocess against the GitLab fake on loopback."""

from __future__ import annotations

import json

import pytest

from tests.environments.conftest import set_descriptor_field
from tests.environments.hosts import (
    SECRET,
    pending,
)
from tests.fakes.base import Fault

MARKER = "PLATFORMCTL_ENVIRONMENT"


@pytest.fixture
def project(gitlab, gitlab_envs):
    return gitlab.projects["acme/payments"]


def paths(project):
    base = f"/api/v4/projects/{project.id}"
    reads = [
        "GET /api/v4/projects/acme%2Fpayments",
        f"GET {base}/environments",
        f"GET {base}/variables",
        f"GET {base}/protected_environments",
        "GET /api/v4/groups/acme%2Fplatform",
        "GET /api/v4/users",
    ]
    return base, reads


def scoped(gitlab_envs, project, scope="staging"):
    return {v["key"]: v for v in gitlab_envs.variables.get(project.id, []) if v["environment_scope"] == scope}


def test_create_is_minimal_then_a_rerun_only_reads(run_gitlab, gitlab, gitlab_envs, project):
    result = run_gitlab("env", "up", "staging", "--json")
    assert result.exit_code == 0, result.stderr
    base, reads = paths(project)
    assert gitlab.requests() == [
        *reads,
        f"POST {base}/environments",
        f"POST {base}/variables",
        f"POST {base}/protected_environments",
        f"POST {base}/variables",
        f"POST {base}/variables",
        f"POST {base}/variables",
    ]
    doc = result.json()
    assert doc["writes"] == 6
    assert doc["notes"] == ["gitlab: protection.wait_timer has no GitLab equivalent; not applied"]
    env = gitlab_envs.environment(project, "staging")
    assert (env["tier"], env["state"]) == ("staging", "available")
    variables = scoped(gitlab_envs, project)
    assert {k: v["value"] for k, v in variables.items() if k != MARKER} == {
        "LOG_LEVEL": "info",
        "REGION": "eu-west-1",
        "DB_PASSWORD": SECRET,
    }
    assert (variables["DB_PASSWORD"]["masked"], variables["DB_PASSWORD"]["protected"]) == (True, True)
    assert (variables["LOG_LEVEL"]["masked"], variables["LOG_LEVEL"]["raw"]) == (False, True)
    assert json.loads(variables[MARKER]["value"])["secrets"] == ["DB_PASSWORD"]
    protected = gitlab_envs.protected[project.id]["staging"]
    assert [level["access_level"] for level in protected["deploy_access_levels"]] == [40]
    approvers = {(r["user_id"], r["group_id"]) for r in protected["approval_rules"]}
    assert approvers == {(4242, None), (None, gitlab.groups["acme/platform"]["id"])}
    assert SECRET not in result.stdout + result.stderr

    before = len(gitlab.requests())
    again = run_gitlab("env", "up", "staging")
    assert again.exit_code == 0, again.stderr
    assert "no changes" in again.stdout
    assert "note: gitlab: protection.wait_timer has no GitLab equivalent" in again.stdout
    assert gitlab.requests()[before:] == reads  # zero writes
    assert SECRET not in again.stdout + again.stderr


def test_json_dry_run_writes_nothing(run_gitlab, gitlab, gitlab_envs, project):
    dry = run_gitlab("env", "up", "staging", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    plan = dry.json()
    assert plan["dry_run"] is True and plan["writes"] == 0
    assert [(c["kind"], c["name"], c["action"]) for c in plan["changes"]] == [
        ("environment", "staging", "create"),
        ("protection", "deployment", "create"),
        ("variable", "LOG_LEVEL", "create"),
        ("variable", "REGION", "create"),
        ("secret", "DB_PASSWORD", "create"),
    ]
    assert plan["changes"][0]["after"]["tier"] == "staging"
    assert gitlab.writes() == []


def test_change_one_variable_is_one_scoped_write(run_gitlab, gitlab, gitlab_envs, project):
    gitlab_envs.add_variable(project, "LOG_LEVEL", "warning")  # the same key for every environment
    assert run_gitlab("env", "up", "staging").exit_code == 0
    writes = len(gitlab.writes())
    result = run_gitlab("env", "up", "staging", "--var", "LOG_LEVEL=debug", "--json")
    assert result.exit_code == 0, result.stderr
    assert pending(result) == [("variable", "LOG_LEVEL", "update")]
    assert gitlab.writes()[writes:] == [f"PUT /api/v4/projects/{project.id}/variables/LOG_LEVEL"]
    assert gitlab.log[-1].query == "filter%5Benvironment_scope%5D=staging"
    assert gitlab_envs.variable(project, "LOG_LEVEL", "staging")["value"] == "debug"
    assert gitlab_envs.variable(project, "LOG_LEVEL", "*")["value"] == "warning"  # untouched


def test_remove_a_variable(run_gitlab, gitlab, gitlab_envs, project):
    gitlab_envs.add_variable(project, "HAND_MADE", "x", scope="staging")
    assert run_gitlab("env", "up", "staging").exit_code == 0
    set_descriptor_field(run_gitlab.folder, "staging", "variables", {"LOG_LEVEL": "info"})
    writes = len(gitlab.writes())
    result = run_gitlab("env", "up", "staging", "--json")
    assert result.exit_code == 0, result.stderr
    assert pending(result) == [("environment", "staging", "update"), ("variable", "REGION", "delete")]
    base = f"/api/v4/projects/{project.id}/variables"
    assert gitlab.writes()[writes:] == [f"DELETE {base}/REGION", f"PUT {base}/{MARKER}"]
    assert set(scoped(gitlab_envs, project)) == {"LOG_LEVEL", "DB_PASSWORD", "HAND_MADE", MARKER}


def test_rotate_a_secret_is_one_write(run_gitlab, gitlab, gitlab_envs, project):
    assert run_gitlab("env", "up", "staging").exit_code == 0
    writes = len(gitlab.writes())
    rotated = "rotated-value-2026"
    result = run_gitlab("--debug", "env", "up", "staging", "--json", TEST_DB_PASSWORD=rotated)
    assert result.exit_code == 0, result.stderr
    assert "DEBUG platformctl.http" in result.stderr  # every request logged: still no value
    assert [
        (c["kind"], c["action"], c.get("detail"))
        for c in result.json()["changes"]
        if c["action"] != "unchanged"
    ] == [("secret", "update", "will be set")]
    assert gitlab.writes()[writes:] == [f"PUT /api/v4/projects/{project.id}/variables/DB_PASSWORD"]
    assert gitlab_envs.variable(project, "DB_PASSWORD", "staging")["value"] == rotated
    assert rotated not in result.stdout + result.stderr and SECRET not in result.stdout + result.stderr
    assert "no changes" in run_gitlab("env", "up", "staging", TEST_DB_PASSWORD=rotated).stdout


def test_down_stops_then_deletes_then_up_again(run_gitlab, gitlab, gitlab_envs, project):
    gitlab_envs.add_variable(project, "HAND_MADE", "x", scope="staging")
    assert run_gitlab("env", "up", "staging").exit_code == 0
    env_id = gitlab_envs.environment(project, "staging")["id"]
    gitlab_envs.stopping_reads = 2  # the project's stop job runs for a while
    writes = len(gitlab.writes())
    down = run_gitlab("env", "down", "staging", "--json")
    assert down.exit_code == 0, down.stderr
    base = f"/api/v4/projects/{project.id}"
    assert gitlab.writes()[writes:] == [
        f"POST {base}/environments/{env_id}/stop",
        f"DELETE {base}/environments/{env_id}",
        f"DELETE {base}/protected_environments/staging",
        f"DELETE {base}/variables/DB_PASSWORD",
        f"DELETE {base}/variables/LOG_LEVEL",
        f"DELETE {base}/variables/REGION",
        f"DELETE {base}/variables/{MARKER}",
    ]
    assert gitlab.requests().count(f"GET {base}/environments/{env_id}") == 2  # waited for "stopped"
    assert down.json()["writes"] == 7
    assert gitlab_envs.environment(project, "staging") is None
    assert set(scoped(gitlab_envs, project)) == {"HAND_MADE"}
    assert gitlab_envs.protected[project.id] == {}
    assert "nothing to remove" in run_gitlab("env", "down", "staging").stdout
    again = run_gitlab("env", "up", "staging", "--json")
    assert again.exit_code == 0, again.stderr
    assert again.json()["summary"]["create"] == 5


def test_reap_removes_an_expired_environment(run_gitlab, gitlab, gitlab_envs, project):
    created = run_gitlab("env", "up", "pr-42", "--ttl", "3d", "--json")
    assert created.exit_code == 0, created.stderr
    assert gitlab_envs.environment(project, "pr-42")["tier"] == "development"
    assert "no changes" in run_gitlab("env", "up", "pr-42", "--ttl", "3d").stdout
    assert run_gitlab("env", "up", "staging").exit_code == 0
    assert run_gitlab("env", "reap", "--json").json()["removed"] == []
    marker = gitlab_envs.variable(project, MARKER, "pr-42")
    marker["value"] = json.dumps({**json.loads(marker["value"]), "expires_at": "2001-01-01T00:00:00+00:00"})
    listed = run_gitlab("env", "list", "--json").json()["environments"]
    assert [(e["name"], e["provider"], e["state"], e["expired"]) for e in listed] == [
        ("pr-42", "gitlab", "available", True),
        ("staging", "gitlab", "available", False),
    ]
    reaped = run_gitlab("env", "reap", "--json")
    assert reaped.exit_code == 0, reaped.stderr
    assert [e["name"] for e in reaped.json()["removed"]] == ["pr-42"]
    assert gitlab_envs.environment(project, "pr-42") is None
    assert scoped(gitlab_envs, project, "pr-42") == {}
    assert gitlab_envs.environment(project, "staging") is not None


def test_failure_in_the_middle_then_a_rerun_converges(run_gitlab, gitlab, gitlab_envs, project):
    gitlab.inject(Fault("POST", f"/api/v4/projects/{project.id}/variables", 400, {"message": "bad"}, skip=2))
    failed = run_gitlab("env", "up", "staging")
    assert failed.exit_code == 1
    assert (
        "error: GitLab refused to set variable REGION" in failed.stderr and "Traceback" not in failed.stderr
    )
    assert set(scoped(gitlab_envs, project)) == {MARKER, "LOG_LEVEL"}
    result = run_gitlab("env", "up", "staging", "--json")
    assert result.exit_code == 0, result.stderr
    assert pending(result) == [("variable", "REGION", "create"), ("secret", "DB_PASSWORD", "create")]
    writes = len(gitlab.writes())
    assert "no changes" in run_gitlab("env", "up", "staging").stdout
    assert len(gitlab.writes()) == writes


def test_half_removed_environment_is_listed_and_finished(run_gitlab, gitlab, gitlab_envs, project):
    assert run_gitlab("env", "up", "staging").exit_code == 0
    base = f"/api/v4/projects/{project.id}"
    gitlab.inject(Fault("DELETE", f"{base}/variables/*", 500, {"message": "boom"}, times=5))
    assert run_gitlab("env", "down", "staging").exit_code == 1
    assert gitlab_envs.environment(project, "staging") is None  # deleted before the failure
    listed = run_gitlab("env", "list", "--json").json()["environments"]
    assert [(e["name"], e["state"]) for e in listed] == [("staging", "partial")]
    finished = run_gitlab("env", "down", "staging")
    assert finished.exit_code == 0, finished.stderr
    assert scoped(gitlab_envs, project) == {}


def test_free_tier_notes_the_protection_instead_of_failing(run_gitlab, gitlab, gitlab_envs, project):
    gitlab_envs.premium = False
    result = run_gitlab("env", "up", "staging", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["notes"] == [
        "gitlab: protection not applied: protected environments need GitLab Premium or Ultimate",
        "gitlab: protection.wait_timer has no GitLab equivalent; not applied",
    ]
    assert "protection" not in [c["kind"] for c in result.json()["changes"]]
    assert "no changes" in run_gitlab("env", "up", "staging").stdout
    assert not any("protected_environments" in w for w in gitlab.writes())


def test_class_change_updates_the_tier(run_gitlab, gitlab, gitlab_envs, project):
    assert run_gitlab("env", "up", "staging").exit_code == 0
    writes = len(gitlab.writes())
    result = run_gitlab("env", "up", "staging", "--class", "production", "--json")
    assert result.exit_code == 0, result.stderr
    env_id = gitlab_envs.environment(project, "staging")["id"]
    base = f"/api/v4/projects/{project.id}"
    assert gitlab.writes()[writes:] == [f"PUT {base}/environments/{env_id}", f"PUT {base}/variables/{MARKER}"]
    assert gitlab_envs.environment(project, "staging")["tier"] == "production"


def test_reviewer_change_updates_the_approval_rules(run_gitlab, gitlab, gitlab_envs, project):
    assert run_gitlab("env", "up", "staging").exit_code == 0
    gitlab_envs.users["bob"] = 77
    set_descriptor_field(run_gitlab.folder, "staging", "protection", {"reviewers": [{"user": "bob"}]})
    result = run_gitlab("env", "up", "staging", "--json")
    assert result.exit_code == 0, result.stderr
    assert pending(result) == [("protection", "deployment", "update")]
    rules = gitlab_envs.protected[project.id]["staging"]["approval_rules"]
    assert [(r["user_id"], r["group_id"]) for r in rules] == [(77, None)]
    assert "no changes" in run_gitlab("env", "up", "staging").stdout


def test_a_secret_gitlab_cannot_mask_fails_before_any_write(run_gitlab, gitlab, gitlab_envs):
    result = run_gitlab("env", "up", "staging", TEST_DB_PASSWORD="short")
    assert result.exit_code == 2
    assert "error: secret DB_PASSWORD cannot be masked by GitLab" in result.stderr
    assert "short" not in result.stderr
    assert gitlab.writes() == []


def test_missing_project(run_gitlab, gitlab, gitlab_envs):
    del gitlab.projects["acme/payments"]
    result = run_gitlab("env", "up", "staging")
    assert result.exit_code == 1
    assert "error: project acme/payments (repository.slug in platform.yaml) is not at GitLab" in result.stderr
