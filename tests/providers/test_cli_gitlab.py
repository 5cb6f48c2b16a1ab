"""`platformctl new service --provider gitlab` end to end: the real CLI against the fakes on loopback.

In-process (the ``cli`` fixture): the scenarios are about requests, faults and convergence, not
the process (the GitHub file keeps one real kill in the middle of a create)."""

from __future__ import annotations

import pytest

from tests.fakes.base import Fault
from tests.fakes.fixtures import BACKSTAGE_TOKEN, GITLAB_TOKEN
from tests.providers.scenario import local_head, use_tiny_golden_path, writes

ARGS = (
    "new",
    "service",
    "payments",
    "--provider",
    "gitlab",
    "--org",
    "acme/sub",
    "--topic",
    "python",
    "--json",
)
PROJECT = "/api/v4/projects/acme%2Fsub%2Fpayments"
BY_ENTITY = "GET /api/catalog/locations/by-entity/component/default/payments"


@pytest.fixture
def env(gitlab_url, backstage_url, fast_http_env, tmp_path):
    return {
        **fast_http_env,
        **use_tiny_golden_path(tmp_path),
        "PLATFORMCTL_GITLAB_URL": gitlab_url,
        "PLATFORMCTL_BACKSTAGE_URL": backstage_url,
        "GITLAB_TOKEN": GITLAB_TOKEN,
        "BACKSTAGE_TOKEN": BACKSTAGE_TOKEN,
    }


@pytest.fixture
def new_service(cli, env):
    def run(*extra, **more_env):
        return cli(*ARGS, *extra, env={**env, **more_env})

    return run


def first_run_api(gitlab):
    project_id = gitlab.projects["acme/sub/payments"].id
    return [
        f"GET {PROJECT}",
        "GET /api/v4/groups/acme%2Fsub",
        "POST /api/v4/projects",
        f"GET /api/v4/projects/{project_id}/protected_branches/main",
        f"DELETE /api/v4/projects/{project_id}/protected_branches/main",
        f"POST /api/v4/projects/{project_id}/protected_branches",
    ]


def assert_converged(gitlab, backstage, tmp_path, gitlab_url):
    assert list(gitlab.projects) == ["acme/sub/payments"]
    project = gitlab.projects["acme/sub/payments"]
    assert project.topics == ["python"]
    assert project.protected["main"]["push_access_levels"][0]["access_level"] == 0
    assert gitlab.git.head("acme/sub/payments", "main") == local_head(tmp_path / "work" / "payments")
    target = f"{gitlab_url}/acme/sub/payments/-/blob/main/catalog-info.yaml"
    assert [loc["target"] for loc in backstage.locations.values()] == [target]


def assert_nothing_left_to_do(new_service, gitlab, backstage):
    before = writes(gitlab, backstage)
    result = new_service()
    assert result.exit_code == 0, result.stderr
    assert result.json()["changed"] is False
    assert writes(gitlab, backstage) == before


def test_first_run_is_minimal_and_the_second_only_reads(new_service, gitlab, backstage, tmp_path, gitlab_url):
    first = new_service()
    assert first.exit_code == 0, first.stderr
    assert gitlab.requests() == first_run_api(gitlab)
    assert gitlab.requests("git") == [
        "GET /acme/sub/payments.git/info/refs",
        "POST /acme/sub/payments.git/git-receive-pack",
    ]
    assert backstage.requests() == [BY_ENTITY, "POST /api/catalog/locations"]
    assert [s["changed"] for s in first.json()["steps"]] == [True, True, False, True, True]
    assert_converged(gitlab, backstage, tmp_path, gitlab_url)

    api, git = len(gitlab.requests()), len(gitlab.requests("git"))
    second = new_service()
    assert second.exit_code == 0, second.stderr
    project_id = gitlab.projects["acme/sub/payments"].id
    assert gitlab.requests()[api:] == [
        f"GET {PROJECT}",
        f"GET /api/v4/projects/{project_id}/protected_branches/main",
    ]
    assert gitlab.requests("git")[git:] == [
        "GET /acme/sub/payments.git/info/refs",
        "POST /acme/sub/payments.git/git-upload-pack",
    ]
    assert backstage.requests()[2:] == [BY_ENTITY]


def rate_limited(gitlab):
    gitlab.inject(Fault("POST", "/api/v4/projects", 429, b"Retry later", {"Retry-After": "0"}))  # honoured
    return lambda: [e.status for e in gitlab.log if e.path == "/api/v4/projects"] == [429, 201]


def rate_limited_without_headers(gitlab):
    gitlab.inject(Fault("GET", "/api/v4/groups/*", 429, b"Retry later", times=2))
    return lambda: [e.status for e in gitlab.log if "/groups/" in e.path] == [429, 429, 200]


def burst_of_502(gitlab):
    gitlab.inject(Fault(None, "/api/v4/*", 502, b"<html>502 Bad Gateway</html>", times=3))
    return lambda: [e.status for e in gitlab.log[:4]] == [502, 502, 502, 404]


