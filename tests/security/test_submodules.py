"""A hostile `.gitmodules` in a golden path or in a service repository makes no git command
platformctl runs (nor copier's own) initialise, clone, fetch or update a submodule, even when the
user's git config relaxes git's defaults (`protocol.file.allow=always`, `submodule.recurse=true`).

The submodules: an `ext::` URL that would touch a marker, a `file://` URL to a private repository
on this machine (its secret must never be copied anywhere), a path escaping the repository.
A control test removes the hardening and shows the same golden path does clone the private one.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import build_golden_path, configure_golden_path

PRIVATE = "private-repository-content-" + "7f3a"  # built at run time


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b"}
    env |= {"GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def relaxed_user_git(isolation: Path) -> None:
    """The user's own git config, as some have it: what git would otherwise refuse, allowed."""
    for key, value in (
        ("protocol.file.allow", "always"),
        ("protocol.ext.allow", "always"),
        ("protocol.allow", "always"),
        ("submodule.recurse", "true"),
        ("fetch.recurseSubmodules", "true"),
    ):
        subprocess.run(["git", "config", "--global", key, value], check=True)


@pytest.fixture
def private_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "private"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "SECRET.md").write_text(PRIVATE + "\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "private")
    return repo


def add_hostile_submodules(repo: Path, under: str, private: Path, marker: Path) -> None:
    """Commit a .gitmodules and gitlinks (as a cloned repository carries them) into ``repo``."""
    sha = git(private, "rev-parse", "HEAD").strip()
    prefix = f"{under}/" if under else ""
    (repo / ".gitmodules").write_text(
        f'[submodule "vendored"]\n\tpath = {prefix}vendored\n\turl = file://{private}\n'
        f'[submodule "helper"]\n\tpath = {prefix}helper\n\turl = ext::sh -c touch% {marker}\n'
        f'[submodule "escape"]\n\tpath = ../../escaped\n\turl = file://{private}\n'
    )
    for name in ("vendored", "helper"):
        (repo / prefix / name).mkdir(parents=True, exist_ok=True)  # as a clone leaves them: empty
        git(repo, "update-index", "--add", "--cacheinfo", f"160000,{sha},{prefix}{name}")
    git(repo, "add", ".gitmodules")
    git(repo, "commit", "-qm", "submodules")


def assert_no_submodule_was_fetched(marker: Path, *roots: Path) -> None:
    assert not marker.exists()
    for root in roots:
        for folder, dirs, files in os.walk(root):
            if Path(folder).name == "private":
                dirs.clear()
                continue
            assert not (Path(folder).name == ".git" and "modules" in dirs), folder  # git's submodule store
            for name in files:
                path = Path(folder) / name
                if path.is_file() and not path.is_symlink():
                    assert PRIVATE.encode() not in path.read_bytes(), path
    assert not (root.parent / "escaped").exists()


def hostile_golden_path(tmp_path: Path, private: Path, marker: Path) -> Path:
    """A golden path that is a git repository with hostile submodules inside its template."""
    gp = build_golden_path(tmp_path / "gp")
    git(gp, "init", "-q", "-b", "main")
    git(gp, "add", "-A")
    git(gp, "commit", "-qm", "gp")
    add_hostile_submodules(gp, "template", private, marker)
    return gp


def new_service(cli, target: Path):
    return cli("new", "service", target.name, "-g", "tiny", "--no-input", "--dir", str(target))


@pytest.mark.parametrize("source", ["path", "git"])
def test_new_service_from_a_golden_path_with_hostile_submodules_fetches_none(
    cli, tmp_path, private_repo, relaxed_user_git, source
):
    marker = tmp_path / "MARKER"
    gp = hostile_golden_path(tmp_path, private_repo, marker)
    if source == "path":
        configure_golden_path(Path.cwd(), "tiny", gp)
    else:
        (Path.cwd() / "platformctl.yaml").write_text(f"golden_paths:\n  tiny:\n    git: {gp}\n")
        assert cli("config", "trust").exit_code == 0
    target = tmp_path / "billing"
    result = new_service(cli, target)
    assert result.exit_code == 0, result.stderr
    assert (target / "README.md").is_file()
    assert not any((target / "vendored").iterdir())  # rendered without the submodule's files
    assert_no_submodule_was_fetched(marker, tmp_path)


def test_control_without_the_hardening_the_render_clones_the_private_repository(
    cli, tmp_path, private_repo, relaxed_user_git, monkeypatch
):
    import platformctl.gitsafe

    kept = tuple(
        (k, v)
        for k, v in platformctl.gitsafe.HARDENED_CONFIG
        if not k.startswith(("protocol.", "submodule.", "fetch.", "push."))
    )
    monkeypatch.setattr(platformctl.gitsafe, "HARDENED_CONFIG", kept)
    marker = tmp_path / "MARKER"
    gp = hostile_golden_path(tmp_path, private_repo, marker)
    (gp / ".gitmodules").write_text(  # the file:// submodule alone, so nothing stops git early
        f'[submodule "vendored"]\n\tpath = template/vendored\n\turl = file://{private_repo}\n'
    )
    git(gp, "update-index", "--force-remove", "template/helper")
    git(gp, "commit", "-qam", "only the private one")
    configure_golden_path(Path.cwd(), "tiny", gp)
    result = new_service(cli, tmp_path / "billing")
    # the clone happened: its '.git' file reached the render, which the .git guard refuses
    assert result.exit_code == 2 and "vendored/.git" in result.stderr, result.stderr


def test_a_gitmodules_git_refuses_is_one_clean_error_and_runs_nothing(cli, tmp_path, private_repo):
    marker = tmp_path / "MARKER"
    gp = hostile_golden_path(tmp_path, private_repo, marker)
    with (gp / ".gitmodules").open("a") as gitmodules:
        gitmodules.write(f"\tupdate = !touch {marker}\n")  # under [submodule "escape"]
    git(gp, "commit", "-qam", "update command")
    configure_golden_path(Path.cwd(), "tiny", gp)
    result = new_service(cli, tmp_path / "billing")
    assert result.exit_code == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: rendering golden path 'tiny' failed: git status: "
        "fatal: invalid value for 'submodule.escape.update'"
    ]
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "billing").exists()
    assert_no_submodule_was_fetched(marker, tmp_path)


