"""`fleet status` and `fleet update` against the GitHub fake: API checked against the OpenAPI
description, branches pushed with real git over HTTP, secondary limits on pull-request creation."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import git
import pytest

from tests.fakes.fixtures import GITHUB_TOKEN, fast_http_env, github, github_url  # noqa: F401
from tests.fakes.github_pulls import GitHubPulls
from tests.fleet.test_local_fleet import FILES, release
from tests.helpers import build_golden_path, configure_golden_path
from tests.providers.scenario import writes

ORG = ("--provider", "github", "--org", "acme")


def git_push(checkout: Path, token: str) -> None:
    """Push main as the team would, the token in a header (never in the URL)."""
    header = "Authorization: Basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode()
    subprocess.run(
        ["git", "-C", str(checkout), "-c", f"http.extraHeader={header}", "push", "--quiet", "origin", "main"],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def env(github_url, fast_http_env, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PLATFORMCTL_HOME", str(tmp_path / "platform-home"))
    return {**fast_http_env, "PLATFORMCTL_GITHUB_API_URL": github_url, "GH_TOKEN": GITHUB_TOKEN}


@pytest.fixture
def fleet(cli, github, env, tmp_path):  # noqa: F811
    """acme/alpha on 1.0.0 with a conflicting local edit, acme/beta on 1.0.0, acme/gamma on 1.1.0."""
    pulls = GitHubPulls(github)
    gp = build_golden_path(tmp_path / "gp", files=FILES)
    (gp / "CHANGELOG.md").write_text("## 1.0.0\n\n- first release\n")
    work = tmp_path / "work"
    configure_golden_path(work, "tiny", gp)
    for name in ("alpha", "beta", "gamma"):
        if name == "gamma":
            release(gp, "1.1.0", "print('v1.1')\n")
        result = cli("new", "service", name, "-g", "tiny", *ORG, env=env)
        assert result.exit_code == 0, result.stderr
    (work / "alpha" / "app.py").write_text("print('ours')\n")
    repo = git.Repo(work / "alpha")
    repo.git.add(A=True)
    repo.index.commit("ours")
    git_push(work / "alpha", GITHUB_TOKEN)
    github.add_repo("acme", "docs")  # an empty repository: listed, no service
    return pulls, gp


def test_github_rollout_with_secondary_limits_then_a_rerun_that_only_reads(cli, github, env, fleet):  # noqa: F811
    pulls, _ = fleet
    status = cli("fleet", "status", *ORG, "--json", env=env)
    assert status.exit_code == 0, status.stderr
    doc = status.json()
    assert {s["repository"]: s["behind"] for s in doc["services"]} == {
        "acme/alpha": 1,
        "acme/beta": 1,
        "acme/gamma": 0,
    }

    github.secondary_limit("POST", "/repos/acme/*/pulls", retry_after=0, times=2)
    result = cli("fleet", "update", "-g", "tiny", *ORG, "--json", env=env)
    assert result.exit_code == 3, result.stderr
    states = {o["repository"]: o["state"] for o in result.json()["services"]}
    assert states == {"acme/alpha": "conflicted", "acme/beta": "opened"}
    [alpha] = pulls.pulls["acme/alpha"]
    assert alpha["draft"] is True and {"name": "platformctl:conflict"} in alpha["labels"]
    assert alpha["head"]["ref"] == "platformctl/update-tiny-1.1.0"
    bare = git.Repo(github.git.bare("acme/alpha"))
    assert "<<<<<<<" in bare.git.show("platformctl/update-tiny-1.1.0:app.py")
    [beta] = pulls.pulls["acme/beta"]
    assert beta["draft"] is False and beta["state"] == "open"
    # Two secondary-limit answers were waited out: four POSTs for the two pull requests.
    posts = [r for r in github.requests() if r.startswith("POST /repos/acme/") and r.endswith("/pulls")]
    assert len(posts) == 4 and len(pulls.pulls) == 2

    before = writes(github)
    again = cli("fleet", "update", "-g", "tiny", *ORG, "--json", env=env)
    assert {o["state"] for o in again.json()["services"]} == {"unchanged"}
    assert writes(github) == before

    start = len(github.log)
    rescan = cli("fleet", "status", *ORG, "--json", env=env)
    assert rescan.exit_code == 0
    answers = [e.status for e in github.log[start:] if e.kind == "api" and e.method == "GET"]
    conditional = [s for s in answers if s in (200, 304)]
    assert conditional.count(304) >= len(conditional) - 2  # everything but the listing page
    pulls.check_runs[beta["head"]["sha"]] = [{"status": "completed", "conclusion": "failure", "name": "test"}]
    checked = {
        s["repository"]: s
        for s in cli("fleet", "status", *ORG, "--checks", "--json", env=env).json()["services"]
    }
    assert checked["acme/beta"]["update_request"]["state"] == "checks failing"
    assert checked["acme/alpha"]["update_request"]["state"] == "conflicted"
    pulls.check_runs[beta["head"]["sha"]] = [{"status": "completed", "conclusion": "success", "name": "test"}]
    checked = {
        s["repository"]: s
        for s in cli("fleet", "status", *ORG, "--checks", "--json", env=env).json()["services"]
    }
    assert checked["acme/beta"]["update_request"]["state"] == "checks passing"
    rollout = cli("fleet", "status", *ORG, "--campaign", "tiny-1.1.0", "--json", env=env).json()
    assert {s["repository"]: s["state"] for s in rollout["services"]} == {
        "acme/alpha": "conflicted",
        "acme/beta": "opened",
        "acme/gamma": "merged",
    }


def test_a_new_release_closes_the_older_pull_request_with_a_comment(cli, github, env, fleet):  # noqa: F811
    pulls, gp = fleet
    assert cli("fleet", "update", "-g", "tiny", *ORG, env=env).exit_code == 3
    release(gp, "1.2.0", "print('v1.2')\n")
    result = cli("fleet", "update", "-g", "tiny", *ORG, "--json", env=env)
    assert result.exit_code == 3, result.stderr
    old, new = pulls.pulls["acme/beta"]
    assert (old["state"], new["state"]) == ("closed", "open")
    assert pulls.comments[("acme/beta", old["number"])] == [
        f"Superseded by #{new['number']}, which updates tiny to 1.2.0."
    ]
