"""The token appears in no output, log, error, file or git argv: checked with a PATH shim around git."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from tests.fakes.fixtures import BACKSTAGE_TOKEN, GITHUB_TOKEN, GITLAB_TOKEN
from tests.providers.scenario import use_tiny_golden_path

SHIM = """#!/bin/sh
# Record every git invocation: its argv and the names of the config keys it got from the environment.
{{
  printf 'ARGV:'; for a in "$@"; do printf ' %s' "$a"; done; printf '\\n'
  i=0; while [ "$i" -lt "${{GIT_CONFIG_COUNT:-0}}" ]; do
    eval "printf 'KEY: %s\\n' \\"\\$GIT_CONFIG_KEY_$i\\""; i=$((i+1)); done
}} >> "{log}"
exec "{git}" "$@"
"""


@pytest.fixture
def shimmed_path(tmp_path: Path) -> tuple[str, Path]:
    """A PATH whose ``git`` logs its argv to a file, then runs the real git."""
    folder, log = tmp_path / "shim", tmp_path / "git-argv.log"
    folder.mkdir()
    shim = folder / "git"
    shim.write_text(SHIM.format(log=log, git=shutil.which("git")))
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    import os

    return f"{folder}{os.pathsep}{os.environ['PATH']}", log


def files_containing(root: Path, secret: str) -> list[str]:
    """Every file under ``root`` whose bytes contain ``secret``."""
    return [str(p) for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_github_token_leaks_nowhere(
    cli_process, github, github_url, backstage_url, fast_http_env, tmp_path, shimmed_path
):
    path, argv_log = shimmed_path
    env = {
        **fast_http_env,
        **use_tiny_golden_path(tmp_path),
        "PLATFORMCTL_GITHUB_API_URL": github_url,
        "PLATFORMCTL_BACKSTAGE_URL": backstage_url,
        "GH_TOKEN": GITHUB_TOKEN,
        "BACKSTAGE_TOKEN": BACKSTAGE_TOKEN,
        "PATH": path,
    }
    github.lag = 1  # a retry warning is logged too
    ok = cli_process(
        "--debug",
        "new",
        "service",
        "payments",
        "--provider",
        "github",
        "--org",
        "acme",
        env=env,
        cwd=tmp_path / "work",
    )
    assert ok.exit_code == 0, ok.stderr
    assert "DEBUG platformctl.http: POST" in ok.stderr  # --debug shows every request...
    assert "WARNING platformctl.git: git could not push main" in ok.stderr  # ...and the retry
    again = cli_process(
        "--debug",
        "new",
        "service",
        "payments",
        "--provider",
        "github",
        "--org",
        "acme",
        env=env,
        cwd=tmp_path / "work",
    )  # reads: git ls-remote
    assert again.exit_code == 0, again.stderr

    github.add_token(
        "ghp_" + "NoPush" * 6, "octo", permissions={"metadata": "read", "administration": "write"}
    )
    failed = cli_process(
        "--debug",
        "new",
        "service",
        "other",
        "--provider",
        "github",
        "--org",
        "acme",
        env={**env, "GH_TOKEN": "ghp_" + "NoPush" * 6, "PLATFORMCTL_BACKSTAGE_URL": ""},
        cwd=tmp_path / "work",
    )
    assert failed.exit_code == 4
    assert "GitHub refused to push main to" in failed.stderr
    assert "the token lacks the permission contents: write" in failed.stderr
    assert "Traceback" in failed.stderr  # --debug: the traceback is shown, and it is clean too

    argv = argv_log.read_text()
    assert "push" in argv and "ls-remote" in argv
    assert "KEY: http.http://127.0.0.1:" in argv and ".extraHeader" in argv  # the header came from the env
    for secret in (GITHUB_TOKEN, "ghp_" + "NoPush" * 6, BACKSTAGE_TOKEN):
        for text in (ok.stdout, ok.stderr, again.stdout, again.stderr, failed.stdout, failed.stderr, argv):
            assert secret not in text
        assert files_containing(tmp_path, secret) == []
    config = (tmp_path / "work" / "payments" / ".git" / "config").read_text()
    assert f"url = {github_url}/acme/payments.git" in config and "extraheader" not in config.lower()


def test_gitlab_token_leaks_nowhere(cli_process, gitlab, gitlab_url, fast_http_env, tmp_path, shimmed_path):
    path, argv_log = shimmed_path
    env = {
        **fast_http_env,
        **use_tiny_golden_path(tmp_path),
        "PLATFORMCTL_GITLAB_URL": gitlab_url,
        "GITLAB_TOKEN": GITLAB_TOKEN,
        "PATH": path,
    }
    result = cli_process(
        "--debug",
        "new",
        "service",
        "payments",
        "--provider",
        "gitlab",
        "--org",
        "acme",
        env=env,
        cwd=tmp_path / "work",
    )
    assert result.exit_code == 0, result.stderr
    for text in (result.stdout, result.stderr, argv_log.read_text()):
        assert GITLAB_TOKEN not in text
    assert files_containing(tmp_path, GITLAB_TOKEN) == []
