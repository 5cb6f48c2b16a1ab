"""What reaches the terminal when a command fails: secrets blanked, no local variables, even with --debug."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.helpers import build_golden_path, configure_golden_path

SECRET = "Sup3r-Secret-Answer-42"
CANARY = "Canary-Answer-7"  # an ordinary answer: only a traceback with local variables would show it
QUESTIONS = """\
db_password:
  type: str
  secret: true
  default: ""
flavour:
  type: str
  default: plain
"""


@pytest.fixture
def failing_render(tmp_path: Path) -> list[str]:
    """A golden path whose render fails with an error that quotes the secret answer."""
    folder = build_golden_path(
        tmp_path / "gp",
        name="tiny",
        questions=QUESTIONS,
        files={"README.md.jinja": "{{ flavour }}{% include db_password %}\n"},
    )  # Jinja: '<answer>' not found
    configure_golden_path(Path.cwd(), "tiny", folder)
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({"db_password": SECRET, "flavour": CANARY}))
    return ["new", "service", "billing", "-g", "tiny", "--no-input", "--answers-file", str(answers)]


def test_a_secret_in_an_error_message_is_blanked(cli, failing_render):
    result = cli(*failing_render)
    assert result.exit_code == 1
    assert "error: rendering golden path 'tiny' failed: '***' not found in search path" in result.stderr
    assert SECRET not in result.stderr + result.stdout


def test_a_debug_traceback_blanks_secrets_and_shows_no_local_variables(cli, failing_render):
    result = cli("--debug", *failing_render)
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "jinja2.exceptions.TemplateNotFound: '***' not found" in result.stderr  # the cause, blanked too
    assert SECRET not in result.stderr
    assert CANARY not in result.stderr  # the answers are a local variable of many frames


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_is_one_blanked_line_and_a_traceback_only_with_debug(cli, monkeypatch, debug):
    from platformctl.providers.tokens import Token
    from platformctl.scaffold import catalog

    token = Token("ghp_" + "Unexpected0Bug1Token2" * 2, "GH_TOKEN")

    def bug(*args: object) -> None:  # a bug that puts a token in its message
        raise RuntimeError(f"request with {token.reveal()} failed")

    monkeypatch.setattr(catalog, "get_golden_path", bug)
    result = cli(*(["--debug"] if debug else []), "new", "service", "billing", "--no-input")
    assert result.exit_code == 1
    assert "error: unexpected RuntimeError: request with *** failed" in result.stderr
    assert token.reveal() not in result.stderr
    assert ("Traceback (most recent call last)" in result.stderr) is debug
