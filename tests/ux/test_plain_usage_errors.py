"""Option values refused by the parser are explained in platformctl's words, not pydantic's."""

from __future__ import annotations

from platformctl.cli.failures import plain_usage_message


def test_a_non_number_for_an_integer_option_is_one_plain_error(cli):
    result = cli("fleet", "status", "--fail-if-behind", "abc")
    assert result.exit_code == 2
    error, hint = result.stderr.strip().splitlines()[-2:]
    assert error == "error: Invalid value for '--fail-if-behind': must be a whole number"
    assert hint.startswith("hint: run 'platformctl fleet status --help'")
    assert "Input should be" not in result.stderr


def test_the_wording_rules():
    assert plain_usage_message("x: Input should be a valid number, unable to parse") == "x: must be a number"
    assert plain_usage_message("Input should be greater than or equal to 1") == "must be at least 1"
    assert plain_usage_message("Value error, bad") == "bad"
