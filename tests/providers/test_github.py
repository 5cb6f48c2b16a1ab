"""GitHubRepositories against the GitHub fake (served on loopback: the push is a real git push)."""

from __future__ import annotations

import pytest

from platformctl.contracts.repositories import RepositorySpec, TeamAccess
from platformctl.errors import AuthError, ExitCode, ProviderError
from platformctl.providers.github.protection import RULESET_NAME
from tests.fakes.base import Fault
from tests.fakes.clock import FakeClock
from tests.fakes.fixtures import GITHUB_TOKEN
from tests.providers.hosts import checkout, github_host, head

SPEC = RepositorySpec(
    "acme", "payments", "Payments", topics=("python", "payments"), teams=(TeamAccess("platform", "push"),)
)


def run_all(host, spec, work):
    return [
        host.ensure_repository(spec),
        host.push(spec, work, "main"),
        host.configure(spec),
        host.protect_branch(spec, "main"),
    ]


def test_first_run_makes_the_minimal_requests_and_a_real_push(github, github_url, tmp_path):
    work = checkout(tmp_path / "svc")
    clock = FakeClock()
    steps = run_all(github_host(github_url, clock=clock), SPEC, work)
    assert [s.changed for s in steps] == [True, True, True, True]
    assert github.requests() == [
        "GET /repos/acme/payments",
        "POST /orgs/acme/repos",
        "PUT /repos/acme/payments/topics",
        "PUT /orgs/acme/teams/platform/repos/acme/payments",
        "POST /repos/acme/payments/rulesets",
    ]
    assert github.requests("git") == [
        "GET /acme/payments.git/info/refs",
        "POST /acme/payments.git/git-receive-pack",
    ]
    assert github.log[1].body == {"name": "payments", "visibility": "private", "description": "Payments"}
    repo = github.repo("acme", "payments")
    assert repo.topics == ["payments", "python"] and repo.teams == {"platform": "push"}
    assert github.git.head("acme/payments", "main") == head(work)
    (ruleset,) = repo.rulesets.values()
    assert ruleset["name"] == RULESET_NAME and ruleset["enforcement"] == "active"
    assert {r["type"] for r in ruleset["rules"]} == {"deletion", "non_fast_forward", "pull_request"}
    assert clock.sleeps == [1.0, 1.0, 1.0]  # writes one second apart, reads not delayed


def test_second_run_only_reads(github, github_url, tmp_path):
    work = checkout(tmp_path / "svc")
    run_all(github_host(github_url), SPEC, work)
    before = len(github.log)
    steps = run_all(github_host(github_url), SPEC, work)
    assert [s.changed for s in steps] == [False, False, False, False]
    assert github.writes()[-1] == "POST /repos/acme/payments/rulesets" and len(github.writes()) == 4
    ruleset_id = next(iter(github.repo("acme", "payments").rulesets))
    assert [str(e) for e in github.log[before:] if e.kind == "api"] == [
        "GET /repos/acme/payments",
        "GET /orgs/acme/teams/platform/repos/acme/payments",
        "GET /repos/acme/payments/rulesets",
        f"GET /repos/acme/payments/rulesets/{ruleset_id}",
    ]


def test_new_repository_not_found_for_a_while_is_retried(github, github_url, tmp_path):
    github.lag = 3  # the git push's first attempts and the topics PUT see a 404
    clock = FakeClock()
    steps = run_all(github_host(github_url, clock=clock), SPEC, checkout(tmp_path / "svc"))
    assert all(s.changed for s in steps)
    assert [e.status for e in github.log if e.kind == "git"][:3] == [404, 404, 404]
    assert len(github.repo("acme", "payments").rulesets) == 1


def test_a_create_whose_answer_was_lost_becomes_a_read(github, github_url, tmp_path):
    github.inject(Fault("POST", "/orgs/acme/repos", reset=True, after=True))
    steps = run_all(github_host(github_url), SPEC, checkout(tmp_path / "svc"))
    assert steps[0].changed is False and steps[0].detail.startswith("exists")
    assert github.requests()[:4] == [
        "GET /repos/acme/payments",
        "POST /orgs/acme/repos",
        "POST /orgs/acme/repos",
        "GET /repos/acme/payments",
    ]
    assert [e.status for e in github.log[1:3]] == [0, 422]
    assert len(github.repos) == 1 and len(github.repo("acme", "payments").rulesets) == 1


def test_a_ruleset_post_whose_answer_was_lost_is_not_duplicated(github, github_url, tmp_path):
    github.inject(Fault("POST", "/repos/acme/payments/rulesets", status=502, after=True))
    steps = run_all(github_host(github_url), SPEC, checkout(tmp_path / "svc"))
    assert steps[3].changed is False  # the retried POST said "Name must be unique": read, found, in place
    assert len(github.repo("acme", "payments").rulesets) == 1


def test_repository_with_other_history_is_refused_before_anything_changes(github, github_url, tmp_path):
    github.add_repo("acme", "payments", topics=["theirs"])
    other = checkout(tmp_path / "other", extra="someone else's")
    host = github_host(github_url)
    host.ensure_repository(SPEC)
    host.push(SPEC, other, "main")
    mine = github_host(github_url)
    assert mine.ensure_repository(SPEC).changed is False
    with pytest.raises(ProviderError) as info:
        mine.push(SPEC, checkout(tmp_path / "svc"), "main")
    assert info.value.exit_code == ExitCode.ERROR
    assert "already exists at GitHub and its main branch has other history" in info.value.message
    assert "choose another service name or --org" in info.value.hint
    assert github.repo("acme", "payments").topics == ["theirs"]


