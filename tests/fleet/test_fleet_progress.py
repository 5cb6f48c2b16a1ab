"""`fleet update` draws a progress bar on stderr for a person at a terminal, and only then.

Three services behind on the local forge; the command runs on a pseudo-terminal (pexpect), and
in-process: in CI and with ``--json`` on streams that say they are a terminal (next to the same
run without them, which draws the bar there), and with stderr a buffer. The bar (rich's, ``━``
and ``N/3``) shows on the terminal only; the step lines and the result are the same everywhere.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from tests.fleet.test_local_fleet import FILES, release
from tests.helpers import at_a_terminal, build_golden_path, built_once, configure_golden_path

pexpect = pytest.importorskip("pexpect")
BAR = re.compile(r"tiny services [━╺╸]+ [0-3]/3 ")  # rich's bar, then done/total, once colours are gone
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="session")
def fleet_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fleet's folder in this test process (see :func:`tests.helpers.built_once`)."""
    return tmp_path_factory.mktemp("fleet-progress")


@pytest.fixture
def fleet(cli, fleet_folder, monkeypatch):
    """alpha, beta and gamma on tiny 1.0.0; tiny 1.1.0 released. Built once per test process."""

    def build(root: Path) -> None:
        gp = build_golden_path(root / "gp", files=FILES)
        (gp / "CHANGELOG.md").write_text("## 1.0.0\n\n- first release\n")
        configure_golden_path(root / "work", "tiny", gp)
        for name in ("alpha", "beta", "gamma"):
            assert cli("new", "service", name, "-g", "tiny").exit_code == 0
        release(gp, "1.1.0", "print('v1.1')\n")

    return built_once(fleet_folder, build, monkeypatch) / "work"


def on_a_terminal(work, *args, **env):
    child = pexpect.spawn(
        sys.executable,
        ["-m", "platformctl", "fleet", "update", "-g", "tiny", *args],
        cwd=str(work),
        env={**os.environ, "TERM": "xterm-256color", **env},
        encoding="utf-8",
        timeout=180,
        dimensions=(40, 120),
    )
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, ANSI.sub("", child.before)


def test_a_progress_bar_on_a_terminal(fleet):
    status, shown = on_a_terminal(fleet)
    assert status == 0, shown
    assert BAR.search(shown), shown
    assert "local/gamma" in shown and "opened" in shown


@pytest.mark.parametrize(
    ("args", "env", "bar"),
    [((), {}, True), ((), {"CI": "true"}, False), (("--json",), {}, False)],
    ids=["terminal", "ci", "json"],
)
def test_no_bar_in_ci_or_with_json(fleet, args, env, bar):
    status, out, err = at_a_terminal(["fleet", "update", "-g", "tiny", *args], env)
    shown = ANSI.sub("", out + err)
    assert status == 0, shown
    assert ("━" in shown) is bar and bool(BAR.search(shown)) is bar
    assert "opened" in shown


def test_no_bar_when_stderr_is_not_a_terminal(cli, fleet):
    result = cli("fleet", "update", "-g", "tiny")  # in-process: stderr is a buffer, not a terminal
    assert result.exit_code == 0, result.stderr
    assert "━" not in result.stderr and not BAR.search(result.stderr)
    assert "• local/alpha: 1.0.0 → 1.1.0" in result.stderr