def reset_during_push(gitlab):
    gitlab.inject(Fault("POST", "*/git-receive-pack", reset=True))
    return lambda: [e.status for e in gitlab.log if e.path.endswith("receive-pack")] == [0, 200]


def lost_create_answer(gitlab):
    gitlab.inject(Fault("POST", "/api/v4/projects", reset=True, after=True))
    return lambda: [e.status for e in gitlab.log if e.path == "/api/v4/projects"] == [0, 400]


@pytest.mark.parametrize(
    "fault", [rate_limited, rate_limited_without_headers, burst_of_502, reset_during_push, lost_create_answer]
)
def test_faults_are_survived(fault, new_service, gitlab, backstage, tmp_path, gitlab_url):
    happened = fault(gitlab)
    result = new_service()
    assert result.exit_code == 0, result.stderr
    assert happened(), [f"{e} {e.status}" for e in gitlab.log]
    assert_converged(gitlab, backstage, tmp_path, gitlab_url)
    assert_nothing_left_to_do(new_service, gitlab, backstage)


STOPS = [
    ("GET", PROJECT),
    ("GET", "/api/v4/groups/*"),
    ("POST", "/api/v4/projects"),
    ("POST", "*/git-receive-pack"),
    ("GET", "*/protected_branches/main"),
    ("DELETE", "*/protected_branches/main"),
    ("POST", "*/protected_branches"),
]


# The fast loop stops at a representative four (the create and the protection each half done,
# a refused push, a refused protection); the full suite stops at every request, before and after.
FAST_STOPS = {
    "POST /api/v4/projects-after",
    "POST */git-receive-pack-before",
    "DELETE */protected_branches/main-after",
    "POST */protected_branches-before",
}
STOP_PARAMS = [
    pytest.param(
        method,
        path,
        applied,
        id=f"{method} {path}-{'after' if applied else 'before'}",
        marks=() if f"{method} {path}-{'after' if applied else 'before'}" in FAST_STOPS else pytest.mark.slow,
    )
    for applied in (False, True)
    for method, path in STOPS
]
assert {param.id for param in STOP_PARAMS} >= FAST_STOPS


@pytest.mark.parametrize(("method", "path", "applied"), STOP_PARAMS)
def test_a_stop_at_any_request_then_a_rerun_converges(
    method, path, applied, new_service, gitlab, backstage, tmp_path, gitlab_url
):
    fault = gitlab.inject(Fault(method, path, 400, {"message": "injected stop"}, after=applied))
    first = new_service()
    assert first.exit_code == 1, first.stderr
    assert fault.arrived.is_set()
    second = new_service()
    assert second.exit_code == 0, second.stderr
    assert_converged(gitlab, backstage, tmp_path, gitlab_url)
    assert_nothing_left_to_do(new_service, gitlab, backstage)


def test_bad_token_and_missing_scope_are_exit_4(new_service, gitlab):
    bad = new_service(GITLAB_TOKEN="glpat-" + "w" * 20)
    assert bad.exit_code == 4
    assert (
        "error: GitLab rejected the token while trying to read project acme/sub/payments (401: 401 "
        "Unauthorized)" in bad.stderr
    )
    assert "hint: set GITLAB_TOKEN" in bad.stderr
    gitlab.add_token("glpat-" + "r" * 20, "octo", scopes=("read_api",))
    reader = new_service(GITLAB_TOKEN="glpat-" + "r" * 20)
    assert reader.exit_code == 4
    assert "the token lacks the scope api" in reader.stderr
    assert gitlab.projects == {}


def test_missing_group_is_exit_1(cli, env, gitlab):
    result = cli("new", "service", "payments", "--provider", "gitlab", "--org", "nope", env=env)
    assert result.exit_code == 1
    assert "error: GitLab cannot read group nope: not found (404: 404 Group Not Found)" in result.stderr


def test_usage_errors_are_exit_2(cli, env):
    no_org = cli("new", "service", "payments", "--provider", "gitlab", env=env)
    assert no_org.exit_code == 2
    assert "error: GitLab needs the group to create the project in" in no_org.stderr
    team = cli(*ARGS, "--team", "platform", env=env)
    assert team.exit_code == 2 and "error: teams apply to GitHub organisations" in team.stderr


def test_dry_run_lists_the_requests_and_sends_none(new_service, gitlab, backstage):
    result = new_service("--dry-run", GITLAB_TOKEN="")
    assert result.exit_code == 0, result.stderr
    steps = result.json()["steps"]
    assert steps[:3] == [
        f"gitlab: GET {PROJECT} (read; 404 means create)",
        "gitlab: GET /api/v4/groups/acme%2Fsub (the group's numeric id)",
        'gitlab: POST /api/v4/projects {"name": "payments", "namespace_id": "ID", '
        '"path": "payments", "topics": ["python"], "visibility": "private"}',
    ]
    assert gitlab.log == [] and backstage.log == []
