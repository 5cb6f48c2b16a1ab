"""GitLabRepositories against the GitLab fake (served on loopback: the push is a real git push)."""

from __future__ import annotations

import pytest

from platformctl.contracts.repositories import RepositorySpec
from platformctl.errors import AuthError, ExitCode, ProviderError
from tests.fakes.base import Fault
from tests.providers.hosts import checkout, gitlab_host, head

SPEC = RepositorySpec("acme/sub", "payments", "Payments", topics=("python",))
PROJECT = "/api/v4/projects/acme%2Fsub%2Fpayments"


def run_all(host, spec, work):
    return [
        host.ensure_repository(spec),
        host.push(spec, work, "main"),
        host.configure(spec),
        host.protect_branch(spec, "main"),
    ]


def test_first_run_creates_in_the_group_pushes_and_protects(gitlab, gitlab_url, tmp_path):
    work = checkout(tmp_path / "svc")
    steps = run_all(gitlab_host(gitlab_url), SPEC, work)
    assert [s.changed for s in steps] == [True, True, False, True]  # topics went with the create
    project = gitlab.projects["acme/sub/payments"]
    assert gitlab.requests() == [
        f"GET {PROJECT}",
        "GET /api/v4/groups/acme%2Fsub",
        "POST /api/v4/projects",
        f"GET /api/v4/projects/{project.id}/protected_branches/main",
        f"DELETE /api/v4/projects/{project.id}/protected_branches/main",  # GitLab's own protection on push
        f"POST /api/v4/projects/{project.id}/protected_branches",
    ]
    assert gitlab.log[2].body == {
        "name": "payments",
        "path": "payments",
        "visibility": "private",
        "description": "Payments",
        "topics": ["python"],
        "namespace_id": gitlab.groups["acme/sub"]["id"],
    }
    assert gitlab.git.head("acme/sub/payments", "main") == head(work)
    protected = project.protected["main"]
    assert protected["push_access_levels"][0]["access_level"] == 0
    assert protected["merge_access_levels"][0]["access_level"] == 40
    assert protected["allow_force_push"] is False


def test_second_run_only_reads(gitlab, gitlab_url, tmp_path):
    work = checkout(tmp_path / "svc")
    run_all(gitlab_host(gitlab_url), SPEC, work)
    before = len(gitlab.log)
    steps = run_all(gitlab_host(gitlab_url), SPEC, work)
    assert [s.changed for s in steps] == [False, False, False, False]
    project = gitlab.projects["acme/sub/payments"]
    assert [str(e) for e in gitlab.log[before:] if e.kind == "api"] == [
        f"GET {PROJECT}",
        f"GET /api/v4/projects/{project.id}/protected_branches/main",
    ]


def test_without_auto_protection_no_delete(gitlab, gitlab_url, tmp_path):
    gitlab.auto_protect = False
    run_all(gitlab_host(gitlab_url), SPEC, checkout(tmp_path / "svc"))
    assert not [w for w in gitlab.writes() if w.startswith("DELETE")]


def test_existing_project_gets_missing_topics_added(gitlab, gitlab_url, tmp_path):
    work = checkout(tmp_path / "svc")
    run_all(gitlab_host(gitlab_url), RepositorySpec("acme/sub", "payments"), work)
    result = gitlab_host(gitlab_url).configure(SPEC)
    assert result.changed and gitlab.projects["acme/sub/payments"].topics == ["python"]


def test_a_lost_create_answer_and_a_429_converge(gitlab, gitlab_url, tmp_path):
    gitlab.inject(Fault("POST", "/api/v4/projects", reset=True, after=True))
    gitlab.inject(Fault("GET", "/api/v4/groups/*", 429, b"Retry later", {"Retry-After": "2"}))
    steps = run_all(gitlab_host(gitlab_url), SPEC, checkout(tmp_path / "svc"))
    assert steps[0].changed is False and len(gitlab.projects) == 1
    assert [e.status for e in gitlab.log[:5]] == [404, 429, 200, 0, 400]


def test_missing_group_is_a_clear_error(gitlab, gitlab_url):
    with pytest.raises(ProviderError) as info:
        gitlab_host(gitlab_url).ensure_repository(RepositorySpec("nope", "payments"))
    assert "GitLab cannot read group nope: not found (404: 404 Group Not Found)" in info.value.message


def test_token_without_api_scope_names_the_scope(gitlab, gitlab_url):
    gitlab.add_token("glpat-" + "r" * 20, "reader", scopes=("read_api",))
    with pytest.raises(AuthError) as info:
        gitlab_host(gitlab_url, token="glpat-" + "r" * 20).ensure_repository(SPEC)
    assert info.value.exit_code == ExitCode.AUTH
    assert "the token lacks the scope api" in info.value.message


def test_bad_token_is_exit_4(gitlab, gitlab_url):
    with pytest.raises(AuthError, match=r"GitLab rejected the token .* \(401: 401 Unauthorized\)"):
        gitlab_host(gitlab_url, token="glpat-" + "x" * 20).ensure_repository(SPEC)


def test_other_history_is_refused(gitlab, gitlab_url, tmp_path):
    theirs = gitlab_host(gitlab_url)
    theirs.ensure_repository(SPEC)
    theirs.push(SPEC, checkout(tmp_path / "other", extra="theirs"), "main")
    mine = gitlab_host(gitlab_url)
    mine.ensure_repository(SPEC)
    with pytest.raises(ProviderError, match="has other history"):
        mine.push(SPEC, checkout(tmp_path / "svc"), "main")


def test_default_owner_needs_org(gitlab_url):
    from platformctl.errors import InputRequired

    with pytest.raises(InputRequired) as info:
        gitlab_host(gitlab_url).default_owner()
    assert "--org" in info.value.hint
