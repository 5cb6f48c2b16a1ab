"""`--org`: organisation scans through the GitHub and GitLab providers against the shared fakes."""

from __future__ import annotations

import httpx
import pytest

from platformctl.maturity.detectors import detect_all
from platformctl.maturity.org_scan import scan_org
from platformctl.providers.http import build_client, github_service, gitlab_service
from platformctl.providers.repo_trees import GitHubTrees, GitLabTrees
from platformctl.providers.tokens import Token
from tests.fakes.fixtures import GITHUB_TOKEN, GITLAB_TOKEN
from tests.fakes.listings import GitHubListings, GitLabListings, InFlight, count
from tests.fakes.server import serve
from tests.maturity.helpers import write_answers, write_model


def populate(listings, count=120):
    for i in range(count):
        files = ["README.md", ".github/workflows/ci.yml"] + (["CODEOWNERS"] if i % 2 else [])
        listings.add(f"svc-{i:03d}", files)
    listings.add("old", ["Jenkinsfile"], archived=True)
    listings.add("copy", [".travis.yml"], fork=True)
    listings.add("empty", [])
    return listings


def github_trees(app):
    service = github_service("https://api.github.test", "2022-11-28", Token(GITHUB_TOKEN, "test"))
    return GitHubTrees(build_client(service, transport=httpx.WSGITransport(app=app)))


def test_github_scan_paginates_skips_inactive_and_feeds_detectors(github, tmp_path):
    populate(GitHubListings(github))
    scan = scan_org(github_trees(github), "acme", tmp_path / "cache.json")
    assert len(scan.trees) == 120  # archived, fork and empty repositories left out
    assert count(github, "/orgs/acme/repos") == 2  # 100 per page, Link rel=next followed
    assert count(github, "/git/trees/") == 120
    assert (scan.fetched, scan.reused) == (120, 0)
    ev = detect_all(scan.trees)
    assert ev["ci_systems"].kinds == ("github-actions",)
    assert (ev["codeowners"].with_signal, ev["codeowners"].coverage) == (60, 50.0)
    assert ev["ci_systems"].examples[0] == "acme/svc-000:.github/workflows/ci.yml"


def test_rescan_asks_only_what_changed_and_uses_etags(github, tmp_path):
    listings = populate(GitHubListings(github), count=10)
    cache = tmp_path / "cache.json"
    scan_org(github_trees(github), "acme", cache)
    github.log.clear()
    again = scan_org(github_trees(github), "acme", cache)
    assert count(github, "/git/trees/") == 0  # nothing pushed: no tree request at all
    assert (again.fetched, again.reused) == (0, 10)
    listings.repos["svc-003"].pushed_at = "2025-02-01T00:00:00Z"  # pushed, same files: 304
    listings.repos["svc-004"].pushed_at = "2025-02-01T00:00:00Z"
    listings.repos["svc-004"].files.append("main.tf")  # pushed, new files: 200
    github.log.clear()
    third = scan_org(github_trees(github), "acme", cache)
    assert count(github, "/git/trees/") == 2
    assert count(github, "/git/trees/", status=304) == 1
    assert (third.fetched, third.reused) == (1, 9)
    assert "main.tf" in next(t for t in third.trees if t.name == "acme/svc-004").paths()


def test_concurrency_is_bounded(github, tmp_path):
    populate(GitHubListings(github), count=24)
    app = InFlight(github, delay=0.01)
    scan_org(github_trees(app), "acme", tmp_path / "cache.json", concurrency=4)
    assert 2 <= app.most <= 4


def test_unknown_org_is_a_provider_error(github, tmp_path):
    from platformctl.errors import ProviderError

    GitHubListings(github)
    with pytest.raises(ProviderError):
        scan_org(github_trees(github), "nobody", tmp_path / "cache.json")


def test_gitlab_group_scan_with_paginated_trees(gitlab, tmp_path):
    listings = GitLabListings(gitlab)
    listings.add("api", [f"src/f{i}.py" for i in range(150)] + [".gitlab-ci.yml", "renovate.json"])
    listings.add("web", ["Jenkinsfile", "package.json"])
    listings.add("gone", ["x"], archived=True)
    listings.add("blank", [])
    service = gitlab_service("https://gitlab.test", Token(GITLAB_TOKEN, "test"))
    source = GitLabTrees(build_client(service, transport=httpx.WSGITransport(app=gitlab)))
    scan = scan_org(source, "acme", tmp_path / "cache.json")
    assert [t.name for t in scan.trees] == ["acme/api", "acme/web"]
    assert len(scan.trees[0].paths()) == 152  # two pages of 100
    assert count(gitlab, "/repository/tree") == 3
    ev = detect_all(scan.trees)
    assert ev["ci_systems"].kinds == ("gitlab-ci", "jenkins")
    assert ev["dependency_updates"].with_signal == 1


@pytest.fixture
def github_server(github):
    listings = populate(GitHubListings(github), count=3)
    with serve(github) as url:
        yield listings, url


def test_cli_org_scan_over_loopback(cli, tmp_path, github_server):
    listings, url = github_server
    listings.repos["svc-000"].files += ["Jenkinsfile", ".gitlab-ci.yml"]  # three CI systems in the org
    model = write_model(tmp_path / "tiny.yaml")
    answers = write_answers(tmp_path / "a.yaml", {"a.ci": "one", "a.iac": "most", "b.docs": "d0"})
    env = {"PLATFORMCTL_GITHUB_API_URL": url, "GITHUB_TOKEN": GITHUB_TOKEN}
    args = (
        "assess",
        "maturity",
        "--model",
        str(model),
        "--answers",
        str(answers),
        "--org",
        "acme",
        "--provider",
        "github",
        "--json",
    )
    result = cli(*args, env=env)
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["repositories"] == ["acme/svc-000", "acme/svc-001", "acme/svc-002"]
    ci = next(a for a in doc["answers"] if a["question"] == "a.ci")
    assert (ci["effective"], ci["capped"]) == ("many", True)
    assert doc["notes"][0].startswith("3 repositories of acme listed (3 fetched, 0 unchanged")
    again = cli(*args, env=env)
    assert again.json()["notes"][0].startswith("3 repositories of acme listed (0 fetched, 3 unchanged")
    assert (tmp_path / "work" / ".platformctl" / "maturity-scan-cache.json").is_file()
    assert GITHUB_TOKEN not in result.stdout + result.stderr


def test_cli_org_scan_errors(cli, tmp_path, github_server):
    _, url = github_server
    answers = write_answers(tmp_path / "a.yaml", {})
    no_token = cli(
        "assess",
        "maturity",
        "--answers",
        str(answers),
        "--allow-unknown",
        "--org",
        "acme",
        "--provider",
        "github",
        env={"PLATFORMCTL_GITHUB_API_URL": url},
    )
    assert no_token.exit_code == 4
    assert "GITHUB_TOKEN" in no_token.stderr
    local = cli("assess", "maturity", "--answers", str(answers), "--allow-unknown", "--org", "acme")
    assert local.exit_code == 2
    assert "pass --provider github or --provider gitlab" in local.stderr
