"""Domain messages name inputs (``errors.option``); the CLI spells them as the running command's flags.

The placeholders are resolved against the real command tree, and through the real CLI every
``error:``/``hint:`` line, ``--json`` document, note and report shows flags, never a placeholder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.main import get_command

from platformctl.cli.app import GLOBAL_VALUED, _full_root
from platformctl.cli.flagnames import Spelling, unspelled
from platformctl.errors import OPTION_MARK, option


@pytest.fixture(scope="module")
def root():
    return get_command(_full_root())


def spelled(root, args: list[str], text: str) -> str:
    return Spelling(root, args, valued=GLOBAL_VALUED)(text)


def test_an_input_is_spelled_as_the_running_commands_flag(root):
    text = f"pass {option('answers_file')} FILE or {option('org')} ORG"
    assert spelled(root, ["new", "service", "web"], text) == "pass --answers-file FILE or --org ORG"
    # The global --config FILE before the command: its value is not a command word.
    assert spelled(root, ["--config", "env", "new", "service"], option("directory")) == "--dir"


def test_an_input_whose_parameter_has_another_name_is_spelled_through_the_table(root):
    assert spelled(root, ["update", "service"], f"{option('set')} port=8080") == "--set port=8080"
    assert spelled(root, ["env", "up", "dev"], option("class")) == "--class"


def test_an_input_the_command_has_no_flag_for_is_said_in_words(root):
    assert spelled(root, ["update", "service"], f"put it in an {option('answers_file')}") == (
        "put it in an answers file"
    )
    assert spelled(root, ["no-such-command"], option("org")) == "org"
    assert unspelled(f"{option('fail_under_level')} 2") == "fail under level 2"


def test_a_placeholder_about_another_command_takes_that_commands_flag(root):
    text = f"run 'platformctl assess delivery {option('events', command='assess delivery')} FILE'"
    assert spelled(root, ["assess", "maturity"], text) == "run 'platformctl assess delivery --events FILE'"
    # A command path that leads nowhere: words, not a wrong flag.
    assert spelled(root, ["new", "service"], option("events", command="assess nothing")) == "events"


def test_text_without_placeholders_is_returned_as_it_is(root):
    text = f"a lone {OPTION_MARK} and --real-flag stay"
    assert spelled(root, ["new", "service"], text) == text


def no_placeholder(*texts: str) -> None:
    for text in texts:
        assert OPTION_MARK not in text
        assert "\\u001f" not in text and "\\x1f" not in text


def test_the_error_lines_and_the_json_error_document_show_the_flag(cli):
    human = cli("new", "service", "web", "--set", "port")
    assert human.exit_code == 2
    assert "error: --set expects KEY=VALUE, got 'port'\nhint: for example: --set port=8080\n" in human.stderr
    machine = cli("new", "service", "web", "--set", "port", "--json")
    assert machine.json()["error"] == {
        "message": "--set expects KEY=VALUE, got 'port'",
        "hint": "for example: --set port=8080",
        "exit_code": 2,
    }
    no_placeholder(human.stdout, human.stderr, machine.stdout, machine.stderr)


def test_a_value_shaped_like_a_placeholder_is_shown_escaped_not_spelled(cli):
    result = cli("new", "service", "web", "--set", f"{OPTION_MARK}org{OPTION_MARK}")
    assert result.exit_code == 2
    assert "got '\\x1forg\\x1f'" in result.stderr
    assert "--org" not in result.stderr


def test_notes_and_every_report_format_show_flags(cli, tmp_path: Path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("{}\n")
    plain = tmp_path / "plain"
    plain.mkdir()
    base = ["assess", "maturity", "--answers", str(answers), "--allow-unknown", "--detect", str(plain)]
    machine = cli(*base, "--json")
    assert machine.exit_code == 0, machine.stderr
    note = "--detect plain: not a git repository with files; not counted as evidence"
    assert note in machine.json()["notes"]
    human = cli(*base)
    assert f"note: {note}" in human.stdout
    html, markdown = tmp_path / "report.html", tmp_path / "report.md"
    assert cli(*base, "-o", str(html)).exit_code == 0
    assert cli(*base, "-o", str(markdown)).exit_code == 0
    assert "saved with <code>--save</code>" in html.read_text()
    assert note in markdown.read_text()
    no_placeholder(machine.stdout, human.stdout, human.stderr, html.read_text(), markdown.read_text())
    json.loads(machine.stdout)  # still one JSON document


def test_a_threshold_failure_names_the_flag_in_the_error_line(cli, tmp_path: Path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("{}\n")
    result = cli("assess", "maturity", "--answers", str(answers), "--allow-unknown", "--fail-under", "90")
    assert result.exit_code == 3
    assert "(--fail-under)" in result.stderr
    no_placeholder(result.stdout, result.stderr)
