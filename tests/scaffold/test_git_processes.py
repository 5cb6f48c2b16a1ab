"""Which git processes `new service` starts, and what a converged re-run loads.

A `git` on PATH that records its arguments, then runs the real one, shows every git process of
a run (ours and copier's). The control case (a golden path that is a git repository, where
copier does need git) shows the recording sees copier's calls.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import build_golden_path, configure_golden_path, loaded_modules


@pytest.fixture
def git_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A recording ``git`` first on PATH; returns the file of its calls (one line each)."""
    real = shutil.which("git")
    assert real
    folder = tmp_path / "recording-bin"
    folder.mkdir()
    log = tmp_path / "git-calls.txt"
    script = folder / "git"
    script.write_text(f"#!/bin/sh\necho \"$*\" >> '{log}'\nexec '{real}' \"$@\"\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log


def calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def new_service(cli, name: str, *args: str):
    return cli("new", "service", name, "--no-input", *args)


def test_a_golden_path_that_is_not_a_repository_renders_without_git(cli, git_calls):
    result = new_service(cli, "payments")
    assert result.exit_code == 0, result.stderr
    made = calls(git_calls)
    assert not [c for c in made if "core.fileMode" in c or "--show-toplevel" in c], made
    assert any(c.startswith("commit ") for c in made)  # our own git work is recorded


def test_control_a_golden_path_repository_still_gives_copier_its_git(cli, tmp_path, git_calls):
    gp = build_golden_path(tmp_path / "gp", files={"README.md": "{{ service_name }}\n"})
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a"}
    env["GIT_COMMITTER_EMAIL"] = "a@b"
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "gp"]):
        subprocess.run(["git", "-C", str(gp), *args], check=True, env=env)
    configure_golden_path(Path.cwd(), "tiny", gp)
    git_calls.unlink()
    result = new_service(cli, "billing", "-g", "tiny")
    assert result.exit_code == 0, result.stderr
    assert any("core.fileMode" in c for c in calls(git_calls))  # copier's own lookups


def test_tasks_of_a_trusted_golden_path_keep_git_on_their_path(cli, tmp_path, git_calls):
    gp = build_golden_path(
        tmp_path / "gp",
        files={"README.md": "{{ service_name }}\n"},
        extra_copier="_tasks:\n  - git --version > git-version.txt\n",
    )
    configure_golden_path(Path.cwd(), "tiny", gp, trusted=True)
    result = new_service(cli, "billing", "-g", "tiny")
    assert result.exit_code == 0, result.stderr
    assert (Path.cwd() / "billing" / "git-version.txt").read_text().startswith("git version")


def loaded(args: list[str]) -> list[str]:
    """The heavy modules a run of ``platformctl ARGS`` in a fresh process loads."""
    return loaded_modules(args, ("copier", "jinja2", "git", "httpx"))


# Both are checked by the same runs in the fast loop: the first run and the converged re-runs
# of test_converged_reruns_into_a_pipe_load_neither_rich_nor_yaml_nor_the_config_schema
# (tests/cli/test_quick_paths.py) ask for these modules too; each fresh process costs a second.
@pytest.mark.slow
def test_new_service_no_longer_loads_gitpython():
    assert loaded(["new", "service", "payments", "--no-input"]) == ["copier", "jinja2"]


@pytest.mark.slow
def test_converged_reruns_load_neither_copier_nor_jinja_nor_gitpython():
    assert loaded(["new", "service", "payments", "--no-input"]) == ["copier", "jinja2"]
    assert loaded(["env", "up", "staging", "--service-dir", "payments"]) == []
    assert loaded(["new", "service", "payments", "--no-input"]) == []
    assert loaded(["env", "up", "staging", "--service-dir", "payments"]) == []


def git_out(path: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True, text=True).stdout


def test_the_rendered_files_are_committed_into_a_pack_with_the_usual_object_ids(cli, tmp_path):
    # A .gitattributes that converts line endings: such files must still be converted on add.
    files = {
        ".gitattributes": "*.txt text eol=lf\n",
        "notes.txt": "one\r\ntwo\r\n",
        "README.md.jinja": "# {{ service_name }}\n",
        "src/app.py": "print('hi')\n",
    }
    configure_golden_path(Path.cwd(), "tiny", build_golden_path(tmp_path / "gp", files=files))
    result = new_service(cli, "packed", "-g", "tiny")
    assert result.exit_code == 0, result.stderr
    service = Path.cwd() / "packed"
    loose = [p.parent.name + p.name for p in (service / ".git" / "objects").glob("??/*")]
    loose_blobs = {sha for sha in loose if git_out(service, "cat-file", "-t", sha).strip() == "blob"}
    staged = {}
    for line in git_out(service, "ls-files", "-s").splitlines():
        _mode, sha, _, path = line.split(maxsplit=3)
        staged[path] = sha
        # the ids a plain `git add` gives, conversion included
        assert git_out(service, "hash-object", "--path", path, path).strip() == sha, path
    # Every blob is in the pack but the one git converted (trees and commits stay loose).
    assert loose_blobs == {staged["notes.txt"]}
    assert list((service / ".git" / "objects" / "pack").glob("*.pack"))
    assert git_out(service, "cat-file", "-p", "HEAD:notes.txt") == "one\ntwo\n"
    assert git_out(service, "status", "--porcelain") == ""
    fsck = subprocess.run(["git", "-C", str(service), "fsck", "--strict"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr
