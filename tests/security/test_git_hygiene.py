"""No hook, fsmonitor or planted git configuration runs, whatever a golden path, a clone or a bare
repository under home holds; a render may never produce '.git'.

Each attack writes a marker file (and the environment, token included) if it ever runs. The
"control" tests switch the hardening off in-process and show the same attack does fire, so the
other tests can fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import build_golden_path, configure_golden_path
from tests.maturity.helpers import write_answers, write_model

TOKEN = "ghp_" + "Q7" * 18  # built at run time
HOOKS = (
    "pre-commit",
    "commit-msg",
    "post-commit",
    "post-checkout",
    "post-merge",
    "pre-merge-commit",
    "reference-transaction",
    "pre-receive",
    "update",
    "post-receive",
    "post-update",
    "pre-push",
    "fsmonitor-watchman",
)


@pytest.fixture
def marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    return tmp_path / "MARKER"


def hostile_script(path: Path, marker: Path) -> Path:
    """A script that records that it ran, with the environment it saw."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\nenv >> '{marker}'\necho ran >> '{marker}'\n")
    path.chmod(0o755)
    return path


def hook_dir(folder: Path, marker: Path) -> Path:
    for name in HOOKS:
        hostile_script(folder / name, marker)
    return folder


def plant_git_config(git_dir: Path, marker: Path, tmp_path: Path) -> None:
    """core.hooksPath and core.fsmonitor pointing at marker scripts, plus hooks in hooks/."""
    hooks = hook_dir(tmp_path / "evil-hooks", marker)
    hook_dir(git_dir / "hooks", marker)
    fsmonitor = hostile_script(tmp_path / "fsmonitor.sh", marker)
    subprocess.run(["git", "config", "-f", str(git_dir / "config"), "core.hooksPath", str(hooks)], check=True)
    subprocess.run(
        ["git", "config", "-f", str(git_dir / "config"), "core.fsmonitor", str(fsmonitor)], check=True
    )


def assert_nothing_ran(marker: Path, *roots: Path) -> None:
    assert not marker.exists(), marker.read_text()[-500:]
    for root in roots:
        for folder, _, files in os.walk(root):
            for name in files:
                path = Path(folder) / name
                if not path.is_symlink() and path.is_file():
                    assert TOKEN.encode() not in path.read_bytes(), path


def refused(result, template_file: str) -> None:
    assert result.exit_code == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"the template file {template_file} " in errors[0], result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr


def new_service(cli, target: Path, golden_path: str = "tiny"):
    return cli("new", "service", target.name, "-g", golden_path, "--no-input", "--dir", str(target))


# template file -> what the error names: the first template path that renders to '.git'
DOT_GIT_VARIANTS = {
    "expression": ("{{ '.git' }}/hooks/post-commit", "{{ '.git' }}"),
    "if-block": ("{% if true %}.git{% endif %}/config", "{% if true %}.git{% endif %}"),
    "upper-case": (".GIT/hooks/post-commit", ".GIT"),
    "mixed-case-deep": ("sub/.Git/x", "sub/.Git"),
    "answer": ("{{ folder }}/config", "{{ folder }}"),
    "concatenated": ("{{ '.' ~ 'g' ~ 'it' }}/HEAD.jinja", "{{ '.' ~ 'g' ~ 'it' }}"),
    "trailing-dot": ("{{ '.git.' }}/config", "{{ '.git.' }}"),
    "file-named-dot-git": ("{{ '.gi' ~ 't' }}", "{{ '.gi' ~ 't' }}"),
}


@pytest.mark.parametrize("variant", sorted(DOT_GIT_VARIANTS))
def test_a_golden_path_rendering_dot_git_is_refused_before_git_runs(cli, tmp_path, marker, variant):
    template_file, named = DOT_GIT_VARIANTS[variant]
    gp = build_golden_path(
        tmp_path / "gp",
        questions='folder:\n  type: str\n  default: ".git"\n',
        files={"README.md": "# hi\n", template_file: f"#!/bin/sh\nenv >> '{marker}'\n"},
    )
    configure_golden_path(Path.cwd(), "tiny", gp)
    target = tmp_path / "billing"
    result = new_service(cli, target)
    refused(result, named)
    assert not target.exists()
    assert sorted(p.name for p in Path.cwd().iterdir()) == ["platformctl.yaml"]  # no staging left
    assert_nothing_ran(marker, tmp_path)


