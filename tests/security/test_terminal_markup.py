"""Text from configuration and golden paths is printed as it is: never read as rich markup."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import build_golden_path, configure_golden_path, trust_project_file

MARKUP = "[link=https://attacker.test]Official[/link] [black on black]hidden[/]"


def test_golden_path_text_is_shown_literally(cli, tmp_path):
    folder = build_golden_path(
        tmp_path / "gp",
        name="tiny",
        questions="""\
        tier:
          type: str
          default: gold
          help: "[red]Tier[/]"
        """,
    )
    metadata = folder / "golden-path.yaml"
    metadata.write_text(metadata.read_text().replace("A tiny test service", f"'{MARKUP}'"))
    configure_golden_path(Path.cwd(), "tiny", folder)
    listed = cli("golden-path", "list")
    assert listed.exit_code == 0, listed.stderr
    assert MARKUP in listed.stdout
    shown = cli("golden-path", "show", "tiny")
    assert MARKUP in shown.stdout
    assert "[red]Tier[/]" in shown.stdout


def test_config_values_are_shown_literally(cli):
    (Path.cwd() / "platformctl.yaml").write_text("home: '[bold]platform[/]'\n")
    trust_project_file(Path.cwd() / "platformctl.yaml")
    result = cli("config", "show")
    assert result.exit_code == 0, result.stderr
    assert "[bold]platform[/]" in result.stdout
