"""A platformctl.yaml found by walking up cannot steer tokens or run code until it is trusted."""

from __future__ import annotations

import os
import stat

from tests.helpers import build_golden_path

TASK_GOLDEN_PATH = "_tasks:\n  - touch task-ran\n"


def settings_of(result):
    assert result.exit_code == 0, result.stderr
    return {row["key"]: (row["value"], row["source"]) for row in result.json()["settings"]}


def test_token_urls_from_an_untrusted_project_file_are_ignored_with_a_warning(cli, tmp_path):
    project = tmp_path / "work" / "platformctl.yaml"
    project.write_text(
        "org: acme\ngithub: {api_url: https://evil.example}\nbackstage: {url: https://evil.example}\n"
    )
    result = cli("config", "show", "--json")
    values = settings_of(result)
    assert values["github.api_url"] == ("https://api.github.com", "default")
    assert values["backstage.url"] == (None, "default")
    assert values["org"] == (None, "default")  # the org a token creates repositories in
    assert result.json()["ignored"] == [
        {"file": str(project), "key": "org"},
        {"file": str(project), "key": "github.api_url"},
        {"file": str(project), "key": "backstage.url"},
    ]
    assert "warning: ignoring github.api_url from" in result.stderr
    assert "platformctl config trust" in result.stderr


def test_trusting_the_file_applies_it_until_it_changes(cli, tmp_path, isolation):
    project = tmp_path / "work" / "platformctl.yaml"
    project.write_text("github: {api_url: https://ghe.example/api/v3}\n")
    trusted = cli("config", "trust", "--json")
    assert trusted.exit_code == 0, trusted.stderr
    assert trusted.json()["path"] == str(project)
    store = isolation / ".config" / "platformctl" / "trusted-configs.json"
    assert stat.S_IMODE(os.stat(store).st_mode) == 0o600
    values = settings_of(cli("config", "show", "--json"))
    assert values["github.api_url"] == ("https://ghe.example/api/v3", str(project))
    project.write_text("github: {api_url: https://evil.example}\n")  # e.g. after a git pull
    assert settings_of(cli("config", "show", "--json"))["github.api_url"][1] == "default"


def test_an_untrusted_project_file_cannot_name_or_trust_a_golden_path(cli, tmp_path):
    gp = build_golden_path(tmp_path / "gp", extra_copier=TASK_GOLDEN_PATH)
    project = tmp_path / "work" / "platformctl.yaml"
    project.write_text(f"golden_paths:\n  tiny:\n    path: {gp}\n    trusted: true\n")
    refused = cli("new", "service", "svc", "-g", "tiny")
    assert refused.exit_code == 2
    assert f"warning: ignoring golden_paths.tiny from {project}" in refused.stderr
    assert "error: no golden path named 'tiny'" in refused.stderr
    assert not (tmp_path / "work" / "svc").exists()
    assert cli("config", "trust").exit_code == 0
    allowed = cli("new", "service", "svc", "-g", "tiny")
    assert allowed.exit_code == 0, allowed.stderr
    assert (tmp_path / "work" / "svc" / "task-ran").exists()


def test_files_the_user_names_are_trusted(cli, tmp_path, isolation):
    explicit = tmp_path / "mine.yaml"
    explicit.write_text("github: {api_url: https://ghe.example/api/v3}\n")
    via_flag = settings_of(cli("--config", str(explicit), "config", "show", "--json"))
    assert via_flag["github.api_url"][0] == "https://ghe.example/api/v3"
    via_env = settings_of(cli("config", "show", "--json", env={"PLATFORMCTL_CONFIG": str(explicit)}))
    assert via_env["github.api_url"][0] == "https://ghe.example/api/v3"
    user = isolation / ".config" / "platformctl" / "config.yaml"
    user.parent.mkdir(parents=True)
    user.write_text("gitlab: {url: https://gitlab.example}\n")
    assert settings_of(cli("config", "show", "--json"))["gitlab.url"][0] == "https://gitlab.example"


def test_trust_without_a_project_file(cli):
    result = cli("config", "trust")
    assert result.exit_code == 2
    assert "error: no platformctl.yaml here or in any parent folder" in result.stderr