def test_a_literal_dot_git_with_copier_exclusions_removed_is_refused(cli, tmp_path, marker):
    gp = build_golden_path(
        tmp_path / "gp", extra_copier="_exclude: []\n", files={".git/config": "[core]\n\tbare = false\n"}
    )
    configure_golden_path(Path.cwd(), "tiny", gp)
    refused(new_service(cli, tmp_path / "billing"), ".git")
    assert_nothing_ran(marker, tmp_path)


def test_a_rendered_link_leaving_the_service_is_refused(cli, tmp_path, marker):
    gp = build_golden_path(tmp_path / "gp", extra_copier="_preserve_symlinks: true\n")
    (gp / "template" / "passwd").symlink_to("/etc/passwd")
    configure_golden_path(Path.cwd(), "tiny", gp)
    result = new_service(cli, tmp_path / "billing")
    refused(result, "template/passwd")
    assert "outside the service" in result.stderr
    assert not (tmp_path / "billing").exists()


def hostile_golden_path_repo(tmp_path: Path, marker: Path) -> Path:
    """A golden path that is itself a git repository with hooks, hooksPath and fsmonitor planted."""
    gp = build_golden_path(tmp_path / "gp")
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a"}
    env["GIT_COMMITTER_EMAIL"] = "a@b"
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "gp"], ["tag", "v1.0.0"]):
        subprocess.run(["git", "-C", str(gp), *args], check=True, env=env)
    plant_git_config(gp / ".git", marker, tmp_path)
    return gp


def test_hooks_and_fsmonitor_of_a_golden_path_repository_never_run(cli, tmp_path, marker, isolation):
    gp = hostile_golden_path_repo(tmp_path, marker)
    configure_golden_path(Path.cwd(), "tiny", gp)
    target = tmp_path / "billing"
    result = new_service(cli, target)
    assert result.exit_code == 0, result.stderr
    assert (target / "README.md").is_file()
    assert_nothing_ran(marker, tmp_path)


def test_control_without_the_hardening_the_same_golden_path_runs_its_fsmonitor(
    cli, tmp_path, marker, monkeypatch
):
    import platformctl.gitsafe

    monkeypatch.setattr(platformctl.gitsafe, "HARDENED_CONFIG", ())
    gp = hostile_golden_path_repo(tmp_path, marker)
    configure_golden_path(Path.cwd(), "tiny", gp)
    new_service(cli, tmp_path / "billing")
    assert marker.exists()  # the attack is live: only the hardening stops it


def test_a_git_sourced_golden_path_and_its_cache_run_nothing(cli, tmp_path, marker, isolation):
    upstream = hostile_golden_path_repo(tmp_path, marker)
    (Path.cwd() / "platformctl.yaml").write_text(
        f"golden_paths:\n  tiny:\n    git: {upstream}\n    ref: v1.0.0\n"
    )
    assert cli("config", "trust").exit_code == 0
    first = new_service(cli, tmp_path / "one")
    assert first.exit_code == 0, first.stderr
    cache = next((isolation / ".local" / "share" / "platformctl" / "cache" / "golden-paths").iterdir())
    plant_git_config(cache / ".git", marker, tmp_path)  # a cache tampered with afterwards
    second = new_service(cli, tmp_path / "two")
    assert second.exit_code == 0, second.stderr
    assert_nothing_ran(marker, tmp_path)


def test_update_service_to_a_version_rendering_dot_git_is_refused(cli, tmp_path, marker):
    gp = build_golden_path(tmp_path / "gp")
    configure_golden_path(Path.cwd(), "tiny", gp)
    target = Path.cwd() / "billing"  # below the platformctl.yaml naming the golden path
    assert new_service(cli, target).exit_code == 0
    plant_git_config(target / ".git", marker, tmp_path)  # the service's own repo, made hostile
    (gp / "golden-path.yaml").write_text((gp / "golden-path.yaml").read_text().replace("1.0.0", "1.1.0"))
    hostile = gp / "template" / "{{ '.GIT' }}" / "hooks" / "post-merge"
    hostile_script(hostile, marker)
    os.chdir(target)
    result = cli("update", "service")
    refused(result, "{{ '.GIT' }}")
    branches = subprocess.run(["git", "-C", str(target), "branch"], capture_output=True, text=True).stdout
    assert "golden-path/" not in branches
    shutil.rmtree(gp / "template" / "{{ '.GIT' }}")
    updated = cli("update", "service")  # a harmless 1.1.0 merges, with the service's hooks planted
    assert updated.exit_code == 0, updated.stderr
    assert_nothing_ran(marker, tmp_path)


