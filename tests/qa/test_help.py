"""Help texts reach the reader as written, for every command, and the bare groups behave."""

from __future__ import annotations

import re

import pytest

BRACKETED = re.compile(r"\[[^\]]+\]")


def _commands():
    """(path, raw help texts) of every command, from the tree as it is declared (before any tidying)."""
    from typer.main import get_command

    from platformctl.cli import app as cli_app

    if not cli_app.app.registered_groups:
        cli_app._register()
    found = []

    def walk(command, path):
        texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
        found.append((path, texts))
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, (*path, name))

    walk(get_command(cli_app.app), ())
    return found


COMMANDS = _commands()


@pytest.mark.parametrize(("path", "texts"), COMMANDS, ids=[" ".join(p) or "platformctl" for p, _ in COMMANDS])
def test_help_shows_every_bracketed_note_and_keeps_paragraphs_whole(cli, path, texts):
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.stderr
    lines = [" ".join(line.strip(" │").split()) for line in result.stdout.splitlines()]
    shown = "\n".join(lines)
    for text in texts:
        for note in BRACKETED.findall(text):  # e.g. [env var: PLATFORMCTL_CONFIG], [default: ./NAME]
            assert " ".join(note.split()) in shown, f"{note!r} is missing from '{' '.join(path)} --help'"
    # Later paragraphs of a docstring are printed whole (the test terminal is wide), not cut
    # where the source line happened to end.
    for paragraph in texts[0].split("\n\n")[1:] if texts[0] else []:
        words = " ".join(paragraph.split())
        if words and not words.startswith("\b"):
            assert any(words in line for line in lines), f"paragraph broken in {' '.join(path)}: {words!r}"


def test_a_known_note_is_visible(cli):
    assert "[env var: PLATFORMCTL_CONFIG]" in cli("--help").stdout
    assert "[default: ./NAME]" in cli("new", "service", "--help").stdout


@pytest.mark.parametrize("args", [(), ("new",), ("golden-path",), ("assess",)])
def test_a_bare_group_prints_its_help_and_no_empty_error(cli, args):
    result = cli(*args, env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 2
    assert "Usage" in result.stdout
    assert "error:" not in result.stderr
    assert "::error" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("new", "service", "x", "--set"),
        ("--no-input", "new", "service", "x", "--owner"),
        ("update", "service", "--to"),
    ],
)
def test_an_option_missing_its_value_points_at_its_command(cli, args):
    result = cli(*args)
    assert result.exit_code == 2
    command = " ".join(a for a in args[:3] if not a.startswith("-") and a != "x")
    assert result.stderr.splitlines() == [
        f"error: Option '{args[-1]}' requires an argument.",
        f"hint: run 'platformctl {command} --help' for usage",
    ]


def test_an_invalid_choice_reads_plainly(cli):
    result = cli("assess", "maturity", "--format", "xml")
    assert result.exit_code == 2
    assert "Value error" not in result.stderr
    assert "'xml' is not one of 'markdown', 'json', 'html'" in result.stderr


@pytest.mark.parametrize(
    ("path", "option"),
    [
        (("new", "service"), "--set"),
        (("new", "service"), "--topic"),
        (("new", "service"), "--team"),
        (("update", "service"), "--set"),
    ],
)
def test_repeatable_options_name_what_they_take(cli, path, option):
    line = next(line for line in cli(*path, "--help").stdout.splitlines() if f"│ {option} " in line)
    assert "list[str]" not in line
    assert "(repeatable)" in line