def test_drifted_ruleset_is_repaired_keeping_other_rules(github, github_url, tmp_path):
    work = checkout(tmp_path / "svc")
    run_all(github_host(github_url), SPEC, work)
    repo = github.repo("acme", "payments")
    ruleset = next(iter(repo.rulesets.values()))
    ruleset["enforcement"] = "disabled"
    ruleset["rules"] = [{"type": "required_linear_history"}, {"type": "deletion"}]
    result = github_host(github_url).protect_branch(SPEC, "main")
    assert result.changed and result.detail == f"ruleset {RULESET_NAME} updated"
    assert github.writes()[-1] == f"PUT /repos/acme/payments/rulesets/{ruleset['id']}"
    fixed = repo.rulesets[ruleset["id"]]
    assert fixed["enforcement"] == "active"
    assert {r["type"] for r in fixed["rules"]} == {
        "required_linear_history",
        "deletion",
        "non_fast_forward",
        "pull_request",
    }


def test_ruleset_found_on_a_later_page(github, github_url, tmp_path):
    work = checkout(tmp_path / "svc")
    host = github_host(github_url)
    host.ensure_repository(SPEC)
    host.push(SPEC, work, "main")
    repo = github.repo("acme", "payments")
    for n in range(105):
        repo.rulesets[n + 1] = {"id": n + 1, "name": f"other-{n}", "enforcement": "active", "rules": []}
    assert github_host(github_url).protect_branch(SPEC, "main").changed is True
    assert github_host(github_url).protect_branch(SPEC, "main").changed is False
    pages = [e for e in github.log if e.path.endswith("/rulesets")]
    assert [p.path for p in pages[-2:]] == [
        "/repos/acme/payments/rulesets",
        f"/repositories/{repo.id}/rulesets",
    ]


def test_classic_protection_where_rulesets_are_unavailable(github, github_url, tmp_path):
    github.rulesets_available = False
    work = checkout(tmp_path / "svc")
    steps = run_all(github_host(github_url, policy=None), SPEC, work)
    assert steps[3].detail == "classic protection of main set (rulesets unavailable)"
    protection = github.repo("acme", "payments").protection["main"]
    assert protection["required_pull_request_reviews"]["required_approving_review_count"] == 1
    assert protection["allow_force_pushes"] == {"enabled": False}
    again = github_host(github_url).protect_branch(SPEC, "main")
    assert again.changed is False
    assert github.requests()[-2:] == [
        "GET /repos/acme/payments/rulesets",
        "GET /repos/acme/payments/branches/main/protection",
    ]


def test_free_plan_private_repository_is_a_plan_error(github, github_url, tmp_path):
    github.orgs["acme"].plan = "free"
    host = github_host(github_url)
    host.ensure_repository(SPEC)
    host.push(SPEC, checkout(tmp_path / "svc"), "main")
    with pytest.raises(ProviderError) as info:
        host.protect_branch(SPEC, "main")
    assert info.value.exit_code == ExitCode.ERROR
    assert "the account's plan lacks this feature (Upgrade to GitHub Pro" in info.value.message
    assert "public repository" in info.value.hint


def test_missing_permission_names_it(github, github_url):
    github.add_token("ghp_" + "R" * 36, "reader", permissions={"metadata": "read"})
    with pytest.raises(AuthError) as info:
        github_host(github_url, token="ghp_" + "R" * 36).ensure_repository(SPEC)
    assert info.value.exit_code == ExitCode.AUTH
    assert "the token lacks the permission administration: write" in info.value.message
    assert github.repos == {}


def test_classic_token_missing_scope_names_it(github, github_url):
    github.add_token("ghp_" + "C" * 36, "classic", scopes=["public_repo"])
    with pytest.raises(AuthError) as info:
        github_host(github_url, token="ghp_" + "C" * 36).ensure_repository(SPEC)
    assert "the token lacks the scope repo" in info.value.message


def test_user_repository_without_org(github, github_url, tmp_path):
    host = github_host(github_url)
    owner = host.default_owner()
    spec = RepositorySpec(owner, "tool", visibility="public", owner_kind="user")
    assert host.ensure_repository(spec).changed
    assert github.log[-1].path == "/user/repos" and github.log[-1].body == {"name": "tool", "private": False}
    assert github.repo("octo", "tool").visibility == "public"


def test_renamed_repository_is_not_ours(github, github_url):
    repo = github.add_repo("acme", "old-name")
    github.repos[("acme", "payments")] = repo  # GitHub serves the new name under the old one
    with pytest.raises(ProviderError, match="now leads to acme/old-name"):
        github_host(github_url).ensure_repository(SPEC)


def test_token_is_in_no_git_config_and_no_error(github, github_url, tmp_path):
    work = checkout(tmp_path / "svc")
    run_all(github_host(github_url), SPEC, work)
    config = (work / ".git" / "config").read_text()
    assert f"{github_url}/acme/payments.git" in config
    assert GITHUB_TOKEN not in config and "extraheader" not in config.lower()
    github.tokens.clear()
    with pytest.raises(AuthError) as info:
        github_host(github_url).push(SPEC, work, "main")
    assert GITHUB_TOKEN not in str(info.value) + (info.value.hint or "")