def test_a_bare_repository_platformctl_did_not_create_is_refused(cli, tmp_path, marker, isolation):
    bare = isolation / ".local" / "share" / "platformctl" / "repositories" / "local" / "billing.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    hook_dir(bare / "hooks", marker)
    result = new_service(cli, tmp_path / "billing", "python-service")
    assert result.exit_code == 1, result.stderr
    assert f"error: {bare} is a bare git repository that platformctl did not create" in result.stderr
    assert "hint: move it away" in result.stderr
    assert not (bare / "refs" / "heads" / "main").exists()
    assert_nothing_ran(marker, tmp_path)


def test_the_local_provider_marks_its_repositories_and_runs_no_hook_of_them(cli, tmp_path, marker, isolation):
    target = tmp_path / "billing"
    assert new_service(cli, target, "python-service").exit_code == 0
    bare = isolation / ".local" / "share" / "platformctl" / "repositories" / "local" / "billing.git"
    assert (bare / "platformctl-repository").is_file()
    plant_git_config(bare, marker, tmp_path)
    (target / "NEW.md").write_text("x\n")
    subprocess.run(["git", "-C", str(target), "add", "NEW.md"], check=True)
    identity = ["-c", "user.name=a", "-c", "user.email=a@b", "-c", "core.hooksPath=/dev/null"]
    subprocess.run(["git", "-C", str(target), *identity, "commit", "-qm", "more"], check=True)
    os.chdir(target)
    again = cli("new", "service", "billing", "--no-input", "--dir", str(target))
    assert again.exit_code == 0, again.stderr
    assert_nothing_ran(marker, tmp_path)


@pytest.mark.parametrize("hardened", [True, False], ids=["hardened", "control"])
def test_scanning_a_hostile_clone_runs_nothing(cli, tmp_path, marker, monkeypatch, hardened):
    if not hardened:
        import platformctl.gitsafe

        monkeypatch.setattr(platformctl.gitsafe, "HARDENED_CONFIG", ())
    clone = tmp_path / "clone"
    clone.mkdir()
    subprocess.run(["git", "init", "-q", str(clone)], check=True)
    (clone / "Jenkinsfile").write_text("x\n")
    plant_git_config(clone / ".git", marker, tmp_path)
    model = write_model(tmp_path / "tiny.yaml")
    answers = write_answers(tmp_path / "answers.yaml", {"a.ci": "one", "a.iac": "most", "b.docs": "d0"})
    result = cli(
        "assess", "maturity", "--model", str(model), "--answers", str(answers), "--detect", str(clone)
    )
    assert result.exit_code == 0, result.stderr
    if hardened:
        assert_nothing_ran(marker, tmp_path)
    else:
        assert marker.exists()  # git ls-files does start a planted fsmonitor


def test_a_dry_run_of_a_golden_path_rendering_dot_git_is_refused_too(cli, tmp_path, marker):
    gp = build_golden_path(tmp_path / "gp", files={"{{ '.git' }}/config": "[core]\n"})
    configure_golden_path(Path.cwd(), "tiny", gp)
    result = cli("new", "service", "billing", "-g", "tiny", "--no-input", "--dry-run", "--json")
    refused(result, "{{ '.git' }}")
    assert not (Path.cwd() / "billing").exists()
    assert_nothing_ran(marker, tmp_path)


def test_a_service_created_inside_a_hostile_clone_reads_nothing_of_it(cli, tmp_path, marker, monkeypatch):
    clone = tmp_path / "work" / "clone"
    subprocess.run(["git", "init", "-q", str(clone)], check=True)
    plant_git_config(clone / ".git", marker, tmp_path)
    subprocess.run(
        ["git", "config", "-f", str(clone / ".git" / "config"), "core.fileMode", "false"], check=True
    )
    monkeypatch.chdir(clone)
    result = cli("new", "service", "billing", "--no-input")
    assert result.exit_code == 0, result.stderr
    assert (clone / "billing" / ".git").is_dir()
    assert_nothing_ran(marker, tmp_path)
