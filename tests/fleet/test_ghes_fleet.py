"""`fleet status` and `fleet update` against GitHub Enterprise Server (``https://HOST/api/v3``).

The GitHub fake answers below ``/api/v3`` and checks every such request against GHES 3.19's
own OpenAPI description (``tests/specs/github/ghes-3.19.subset.json``); git is served at the
host's root, as GHES does. The same three services as on GitHub.com: a conflict, a clean pull
request, one already on the newest version; then a re-run that writes nothing.
"""

from __future__ import annotations

import git
import pytest

from tests.fakes.fixtures import GITHUB_TOKEN, fast_http_env, github, github_url  # noqa: F401
from tests.fleet.test_github_fleet import ORG, fleet  # noqa: F401  (the same three services)
from tests.providers.scenario import writes


@pytest.fixture
def env(github_url, fast_http_env, tmp_path, monkeypatch):  # noqa: F811
    """A GHES-shaped API URL: the fake's root plus /api/v3."""
    monkeypatch.setenv("PLATFORMCTL_HOME", str(tmp_path / "platform-home"))
    return {**fast_http_env, "PLATFORMCTL_GITHUB_API_URL": f"{github_url}/api/v3", "GH_TOKEN": GITHUB_TOKEN}


def test_ghes_status_update_and_rerun_all_checked_against_the_ghes_description(
    cli,
    github,  # noqa: F811
    env,
    fleet,  # noqa: F811
):
    pulls, _ = fleet
    status = cli("fleet", "status", *ORG, "--json", env=env)
    assert status.exit_code == 0, status.stderr
    assert {s["repository"]: s["behind"] for s in status.json()["services"]} == {
        "acme/alpha": 1,
        "acme/beta": 1,
        "acme/gamma": 0,
    }

    result = cli("fleet", "update", "-g", "tiny", *ORG, "--json", env=env)
    assert result.exit_code == 3, result.stderr
    outcomes = {o["repository"]: o for o in result.json()["services"]}
    assert {r: o["state"] for r, o in outcomes.items()} == {"acme/alpha": "conflicted", "acme/beta": "opened"}
    [alpha], [beta] = pulls.pulls["acme/alpha"], pulls.pulls["acme/beta"]
    assert alpha["draft"] is True and {"name": "platformctl:conflict"} in alpha["labels"]
    assert beta["draft"] is False and beta["head"]["ref"] == "platformctl/update-tiny-1.1.0"
    bare = git.Repo(github.git.bare("acme/beta"))
    assert bare.git.show("platformctl/update-tiny-1.1.0:app.py") == "print('v1.1')"

    before = writes(github)
    again = cli("fleet", "update", "-g", "tiny", *ORG, "--json", env=env)
    assert again.exit_code == 3 and {o["state"] for o in again.json()["services"]} == {"unchanged"}
    assert writes(github) == before
    rollout = cli("fleet", "status", *ORG, "--campaign", "tiny-1.1.0", "--json", env=env).json()
    assert {s["repository"]: s["state"] for s in rollout["services"]} == {
        "acme/alpha": "conflicted",
        "acme/beta": "opened",
        "acme/gamma": "merged",
    }

    # Every API request of the fleet went through the GHES prefix (so through its description;
    # the fixture fails the test on any violation), and git through the host's root.
    api = [e.path for e in github.log if e.kind == "api"]
    assert api and all(path.startswith("/api/v3/") for path in api), sorted(set(api))[:5]
    assert all(not e.path.startswith("/api/v3/") for e in github.log if e.kind == "git")
