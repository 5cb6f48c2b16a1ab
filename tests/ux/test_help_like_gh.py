"""Help that reads like gh's: no Python types, bounds shown, an example everywhere, exit codes."""

from __future__ import annotations

import os
import re
import sys

import pytest

COMMANDS = [
    "new service",
    "check service",
    "update service",
    "golden-path list",
    "golden-path show",
    "config show",
    "config init",
    "config trust",
    "env up",
    "env down",
    "env status",
    "env list",
    "env reap",
    "assess maturity",
    "fleet status",
    "fleet update",
    "assess delivery",
    "delivery record",
    "golden-path lint",
    "golden-path test",
    "golden-path new",
    "adopt service",
]
CAN_EXIT_3 = [
    "check service",
    "update service",
    "env status",
    "assess maturity",
    "fleet status",
    "fleet update",
    "assess delivery",
    "golden-path lint",
    "golden-path test",
]


def test_every_command_is_listed_here(cli):
    from typer.main import get_command

    from platformctl.cli.app import _register, app

    if not app.registered_groups:
        _register()
    root = get_command(app)
    found = {f"{g} {c}" for g, group in root.commands.items() for c in getattr(group, "commands", {})}
    assert found == set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_an_example_and_no_python_types(cli, command):
    result = cli(*command.split(), "--help")
    assert result.exit_code == 0
    text = result.stdout
    assert "Example: platformctl " + command in text
    for python in ("<bool>", "<str>", "<int>", "list[", "<path>", "<file>"):
        assert python not in text, f"{command} --help shows {python}"


@pytest.mark.parametrize("command", CAN_EXIT_3)
def test_commands_that_can_exit_3_say_so(cli, command):
    text = cli(*command.split(), "--help").stdout
    assert re.search(r"Exit codes: .*3 ", " ".join(text.split()))


def test_bounds_are_shown(cli):
    text = cli("assess", "maturity", "--help").stdout
    assert re.search(r"--fail-under-level\s+1\.\.4", text)
    assert re.search(r"--fail-under\s+SCORE 0\.\.100", text)
    assert "x>=" not in text and "<=x" not in text


def test_a_flag_takes_no_value(cli):
    text = cli("new", "service", "--help").stdout
    line = next(line for line in text.splitlines() if "--dry-run" in line)
    assert re.search(r"--dry-run\s+-n\s+Show what would happen", line)


def test_golden_path_show_at_80_columns_keeps_every_default_whole(cli):
    pexpect = pytest.importorskip("pexpect")
    doc = cli("golden-path", "show", "python-service", "--json").json()
    env = {**os.environ, "TERM": "dumb", "NO_COLOR": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "platformctl", "golden-path", "show", "python-service"],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(200, 80),
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    joined = " ".join(child.before.replace("\r", "").split())  # the terminal wraps; nothing is cut
    assert "…" not in child.before
    for question in doc["questions"]:
        default = question["default"]
        if default in (None, "") or "{{" in str(default):
            continue
        assert f"default: {default}" in joined, question["name"]
    assert "default: ghcr.io/my-org/<service_name> (computed from service_name, organization, ci)" in joined
