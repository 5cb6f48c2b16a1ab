"""No displayed value can start a line, a workflow command or a terminal escape sequence.

Values come from ``platform.yaml`` (it arrives in pull requests), ``platformctl.yaml``, golden
paths, flags and servers; each is tried through the real CLI in human output and in GitHub
Actions mode, then the escaping helper itself is checked property by property.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from platformctl.textsafe import UNSAFE, escape_controls, neutralize_workflow_commands
from tests.helpers import build_golden_path, configure_golden_path

# As written in YAML double quotes: newline + workflow commands, OSC title, CSI colour, C1 CSI,
# a bidi override, a carriage return and DEL.
HOSTILE_YAML = r"info\n::stop-commands::pwned\n::error::forged\e]0;owned\a\e[31mred\x9b2J\u202eevil\rback\x7f"
DESCRIPTOR = f"""\
apiVersion: platformctl/v1
name: payments
owner: team-payments
golden_path:
  name: python-service
  version: 0.1.0
  source: bundled
  pristine_commit: {"0" * 40}
  answers: {{service_name: payments}}
repository: {{provider: local, slug: local/payments, url: /nowhere}}
environments:
  staging:
    class: staging
    providers: [local]
    variables: {{LOG_LEVEL: "{HOSTILE_YAML}"}}
"""
OUR_COMMANDS = ("::error title=platformctl::", "::add-mask::")
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_inert(*texts: str, actions: bool = False) -> None:
    """No raw control character (but line ends), no line that is a command we did not write;
    in Actions mode no ``::`` at all outside our own commands (a wrapped line could start there)."""
    for text in texts:
        assert not RAW.search(text), repr(RAW.search(text))
        for line in text.splitlines():
            if line.startswith(OUR_COMMANDS):
                continue
            assert not line.lstrip().startswith("::"), line
            if actions:
                assert "::" not in line, line


def actions_env(tmp_path: Path) -> dict[str, str]:
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "PLATFORMCTL_HOME": str(tmp_path / "platform-home"),
    }


def test_a_hostile_variable_value_in_platform_yaml_is_printed_inert(cli, tmp_path):
    (Path.cwd() / "platform.yaml").write_text(DESCRIPTOR)
    env = {"PLATFORMCTL_HOME": str(tmp_path / "platform-home")}
    human = cli("env", "up", "staging", "--dry-run", env=env)
    assert human.exit_code == 0, human.stderr
    assert "LOG_LEVEL" in human.stdout
    assert_inert(human.stdout, human.stderr)
    assert "\\n::stop-commands::pwned" in human.stdout + human.stderr  # shown, escaped
    ci = cli("env", "up", "staging", env=actions_env(tmp_path))
    assert ci.exit_code == 0, ci.stderr
    assert_inert(ci.stdout, ci.stderr, actions=True)
    summary = (tmp_path / "summary.md").read_text()
    assert not RAW.search(summary), repr(RAW.search(summary))


def test_a_hostile_flag_value_in_an_error_is_one_inert_line(cli, tmp_path):
    name = "st\n::stop-commands::x\n\x1b[2J\u202e"
    for env in ({}, actions_env(tmp_path)):
        result = cli("env", "up", name, env=env)
        assert result.exit_code == 2, result.stderr
        assert_inert(result.stdout, result.stderr, actions=bool(env))
        assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1


def test_hostile_settings_are_shown_escaped(cli, tmp_path):
    config = tmp_path / "settings.yaml"  # --config/PLATFORMCTL_CONFIG: a trusted file
    config.write_text(f'home: "{HOSTILE_YAML}"\n')
    for mode in ({}, actions_env(tmp_path)):
        env = {k: v for k, v in mode.items() if k != "PLATFORMCTL_HOME"}  # home is the value shown
        result = cli("config", "show", env={**env, "PLATFORMCTL_CONFIG": str(config)})
        assert result.exit_code == 0, result.stderr
        assert_inert(result.stdout, result.stderr, actions=bool(mode))
        assert "\\x1b]0;owned" in result.stdout


def test_hostile_golden_path_texts_are_shown_escaped(cli, tmp_path):
    folder = build_golden_path(
        tmp_path / "gp",
        name="tiny",
        questions=f"""\
        tier:
          type: str
          default: gold
          help: "{HOSTILE_YAML}"
        """,
    )
    configure_golden_path(Path.cwd(), "tiny", folder)
    for env in ({}, actions_env(tmp_path)):
        shown = cli("golden-path", "show", "tiny", env=env)
        assert shown.exit_code == 0, shown.stderr
        assert_inert(shown.stdout, shown.stderr, actions=bool(env))


def test_an_annotation_is_one_line_whatever_the_message():
    import io
    import sys

    from platformctl.cli import gha

    captured, sys.stderr = io.StringIO(), io.StringIO()
    try:
        gha.annotate_error("boom\n::stop-commands::x\x1b[31m\r\n", title="t\n::x")
    finally:
        captured, sys.stderr = sys.stderr, sys.__stderr__
    text = captured.getvalue()
    assert text.count("\n") == 1 and text.startswith("::error title=t\\n%3A%3Ax::boom%0A")
    assert "\x1b" not in text and "\\x1b[31m" in text


def test_outputs_use_a_random_heredoc_delimiter(tmp_path):
    from platformctl.cli import gha

    target = tmp_path / "out"
    gha.write_outputs({"a": "x\nb=y\n::stop-commands::z"}, {"GITHUB_OUTPUT": str(target)})
    gha.write_outputs({"a": "x"}, {"GITHUB_OUTPUT": str(target)})
    lines = target.read_text().splitlines()
    first, second = lines[0].split("<<")[1], lines[5].split("<<")[1]
    assert lines[0].startswith("a<<ghadelimiter_") and lines[4] == first and first != second
    try:
        gha.write_outputs({"a\nb": "x"}, {"GITHUB_OUTPUT": str(target)})
    except ValueError:
        pass
    else:
        raise AssertionError("an output name with a newline was written")


# -- the helper, property by property -------------------------------------------------------
@settings(max_examples=400, deadline=None)
@given(st.text())
def test_escaped_text_never_contains_an_unsafe_character(text):
    escaped = escape_controls(text)
    assert not any(char in UNSAFE for char in escaped)
    assert "\n" not in escaped and "\r" not in escaped and "\x1b" not in escaped


@settings(max_examples=400, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Zl", "Zp", "Cs"))))
def test_printable_text_passes_unchanged(text):
    assert escape_controls(text) == text


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_kept_line_breaks_are_the_only_control_left(text):
    escaped = escape_controls(text, keep="\n")
    assert {char for char in escaped if char in UNSAFE} <= {"\n"}
    assert escaped.count("\n") == text.count("\n")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_no_line_can_start_a_workflow_command_once_neutralized(text):
    shown = neutralize_workflow_commands(escape_controls(text))
    assert "::" not in shown
    assert len(shown.splitlines()) <= 1


def test_every_c0_c1_and_bidi_control_is_escaped_visibly():
    for code in [*range(0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]:
        escaped = escape_controls(chr(code))
        assert escaped.startswith("\\") and escaped.isprintable(), (hex(code), escaped)
    assert unicodedata.category("\u202e") == "Cf"
