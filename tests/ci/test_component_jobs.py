"""The GitLab component's job scripts, run as a runner would run them, against the local provider.

The scripts are interpolated with the component's inputs, then each line runs in ``sh`` with the
variables GitLab would set, and ``platformctl`` on PATH (the image has it there).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.ci.definitions import interpolate, load_component
from tests.helpers import built_once


def _jobs(**given: Any) -> dict[str, Any]:
    spec, body = load_component()
    return interpolate(body, spec, given)


def _run_job(job: dict[str, Any], cwd: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    merged = {**job.get("variables", {}), **variables}
    base = _jobs()[".platformctl-job"]["variables"]
    env = {**os.environ, **base, **merged, "CI": "true", "GITLAB_CI": "true"}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    script = "set -e\n" + "\n".join(job["script"])
    return subprocess.run(
        ["sh", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


@pytest.fixture(scope="session")
def project_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's folder in this test process (see :func:`tests.helpers.built_once`)."""
    return tmp_path_factory.mktemp("component-project")


@pytest.fixture
def project(cli, project_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A GitLab project checkout holding one service, the way the component expects it.

    Built once per test process and copied back for each test (the subject is the jobs, not
    ``new service``); the platform home is the default one under HOME."""

    def build(root: Path) -> None:
        result = cli("new", "service", "payments", "--dir", str(root / "project" / "payments"), "--no-input")
        assert result.exit_code == 0, result.stderr

    return built_once(project_folder, build, monkeypatch, platform_home=False) / "project"


def test_preview_then_stop_converge_the_merge_requests_environment(cli, project: Path, monkeypatch) -> None:
    jobs = _jobs(**{"service-dir": "payments"})
    monkeypatch.chdir(project)  # the jobs run in a shell; what they left is listed in-process
    up = _run_job(jobs["platformctl-preview"], project, CI_MERGE_REQUEST_IID="12")
    assert up.returncode == 0, up.stderr
    status = cli("env", "list", "--json", "--service-dir", "payments")
    assert status.exit_code == 0, status.stderr
    assert '"mr-12"' in status.stdout
    again = _run_job(jobs["platformctl-preview"], project, CI_MERGE_REQUEST_IID="12")
    assert again.returncode == 0, again.stderr
    down = _run_job(jobs["platformctl-preview-stop"], project, CI_MERGE_REQUEST_IID="12")
    assert down.returncode == 0, down.stderr
    after = cli("env", "list", "--json", "--service-dir", "payments")
    assert after.exit_code == 0, after.stderr
    assert '"mr-12"' not in after.stdout


def test_maturity_gate_writes_its_report_and_fails_under_the_threshold(project: Path) -> None:
    (project / "answers.yaml").write_text("{}\n")
    args = "--answers answers.yaml --allow-unknown --detect payments --fail-under 99"
    job = _jobs(**{"maturity-args": args})["platformctl-maturity"]
    proc = _run_job(job, project)
    assert proc.returncode == 3, proc.stderr
    assert (project / job["artifacts"]["paths"][0]).read_text().startswith("#")
    passing = _jobs(**{"maturity-args": args.replace("99", "0")})["platformctl-maturity"]
    assert _run_job(passing, project).returncode == 0


def test_fleet_job_runs_its_shard_of_a_campaign(project: Path) -> None:
    job = _jobs(fleet=True, **{"fleet-args": "update --golden-path python-service"})["platformctl-fleet"]
    proc = _run_job(job, project, CI_NODE_INDEX="1", CI_NODE_TOTAL="4")
    assert proc.returncode == 0, proc.stderr  # the local forge holds no service yet: nothing to do
    assert "--shard" in job["script"][0]
