"""Files users hand to platformctl, broken in the ways files break: one error line, a hint, the right code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import build_golden_path, configure_golden_path

LATIN1 = "owner: café\n".encode("latin-1")
UTF16 = "port: 9000\n".encode("utf-16")


def assert_one_clean_error(result, code: int, *expected: str) -> None:
    assert result.exit_code == code, result.stderr
    if result.stdout:  # with --json: the one JSON error document, saying the same
        error = json.loads(result.stdout)["error"]
        assert error["exit_code"] == code and f"error: {error['message']}" in result.stderr
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data", [LATIN1, UTF16, b"\x00\xff\xfe binary"], ids=["latin1", "utf16", "binary"])
def test_a_non_utf8_answers_file(cli, tmp_path, data):
    answers = write(tmp_path / "answers.yaml", data)
    result = cli("new", "service", "svc", "--answers-file", str(answers), "--json")
    assert_one_clean_error(
        result, 2, f"cannot read answers file {answers}: not UTF-8 text", "hint: save it as UTF-8 text"
    )
    assert not (tmp_path / "work" / "svc").exists()


def test_a_non_utf8_config_file(cli, tmp_path):
    config = write(tmp_path / "work" / "platformctl.yaml", LATIN1)
    result = cli("config", "show", "--json")
    assert_one_clean_error(
        result,
        2,
        f"cannot read config file {config}: not UTF-8 text (byte 0xe9 at offset 10)",
        "hint: save it as UTF-8 text",
    )


def test_a_non_utf8_service_descriptor(cli, tmp_path):
    write(tmp_path / "work" / "svc" / "platform.yaml", LATIN1)
    for command in ("check", "update"):
        result = cli(command, "service", "svc")
        assert_one_clean_error(result, 2, "cannot read service descriptor", "platform.yaml: not UTF-8 text")


def test_a_non_utf8_file_in_a_configured_golden_path(cli, tmp_path):
    gp = build_golden_path(tmp_path / "gp")
    copier_yml = "_subdirectory: template\nservice_name:\n  help: Nom à donner\n"
    write(gp / "copier.yml", copier_yml.encode("latin-1"))
    configure_golden_path(tmp_path / "work", "tiny", gp)
    assert_one_clean_error(cli("golden-path", "show", "tiny"), 1, "copier.yml: not UTF-8 text")


@pytest.mark.parametrize("flag", ["--answers", "--model", "--history"])
def test_non_utf8_maturity_files(cli, tmp_path, flag):
    (tmp_path / "work" / "empty.yaml").write_text("answers: {}\n")
    bad = write(tmp_path / "bad.yaml", LATIN1)
    args = {
        "--answers": ["--answers", str(bad)],
        "--model": ["--answers", "empty.yaml", "--model", str(bad)],
        "--history": ["--answers", "empty.yaml", "--history", str(bad)],
    }[flag]
    result = cli("assess", "maturity", "--allow-unknown", *args)
    assert_one_clean_error(result, 2, f"{bad}: not UTF-8 text")


def test_a_yaml_syntax_error_in_the_descriptor_names_line_and_column(cli, tmp_path):
    write(tmp_path / "work" / "svc" / "platform.yaml", b"name: [svc\n")
    result = cli("check", "service", "svc")
    assert_one_clean_error(result, 2, "platform.yaml:2: not valid YAML (column 1):")


def test_a_recorded_version_that_is_not_a_version_names_the_field(cli, tmp_path):
    write(
        tmp_path / "work" / "svc" / "platform.yaml",
        (
            "name: svc\ngolden_path: {name: python-service, version: latest, source: bundled,\n"
            f"  pristine_commit: {'a' * 40}, answers: {{}}}}\n"
            "repository: {provider: local, slug: local/svc, url: x}\n"
        ).encode(),
    )
    result = cli("check", "service", "svc")
    assert_one_clean_error(result, 2, "field 'golden_path.version': 'latest' is not a semantic version")


def test_a_golden_path_version_updates_could_not_compare_is_refused_when_loaded(cli, tmp_path):
    gp = build_golden_path(tmp_path / "gp", version="1.0.0.1")
    configure_golden_path(tmp_path / "work", "tiny", gp)
    assert_one_clean_error(
        cli("golden-path", "show", "tiny"), 1, "field 'version': '1.0.0.1' is not a semantic version"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("http: 5\n", "field 'http': must be a mapping (key: value lines), not a number"),
        (
            "environments: {staging: [a]}\n",
            "field 'environments.staging': must be a mapping (key: value lines), not a list",
        ),
    ],
)
def test_wrong_types_are_explained_without_pydantic_words(cli, tmp_path, content, expected):
    (tmp_path / "work" / "platformctl.yaml").write_text(content)
    result = cli("config", "show")
    assert_one_clean_error(result, 2, expected)
    assert "instance of" not in result.stderr


def test_a_config_path_that_is_a_directory_says_so(cli, tmp_path):
    result = cli("config", "show", env={"PLATFORMCTL_CONFIG": str(tmp_path)})
    assert_one_clean_error(result, 2, f"config file {tmp_path} (from PLATFORMCTL_CONFIG) is a directory")


def test_a_huge_answer_is_not_echoed_whole(cli, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("description: " + "x" * 200_000 + "\n")
    result = cli("new", "service", "svc", "--answers-file", str(answers))
    assert_one_clean_error(result, 2, "answers.yaml: description:", "(200002 characters) is invalid")
    assert len(result.stderr) < 1000


def test_a_bad_flag_value_names_the_flag(cli):
    result = cli("new", "service", "svc", "--provider", "svn")
    assert_one_clean_error(result, 2, "error: --provider: must be 'local', 'github' or 'gitlab', not 'svn'")
    assert "command-line flags" not in result.stderr


# -- the file system says no ------------------------------------------------------------------------


@pytest.fixture
def blocker(tmp_path) -> Path:
    """A regular file where a folder is needed."""
    path = tmp_path / "work" / "blocker"
    path.write_text("in the way\n")
    return path


def test_config_init_under_a_file(cli, blocker):
    result = cli("config", "init", "--path", str(blocker / "platformctl.yaml"))
    assert_one_clean_error(
        result, 1, f"error: {blocker}: Not a directory", "hint: check that the path exists"
    )


def test_new_service_under_a_file_writes_nothing(cli, isolation, blocker):
    result = cli("new", "service", "svc", "--dir", str(blocker / "svc"))
    assert_one_clean_error(result, 1, f"error: {blocker}: Not a directory")
    assert not (isolation / ".local" / "share" / "platformctl" / "repositories").exists()


def test_maturity_history_under_a_file(cli, blocker):
    (blocker.parent / "empty.yaml").write_text("answers: {}\n")
    result = cli(
        "assess",
        "maturity",
        "--answers",
        "empty.yaml",
        "--allow-unknown",
        "--save",
        "--history",
        str(blocker / "history.jsonl"),
        "--json",
    )
    assert result.exit_code == 1
    assert "unexpected" not in result.stderr
    assert f"error: {blocker}: Not a directory" in result.stderr


def test_platform_home_under_a_file(cli, blocker):
    result = cli("new", "service", "svc", env={"PLATFORMCTL_HOME": str(blocker / "home")})
    assert result.exit_code == 1
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    assert f"error: {blocker}/home" in result.stderr and ": Not a directory" in result.stderr


def test_debug_still_shows_the_traceback(cli, blocker):
    result = cli("--debug", "config", "init", "--path", str(blocker / "x.yaml"))
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and "NotADirectoryError" in result.stderr
