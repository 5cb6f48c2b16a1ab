"""`platformctl new service --provider github` end to end: the real CLI against the fakes on loopback.

The scenarios run in-process (the ``cli`` fixture): they are about requests, faults and
convergence, not the process. The kill in the middle of the create needs a real process and
runs one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from platformctl.providers.github.protection import RULESET_NAME
from tests.fakes.base import Fault
from tests.fakes.fixtures import BACKSTAGE_TOKEN, GITHUB_TOKEN
from tests.providers.scenario import local_head, use_tiny_golden_path, writes

ARGS = (
    "new",
    "service",
    "payments",
    "--provider",
    "github",
    "--org",
    "acme",
    "--topic",
    "python",
    "--team",
    "platform",
    "--json",
)
FIRST_API = [
    "GET /repos/acme/payments",
    "POST /orgs/acme/repos",
    "PUT /repos/acme/payments/topics",
    "PUT /orgs/acme/teams/platform/repos/acme/payments",
    "POST /repos/acme/payments/rulesets",
]
FIRST_GIT = ["GET /acme/payments.git/info/refs", "POST /acme/payments.git/git-receive-pack"]
BY_ENTITY = "GET /api/catalog/locations/by-entity/component/default/payments"
FIRST_BACKSTAGE = [BY_ENTITY, "POST /api/catalog/locations"]


@pytest.fixture
def env(github_url, backstage_url, fast_http_env, tmp_path):
    return {
        **fast_http_env,
        **use_tiny_golden_path(tmp_path),
        "PLATFORMCTL_GITHUB_API_URL": github_url,
        "PLATFORMCTL_BACKSTAGE_URL": backstage_url,
        "GH_TOKEN": GITHUB_TOKEN,
        "BACKSTAGE_TOKEN": BACKSTAGE_TOKEN,
    }


@pytest.fixture
def new_service(cli, env):
    def run(*extra, **more_env):
        return cli(*ARGS, *extra, env={**env, **more_env})

    return run


def assert_converged(github, backstage, tmp_path, github_url):
    repo = github.repo("acme", "payments")
    assert len(github.repos) == 1
    assert repo.topics == ["python"] and repo.teams == {"platform": "push"}
    assert [r["name"] for r in repo.rulesets.values()] == [RULESET_NAME]
    assert github.git.head("acme/payments", "main") == local_head(tmp_path / "work" / "payments")
    target = f"{github_url}/acme/payments/blob/main/catalog-info.yaml"
    assert [loc["target"] for loc in backstage.locations.values()] == [target]


def assert_nothing_left_to_do(new_service, github, backstage):
    before = writes(github, backstage)
    result = new_service()
    assert result.exit_code == 0, result.stderr
    assert result.json()["changed"] is False
    assert writes(github, backstage) == before


def test_first_run_is_minimal_and_the_second_only_reads(new_service, github, backstage, tmp_path, github_url):
    first = new_service()
    assert first.exit_code == 0, first.stderr
    assert github.requests() == FIRST_API
    assert github.requests("git") == FIRST_GIT
    assert backstage.requests() == FIRST_BACKSTAGE
    doc = first.json()
    assert [(s["step"], s["changed"]) for s in doc["steps"]] == [
        ("create repository", True),
        ("push", True),
        ("configure repository", True),
        ("protect branch", True),
        ("register in catalog", True),
    ]
    assert doc["repository"]["url"] == f"{github_url}/acme/payments"
    assert_converged(github, backstage, tmp_path, github_url)

    api, git, catalog = len(github.requests()), len(github.requests("git")), len(backstage.requests())
    second = new_service()
    assert second.exit_code == 0, second.stderr
    assert second.json()["changed"] is False
    ruleset_id = next(iter(github.repo("acme", "payments").rulesets))
    assert github.requests()[api:] == [
        "GET /repos/acme/payments",
        "GET /orgs/acme/teams/platform/repos/acme/payments",
        "GET /repos/acme/payments/rulesets",
        f"GET /repos/acme/payments/rulesets/{ruleset_id}",
    ]
    assert github.requests("git")[git:] == [
        "GET /acme/payments.git/info/refs",
        "POST /acme/payments.git/git-upload-pack",
    ]  # ls-remote
    assert backstage.requests()[catalog:] == [BY_ENTITY]


def secondary_with_retry_after(github, backstage):
    github.secondary_limit("POST", "/orgs/acme/repos", retry_after=0)  # honoured: no need to wait
    return lambda: [e.status for e in github.log if e.path == "/orgs/acme/repos"] == [403, 201]


def secondary_without_retry_after(github, backstage):
    github.secondary_limit("PUT", "/repos/acme/payments/topics", times=2)
    return lambda: [e.status for e in github.log if e.path.endswith("/topics")] == [403, 403, 200]


def primary_limit_until_reset(github, backstage):
    import time

    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()))}
    github.inject(
        Fault("POST", "/repos/acme/payments/rulesets", 429, {"message": "API rate limit exceeded"}, headers)
    )
    return lambda: [e.status for e in github.log if e.path.endswith("/rulesets")] == [429, 201]


def burst_of_502(github, backstage):
    github.burst(502, times=3)
    return lambda: [e.status for e in github.log[:4]] == [502, 502, 502, 404]


def not_found_after_create(github, backstage):
    github.lag = 3
    return lambda: [e.status for e in github.log if e.kind == "git"][:3] == [404, 404, 404]


def reset_during_push(github, backstage):
    github.inject(Fault("POST", "*/git-receive-pack", reset=True))
    return lambda: [e.status for e in github.log if e.path.endswith("receive-pack")] == [0, 200]


def reset_after_the_push_landed(github, backstage):
    github.inject(Fault("POST", "*/git-receive-pack", reset=True, after=True))
    return lambda: next(e.status for e in github.log if e.path.endswith("receive-pack")) == 0


def catalog_unavailable(github, backstage):
    backstage.inject(Fault("POST", "/api/catalog/locations", 503, {"error": {"message": "down"}}, times=2))
    return lambda: [e.status for e in backstage.log] == [404, 503, 503, 201]


@pytest.mark.parametrize(
    "fault",
    [
        secondary_with_retry_after,
        secondary_without_retry_after,
        primary_limit_until_reset,
        burst_of_502,
        not_found_after_create,
        reset_during_push,
        reset_after_the_push_landed,
        catalog_unavailable,
    ],
)
def test_faults_are_survived(fault, new_service, github, backstage, tmp_path, github_url):
    happened = fault(github, backstage)
    result = new_service()
    assert result.exit_code == 0, result.stderr
    assert happened(), [f"{e} {e.status}" for e in github.log + backstage.log]
    assert_converged(github, backstage, tmp_path, github_url)
    assert_nothing_left_to_do(new_service, github, backstage)


FIRST_RUN = (
    [("github", m, p) for m, p in (r.split(" ", 1) for r in FIRST_API[:2])]
    + [("github", m, p) for m, p in (r.split(" ", 1) for r in FIRST_GIT)]
    + [("github", m, p) for m, p in (r.split(" ", 1) for r in FIRST_API[2:])]
    + [("backstage", m, p) for m, p in (r.split(" ", 1) for r in FIRST_BACKSTAGE)]
)


# The fast loop stops at a representative five (a write that landed before its error answer at
# each of the create, the push, the rulesets and the catalog; one refused team write); the full
# suite stops at every request, before and after it is applied.
FAST_STOPS = {
    "POST /orgs/acme/repos-after",
    "POST /acme/payments.git/git-receive-pack-after",
    "PUT /orgs/acme/teams/platform/repos/acme/payments-before",
    "POST /repos/acme/payments/rulesets-after",
    "POST /api/catalog/locations-after",
}
STOPS = [
    pytest.param(
        service,
        method,
        path,
        applied,
        id=f"{method} {path}-{'after' if applied else 'before'}",
        marks=() if f"{method} {path}-{'after' if applied else 'before'}" in FAST_STOPS else pytest.mark.slow,
    )
    for applied in (False, True)
    for service, method, path in FIRST_RUN
]
assert {param.id for param in STOPS} >= FAST_STOPS


@pytest.mark.parametrize(("service", "method", "path", "applied"), STOPS)
def test_a_stop_at_any_request_then_a_rerun_converges(
    service, method, path, applied, new_service, github, backstage, tmp_path, github_url
):
    fake = github if service == "github" else backstage
    fault = fake.inject(Fault(method, path, 400, {"message": "injected stop"}, after=applied))
    first = new_service()
    assert first.exit_code == 1, first.stderr
    assert fault.arrived.is_set()
    second = new_service()
    assert second.exit_code == 0, second.stderr
    assert_converged(github, backstage, tmp_path, github_url)
    assert_nothing_left_to_do(new_service, github, backstage)


def test_killed_in_the_middle_of_the_create_then_rerun(
    env, github, backstage, tmp_path, github_url, new_service
):
    release = threading.Event()
    fault = github.inject(Fault("POST", "/orgs/acme/repos", after=True, hold=release))
    proc = subprocess.Popen(
        [sys.executable, "-m", "platformctl", *ARGS],
        cwd=tmp_path / "work",
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert fault.arrived.wait(60)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        release.set()
    assert proc.returncode == -signal.SIGKILL
    assert github.repo("acme", "payments") is not None  # the create landed; nothing after it ran
    result = new_service()
    assert result.exit_code == 0, result.stderr
    assert result.json()["resumed"] is True
    assert_converged(github, backstage, tmp_path, github_url)
    assert_nothing_left_to_do(new_service, github, backstage)


def test_bad_token_is_exit_4(new_service, github):
    result = new_service(GH_TOKEN="ghp_" + "W" * 36)
    assert result.exit_code == 4
    assert result.json()["error"]["exit_code"] == 4  # --json: the error document, no result
    assert result.stderr.splitlines()[-2:] == [
        "error: GitHub rejected the token while trying to read repository acme/payments "
        "(401: Bad credentials)",
        # The checkout is rendered before the host says no: the hint says where it is.
        "hint: set PLATFORMCTL_GITHUB_TOKEN (or GH_TOKEN / GITHUB_TOKEN); "
        "the service is in payments; re-run the same command to finish it",
    ]


def test_missing_token_is_exit_4(new_service, env):
    result = new_service(GH_TOKEN="")
    assert result.exit_code == 4
    assert "error: no GitHub token to create repository acme/payments" in result.stderr


def test_missing_permission_is_exit_4_naming_it(new_service, github):
    github.add_token("ghp_" + "M" * 36, "octo", permissions={"metadata": "read", "contents": "write"})
    result = new_service(GH_TOKEN="ghp_" + "M" * 36)
    assert result.exit_code == 4
    assert "the token lacks the permission administration: write" in result.stderr
    assert "hint: grant the token the permission administration: write" in result.stderr
    assert github.repos == {}


def test_repository_of_someone_else_is_exit_1_and_left_alone(new_service, github, backstage, tmp_path):
    theirs = github.add_repo("acme", "payments", topics=["theirs"])
    clone = tmp_path / "theirs"
    subprocess.run(["git", "init", "-q", "-b", "main", str(clone)], check=True)
    (clone / "x").write_text("x")
    subprocess.run(["git", "-C", str(clone), "add", "x"], check=True)
    subprocess.run(
        ["git", "-C", str(clone), "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "x"],
        check=True,
    )
    bare = str(github.git.bare("acme/payments"))
    subprocess.run(["git", "-C", str(clone), "push", "-q", bare, "main"], check=True)
    result = new_service()
    assert result.exit_code == 1
    assert (
        "error: acme/payments already exists at GitHub and its main branch has other history" in result.stderr
    )
    assert (
        "hint: choose another service name or --org, or rename or delete that repository first"
        in result.stderr
    )
    assert theirs.topics == ["theirs"] and theirs.rulesets == {} and theirs.teams == {}
    assert backstage.writes() == []


def test_plan_without_rulesets_for_private_repositories_is_exit_1(new_service, github):
    github.orgs["acme"].plan = "free"
    result = new_service()
    assert result.exit_code == 1
    assert (
        "GitHub cannot create ruleset platformctl-default-branch on acme/payments: the account's plan "
        "lacks this feature (Upgrade to GitHub Pro or make this repository public" in result.stderr
    )
    public = new_service("--visibility", "public")
    assert public.exit_code == 1  # the repository exists as private now: platformctl does not change it
    assert github.repo("acme", "payments").visibility == "private"


def test_dry_run_lists_the_requests_and_sends_none(new_service, github, backstage, github_url):
    result = new_service("--dry-run", GH_TOKEN="")
    assert result.exit_code == 0, result.stderr
    steps = result.json()["steps"]
    assert steps[0] == "github: GET /repos/acme/payments (read; 404 means create)"
    assert steps[1] == ('github: POST /orgs/acme/repos {"name": "payments", "visibility": "private"}')
    assert steps[2].startswith(f"github: git push main to {github_url}/acme/payments.git")
    assert steps[3] == 'github: PUT /repos/acme/payments/topics {"names": ["python"]}'
    team = 'github: PUT /orgs/acme/teams/platform/repos/acme/payments {"permission": "push"}'
    assert steps[4].startswith(team)
    assert steps[5].startswith("github: POST /repos/acme/payments/rulesets {")
    assert steps[-2:] == [
        f"backstage: {BY_ENTITY} (read; 404 means register)",
        'backstage: POST /api/catalog/locations {"type": "url", "target": '
        f'"{github_url}/acme/payments/blob/main/catalog-info.yaml"}} '
        "(409 means already registered)",
    ]
    assert github.log == [] and backstage.log == []


def test_user_repository_without_org(cli, env, github):
    result = cli(
        "new",
        "service",
        "tool",
        "--provider",
        "github",
        "--visibility",
        "public",
        "--json",
        env={**env, "PLATFORMCTL_BACKSTAGE_URL": ""},
    )
    assert result.exit_code == 0, result.stderr
    assert github.requests()[:3] == ["GET /user", "GET /repos/octo/tool", "POST /user/repos"]
    assert result.json()["repository"]["slug"] == "octo/tool"
