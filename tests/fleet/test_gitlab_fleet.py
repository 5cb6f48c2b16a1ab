"""`fleet status` and `fleet update` against the GitLab fake: merge requests, real git over HTTP."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import git
import pytest

from tests.fakes.fixtures import GITLAB_TOKEN, fast_http_env, gitlab, gitlab_url  # noqa: F401
from tests.fakes.gitlab_merge_requests import GitLabMergeRequests
from tests.fleet.test_local_fleet import FILES, release
from tests.helpers import build_golden_path, configure_golden_path
from tests.providers.scenario import writes

GROUP = ("--provider", "gitlab", "--org", "acme")


def git_push(checkout: Path) -> None:
    header = "Authorization: Basic " + base64.b64encode(f"oauth2:{GITLAB_TOKEN}".encode()).decode()
    subprocess.run(
        ["git", "-C", str(checkout), "-c", f"http.extraHeader={header}", "push", "--quiet", "origin", "main"],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def env(gitlab_url, fast_http_env, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PLATFORMCTL_HOME", str(tmp_path / "platform-home"))
    return {**fast_http_env, "PLATFORMCTL_GITLAB_URL": gitlab_url, "GITLAB_TOKEN": GITLAB_TOKEN}


def test_gitlab_rollout_is_honest_idempotent_and_superseded_by_a_new_release(cli, gitlab, env, tmp_path):  # noqa: F811
    mrs = GitLabMergeRequests(gitlab)
    gp = build_golden_path(tmp_path / "gp", files=FILES)
    (gp / "CHANGELOG.md").write_text("## 1.0.0\n\n- first release\n")
    work = tmp_path / "work"
    configure_golden_path(work, "tiny", gp)
    for name in ("alpha", "beta"):
        result = cli("new", "service", name, "-g", "tiny", *GROUP, env=env)
        assert result.exit_code == 0, result.stderr
    (work / "alpha" / "app.py").write_text("print('ours')\n")
    repo = git.Repo(work / "alpha")
    repo.git.add(A=True)
    repo.index.commit("ours")
    git_push(work / "alpha")
    release(gp, "1.1.0", "print('v1.1')\n")

    status = cli("fleet", "status", *GROUP, "--json", env=env)
    assert status.exit_code == 0, status.stderr
    assert {s["repository"]: s["behind"] for s in status.json()["services"]} == {
        "acme/alpha": 1,
        "acme/beta": 1,
    }

    result = cli("fleet", "update", "-g", "tiny", *GROUP, "--json", env=env)
    assert result.exit_code == 3, result.stderr
    assert {o["repository"]: o["state"] for o in result.json()["services"]} == {
        "acme/alpha": "conflicted",
        "acme/beta": "opened",
    }
    [alpha] = mrs.requests["acme/alpha"]
    assert alpha["draft"] is True and alpha["title"].startswith("Draft: ")
    assert (
        "platformctl:conflict" in alpha["labels"]
        and alpha["source_branch"] == "platformctl/update-tiny-1.1.0"
    )
    [beta] = mrs.requests["acme/beta"]
    assert beta["draft"] is False and beta["state"] == "opened"

    before = writes(gitlab)
    again = cli("fleet", "update", "-g", "tiny", *GROUP, "--json", env=env)
    assert {o["state"] for o in again.json()["services"]} == {"unchanged"}
    assert writes(gitlab) == before

    release(gp, "1.2.0", "print('v1.2')\n")
    newer = cli("fleet", "update", "-g", "tiny", *GROUP, "--json", env=env)
    assert newer.exit_code == 3, newer.stderr
    old, new = mrs.requests["acme/beta"]
    assert (old["state"], new["state"]) == ("closed", "opened")
    assert mrs.notes[("acme/beta", old["iid"])] == [
        f"Superseded by #{new['iid']}, which updates tiny to 1.2.0."
    ]
    rollout = cli("fleet", "status", *GROUP, "--campaign", "tiny-1.2.0", "--json", env=env).json()
    assert rollout["counts"]["conflicted"] == 1 and rollout["counts"]["opened"] == 1
