"""Shell completion, through the completion entry point the shell scripts call.

The shells' protocol (the ``_PLATFORMCTL_COMPLETE`` variable and its companions) is answered
in-process here: the entry point reads those variables and exits, as a fresh process would.
The printed bash script, sourced by a real bash that calls a real ``platformctl`` process, is
the one end-to-end check (the last test)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Answer:
    """What the entry point printed and exited with when a shell asked it to complete."""

    returncode: int
    stdout: str
    stderr: str


def ask(cwd: Path, instruction: str, **env: str) -> Answer:
    """platformctl called back the way a completion script calls it (``env`` as it sets them),
    in-process in ``cwd``: click answers the protocol and exits (SystemExit), as the process would."""
    from typer.testing import CliRunner

    from platformctl.cli.app import run

    before = Path.cwd()
    os.chdir(cwd)
    try:
        with CliRunner().isolation(env={"_PLATFORMCTL_COMPLETE": instruction, **env}) as (out, err, _):
            try:
                code = run([])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            sys.stdout.flush()
            sys.stderr.flush()
            return Answer(code, out.getvalue().decode(), err.getvalue().decode())
    finally:
        os.chdir(before)


def complete(cwd: Path, words: str, **env: str) -> list[str]:
    """What bash would be offered for the last word of ``words`` (ending in a space: a new word)."""
    parts = words.split(" ")
    proc = ask(cwd, "complete_bash", COMP_WORDS=words, COMP_CWORD=str(len(parts) - 1), **env)
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


def test_the_zsh_protocol_gives_an_arguments_call_with_the_candidates(tmp_path):
    proc = ask(tmp_path, "complete_zsh", _TYPER_COMPLETE_ARGS="platformctl new service x -g py")
    assert (proc.returncode, proc.stdout.strip()) == (0, """_arguments '*: :(("python-service"))'""")
    proc = ask(tmp_path, "complete_zsh", _TYPER_COMPLETE_ARGS="platformctl golden-path ")
    assert proc.stdout.startswith("_arguments '*: :((") and '"list":"List bundled' in proc.stdout
    # Nothing to offer: zsh completes file names instead.
    proc = ask(tmp_path, "complete_zsh", _TYPER_COMPLETE_ARGS="platformctl new service x --answers-file ")
    assert proc.stdout.strip() == "_files"


def test_the_fish_protocol_gives_candidates_with_help_and_says_whether_it_has_any(tmp_path):
    words = {"_TYPER_COMPLETE_ARGS": "platformctl env "}
    proc = ask(tmp_path, "complete_fish", _TYPER_COMPLETE_FISH_ACTION="get-args", **words)
    names = [line.split("\t")[0] for line in proc.stdout.splitlines()]
    assert names == ["up", "down", "status", "list", "reap"]
    assert ask(tmp_path, "complete_fish", _TYPER_COMPLETE_FISH_ACTION="is-args", **words).returncode == 0
    files = {"_TYPER_COMPLETE_ARGS": "platformctl new service x --answers-file "}
    assert ask(tmp_path, "complete_fish", _TYPER_COMPLETE_FISH_ACTION="is-args", **files).returncode == 1
    proc = ask(
        tmp_path,
        "complete_fish",
        _TYPER_COMPLETE_FISH_ACTION="get-args",
        _TYPER_COMPLETE_ARGS="platformctl new service x --golden-path g",
    )
    assert proc.stdout.split() == ["go-service"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_bash_script_completes_through_its_function(cli, tmp_path):
    """The printed script, sourced by bash: its function fills COMPREPLY by calling platformctl."""
    script = tmp_path / "completion.bash"
    script.write_text(cli("completion", "bash").stdout)
    shim = tmp_path / "bin" / "platformctl"  # the platformctl the script calls, by name on PATH
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m platformctl "$@"\n')
    shim.chmod(0o755)

    def reply(*words: str) -> list[str]:
        line = " ".join(f"'{word}'" for word in words)
        program = (
            f"source '{script}'\nCOMP_WORDS=({line})\nCOMP_CWORD={len(words) - 1}\n"
            '_platformctl_completion\nprintf "%s\\n" "${COMPREPLY[@]}"\ncomplete -p platformctl\n'
        )
        env = {**os.environ, "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}"}
        proc = subprocess.run(
            ["bash", "--norc", "--noprofile", "-c", program],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        *candidates, registered = proc.stdout.splitlines()
        assert registered == "complete -o default -F _platformctl_completion platformctl"
        return [c for c in candidates if c]

    assert reply("platformctl", "new", "service", "x", "-g", "") == [
        "go-service",
        "node-service",
        "python-service",
    ]
    assert reply("platformctl", "golden-path", "sh") == ["show"]
    assert reply("platformctl", "env", "st") == ["status"]
