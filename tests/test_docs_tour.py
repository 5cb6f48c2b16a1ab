"""The README's and docs/getting-started.md's shell blocks run top to bottom in a scratch home.

Each document runs in one bash session started in a scratch "checkout" (the install steps are
replaced by a `.venv` whose `platformctl` is this one; the project's own test run is left out),
with HOME, the platform home and git's config all inside the test's folder. Lines that need a
terminal or a remote host say so in their comment or flags and are skipped; a line whose
comment documents exit 3 may exit 3. Everything else must exit 0, in order.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

DOCUMENTS = ("README.md", "docs/getting-started.md")
NEEDS_MORE = ("on a terminal", "GH_TOKEN", "--provider github", "--provider gitlab")
INSTALL = re.compile(r"^(python3 -m venv|.*pip install|.*-m pytest)")


def shell_blocks(text: str) -> list[str]:
    """The bodies of the ```sh blocks, in order."""
    return re.findall(r"^```(?:sh|bash|shell)\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def runnable(line: str) -> str:
    """The line as the test runs it: install steps dropped, exit 3 allowed where documented."""
    if not line.strip() or line.lstrip().startswith("#") or any(m in line for m in NEEDS_MORE):
        return ""
    parts = [part for part in line.split(" && ") if not INSTALL.match(part.strip())]
    command = " && ".join(parts)
    if "exit 3" in line:
        command = f"{{ {command.split('  #')[0]}; }} || [ $? -eq 3 ]"
    return command


def _scratch_checkout(root: Path) -> Path:
    """A folder standing in for the platformctl checkout after `pip install .`."""
    checkout = root / "platformctl"
    bin_dir = checkout / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    shim = bin_dir / "platformctl"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m platformctl "$@"\n')
    shim.chmod(0o755)
    (bin_dir / "activate").write_text(f'PATH={shlex.quote(str(bin_dir))}:"$PATH"; export PATH\n')
    return checkout


@pytest.mark.slow
def test_the_documented_commands_run_in_order(tmp_path, isolation):
    checkout = _scratch_checkout(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORMCTL_")}
    env.update(
        HOME=str(isolation),
        PATH=os.environ.get("PATH", "/usr/bin:/bin"),
        PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
    )
    for document in DOCUMENTS:
        blocks = shell_blocks((REPO_ROOT / document).read_text(encoding="utf-8"))
        assert blocks, f"{document} has no shell blocks"
        lines = [runnable(line) for block in blocks for line in block.splitlines()]
        script = "set -e\n" + "".join(
            f"echo '+ {line.replace(chr(39), '')}' >&2\n{line}\n" for line in lines if line
        )
        proc = subprocess.run(
            ["bash", "-c", script], cwd=checkout, env=env, capture_output=True, text=True, timeout=900
        )
        assert proc.returncode == 0, f"{document}: the last command shown failed\n{proc.stderr[-4000:]}"


def test_install_steps_and_skips_are_recognised():
    assert runnable("python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/platformctl x") == (
        ".venv/bin/platformctl x"
    )
    assert runnable("platformctl assess maturity   # on a terminal") == ""
    assert runnable("platformctl env status pr-42  # drift (exit 3)").endswith("|| [ $? -eq 3 ]")
