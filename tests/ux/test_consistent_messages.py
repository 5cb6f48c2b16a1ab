"""One wording for names, our words for config problems, and hints that fit the mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

RULE = "use a lower-case DNS label (a-z, 0-9 and '-', starting and ending with a letter or digit"


@pytest.fixture
def service(created, monkeypatch) -> Path:
    """payments from the default golden path, made once per test process and copied per test."""
    folder = created("payments") / "work" / "payments"
    monkeypatch.chdir(folder)
    return folder


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (("new", "service", "Bad_Name"), "service"),
        (("new", "service", "ok", "-g", "Bad_Name"), "golden path"),
        (("golden-path", "show", "Bad_Name"), "golden path"),
    ],
)
def test_one_wording_for_names(cli, args, kind):
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: invalid {kind} name 'Bad_Name': {RULE}")


def test_environment_names_use_the_same_wording(cli, service):
    result = cli("env", "up", "Bad_Name")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: invalid environment name 'Bad_Name': {RULE}")


def test_set_hint_lists_only_questions_that_can_be_set(cli):
    result = cli("new", "service", "payments", "--set", "nope=1")
    assert result.exit_code == 2
    hint = result.stderr.strip().splitlines()[-1]
    assert hint.startswith("hint: the questions you can answer are: ")
    assert "owner" in hint
    for derived in ("package_name", "run_as_user", "service_name"):
        assert derived not in hint


def test_config_errors_list_every_problem_in_our_words(cli, tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("provider: gitlabx\nowner: [a, b]\nbogus: 1\n")
    result = cli("--config", str(config), "config", "show")
    assert result.exit_code == 2
    error = result.stderr.splitlines()[0]
    assert "field 'provider': must be 'local', 'github' or 'gitlab', not 'gitlabx'" in error
    assert "field 'owner': must be text, not a list" in error
    assert "unknown field 'bogus'" in error
    assert "Input should" not in result.stderr


def test_duration_hint_explains_the_accepted_forms(cli, service):
    result = cli("env", "up", "pr-1", "--ttl", "3x")
    assert result.exit_code == 2
    assert "s (seconds), m (minutes), h (hours), d (days) or w (weeks)" in result.stderr


def test_missing_answers_file_hint_is_about_the_path(cli):
    result = cli("new", "service", "payments", "--answers-file", "nowhere.yaml")
    assert result.exit_code == 2
    assert "error: answers file nowhere.yaml does not exist" in result.stderr
    assert "YAML" not in result.stderr


def test_duplicate_var_is_refused(cli, service):
    result = cli("env", "up", "staging", "--var", "A=1", "--var", "A=2")
    assert result.exit_code == 2
    assert "--var A is given twice ('1' and '2')" in result.stderr
