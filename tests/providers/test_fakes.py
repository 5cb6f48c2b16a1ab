"""The fakes themselves: in-process use, OpenAPI checks, pluggable routes, faults."""

from __future__ import annotations

import httpx
import pytest

from platformctl.errors import ProviderError
from platformctl.providers.http import HttpClient, RetryPolicy, github_service
from platformctl.providers.tokens import Token
from tests.fakes.base import Fault, Request, Response
from tests.fakes.clock import FakeClock
from tests.fakes.fixtures import GITHUB_TOKEN


def in_process(fake, clock=None):
    """An HttpClient talking to the fake through httpx.WSGITransport (no socket)."""
    service = github_service("http://github.test", "2022-11-28", Token(GITHUB_TOKEN, "GH_TOKEN"))
    return HttpClient(
        service, RetryPolicy(), transport=httpx.WSGITransport(app=fake), clock=clock or FakeClock()
    )


def test_in_process_create_and_read_with_github_headers(github):
    http = in_process(github)
    created = http.request("POST", "/orgs/acme/repos", json={"name": "svc"}, action="create")
    assert created.status_code == 201
    assert created.json()["clone_url"] == "http://github.test/acme/svc.git"
    read = http.request("GET", "/repos/acme/svc", action="read")
    assert read.json()["full_name"] == "acme/svc" and read.json()["visibility"] == "public"
    assert read.headers["x-ratelimit-limit"] == "5000"
    assert int(read.headers["x-ratelimit-remaining"]) == 4998


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            {"name": "svc", "visibilty": "private"},
            "Additional properties are not allowed ('visibilty' was unexpected)",
        ),
        ({"name": "svc", "private": "yes"}, "private: 'yes' is not of type 'boolean'"),
        ({"visibility": "private"}, "'name' is a required property"),
        (
            {"name": "svc", "visibility": "internal"},
            "visibility: 'internal' is not one of ['public', 'private']",
        ),
    ],
)
def test_requests_departing_from_the_description_are_refused_and_recorded(github, body, problem):
    answer = in_process(github).request("POST", "/orgs/acme/repos", json=body, action="create", allow={422})
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("Invalid request.") and problem in answer.json()["message"]
    assert len(github.violations) == 1 and problem in github.violations[0]
    github.violations.clear()
    assert github.repos == {}


def test_unknown_operation_is_a_violation(github):
    answer = in_process(github).request("GET", "/repos/acme/svc/forks", action="list", allow={422})
    assert answer.status_code == 422
    assert github.violations == [
        "GET /repos/acme/svc/forks: GET /repos/acme/svc/forks is not an operation of the description"
    ]
    github.violations.clear()


def test_added_routes_get_the_same_checks(github):
    environments: dict[str, dict] = {}

    def put_environment(request: Request) -> Response:
        environments[request.params["environment_name"]] = request.json() or {}
        return Response(200, {"name": request.params["environment_name"]})

    github.add_route(
        "PUT",
        "/repos/{owner}/{repo}/environments/{environment_name}",
        put_environment,
        permission="administration=write",
    )
    github.add_repo("acme", "svc")
    http = in_process(github)
    path = "/repos/acme/svc/environments/staging"
    assert http.request("PUT", path, json={"wait_timer": 5}, action="put").status_code == 200
    assert environments == {"staging": {"wait_timer": 5}}
    bad = http.request(
        "PUT", path, json={"wait_timer": "5", "can_admins_bypass": True}, action="put", allow={422}
    )
    assert bad.status_code == 422 and len(github.violations) == 1
    github.violations.clear()
    github.add_token("ghp_" + "E" * 36, "octo", permissions={"metadata": "read"})
    service = github_service("http://github.test", "2022-11-28", Token("ghp_" + "E" * 36, "GH_TOKEN"))
    limited = HttpClient(service, transport=httpx.WSGITransport(app=github), clock=FakeClock())
    denied = limited.request("PUT", path, json={}, action="put", allow={403})
    assert denied.headers["X-Accepted-GitHub-Permissions"] == "administration=write"


def test_a_reset_in_process_is_a_transport_error_the_policy_retries(github):
    github.inject(Fault("GET", "/repos/acme/svc", reset=True))
    github.add_repo("acme", "svc")
    clock = FakeClock()
    assert in_process(github, clock).request("GET", "/repos/acme/svc", action="read").status_code == 200
    assert len(clock.sleeps) == 1 and [e.status for e in github.log] == [0, 200]


def test_faults_skip_and_expire(github):
    github.add_repo("acme", "svc")
    github.burst(503, times=2, method="GET", path="/repos/*")
    github.inject(Fault("GET", "/repos/acme/svc", 418, skip=1))
    http = in_process(github)
    http.request("GET", "/repos/acme/svc", action="read")
    with pytest.raises(ProviderError, match="418"):
        http.request("GET", "/repos/acme/svc", action="read")
    assert [e.status for e in github.log] == [503, 503, 200, 418]


def test_keep_alive_serving_answers_many_requests_on_one_connection(github, monkeypatch):
    """serve(keep_alive=True), as the benchmarks use it: HTTP/1.1, one connection, bodies whole."""
    from tests.fakes import server

    connections = []
    handle = server._KeepAliveHandler.handle

    def counted(self):
        connections.append(self)
        return handle(self)

    monkeypatch.setattr(server._KeepAliveHandler, "handle", counted)
    with server.serve(github, keep_alive=True) as url, httpx.Client(base_url=url) as client:
        headers = {"Authorization": f"Bearer {GITHUB_TOKEN}"}
        made = client.post("/user/repos", json={"name": "kept"}, headers=headers)
        read = client.get("/repos/octo/kept", headers=headers)
        again = client.get("/repos/octo/kept", headers=headers)
    assert (made.status_code, read.status_code, again.status_code) == (201, 200, 200)
    assert read.http_version == "HTTP/1.1" and read.json()["full_name"] == "octo/kept"
    assert read.headers["content-length"] == str(len(read.content))
    assert len(connections) == 1