@pytest.mark.parametrize("update_command", [False, True])
def test_update_service_of_a_repository_with_hostile_submodules_fetches_none(
    cli, tmp_path, private_repo, relaxed_user_git, update_command
):
    marker = tmp_path / "MARKER"
    gp = build_golden_path(tmp_path / "gp")
    configure_golden_path(Path.cwd(), "tiny", gp)
    target = Path.cwd() / "billing"
    assert new_service(cli, target).exit_code == 0
    add_hostile_submodules(target, "", private_repo, marker)  # the service's own repository
    if update_command:
        with (target / ".gitmodules").open("a") as gitmodules:
            gitmodules.write(f"\tupdate = !touch {marker}\n")
        git(target, "commit", "-qam", "an update command too")
    (gp / "golden-path.yaml").write_text((gp / "golden-path.yaml").read_text().replace("1.0.0", "1.1.0"))
    (gp / "template" / "NEW.md").write_text("new\n")
    os.chdir(target)
    result = cli("update", "service")
    if update_command:  # git itself refuses the repository (its own `git status` too): said cleanly
        assert result.exit_code == 1, result.stderr
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "fatal: invalid value for 'submodule.escape.update'" in errors[0]
        assert "hint: git itself refuses this repository" in result.stderr
        assert "report it as a bug" not in result.stderr and "Traceback" not in result.stderr
    else:
        assert result.exit_code == 0, result.stderr
        assert "golden-path/tiny-1.1.0" in git(target, "branch", "--show-current")
        assert (target / "NEW.md").is_file()
        assert not any((target / "vendored").iterdir())
    assert_no_submodule_was_fetched(marker, tmp_path)


def test_fleet_update_of_repositories_with_hostile_submodules_fetches_none(
    cli, tmp_path, private_repo, relaxed_user_git, monkeypatch
):
    marker = tmp_path / "MARKER"
    home = tmp_path / "platform-home"
    monkeypatch.setenv("PLATFORMCTL_HOME", str(home))
    gp = build_golden_path(tmp_path / "gp")
    configure_golden_path(Path.cwd(), "tiny", gp)
    assert cli("new", "service", "alpha", "-g", "tiny", "--no-input").exit_code == 0
    checkout = Path.cwd() / "alpha"
    add_hostile_submodules(checkout, "", private_repo, marker)
    git(checkout, "push", "-q", "origin", "main")
    (gp / "golden-path.yaml").write_text((gp / "golden-path.yaml").read_text().replace("1.0.0", "1.1.0"))
    (gp / "template" / "NEW.md").write_text("new\n")
    status = cli("fleet", "status", "--json")
    assert status.exit_code == 0, status.stderr
    result = cli("fleet", "update", "--golden-path", "tiny", "--json")
    assert result.exit_code == 0, result.stderr
    [outcome] = result.json()["services"]
    assert outcome["state"] == "opened"
    bare = home / "repositories" / "local" / "alpha.git"
    assert git(bare, "show", "platformctl/update-tiny-1.1.0:NEW.md") == "new\n"
    assert_no_submodule_was_fetched(marker, tmp_path)
