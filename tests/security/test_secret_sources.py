"""Secret sources in platform.yaml (it arrives in pull requests) reach neither outside the service
nor a credential of platformctl or the CI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.environments.conftest import set_descriptor_field, write_service

# Built at run time: no token-shaped literal in the sources.
TOKEN = "ghp_" + "Z9" * 18
OUTSIDE = "outside-the-service-" + "value"


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PLATFORMCTL_HOME", str(tmp_path / "platform-home"))
    monkeypatch.setenv("TEST_DB_PASSWORD", "correct horse battery staple")
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    (tmp_path / "outside.txt").write_text(OUTSIDE + "\n")
    return write_service(Path.cwd())


def up_with(cli, folder: Path, secrets: dict, *args: str):
    set_descriptor_field(folder, "staging", "secrets", secrets)
    return cli("env", "up", "staging", "--json", *args)


def assert_refused(result, name: str, *words: str) -> None:
    assert result.exit_code == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith(("error:", "hint:"))]
    assert len(lines) == 2 and lines[0].startswith(f"error: secret {name}:"), result.stderr
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "source",
    ["/etc/passwd", "../outside.txt", "sub/../../outside.txt", "~/outside.txt", "link-out", "dir-link/x"],
)
def test_a_file_outside_the_service_is_refused(cli, service, tmp_path, source):
    (service / "link-out").symlink_to(tmp_path / "outside.txt")
    (service / "dir-link").symlink_to(tmp_path)
    (tmp_path / "x").write_text(OUTSIDE)
    result = up_with(cli, service, {"LEAK": {"file": source}})
    assert_refused(result, "LEAK", "secrets.LEAK in platform.yaml", "outside the service directory")
    assert OUTSIDE not in result.stdout + result.stderr
    assert not (tmp_path / "platform-home" / "state" / "environments.db").exists() or (
        OUTSIDE.encode() not in (tmp_path / "platform-home" / "state" / "environments.db").read_bytes()
    )


def test_a_file_inside_the_service_still_works(cli, service):
    (service / "secrets").mkdir()
    (service / "secrets" / "api-key").write_text("inside-value\n")
    (service / "inner-link").symlink_to(service / "secrets" / "api-key")
    result = up_with(cli, service, {"API_KEY": {"file": "secrets/api-key"}, "LINKED": {"file": "inner-link"}})
    assert result.exit_code == 0, result.stderr
    names = {c["name"] for c in result.json()["changes"] if c["kind"] == "secret"}
    assert names == {"API_KEY", "LINKED"}


def test_a_flag_may_name_any_file(cli, service, tmp_path):
    """Flags are the user's own choice (trusted); only platform.yaml is confined."""
    result = cli("env", "up", "staging", "--json", "--secret", f"DB_PASSWORD=file:{tmp_path / 'outside.txt'}")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    "variable",
    [
        "GH_TOKEN",
        "GITHUB_TOKEN",
        "PLATFORMCTL_GITHUB_TOKEN",
        "GITLAB_TOKEN",
        "BACKSTAGE_TOKEN",
        "PLATFORMCTL_SECRETS_KEY",
        "ACTIONS_RUNTIME_TOKEN",
        "CI_JOB_TOKEN",
        "PLATFORMCTL_ANYTHING",
    ],
)
def test_a_credential_variable_is_refused(cli, service, monkeypatch, variable):
    monkeypatch.setenv(variable, TOKEN)
    result = up_with(cli, service, {"STOLEN": {"env": variable}})
    assert_refused(result, "STOLEN", variable, "credential")
    assert TOKEN not in result.stdout + result.stderr


def test_a_secret_named_like_a_token_is_refused_without_a_source(cli, service):
    # No source means "the variable of the same name".
    result = up_with(cli, service, {"GH_TOKEN": None})
    assert_refused(result, "GH_TOKEN", "GH_TOKEN")


def test_a_copy_of_a_token_under_another_name_is_refused(cli, service, monkeypatch):
    monkeypatch.setenv("INNOCENT", TOKEN)
    result = up_with(cli, service, {"STOLEN": {"env": "INNOCENT"}})
    assert_refused(result, "STOLEN", "INNOCENT", "GH_TOKEN")


def test_a_flag_cannot_publish_a_token_either(cli, service):
    result = cli("env", "up", "staging", "--secret", "DB_PASSWORD=env:GH_TOKEN")
    assert_refused(result, "DB_PASSWORD", "--secret", "GH_TOKEN")


def test_no_token_reaches_any_output_or_file(cli, service, tmp_path, monkeypatch):
    monkeypatch.setenv("INNOCENT", TOKEN)
    outputs = []
    for secrets in ({"A": {"env": "GH_TOKEN"}}, {"A": {"env": "INNOCENT"}}, {"A": None, "GH_TOKEN": None}):
        result = up_with(cli, service, secrets)
        outputs += [result.stdout, result.stderr]
    assert all(TOKEN not in text for text in outputs)
    for root, _, files in os.walk(tmp_path):
        for name in files:
            path = Path(root) / name
            if not path.is_symlink():
                assert TOKEN.encode() not in path.read_bytes(), path
