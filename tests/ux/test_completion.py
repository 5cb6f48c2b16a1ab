"""Shell completion, through the completion entry point the shell scripts call."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def complete(cwd: Path, words: str, **env: str) -> list[str]:
    """What bash would be offered for the last word of ``words`` (ending in a space: a new word)."""
    parts = words.split(" ")
    proc = subprocess.run(
        [sys.executable, "-m", "platformctl"],
        env={
            **os.environ,
            "_PLATFORMCTL_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(parts) - 1),
            **env,
        },
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout.split()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script_per_shell(cli, shell):
    result = cli("completion", shell)
    assert result.exit_code == 0
    assert "_PLATFORMCTL_COMPLETE=complete_" + shell in result.stdout


def test_an_unknown_shell_is_a_usage_error(cli):
    assert cli("completion", "tcsh").exit_code == 2


def test_commands_and_flags_complete(tmp_path):
    assert complete(tmp_path, "platformctl ne") == ["new"]
    assert "completion" in complete(tmp_path, "platformctl ")
    assert {"--dir", "--dry-run", "--description"} <= set(complete(tmp_path, "platformctl new service x --d"))


def test_golden_path_names_complete(tmp_path):
    assert complete(tmp_path, "platformctl new service x -g ") == [
        "go-service",
        "node-service",
        "python-service",
    ]
    assert complete(tmp_path, "platformctl golden-path show py") == ["python-service"]


def test_environment_names_of_the_current_service_and_service_folders(cli, tmp_path):
    work = tmp_path / "work"
    assert cli("new", "service", "payments").exit_code == 0
    os.chdir(work / "payments")
    assert cli("env", "up", "qa-1", "--class", "staging").exit_code == 0
    assert complete(work / "payments", "platformctl env status ") == ["production", "qa-1", "staging"]
    assert complete(work / "payments", "platformctl env down st") == ["staging"]
    (work / "not-a-service").mkdir()
    assert complete(work, "platformctl check service ") == ["payments"]
    assert complete(tmp_path, "platformctl env status ") == []  # no service here: nothing, no error
