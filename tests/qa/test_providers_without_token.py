"""`new service --provider github|gitlab` without a token: dry runs work, real runs write nothing."""

from __future__ import annotations

import pytest


def test_github_dry_run_without_org_or_token_lists_the_requests(cli, isolation):
    result = cli("new", "service", "svc", "--provider", "github", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    steps = result.json()["steps"]
    assert steps[0] == "github: GET /user (read: the token's login owns the repository)"
    assert steps[1] == "github: GET /repos/{user}/svc (read; 404 means create)"
    assert steps[2].startswith("github: POST /user/repos ")
    assert not (isolation.parent / "work" / "svc").exists()


@pytest.mark.parametrize(
    ("provider", "org", "message", "hint"),
    [
        (
            "github",
            "acme",
            "error: no GitHub token to create repository acme/svc",
            "hint: set PLATFORMCTL_GITHUB_TOKEN (or GH_TOKEN / GITHUB_TOKEN)",
        ),
        (
            "gitlab",
            "acme/sub",
            "error: no GitLab token to create project acme/sub/svc",
            "hint: set GITLAB_TOKEN",
        ),
    ],
)
def test_without_a_token_nothing_is_rendered(cli, isolation, provider, org, message, hint):
    result = cli("new", "service", "svc", "--provider", provider, "--org", org)
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [message, hint]
    work = isolation.parent / "work"
    assert list(work.iterdir()) == []  # no checkout, no staging folder


def test_a_dry_run_needs_no_token(cli):
    for provider, org in (("github", "acme"), ("gitlab", "acme/sub")):
        result = cli("new", "service", "svc", "--provider", provider, "--org", org, "--dry-run")
        assert result.exit_code == 0, result.stderr
        assert "nothing was written" in result.stdout
