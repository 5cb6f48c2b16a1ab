"""Global options work after the subcommand as well as before it, as in gh and kubectl."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_debug_after_the_subcommand_shows_the_traceback(cli):
    result = cli("new", "service", "Bad-Name", "--debug")
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert "no such option" not in result.stderr


def test_config_after_the_subcommand_is_read(cli, tmp_path):
    config = tmp_path / "elsewhere.yaml"
    config.write_text("owner: team-from-flag\n")
    for args in (("--config", str(config)), (f"--config={config}",)):
        result = cli("config", "show", "--json", *args)
        assert result.exit_code == 0, result.stderr
        assert "team-from-flag" in result.stdout


@pytest.mark.parametrize("flag", ["--no-input", "--no-color"])
def test_flags_after_the_subcommand_are_accepted(cli, flag):
    result = cli("golden-path", "list", flag)
    assert result.exit_code == 0, result.stderr
    assert "python-service" in result.stdout


def test_no_input_after_a_command_without_its_own_flag(cli, tmp_path):
    (tmp_path / "answers.yaml").write_text("{}\n")
    result = cli(
        "assess", "maturity", "--answers", str(tmp_path / "answers.yaml"), "--no-color", "--no-input"
    )
    assert "no such option" not in result.stderr


def test_a_double_dash_ends_the_search(cli):
    result = cli("new", "service", "--", "--debug")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert not Path("--debug").exists()
