"""Shared fixtures: an isolated HOME and git identity per test, and a CLI runner."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"

_SCRUB = (
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "GH_TOKEN",
    "GITHUB_TOKEN",
    "GITLAB_TOKEN",
    "BACKSTAGE_TOKEN",
    "KUBECONFIG",
    "NO_COLOR",
    "FORCE_COLOR",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "GIT_DIR",
    "GIT_WORK_TREE",
)


def pytest_configure(config: pytest.Config) -> None:
    """Note whether this is the fast loop (``-m "not slow"``): property tests scale their
    examples down there (``tests.helpers.examples``), the full suite runs them all."""
    from tests import helpers

    helpers.FAST_LOOP = "not slow" in (config.option.markexpr or "")


@pytest.fixture(scope="session", autouse=True)
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder all processes of this run share (``tests.helpers.once_per_run``): the xdist
    workers' common base temporary folder, or this session's own without xdist; pytest removes
    it with its other temporary folders."""
    from tests import helpers

    base = tmp_path_factory.getbasetemp()
    folder = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    helpers.RUN_FOLDER[:] = [folder]
    return folder


@pytest.fixture(autouse=True)
def isolation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own HOME, platform home, working directory and git config."""
    home = tmp_path / "home"
    home.mkdir()
    for name in list(os.environ):
        if name.startswith("PLATFORMCTL_") or name in _SCRUB:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("TERMINAL_WIDTH", "3000")
    monkeypatch.setenv("_TYPER_FORCE_DISABLE_TERMINAL", "1")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    from platformctl.redact import forget_secrets

    forget_secrets()  # redaction must not depend on what another test remembered
    return home


@dataclass
class Result:
    """What one CLI run printed and returned."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout parsed as the one JSON document it must be."""
        return json.loads(self.stdout)


@pytest.fixture
def cli() -> Any:
    """Run the real entry point in-process (CliRunner isolation): ``cli(*args, input=, env=)``."""
    from typer.testing import CliRunner

    from platformctl.cli.app import run

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        with runner.isolation(input=input, env=env) as (out, err, _):
            code = run(list(args))
            sys.stdout.flush()
            sys.stderr.flush()
            return Result(code, out.getvalue().decode(), err.getvalue().decode())

    return invoke


@pytest.fixture
def cli_process() -> Any:
    """Run ``python -m platformctl`` in a subprocess, stdin closed (no TTY)."""

    def invoke(
        *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 120
    ) -> Result:
        merged = {**os.environ, **(env or {})}
        proc = subprocess.run(
            [sys.executable, "-m", "platformctl", *args],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env={name: value for name, value in merged.items() if value is not None},
            cwd=cwd,
            timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return invoke


@pytest.fixture(scope="session")
def created_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The services of :func:`created` in this test process (see :func:`tests.helpers.built_once`)."""
    return tmp_path_factory.mktemp("created")


@pytest.fixture
def created(cli: Any, created_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``created(*args)``: the state a real ``new service ARGS`` (in ``work``, default platform
    home under HOME) left, made once per test process for each ``ARGS`` and copied back for this
    test at the path it was built at (:func:`tests.helpers.built_once`); returns the root, which
    holds ``home`` (HOME) and ``work`` (the working directory). For tests whose subject is what a
    later command makes of an existing service, not the render or the publish."""
    from tests.helpers import built_once

    def make(*args: str) -> Path:
        def build(root: Path) -> None:
            result = cli("new", "service", *args)
            assert result.exit_code == 0, result.stderr

        key = hashlib.sha256(json.dumps(args).encode()).hexdigest()[:12]
        return built_once(created_folder / key, build, monkeypatch, platform_home=False)

    return make
