"""Every environment scenario on the embedded local provider, through the real CLI entry point."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.environments.conftest import set_descriptor_field, write_service
from tests.helpers import trust_project_file

SECRET = "correct horse battery staple"


def up(cli, *args, **kwargs):
    return cli("env", "up", "staging", *args, **kwargs)


def test_create_then_rerun_makes_zero_writes(cli, store, platform_home):
    write_service(Path.cwd())
    first = up(cli, "--json")
    assert first.exit_code == 0, first.stderr
    doc = first.json()
    assert doc["summary"] == {"create": 5, "update": 0, "delete": 0, "unchanged": 0}
    assert doc["writes"] == 5 and store.writes == 5
    assert store.resources()[("variable", "LOG_LEVEL")] == {"value": "info"}
    assert store.resources()[("protection", "deployment")]["wait_timer"] == 5

    again = up(cli)
    assert again.exit_code == 0, again.stderr
    assert "no changes" in again.stdout
    assert store.writes == 5  # not one write more


def test_secret_value_is_never_stored_nor_printed(cli, store, platform_home):
    write_service(Path.cwd())
    result = up(cli, "--json")
    human = cli("env", "up", "staging", "--dry-run")
    for text in (result.stdout, result.stderr, human.stdout, human.stderr):
        assert SECRET not in text
    secret = next(c for c in result.json()["changes"] if c["kind"] == "secret")
    assert secret == {
        "provider": "local",
        "kind": "secret",
        "name": "DB_PASSWORD",
        "action": "create",
        "secret": True,
        "detail": "will be set",
    }
    assert SECRET.encode() not in (platform_home / "state" / "environments.db").read_bytes()
    fingerprint = store.resources()[("secret", "DB_PASSWORD")]["fingerprint"]
    assert fingerprint.startswith("hmac-sha256:") and SECRET not in fingerprint
    key = platform_home / "state" / "secrets.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_change_one_variable_is_exactly_one_write(cli, store):
    write_service(Path.cwd())
    up(cli)
    before = store.writes
    set_descriptor_field(Path.cwd(), "staging", "variables", {"LOG_LEVEL": "debug", "REGION": "eu-west-1"})
    plan = up(cli, "--dry-run", "--json").json()
    assert [(c["name"], c["action"]) for c in plan["changes"] if c["action"] != "unchanged"] == [
        ("LOG_LEVEL", "update")
    ]
    assert store.writes == before  # a dry run writes nothing
    result = up(cli)
    assert result.exit_code == 0, result.stderr
    assert "info → debug" in result.stderr
    assert store.writes == before + 1
    assert store.resources()[("variable", "LOG_LEVEL")] == {"value": "debug"}


def test_a_flag_overrides_the_descriptor(cli, store):
    write_service(Path.cwd())
    up(cli)
    result = up(cli, "--var", "REGION=us-east-1", "--json")
    assert result.json()["writes"] == 1
    assert store.resources()[("variable", "REGION")] == {"value": "us-east-1"}


def test_remove_a_variable(cli, store):
    write_service(Path.cwd())
    up(cli)
    before = store.writes
    set_descriptor_field(Path.cwd(), "staging", "variables", {"LOG_LEVEL": "info"})
    doc = up(cli, "--json").json()
    assert [(c["name"], c["action"]) for c in doc["changes"] if c["action"] != "unchanged"] == [
        ("REGION", "delete")
    ]
    assert store.writes == before + 1
    assert ("variable", "REGION") not in store.resources()


def test_rotate_a_secret(cli, store, monkeypatch):
    write_service(Path.cwd())
    up(cli)
    old = store.resources()[("secret", "DB_PASSWORD")]["fingerprint"]
    before = store.writes
    monkeypatch.setenv("TEST_DB_PASSWORD", "a new value")
    result = up(cli)
    assert result.exit_code == 0, result.stderr
    assert "secret DB_PASSWORD" in result.stderr and "will be set" in result.stderr
    assert "a new value" not in result.stdout + result.stderr
    assert store.writes == before + 1
    assert store.resources()[("secret", "DB_PASSWORD")]["fingerprint"] != old


def test_secret_from_file_and_stdin(cli, store, tmp_path):
    write_service(Path.cwd())
    secret_file = tmp_path / "api-key"
    secret_file.write_text("file-value\n")
    result = up(
        cli, "--secret", f"API_KEY=file:{secret_file}", "--secret", "TOKEN=stdin", input="piped-value\n"
    )
    assert result.exit_code == 0, result.stderr
    assert {("secret", "API_KEY"), ("secret", "TOKEN")} <= set(store.resources())
    again = up(
        cli, "--secret", f"API_KEY=file:{secret_file}", "--secret", "TOKEN=stdin", input="piped-value\n"
    )
    assert "no changes" in again.stdout


def test_missing_secret_is_a_usage_error_naming_the_variable(cli, store, monkeypatch):
    write_service(Path.cwd())
    monkeypatch.delenv("TEST_DB_PASSWORD")
    result = up(cli)
    assert result.exit_code == 2
    assert "error: secret DB_PASSWORD: environment variable TEST_DB_PASSWORD is not set" in result.stderr
    assert "hint:" in result.stderr
    assert store.writes == 0


def test_a_secret_value_on_the_command_line_is_refused_and_not_echoed(cli, store):
    write_service(Path.cwd())
    result = up(cli, "--secret", "DB_PASSWORD=hunter2-value")
    assert result.exit_code == 2
    assert "hunter2-value" not in result.stderr


def test_down_then_up(cli, store):
    write_service(Path.cwd())
    up(cli)
    down = cli("env", "down", "staging", "--json")
    assert down.exit_code == 0, down.stderr
    assert down.json()["summary"]["delete"] == 5
    assert store.resources() == {}
    assert "nothing to remove" in cli("env", "down", "staging").stdout
    again = up(cli, "--json")
    assert again.json()["summary"]["create"] == 5


def test_production_down_needs_yes_without_a_terminal(cli, store):
    write_service(Path.cwd())
    assert cli("env", "up", "production").exit_code == 0
    refused = cli("env", "down", "production")
    assert refused.exit_code == 2
    assert "--yes" in refused.stderr
    assert cli("env", "list", "--json").json()["environments"][0]["name"] == "production"
    assert cli("env", "down", "production", "--yes").exit_code == 0
    assert cli("env", "list", "--json").json()["environments"] == []


def test_status_reports_drift_with_exit_3(cli, store):
    write_service(Path.cwd())
    up(cli)
    clean = cli("env", "status", "staging", "--json")
    assert clean.exit_code == 0, clean.stderr
    assert clean.json()["drifted"] is False
    store.execute("UPDATE resources SET fields='{\"value\": \"changed by hand\"}' WHERE name='REGION'")
    drifted = cli("env", "status", "staging", "--json")
    assert drifted.exit_code == 3
    doc = drifted.json()
    assert doc["drifted"] is True
    assert [(d["name"], d["action"]) for d in doc["drift"]] == [("REGION", "update")]
    assert "error: environment staging differs from its spec in 1 resource" in drifted.stderr


def test_status_needs_no_secret_values(cli, store, monkeypatch):
    write_service(Path.cwd())
    up(cli)
    monkeypatch.delenv("TEST_DB_PASSWORD")
    assert cli("env", "status", "staging").exit_code == 0


def test_ttl_list_and_reap_of_an_expired_environment(cli, store):
    write_service(Path.cwd())
    created = cli("env", "up", "pr-7", "--ttl", "3d", "--json")
    assert created.exit_code == 0, created.stderr
    assert created.json()["ttl"] == "3d" and created.json()["expires_at"]
    assert "no changes" in cli("env", "up", "pr-7", "--ttl", "3d").stdout  # the expiry is kept
    up(cli)
    listed = cli("env", "list", "--json").json()["environments"]
    assert [(e["name"], e["class"], e["expired"]) for e in listed] == [
        ("pr-7", "preview", False),
        ("staging", "staging", False),
    ]
    assert cli("env", "reap", "--json").json()["removed"] == []
    # The environment was made four days ago: move its expiry into the past.
    store.execute(
        "UPDATE resources SET fields=json_set(fields, '$.expires_at', '2000-01-01T00:00:00+00:00') "
        "WHERE kind='environment' AND name='pr-7'"
    )
    dry = cli("env", "reap", "--dry-run", "--json").json()
    assert [e["name"] for e in dry["removed"]] == ["pr-7"]
    reaped = cli("env", "reap")
    assert reaped.exit_code == 0, reaped.stderr
    assert "removed pr-7" in reaped.stdout
    assert [e["name"] for e in cli("env", "list", "--json").json()["environments"]] == ["staging"]


def test_failure_in_the_middle_of_apply_keeps_nothing_then_rerun_converges(cli, store):
    write_service(Path.cwd())
    cli("env", "list")  # creates the store
    up(cli, "--dry-run")
    store.execute(
        "CREATE TABLE IF NOT EXISTS resources (service TEXT NOT NULL, environment TEXT NOT NULL, "
        "kind TEXT NOT NULL, name TEXT NOT NULL, fields TEXT NOT NULL, created_at TEXT NOT NULL, "
        "updated_at TEXT NOT NULL, PRIMARY KEY (service, environment, kind, name))"
    )
    store.execute(
        "CREATE TRIGGER fail BEFORE INSERT ON resources WHEN NEW.name = 'DB_PASSWORD' "
        "BEGIN SELECT RAISE(ABORT, 'disk is full'); END"
    )
    failed = up(cli)
    assert failed.exit_code == 1
    assert "disk is full" in failed.stderr and "Traceback" not in failed.stderr
    assert store.resources() == {}  # one transaction: nothing half-made
    store.execute("DROP TRIGGER fail")
    result = up(cli, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["summary"]["create"] == 5
    assert "no changes" in up(cli).stdout


def test_unknown_environment_and_unknown_class(cli, store):
    write_service(Path.cwd())
    unknown = cli("env", "up", "qa")
    assert unknown.exit_code == 2
    assert "not in platform.yaml" in unknown.stderr and "--class" in unknown.stderr
    bad_class = cli("env", "up", "qa", "--class", "nope")
    assert bad_class.exit_code == 2
    assert bad_class.stderr.startswith(
        "error: --class: unknown environment class 'nope' "
        "(allowed: development, preview, production, staging)"
    )
    assert cli("env", "up", "qa", "--class", "development").exit_code == 0


def test_an_unknown_class_in_platform_yaml_names_the_field(cli, store):
    write_service(Path.cwd())
    descriptor = Path("platform.yaml")
    descriptor.write_text(descriptor.read_text().replace("class: staging", "class: nope", 1))
    result = cli("env", "up", "staging")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: platform.yaml: field 'environments.staging.class': unknown environment class 'nope'"
    ), result.stderr


def test_classes_from_the_platform_config(cli, store):
    write_service(Path.cwd())
    Path("platformctl.yaml").write_text(
        "environments:\n  staging:\n    variables: {FROM_CLASS: 'yes', LOG_LEVEL: warn}\n"
    )
    trust_project_file(Path("platformctl.yaml"))  # an untrusted file defines no environment class
    doc = up(cli, "--json").json()
    created = {c["name"]: c["after"] for c in doc["changes"] if c["kind"] == "variable"}
    assert created == {
        "FROM_CLASS": {"value": "yes"},
        "LOG_LEVEL": {"value": "info"},
        "REGION": {"value": "eu-west-1"},
    }
    Path("platformctl.yaml").write_text("environments:\n  staging:\n    ttl: forever\n")
    trust_project_file(Path("platformctl.yaml"))
    bad = up(cli)
    assert bad.exit_code == 2
    assert "platformctl.yaml: field 'environments.staging.ttl'" in bad.stderr


def test_service_dir_and_walking_up(cli, store, tmp_path):
    service = write_service(tmp_path / "svc")
    nested = service / "src" / "deep"
    nested.mkdir(parents=True)
    os.chdir(nested)
    assert up(cli).exit_code == 0
    os.chdir(tmp_path)
    assert "no changes" in up(cli, "--service-dir", str(service)).stdout
    outside = up(cli)
    assert outside.exit_code == 2
    assert "no platform.yaml here or in any parent folder" in outside.stderr


def test_github_actions_outputs_and_masks(cli, store, tmp_path):
    write_service(Path.cwd())
    outputs, summary = tmp_path / "out", tmp_path / "summary"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary)}
    result = cli("env", "up", "pr-3", "--ttl", "1d", env=env)
    assert result.exit_code == 0, result.stderr
    assert f"::add-mask::{SECRET}" not in result.stderr  # pr-3 has no secrets
    text = outputs.read_text()
    assert "environment<<" in text and "pr-3" in text and "expires_at<<" in text
    assert "Environment `pr-3` of `payments`" in summary.read_text()
    masked = cli("env", "up", "staging", env=env)
    assert f"::add-mask::{SECRET}" in masked.stderr


def test_an_unnamed_environment_with_a_ttl_is_a_preview(cli, store):
    write_service(Path.cwd(), environments="  staging:\n    class: staging\n")
    result = cli("env", "up", "pr-123", "--ttl", "3d", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["class"] == "preview"
    without_ttl = cli("env", "up", "pr-124")
    assert without_ttl.exit_code == 2
    assert "--ttl for an ephemeral preview environment" in without_ttl.stderr
