"""A configured golden-path source cannot smuggle credentials, options or commands."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.helpers import trust_project_file


def configure(entry: dict) -> None:
    (Path.cwd() / "platformctl.yaml").write_text(yaml.safe_dump({"golden_paths": {"team-service": entry}}))
    trust_project_file(Path.cwd() / "platformctl.yaml")


def test_a_password_in_a_git_url_is_refused_and_never_printed(cli):
    configure({"git": "https://oauth2:" + "glpat-" + "Secret0Token1Value2@git.example.com/platform/gp.git"})
    for args in (("golden-path", "list"), ("config", "show", "--json")):
        result = cli(*args)
        assert result.exit_code == 2
        assert "field 'golden_paths.team-service.git': holds a password or token" in result.stderr
        assert "Secret0Token1Value2" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"git": "--upload-pack=touch owned-marker"}, "git"),
        ({"git": "https://git.example.com/gp.git", "ref": "--orphan=x"}, "ref"),
        ({"git": "https://git.example.com/gp.git", "subdirectory": "../../elsewhere"}, "subdirectory"),
        ({"git": "https://git.example.com/gp.git", "subdirectory": "/etc"}, "subdirectory"),
    ],
)
def test_options_and_escaping_folders_are_refused(cli, entry, field):
    configure(entry)
    result = cli("golden-path", "list")
    assert result.exit_code == 2
    assert f"field 'golden_paths.team-service.{field}'" in result.stderr


def test_a_remote_helper_url_is_refused_cleanly_and_runs_nothing(cli, tmp_path):
    marker = tmp_path / "helper-ran"
    configure({"git": f"ext::sh -c touch% {marker}"})
    result = cli("golden-path", "list")
    assert result.exit_code == 1
    assert "error: cannot fetch golden path 'team-service'" in result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert not marker.exists()
