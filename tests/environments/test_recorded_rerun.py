"""A converged ``env up`` answered from the record of the last plan without changes, and every
input that must make it plan again.

The first test runs each ``env up`` answered from the record in a fresh process, where whether
it planned shows in the modules it loaded (planning imports ``platformctl.environments.plan``;
an answer from the record loads no pydantic model either). The others are about which inputs
invalidate the record, so they run in-process and count the calls of ``plan_environment``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.environments.conftest import set_descriptor_field, write_service
from tests.helpers import trust_project_file

PLAIN = """\
  staging:
    class: staging
    providers: [local]
    variables: {LOG_LEVEL: info}
  production:
    class: production
    providers: [local]
"""

RUN = """
import sys
from platformctl.cli.app import run
code = run(ARGS)
models = ("platformctl.scaffold.descriptor", "platformctl.contracts.environment_fields")
print("MODELS=" + ",".join(m for m in models if m in sys.modules), file=sys.stderr)
print("PLANNED=" + str("platformctl.environments.plan" in sys.modules), file=sys.stderr)
sys.exit(code)
"""


Up = Callable[..., tuple[bool, str, str]]


def up_process(*args: str, env: dict[str, str] | None = None) -> tuple[bool, str, str]:
    """``env up ARGS`` in a fresh process: whether it planned, its stdout and its stderr."""
    import os

    proc = subprocess.run(
        [sys.executable, "-c", RUN.replace("ARGS", repr(["env", "up", *args]))],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert proc.returncode == 0, proc.stderr
    err, _, flag = proc.stderr.rpartition("PLANNED=")
    err, _, models = err.rpartition("MODELS=")
    planned = flag.strip() == "True"
    assert planned or not models.strip(), models  # from the record: no pydantic model either
    return planned, proc.stdout, err


@pytest.fixture
def up(cli: Any, monkeypatch: pytest.MonkeyPatch) -> Up:
    """``env up ARGS`` in-process: whether it planned (it called ``plan_environment``), its
    stdout and its stderr. The planning itself runs unchanged; the calls are only counted."""
    from platformctl.environments import plan

    calls: list[int] = []
    plan_environment = plan.plan_environment

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return plan_environment(*args, **kwargs)

    monkeypatch.setattr(plan, "plan_environment", counted)

    def run(*args: str, env: dict[str, str] | None = None) -> tuple[bool, str, str]:
        before = len(calls)
        result = cli("env", "up", *args, env=env)
        assert result.exit_code == 0, result.stderr
        return len(calls) > before, result.stdout, result.stderr

    return run


def converged(up: Up, *args: str) -> tuple[str, str]:
    """Create staging, then plan it once without changes (which records it): its output."""
    write_service(Path.cwd(), environments=PLAIN)
    assert up("staging", *args)[0]  # applied
    planned, out, err = up("staging", *args)
    assert planned and "no changes" in out
    return out, err


def test_a_converged_rerun_prints_the_planned_result_without_planning(store, platform_home, up):
    """The planned runs in-process; the runs answered from the record in fresh processes."""
    planned_out, planned_err = converged(up)
    again, out, err = up_process("staging")
    assert not again
    assert (out, err) == (planned_out, planned_err)  # byte for byte
    recorded, doc, _ = up_process("staging", "--json")
    _, dry, _ = up("staging", "--json", "--dry-run")
    assert not recorded and json.loads(doc) == {**json.loads(dry), "dry_run": False}
    assert doc.replace('"dry_run": false', '"dry_run": true') == dry  # same keys, same order
    assert store.writes == 2
    assert list((platform_home / "cache" / "env-up").iterdir())  # the record, 0600
    entry = next((platform_home / "cache" / "env-up").iterdir())
    assert entry.stat().st_mode & 0o077 == 0


def test_an_edited_platform_yaml_is_planned_and_applied(store, up):
    converged(up)
    set_descriptor_field(Path.cwd(), "staging", "variables", {"LOG_LEVEL": "debug"})
    planned, _, err = up("staging")
    assert planned and "info → debug" in err
    assert store.resources()[("variable", "LOG_LEVEL")] == {"value": "debug"}


def test_a_changed_store_row_is_planned_and_converged_again(store, up):
    converged(up)
    store.execute(
        "UPDATE resources SET fields=? WHERE kind='variable' AND name='LOG_LEVEL'", '{"value": "tampered"}'
    )
    planned, _, err = up("staging")
    assert planned and "tampered → info" in err
    assert store.resources()[("variable", "LOG_LEVEL")] == {"value": "info"}


def test_a_store_row_rewritten_with_the_same_fields_is_planned(store, up):
    converged(up)
    store.execute("UPDATE resources SET updated_at='2000-01-01T00:00:00+00:00' WHERE kind='variable'")
    planned, out, _ = up("staging")
    assert planned and "no changes" in out  # a write the record did not see: read again


def test_a_removed_environment_is_created_again(cli, store, up):
    converged(up)
    assert cli("env", "down", "staging").exit_code == 0
    planned, _, err = up("staging")
    assert planned and "+ create" in err
    assert ("variable", "LOG_LEVEL") in store.resources()


def test_a_settings_file_is_part_of_the_record(store, up):
    converged(up)
    config = Path.cwd() / "platformctl.yaml"
    config.write_text("environments:\n  staging:\n    variables: {REGION: eu-west-1}\n")
    trust_project_file(config)
    planned, _, err = up("staging")
    assert planned and "REGION" in err
    assert store.resources()[("variable", "REGION")] == {"value": "eu-west-1"}


def test_a_setting_from_the_environment_is_part_of_the_record(store, up):
    converged(up)
    assert up("staging", env={"PLATFORMCTL_ORG": "acme"})[0]


def test_flags_and_dry_runs_always_plan(store, up):
    converged(up)
    assert up("staging", "--dry-run")[0]
    assert up("staging", "--class", "staging")[0]
    planned, _, err = up("staging", "--var", "EXTRA=1")
    assert planned and "EXTRA" in err


def test_another_environment_is_not_answered_from_staging(store, up):
    converged(up)
    planned, _, err = up("production")
    assert planned and "+ create" in err


def test_an_environment_with_a_secret_is_always_planned(store, platform_home, up):
    write_service(Path.cwd())  # staging has DB_PASSWORD from TEST_DB_PASSWORD
    up("staging")
    assert up("staging")[0] and up("staging")[0]
    planned, _, err = up("staging", env={"TEST_DB_PASSWORD": "another value"})
    assert planned and "DB_PASSWORD" in err  # the new value is set


def test_inside_github_actions_the_recorded_run_writes_the_same_outputs(store, tmp_path, up):
    import re

    outputs, summary = tmp_path / "outputs", tmp_path / "summary"
    actions = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary)}
    converged(up)

    def written(*args: str) -> tuple[bool, str, str]:
        outputs.write_text(""), summary.write_text("")
        planned, _, _ = up("staging", *args, env=actions)
        return planned, re.sub(r"ghadelimiter_[0-9a-f-]+", "D", outputs.read_text()), summary.read_text()

    planned = written("--dry-run")  # a dry run publishes what a converged run does
    recorded = written()
    assert planned[0] and not recorded[0]
    assert planned[1:] == recorded[1:] and "environment<<D\nstaging\n" in recorded[1]


def test_a_record_that_cannot_be_written_only_costs_a_planned_run(store, platform_home, up):
    write_service(Path.cwd(), environments=PLAIN)
    (platform_home / "cache").mkdir(parents=True)
    (platform_home / "cache" / "env-up").write_text("in the way\n")
    assert up("staging")[0]
    for _ in range(2):
        planned, out, _ = up("staging")
        assert planned and "no changes" in out
    assert store.writes == 2
