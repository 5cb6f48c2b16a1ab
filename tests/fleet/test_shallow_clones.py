"""`fleet update` clones one commit deep and deepens only as far as the pristine render.

A service with a long history (forty commits of its own, then an update to 1.1.0 merged, then a
few more commits) is updated to 1.2.0 by a campaign, on the local forge and on the GitHub fake
(real git over HTTP). git's own trace (``GIT_TRACE2_EVENT``) shows what was fetched: a clone of
depth 1 and one deepening, never the whole history; the pushed branch is the same merge that a
full clone gives: the team's edits kept, the new version's change in, the forge not shallow.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import git
import pytest

from tests.fakes.fixtures import GITHUB_TOKEN, fast_http_env, github, github_url  # noqa: F401
from tests.fakes.github_pulls import GitHubPulls
from tests.fleet.test_github_fleet import git_push
from tests.fleet.test_local_fleet import FILES, release
from tests.helpers import build_golden_path, configure_golden_path

BRANCH = "platformctl/update-tiny-1.2.0"


def git_commands(trace: Path) -> list[list[str]]:
    """The argv of every git command started while ``trace`` collected trace2 events."""
    events = [json.loads(line) for line in trace.read_text().splitlines() if line.strip()]
    return [e["argv"][1:] for e in events if e.get("event") == "start"]


def long_history(cli, tmp_path: Path, env: dict[str, str], provider: tuple[str, ...], push) -> Path:
    """alpha: 1.0.0, forty commits, ``update service`` to 1.1.0 merged, three commits; then 1.2.0."""
    gp = build_golden_path(tmp_path / "gp", files=FILES)
    (gp / "CHANGELOG.md").write_text("## 1.0.0\n\n- first release\n")
    work = tmp_path / "work"
    configure_golden_path(work, "tiny", gp)
    assert cli("new", "service", "alpha", "-g", "tiny", *provider, env=env).exit_code == 0
    checkout = work / "alpha"
    repo = git.Repo(checkout)

    def commits(count: int, start: int) -> None:
        """``count`` commits on the current branch, each changing notes.txt, made by one
        ``git fast-import`` (not a git process or two per commit), then checked out."""
        stream = bytearray()
        for i in range(start, start + count):
            message, text = f"note {i}".encode(), f"note {i}\n".encode()
            stream += f"commit refs/heads/{repo.active_branch.name}\n".encode()
            stream += f"committer Team <team@example.com> {int(time.time())} +0000\n".encode()
            stream += b"data %d\n%s\n" % (len(message), message)
            if i == start:
                stream += f"from {repo.head.commit.hexsha}\n".encode()
            stream += b"M 100644 inline notes.txt\ndata %d\n%s\n" % (len(text), text)
        subprocess.run(["git", "fast-import", "--quiet"], input=bytes(stream), cwd=checkout, check=True)
        repo.git.reset("--hard", "--quiet")

    commits(40, 0)
    push(checkout)
    release(gp, "1.1.0", "print('v1.1')\n")
    updated = cli("update", "service", "alpha", "--no-input", env=env)
    assert updated.exit_code == 0, updated.stderr
    if repo.active_branch.name != "main":  # the update is a branch of its own: merge it as a team would
        branch = repo.active_branch.name
        repo.git.checkout("main")
        repo.git.merge("--ff-only", "--quiet", branch)
    commits(3, 40)
    push(checkout)
    release(gp, "1.2.0", "print('v1.2')\n")
    return checkout


def assert_shallow_then_merged(trace: Path, bare: git.Repo, main_before: str) -> None:
    commands = git_commands(trace)
    clones = [c for c in commands if "clone" in c]
    assert clones and all("--depth=1" in c for c in clones), clones
    deepens = [a for c in commands if "fetch" in c for a in c if a.startswith("--deepen=")]
    assert deepens == ["--deepen=8"], deepens  # the 1.1.0 render is a few commits back: once
    assert not any("--unshallow" in c for c in commands)
    assert not Path(bare.git_dir, "shallow").exists()  # the forge keeps its whole history
    head = bare.commit(BRANCH)
    assert head.parents[0].hexsha == main_before
    assert bare.git.show(f"{BRANCH}:app.py") == "print('v1.2')"
    assert bare.git.show(f"{BRANCH}:notes.txt") == "note 42"
    assert int(bare.git.rev_list("--count", BRANCH)) > 45  # the merge sits on the full history


def test_local_update_clones_shallow_and_merges(cli, tmp_path, monkeypatch):
    home = tmp_path / "platform-home"
    monkeypatch.setenv("PLATFORMCTL_HOME", str(home))

    def push(checkout: Path) -> None:
        git.Repo(checkout).git.push("--quiet", "origin", "main")

    long_history(cli, tmp_path, {}, (), push)
    bare = git.Repo(home / "repositories" / "local" / "alpha.git")
    main_before = bare.commit("main").hexsha
    trace = tmp_path / "trace.json"
    result = cli("fleet", "update", "-g", "tiny", "--json", env={"GIT_TRACE2_EVENT": str(trace)})
    assert result.exit_code == 0, result.stderr
    assert [(s["repository"], s["state"]) for s in result.json()["services"]] == [("local/alpha", "opened")]
    assert_shallow_then_merged(trace, bare, main_before)


@pytest.fixture
def env(github_url, fast_http_env, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PLATFORMCTL_HOME", str(tmp_path / "platform-home"))
    return {**fast_http_env, "PLATFORMCTL_GITHUB_API_URL": github_url, "GH_TOKEN": GITHUB_TOKEN}


def test_github_update_clones_shallow_over_http_and_merges(cli, github, env, tmp_path):  # noqa: F811
    pulls = GitHubPulls(github)
    org = ("--provider", "github", "--org", "acme")
    long_history(cli, tmp_path, env, org, lambda checkout: git_push(checkout, GITHUB_TOKEN))
    bare = git.Repo(github.git.bare("acme/alpha"))
    main_before = bare.commit("main").hexsha
    trace = tmp_path / "trace.json"
    result = cli("fleet", "update", "-g", "tiny", *org, "--json", env={**env, "GIT_TRACE2_EVENT": str(trace)})
    assert result.exit_code == 0, result.stderr
    assert [(s["repository"], s["state"]) for s in result.json()["services"]] == [("acme/alpha", "opened")]
    assert_shallow_then_merged(trace, bare, main_before)
    [pull] = pulls.pulls["acme/alpha"]
    assert pull["head"]["ref"] == BRANCH and pull["draft"] is False
