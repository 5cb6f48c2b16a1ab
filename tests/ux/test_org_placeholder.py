"""Without an `org` setting the golden path's placeholder organisation is announced, once."""

from __future__ import annotations

import os
import sys

import pytest
import yaml


def test_placeholder_org_warns_once_naming_the_setting(cli, tmp_path):
    result = cli("new", "service", "payments")
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "'my-org'" in warnings[0] and "ghcr.io/my-org/" in warnings[0] and "@my-org/" in warnings[0]
    assert "set 'org' in platformctl.yaml" in warnings[0]
    assert "my-org" in (tmp_path / "work" / "payments" / "CODEOWNERS").read_text()


def test_no_warning_with_an_org(cli, tmp_path):
    result = cli("new", "service", "payments", "--org", "acme")
    assert result.exit_code == 0, result.stderr
    assert "warning:" not in result.stderr
    again = cli("new", "service", "billing", "--set", "organization=acme")
    assert again.exit_code == 0 and "warning:" not in again.stderr


def test_config_init_asks_for_the_org_on_a_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "TERM": "dumb", "NO_COLOR": "1"}
    child = pexpect.spawn(
        sys.executable, ["-m", "platformctl", "config", "init"], cwd=str(tmp_path), env=env, encoding="utf-8"
    )
    child.expect("Organisation that owns new repositories")
    child.sendline("not an org")
    child.expect("use letters, digits")
    child.sendline("acme")
    child.expect("wrote platformctl.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert yaml.safe_load((tmp_path / "platformctl.yaml").read_text())["org"] == "acme"


def test_config_init_without_a_terminal_asks_nothing(cli):
    result = cli("config", "init")
    assert result.exit_code == 0
    with open("platformctl.yaml") as config:
        assert "org" not in (yaml.safe_load(config) or {})
