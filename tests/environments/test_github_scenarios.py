"""Every environment scenario on GitHub: the real CLI in a subprocess against the GitHub fake on loopback."""

from __future__ import annotations

import json

from tests.environments.conftest import set_descriptor_field
from tests.environments.hosts import (
    SECRET,
    everything_logged,
    pending,
)
from tests.fakes.base import Fault
from tests.fakes.github_env_values import KEY_ID

REPO = "/repos/acme/payments"
ENV = f"{REPO}/environments/staging"
FIRST = [
    f"GET {ENV}",
    f"GET {REPO}",
    "GET /orgs/acme/teams/platform",
    "GET /users/alice",
    f"PUT {ENV}",
    f"POST {ENV}/deployment-branch-policies",
    f"POST {ENV}/deployment-branch-policies",
    f"POST {ENV}/variables",
    f"POST {ENV}/variables",
    f"POST {ENV}/variables",
    f"GET {ENV}/secrets/public-key",
    f"PUT {ENV}/secrets/DB_PASSWORD",
    f"GET {ENV}/secrets",
]
RERUN = [f"GET {ENV}", f"GET {ENV}/variables", f"GET {ENV}/secrets", f"GET {ENV}/deployment-branch-policies"]


def test_create_is_minimal_then_a_rerun_only_reads(run_github, github, github_envs):
    result = run_github("env", "up", "staging", "--json")
    assert result.exit_code == 0, result.stderr
    assert github.requests() == FIRST
    doc = result.json()
    assert doc["writes"] == 7 and doc["changed"] is True
    assert pending(result) == [
        ("environment", "staging", "create"),
        ("protection", "deployment", "create"),
        ("variable", "LOG_LEVEL", "create"),
        ("variable", "REGION", "create"),
        ("secret", "DB_PASSWORD", "create"),
    ]
    env = github_envs.environment("acme/payments", "staging")
    team = github.orgs["acme"].teams["platform"]["id"]
    assert (env.wait_timer, env.prevent_self_review) == (5, True)
    assert env.reviewers == [("Team", team), ("User", 4242)]
    assert env.branch_policy == {"protected_branches": False, "custom_branch_policies": True}
    assert sorted(env.policies.values()) == ["main", "release/*"]
    assert {k: v["value"] for k, v in env.variables.items() if k != "PLATFORMCTL_ENVIRONMENT"} == {
        "LOG_LEVEL": "info",
        "REGION": "eu-west-1",
    }
    record = json.loads(env.variables["PLATFORMCTL_ENVIRONMENT"]["value"])
    assert record == {
        "service": "payments",
        "class": "staging",
        "ttl": None,
        "expires_at": None,
        "variables": ["LOG_LEVEL", "REGION"],
        "secrets": ["DB_PASSWORD"],
    }
    # The sealed box opens with the fake's private key; the value is nowhere else.
    assert github_envs.open_secret("acme/payments", "staging", "DB_PASSWORD") == SECRET
    assert env.secrets["DB_PASSWORD"]["key_id"] == KEY_ID
    assert SECRET not in result.stdout + result.stderr + everything_logged(github)

    before = len(github.requests())
    again = run_github("env", "up", "staging")
    assert again.exit_code == 0, again.stderr
    assert "no changes" in again.stdout
    assert github.requests()[before:] == RERUN  # reads only: zero writes


