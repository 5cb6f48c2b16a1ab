"""A spinner on stderr while slow steps run, only for a person at a terminal.

A real terminal (pexpect) shows it; CI and ``--json`` run in-process with streams that say they
are a terminal (:func:`tests.helpers.at_a_terminal`), next to the same run without them."""

from __future__ import annotations

import os
import sys

import pytest

from tests.helpers import at_a_terminal

pexpect = pytest.importorskip("pexpect")
FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"  # rich's "dots" spinner


def run_on_a_terminal(tmp_path, *args, **env):
    work = tmp_path / "work"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "platformctl", *args],
        cwd=str(work),
        env={**os.environ, "TERM": "xterm-256color", **env},
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
    )
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before


def test_a_spinner_runs_on_a_terminal(tmp_path):
    status, shown = run_on_a_terminal(tmp_path, "new", "service", "payments", "--no-input")
    assert status == 0, shown
    assert any(frame in shown for frame in FRAMES)
    assert "service" in shown and "payments" in shown and "Next:" in shown  # colour codes between words


@pytest.mark.parametrize(
    ("args", "env", "spins"),
    [((), {}, True), ((), {"CI": "true"}, False), (("--json",), {}, False)],
    ids=["terminal", "ci", "json"],
)
def test_no_spinner_in_ci_or_with_json(args, env, spins):
    status, out, shown = at_a_terminal(["new", "service", "payments", "--no-input", *args], env)
    assert status == 0, shown
    assert any(frame in out + shown for frame in FRAMES) is spins


def test_no_spinner_when_stderr_is_not_a_terminal(cli):
    result = cli("new", "service", "payments")  # in-process: stderr is a buffer, not a terminal
    assert result.exit_code == 0, result.stderr
    assert not any(frame in result.stderr for frame in FRAMES)
    assert "• rendering" in result.stderr
