"""Global behaviour shared by every command: version, help, usage errors, debug, colour, Actions."""

import subprocess
import sys

from platformctl import __version__


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"platformctl {__version__}\n"


def test_help_lists_the_command_groups(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for group in ("new", "golden-path", "config"):
        assert group in result.stdout


def test_no_arguments_shows_help_and_is_a_usage_error(cli):
    result = cli()
    assert result.exit_code == 2
    assert "Usage" in result.stdout + result.stderr


def test_unknown_command_is_one_error_line_with_hint(cli):
    result = cli("frobnicate")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: ")
    assert "frobnicate" in lines[0]
    assert lines[1] == "hint: run 'platformctl --help' for usage"
    assert result.stdout == ""


def test_unknown_option_names_the_command_in_the_hint(cli):
    result = cli("new", "service", "x", "--frob")
    assert result.exit_code == 2
    assert "--frob" in result.stderr
    assert "hint: run 'platformctl new service --help' for usage" in result.stderr
    assert "Traceback" not in result.stderr


def test_errors_are_plain_without_colour_and_have_no_traceback(cli):
    result = cli("new", "service", "Bad_Name!", env={"NO_COLOR": "1"})
    assert result.exit_code == 2
    assert "\x1b[" not in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback_of_a_handled_error(cli):
    result = cli("--debug", "new", "service", "Bad_Name!")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
    assert "UsageError" in result.stderr


def test_debug_from_environment(cli):
    result = cli("new", "service", "Bad_Name!", env={"PLATFORMCTL_DEBUG": "1"})
    assert "Traceback" in result.stderr


def test_error_becomes_a_github_actions_annotation(cli):
    result = cli("new", "service", "Bad_Name!", env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 2
    annotations = [line for line in result.stderr.splitlines() if line.startswith("::error")]
    assert len(annotations) == 1
    assert annotations[0].startswith("::error title=platformctl::invalid service name 'Bad_Name!'")


def test_interrupt_is_exit_130(cli, monkeypatch):
    from platformctl.scaffold import answers

    def interrupted(name):
        raise KeyboardInterrupt

    monkeypatch.setattr(answers, "validate_service_name", interrupted)
    result = cli("new", "service", "x")
    assert result.exit_code == 130
    assert "error: interrupted" in result.stderr


def test_a_command_named_in_full_is_built_alone_and_a_misspelt_one_with_its_group():
    # typer builds every command it is given before parsing: `env up` builds only `up`, while
    # `env` alone, `env --help` and a misspelt command keep every command of the group.
    from platformctl.cli.app import _root_for

    def commands(*args: str) -> list[str]:
        (group,) = _root_for(list(args)).registered_groups
        return sorted(c.name for c in group.typer_instance.registered_commands)

    every = ["down", "list", "reap", "status", "up"]
    assert commands("--debug", "env", "up", "staging", "--debug") == ["up"]
    assert commands("env", "--help") == commands("env") == commands("env", "upp") == every


def test_a_misspelt_command_of_a_group_is_one_error_line_naming_it(cli):
    result = cli("env", "upp", "staging")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert "upp" in result.stderr.splitlines()[0]


LATE_LOGGER = """
import contextlib, io, sys
from platformctl.cli.app import run
with contextlib.redirect_stdout(io.StringIO()):
    run(["--debug", "docs"])
print("LOADED=" + str("logging" in sys.modules))
from platformctl.providers import http
http.log.debug("GET /user with " + "ghp_" + "T0ken" * 8)  # token-shaped, not a token
"""


def test_a_module_that_logs_gets_the_cli_handler_even_when_loaded_after_the_root_callback():
    # A run that logs nothing leaves logging unloaded (platformctl/logsetup.py); a module that
    # logs, loaded later in the run, still gets the handler: --debug's format, secrets blanked.
    proc = subprocess.run([sys.executable, "-c", LATE_LOGGER], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines() == ["LOADED=False"]
    assert proc.stderr == "DEBUG platformctl.http: GET /user with ***\n"
