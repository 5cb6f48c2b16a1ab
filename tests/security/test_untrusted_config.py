"""A platformctl.yaml found by walking up (e.g. in a cloned repository) may set defaults only until
it is trusted: it cannot move home, add or shadow golden paths, define environment classes or
send a token elsewhere; each ignored setting gives one warning."""

from __future__ import annotations

import pytest

from tests.helpers import build_golden_path


def shown(result):
    assert result.exit_code == 0, result.stderr
    return {row["key"]: (row["value"], row["source"]) for row in result.json()["settings"]}


def warnings_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("warning:")]


def test_every_setting_but_the_defaults_is_ignored_with_one_warning_each(cli, tmp_path, monkeypatch):
    clone = tmp_path / "work" / "cloned"
    clone.mkdir()
    project = clone / "platformctl.yaml"
    project.write_text(
        "provider: github\norg: acme\nowner: team-x\ngolden_path: go-service\nhttp: {timeout: 5}\n"
        "home: ./.ph\n"
        "github: {api_url: https://evil.example}\ngitlab: {url: https://evil.example}\n"
        "backstage: {url: https://evil.example}\n"
        "golden_paths:\n  python-service: {path: ./gp}\n  extra: {git: https://evil.example/gp.git}\n"
        "environments:\n  production: {production: false}\n"
    )
    monkeypatch.chdir(clone)
    result = cli("config", "show", "--json")
    values = shown(result)
    for key, value in {
        "owner": "team-x",
        "golden_path": "go-service",
        "http.timeout": 5.0,
    }.items():
        assert values[key] == (value, str(project)), key
    for key in ("provider", "org", "home", "github.api_url"):
        assert values[key][1] == "default", key
    ignored = [row["key"] for row in result.json()["ignored"]]
    assert ignored == [
        "provider",
        "org",
        "home",
        "github.api_url",
        "gitlab.url",
        "backstage.url",
        "golden_paths.python-service",
        "golden_paths.extra",
        "environments.production",
    ]
    assert result.json()["golden_paths"] == []
    lines = warnings_of(result)
    assert len(lines) == len(ignored)
    for key, line in zip(ignored, lines, strict=True):
        assert line.startswith(f"warning: ignoring {key} from {project}:")
        assert "platformctl config trust" in line


def test_an_untrusted_file_cannot_move_home_to_a_shipped_bare_repository(cli, tmp_path):
    """A repository shipping .ph/repositories/local/svc.git with a hook, and home: ./.ph."""
    clone = tmp_path / "work"
    shipped = clone / ".ph" / "repositories" / "local" / "svc.git"
    import git

    git.Repo.init(shipped, bare=True)
    hook = shipped / "hooks" / "reference-transaction"
    marker = tmp_path / "hook-ran"
    hook.write_text(f"#!/bin/sh\ntouch '{marker}'\n")
    hook.chmod(0o755)
    (clone / "platformctl.yaml").write_text("home: ./.ph\n")
    result = cli("new", "service", "svc", "--no-input")
    assert result.exit_code == 0, result.stderr
    assert "warning: ignoring home from" in result.stderr
    assert not marker.exists()
    assert not (shipped / "refs" / "heads" / "main").exists()
    assert not (clone / ".ph" / "state").exists()  # no secrets key planted next to the repository


def test_an_untrusted_file_cannot_shadow_a_bundled_golden_path(cli, tmp_path):
    evil = build_golden_path(tmp_path / "evil", name="python-service", files={"EVIL.md": "evil\n"})
    (tmp_path / "work" / "platformctl.yaml").write_text(
        f"golden_paths:\n  python-service:\n    path: {evil}\n"
    )
    listed = cli("golden-path", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert "warning: ignoring golden_paths.python-service from" in listed.stderr
    assert "EVIL" not in listed.stdout and str(evil) not in listed.stdout
    result = cli("new", "service", "svc", "--no-input", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert "EVIL.md" not in result.stdout


@pytest.mark.parametrize("trusted", [False, True])
def test_trusting_the_file_restores_its_settings(cli, tmp_path, trusted):
    project = tmp_path / "work" / "platformctl.yaml"
    project.write_text("home: ./state\n")
    if trusted:
        assert cli("config", "trust").exit_code == 0
    values = shown(cli("config", "show", "--json"))
    if trusted:
        assert values["home"] == (str(tmp_path / "work" / "state"), str(project))
    else:
        assert values["home"][1] == "default"


def test_the_user_file_and_config_flag_may_set_everything(cli, tmp_path, isolation):
    own = tmp_path / "own.yaml"
    own.write_text("home: ./mine\ngolden_paths:\n  extra: {git: https://git.example/gp.git}\n")
    values = shown(cli("--config", str(own), "config", "show", "--json"))
    assert values["home"] == (str(tmp_path / "mine"), str(own))
    user = isolation / ".config" / "platformctl" / "config.yaml"
    user.parent.mkdir(parents=True)
    user.write_text(f"home: {tmp_path / 'u'}\n")
    result = cli("config", "show", "--json")
    assert shown(result)["home"] == (str(tmp_path / "u"), str(user))
    assert warnings_of(result) == []


def test_a_trusted_walked_up_file_warns_nothing(cli, tmp_path):
    project = tmp_path / "work" / "platformctl.yaml"
    project.write_text("org: acme\nhome: ./h\n")
    assert cli("config", "trust").exit_code == 0
    assert warnings_of(cli("config", "show")) == []


def test_an_untrusted_file_cannot_send_the_token_to_another_forge_or_org(cli, tmp_path, isolation):
    """provider and org decide where a token creates repositories: an untrusted file sets neither."""
    project = tmp_path / "work" / "platformctl.yaml"
    project.write_text("provider: github\norg: victim-org\n")
    token = "gh" + "p_" + "x" * 36  # built at run time: no token-shaped literal in the tests
    result = cli("new", "service", "svc", "--no-input", "--json", env={"GH_TOKEN": token})
    assert result.exit_code == 0, result.stderr
    assert result.json()["repository"]["slug"] == "local/svc"  # the default, not victim-org on GitHub
    lines = warnings_of(result)
    for key in ("provider", "org"):
        assert sum(line.startswith(f"warning: ignoring {key} from {project}:") for line in lines) == 1
    assert all("platformctl config trust" in line for line in lines if "ignoring" in line)
    assert token not in result.stdout + result.stderr
    assert cli("config", "trust").exit_code == 0
    values = shown(cli("config", "show", "--json"))
    assert values["provider"] == ("github", str(project))
    assert values["org"] == ("victim-org", str(project))
