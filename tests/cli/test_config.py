"""Layered configuration through the real CLI: precedence, sources, and bad files."""

import os
import stat

import pytest

from tests.helpers import trust_project_file


def settings_of(result):
    assert result.exit_code == 0, result.stderr
    return {row["key"]: (row["value"], row["source"]) for row in result.json()["settings"]}


def test_defaults_with_no_files(cli, isolation):
    values = settings_of(cli("config", "show", "--json"))
    assert values["provider"] == ("local", "default")
    assert values["home"] == (str(isolation / ".local/share/platformctl"), "default")
    assert values["github.api_version"] == ("2022-11-28", "default")


def test_precedence_flag_env_project_user_default(cli, isolation, tmp_path):
    user = isolation / ".config/platformctl/config.yaml"
    user.parent.mkdir(parents=True)
    user.write_text("org: from-user\nowner: user-team\nbackstage: {url: https://user.example}\n")
    project = tmp_path / "work" / "platformctl.yaml"
    project.write_text("org: from-project\nowner: project-team\n")
    trust_project_file(project)  # an untrusted project file may not set org
    values = settings_of(cli("config", "show", "--json", env={"PLATFORMCTL_OWNER": "env-team"}))
    assert values["org"] == ("from-project", str(project))
    assert values["owner"] == ("env-team", "env PLATFORMCTL_OWNER")
    assert values["backstage.url"] == ("https://user.example", str(user))


def test_project_file_found_walking_up(cli, tmp_path, monkeypatch):
    (tmp_path / "work" / "platformctl.yaml").write_text("provider: gitlab\n")
    trust_project_file(tmp_path / "work" / "platformctl.yaml")  # untrusted files cannot set provider
    deep = tmp_path / "work" / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    values = settings_of(cli("config", "show", "--json"))
    assert values["provider"][0] == "gitlab"


def test_explicit_config_beats_the_walk(cli, tmp_path):
    (tmp_path / "work" / "platformctl.yaml").write_text("org: walked\n")
    explicit = tmp_path / "explicit.yaml"
    explicit.write_text("org: explicit\n")
    assert settings_of(cli("--config", str(explicit), "config", "show", "--json"))["org"][0] == "explicit"
    from_env = settings_of(cli("config", "show", "--json", env={"PLATFORMCTL_CONFIG": str(explicit)}))
    assert from_env["org"][0] == "explicit"


def test_xdg_config_home_is_honoured(cli, tmp_path):
    xdg = tmp_path / "xdg"
    (xdg / "platformctl").mkdir(parents=True)
    (xdg / "platformctl" / "config.yaml").write_text("org: xdg\n")
    values = settings_of(cli("config", "show", "--json", env={"XDG_CONFIG_HOME": str(xdg)}))
    assert values["org"][0] == "xdg"


def test_relative_home_is_relative_to_its_file(cli, tmp_path):
    (tmp_path / "work" / "platformctl.yaml").write_text("home: ./state\n")
    trust_project_file(tmp_path / "work" / "platformctl.yaml")  # untrusted files cannot move home
    values = settings_of(cli("config", "show", "--json"))
    assert values["home"][0] == str(tmp_path / "work" / "state")


def test_human_output_is_a_table_with_sources(cli):
    result = cli("config", "show", env={"PLATFORMCTL_ORG": "acme"})
    assert result.exit_code == 0
    line = next(line for line in result.stdout.splitlines() if line.startswith("org"))
    assert "acme" in line and "env PLATFORMCTL_ORG" in line


def test_configured_golden_paths_are_shown(cli, tmp_path):
    (tmp_path / "work" / "platformctl.yaml").write_text(
        "golden_paths:\n  internal-api: {path: ./gp}\n  data: {git: https://git.example/x.git, ref: v1}\n"
    )
    trust_project_file(tmp_path / "work" / "platformctl.yaml")
    doc = cli("config", "show", "--json").json()
    names = {gp["name"]: gp for gp in doc["golden_paths"]}
    assert names["internal-api"]["path"] == "./gp"
    assert names["data"]["ref"] == "v1"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("provider: gitlabx\n", "field 'provider': must be 'local', 'github' or 'gitlab', not 'gitlabx'"),
        ("providr: github\n", "unknown field 'providr' (allowed: backstage, environments, github, gitlab,"),
        ("github: {api_url: ftp://x}\n", "field 'github.api_url': must be an http:// or https:// URL"),
        ("github: {token: abc}\n", "unknown field 'github.token' (allowed: api_url, api_version)"),
        ("org: 'no spaces'\n", "field 'org': 'no spaces' does not match"),
        (
            "golden_paths: {x: {path: a, git: b}}\n",
            "field 'golden_paths.x': give exactly one of 'path' or 'git'",
        ),
        ("golden_paths: {Bad: {path: a}}\n", "golden path name 'Bad' must be a lower-case DNS label"),
        ("provider: [unclosed\n", "2: not valid YAML (column 1)"),
        ("- just\n- a list\n", "the top level must be a mapping of settings, not list"),
    ],
)
def test_bad_config_files_name_file_field_and_allowed(cli, tmp_path, content, expected):
    path = tmp_path / "work" / "platformctl.yaml"
    path.write_text(content)
    result = cli("config", "show")
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: {path}:")
    assert expected in first
    assert result.stderr.splitlines()[1].startswith("hint: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_bad_environment_variable_is_named(cli):
    result = cli("config", "show", env={"PLATFORMCTL_PROVIDER": "svn"})
    assert result.exit_code == 2
    assert "environment variable PLATFORMCTL_PROVIDER: field 'provider'" in result.stderr


def test_missing_explicit_config_file(cli, tmp_path):
    result = cli("--config", str(tmp_path / "nope.yaml"), "config", "show")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "hint: create it with 'platformctl config init'" in result.stderr


def test_bad_config_fails_every_command_that_reads_it(cli, tmp_path):
    (tmp_path / "work" / "platformctl.yaml").write_text("provider: nope\n")
    result = cli("new", "service", "payments")
    assert result.exit_code == 2
    assert not (tmp_path / "work" / "payments").exists()


def test_init_writes_a_valid_commented_starter(cli, tmp_path):
    result = cli("config", "init")
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "work" / "platformctl.yaml"
    text = path.read_text()
    assert text.startswith("# platformctl.yaml")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    values = settings_of(cli("config", "show", "--json"))
    assert values["provider"] == ("local", str(path))


def test_init_refuses_to_overwrite_without_force(cli, tmp_path):
    path = tmp_path / "work" / "platformctl.yaml"
    path.write_text("org: mine\n")
    result = cli("config", "init")
    assert result.exit_code == 2
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert path.read_text() == "org: mine\n"
    assert cli("config", "init", "--force").exit_code == 0
    assert path.read_text().startswith("# platformctl.yaml")


def test_init_to_another_path_with_json(cli, tmp_path):
    target = tmp_path / "conf" / "p.yaml"
    result = cli("config", "init", "--path", str(target), "--json")
    doc = result.json()
    assert doc == {"schema_version": 1, "path": str(target), "sha256": doc["sha256"]}
    assert target.is_file()
    # the starter sets provider: platformctl wrote it, so it is trusted as written
    assert cli("--config", str(target), "config", "show", "--json").json()["ignored"] == []