def test_plan_table_and_json_dry_run(run_github, github):
    dry = run_github("env", "up", "staging", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    plan = dry.json()
    assert plan["dry_run"] is True and plan["writes"] == 0 and plan["schema_version"] == 1
    assert plan["summary"] == {"create": 5, "update": 0, "delete": 0, "unchanged": 0}
    assert {
        "provider": "github",
        "kind": "secret",
        "name": "DB_PASSWORD",
        "action": "create",
        "secret": True,
        "detail": "will be set",
    } in plan["changes"]
    assert github.writes() == []
    table = run_github("env", "up", "staging")
    assert table.exit_code == 0, table.stderr
    assert "github  + create     protection deployment" in table.stderr
    assert "github  + create     secret DB_PASSWORD" in table.stderr and "will be set" in table.stderr
    assert "Applied environment staging: 7 writes (github 7)" in table.stdout
    assert SECRET not in dry.stdout + table.stdout + table.stderr


def test_change_one_variable_is_exactly_one_write(run_github, github, github_envs):
    assert run_github("env", "up", "staging").exit_code == 0
    writes = len(github.writes())
    result = run_github("env", "up", "staging", "--var", "LOG_LEVEL=debug", "--json")
    assert result.exit_code == 0, result.stderr
    assert pending(result) == [("variable", "LOG_LEVEL", "update")]
    assert github.writes()[writes:] == [f"PATCH {ENV}/variables/LOG_LEVEL"]
    assert github_envs.environment("acme/payments", "staging").variables["LOG_LEVEL"]["value"] == "debug"


def test_remove_a_variable_leaves_variables_of_others_alone(run_github, github, github_envs):
    assert run_github("env", "up", "staging").exit_code == 0
    env = github_envs.environment("acme/payments", "staging")
    env.variables["HAND_MADE"] = {"value": "x", "created_at": "t", "updated_at": "t"}
    set_descriptor_field(run_github.folder, "staging", "variables", {"LOG_LEVEL": "info"})
    writes = len(github.writes())
    result = run_github("env", "up", "staging", "--json")
    assert result.exit_code == 0, result.stderr
    assert pending(result) == [("environment", "staging", "update"), ("variable", "REGION", "delete")]
    assert github.writes()[writes:] == [
        f"DELETE {ENV}/variables/REGION",
        f"PATCH {ENV}/variables/PLATFORMCTL_ENVIRONMENT",
    ]
    assert set(env.variables) == {"LOG_LEVEL", "HAND_MADE", "PLATFORMCTL_ENVIRONMENT"}
    assert "no changes" in run_github("env", "up", "staging").stdout


def test_rotate_a_secret_is_one_sealed_write(run_github, github, github_envs):
    assert run_github("env", "up", "staging").exit_code == 0
    writes = len(github.writes())
    rotated = "rotated-value-2026"
    result = run_github("--debug", "env", "up", "staging", "--json", TEST_DB_PASSWORD=rotated)
    assert result.exit_code == 0, result.stderr
    assert "DEBUG platformctl.http" in result.stderr  # every request logged: still no value
    assert [
        (c["kind"], c["action"], c.get("detail"))
        for c in result.json()["changes"]
        if c["action"] != "unchanged"
    ] == [("secret", "update", "will be set")]
    assert github.writes()[writes:] == [f"PUT {ENV}/secrets/DB_PASSWORD"]
    assert github_envs.open_secret("acme/payments", "staging", "DB_PASSWORD") == rotated
    assert rotated not in result.stdout + result.stderr + everything_logged(github)
    assert "no changes" in run_github("env", "up", "staging", TEST_DB_PASSWORD=rotated).stdout


def test_a_secret_set_by_someone_else_is_set_again(run_github, github_envs):
    assert run_github("env", "up", "staging").exit_code == 0
    github_envs.environment("acme/payments", "staging").secrets["DB_PASSWORD"]["updated_at"] = (
        "2027-01-01T00:00:00Z"
    )
    status = run_github("env", "status", "staging", "--json")
    assert status.exit_code == 3
    assert [(d["kind"], d["action"]) for d in status.json()["drift"]] == [("secret", "update")]
    result = run_github("env", "up", "staging", "--json")
    assert pending(result) == [("secret", "DB_PASSWORD", "update")]
    assert run_github("env", "status", "staging").exit_code == 0


def test_down_then_up(run_github, github, github_envs):
    assert run_github("env", "up", "staging").exit_code == 0
    writes = len(github.writes())
    down = run_github("env", "down", "staging", "--json")
    assert down.exit_code == 0, down.stderr
    assert down.json()["writes"] == 1
    assert github.writes()[writes:] == [f"DELETE {ENV}"]
    assert github_envs.environment("acme/payments", "staging") is None
    assert "nothing to remove" in run_github("env", "down", "staging").stdout
    again = run_github("env", "up", "staging", "--json")
    assert again.exit_code == 0, again.stderr
    assert again.json()["summary"]["create"] == 5  # the secret too: its record went with the environment
    assert github_envs.open_secret("acme/payments", "staging", "DB_PASSWORD") == SECRET


def test_reap_removes_an_expired_environment(run_github, github, github_envs):
    created = run_github("env", "up", "pr-42", "--ttl", "3d", "--json")
    assert created.exit_code == 0, created.stderr
    assert "no changes" in run_github("env", "up", "pr-42", "--ttl", "3d").stdout
    assert run_github("env", "up", "staging").exit_code == 0
    assert run_github("env", "reap", "--json").json()["removed"] == []
    marker = github_envs.environment("acme/payments", "pr-42").variables["PLATFORMCTL_ENVIRONMENT"]
    marker["value"] = json.dumps({**json.loads(marker["value"]), "expires_at": "2001-01-01T00:00:00+00:00"})
    listed = run_github("env", "list", "--json").json()["environments"]
    assert [(e["name"], e["provider"], e["class"], e["expired"]) for e in listed] == [
        ("pr-42", "github", "preview", True),
        ("staging", "github", "staging", False),
    ]
    reaped = run_github("env", "reap", "--json")
    assert reaped.exit_code == 0, reaped.stderr
    assert [e["name"] for e in reaped.json()["removed"]] == ["pr-42"]
    assert github_envs.environment("acme/payments", "pr-42") is None
    assert github_envs.environment("acme/payments", "staging") is not None


def test_failure_in_the_middle_then_a_rerun_converges(run_github, github, github_envs):
    github.inject(Fault("POST", f"{ENV}/variables", 422, {"message": "Validation Failed"}, skip=2))
    failed = run_github("env", "up", "staging")
    assert failed.exit_code == 1
    assert (
        "error: GitHub refused to set variable REGION" in failed.stderr and "Traceback" not in failed.stderr
    )
    assert github_envs.environment("acme/payments", "staging").variables.keys() == {
        "PLATFORMCTL_ENVIRONMENT",
        "LOG_LEVEL",
    }
    result = run_github("env", "up", "staging", "--json")
    assert result.exit_code == 0, result.stderr
    assert pending(result) == [("variable", "REGION", "create"), ("secret", "DB_PASSWORD", "create")]
    writes = len(github.writes())
    assert "no changes" in run_github("env", "up", "staging").stdout
    assert len(github.writes()) == writes


def test_reviewers_on_a_private_repository_of_a_team_plan_are_a_clear_error(run_github, github, github_envs):
    github.repo("acme", "payments").visibility = "private"
    result = run_github("env", "up", "staging")
    assert result.exit_code == 1
    assert (
        "error: GitHub refused the protection of environment staging in acme/payments: reviewers and "
        "wait_timer on a private repository need a plan that includes them" in result.stderr
    )
    assert "hint: remove reviewers and wait_timer from the environment's protection" in result.stderr
    assert github_envs.environment("acme/payments", "staging") is None  # nothing half made
    github.orgs["acme"].plan = "enterprise"
    assert run_github("env", "up", "staging").exit_code == 0


def test_protection_drift_is_reported_and_repaired(run_github, github, github_envs):
    assert run_github("env", "up", "staging").exit_code == 0
    env = github_envs.environment("acme/payments", "staging")
    env.wait_timer = 0
    env.policies[999] = "hotfix/*"
    status = run_github("env", "status", "staging")
    assert status.exit_code == 3
    assert "wait_timer: 0 → 5" in status.stdout
    writes = len(github.writes())
    assert run_github("env", "up", "staging").exit_code == 0
    assert github.writes()[writes:] == [f"PUT {ENV}", f"DELETE {ENV}/deployment-branch-policies/999"]
    assert env.wait_timer == 5 and sorted(env.policies.values()) == ["main", "release/*"]


def test_unknown_reviewer_fails_before_any_write(run_github, github, github_envs):
    del github_envs.people["alice"]
    result = run_github("env", "up", "staging")
    assert result.exit_code == 2
    assert "error: reviewer user alice does not exist at GitHub" in result.stderr
    assert github.writes() == []


def test_an_environment_of_another_service_is_refused(run_github, github, github_envs):
    assert run_github("env", "up", "staging").exit_code == 0
    marker = github_envs.environment("acme/payments", "staging").variables["PLATFORMCTL_ENVIRONMENT"]
    marker["value"] = json.dumps({**json.loads(marker["value"]), "service": "billing"})
    writes = len(github.writes())
    for command in (("env", "up", "staging"), ("env", "down", "staging")):
        result = run_github(*command)
        assert result.exit_code == 1
        assert "belongs to service billing, not payments" in result.stderr
    assert len(github.writes()) == writes


def test_missing_repository_and_missing_token(run_github, github):
    del github.repos[("acme", "payments")]
    missing = run_github("env", "up", "staging")
    assert missing.exit_code == 1
    assert (
        "error: repository acme/payments (repository.slug in platform.yaml) is not at GitHub"
        in missing.stderr
    )
    no_token = run_github("env", "up", "staging", GH_TOKEN="")
    assert no_token.exit_code == 4 and "GH_TOKEN" in no_token.stderr
