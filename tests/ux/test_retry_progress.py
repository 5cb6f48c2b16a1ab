"""While the HTTP policy waits before a retry, a person at a terminal is told why and for how
long; a pipe, CI and ``--json`` get no such line.

One run on a real terminal (pexpect) shows the line; the variants that must not show it run
in-process with a stderr that says it is a terminal (what the product asks before drawing),
next to the same run without the flag, which shows it there."""

from __future__ import annotations

import os
import sys

import pytest

from tests.fakes.base import Fault
from tests.fakes.fixtures import GITHUB_TOKEN, fast_http_env, github, github_url  # noqa: F401
from tests.helpers import at_a_terminal
from tests.providers.scenario import use_tiny_golden_path

pexpect = pytest.importorskip("pexpect")

ARGS = ("new", "service", "payments", "--provider", "github", "--org", "acme", "--no-input")
SHOWN = "waiting 1 s for GitHub's rate limit (retry 2/5)…"
SHOWN_SHORT = "waiting under a second for GitHub's rate limit (retry 2/5)…"


def rate_limited(github, seconds: str) -> None:  # noqa: F811
    """The first read of the repository is refused once with a rate limit naming its wait."""
    github.inject(
        Fault(
            "GET",
            "/repos/acme/payments",
            429,
            {"message": "API rate limit exceeded"},
            {"Retry-After": seconds},
        )
    )


@pytest.fixture
def env(github, github_url, fast_http_env, tmp_path):  # noqa: F811
    return {
        **fast_http_env,
        **use_tiny_golden_path(tmp_path),
        "PLATFORMCTL_GITHUB_API_URL": github_url,
        "GH_TOKEN": GITHUB_TOKEN,
    }


def on_a_terminal(tmp_path, env, *extra, **more):
    child = pexpect.spawn(
        sys.executable,
        ["-m", "platformctl", *ARGS, *extra],
        cwd=str(tmp_path / "work"),
        env={**os.environ, "TERM": "xterm-256color", **env, **more},
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
    )
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before


def test_a_retry_wait_is_shown_on_a_terminal(tmp_path, env, github):  # noqa: F811
    rate_limited(github, "1")
    status, shown = on_a_terminal(tmp_path, env)
    assert status == 0, shown
    assert SHOWN in shown
    assert [e.status for e in github.log if e.path == "/repos/acme/payments"][:2] == [429, 404]


@pytest.mark.parametrize(
    ("extra", "more", "line"),
    [((), {}, True), (("--json",), {}, False), ((), {"CI": "true"}, False)],
    ids=["terminal", "json", "ci"],
)
def test_a_wait_line_at_a_terminal_none_with_json_or_in_ci(env, github, extra, more, line):  # noqa: F811
    rate_limited(github, "0.2")
    status, _, shown = at_a_terminal([*ARGS, *extra], {**env, **more})
    assert status == 0, shown
    assert next(e.status for e in github.log if e.path == "/repos/acme/payments") == 429  # it did wait
    assert (SHOWN_SHORT in shown) is line
    assert ("waiting" in shown) is line


def test_no_wait_line_off_a_terminal(cli, env, github):  # noqa: F811
    rate_limited(github, "0.2")
    result = cli(*ARGS, env=env)  # in-process: stderr is a buffer, not a terminal
    assert result.exit_code == 0, result.stderr
    assert next(e.status for e in github.log if e.path == "/repos/acme/payments") == 429
    assert "waiting" not in result.stderr
