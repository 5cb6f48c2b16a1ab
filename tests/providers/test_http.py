"""The HTTP policy (providers/http.py) against small WSGI apps, in-process, on a fake clock."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator

import httpx
import pytest

from platformctl.errors import AuthError, ExitCode, ProviderError
from platformctl.providers.http import HttpClient, RetryPolicy, Service, github_service
from platformctl.providers.tokens import Token
from platformctl.redact import redact
from tests.fakes.clock import FakeClock

TOKEN = "ghp_" + "T0ken" * 8

Reply = tuple[int, dict[str, str], object]


class Script:
    """A WSGI app answering from a list of replies (the last one repeats) and logging requests."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.seen: list[dict[str, str]] = []

    def __call__(self, environ: dict, start_response: Callable) -> Iterator[bytes]:
        self.seen.append(
            {
                "method": environ["REQUEST_METHOD"],
                "path": environ["PATH_INFO"],
                "query": environ.get("QUERY_STRING", ""),
                **{k[5:].lower(): v for k, v in environ.items() if k.startswith("HTTP_")},
            }
        )
        status, headers, body = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        start_response(f"{status} X", [("Content-Type", "application/json"), *headers.items()])
        return [data]


def client(
    app: Callable,
    clock: FakeClock | None = None,
    policy: RetryPolicy | None = None,
    token: str | None = TOKEN,
    transport: httpx.BaseTransport | None = None,
) -> HttpClient:
    service = github_service(
        "https://api.github.test", "2022-11-28", Token(token, "GH_TOKEN") if token else None
    )
    return HttpClient(
        service,
        policy or RetryPolicy(),
        clock=clock or FakeClock(),
        transport=transport or httpx.WSGITransport(app=app),
    )


def test_sends_the_standard_headers_and_a_bearer_token():
    app = Script((200, {}, {"ok": True}))
    http = client(app)
    assert http.request("GET", "/rate_limit", action="read").json() == {"ok": True}
    seen = app.seen[0]
    assert seen["user_agent"].startswith("platformctl/")
    assert seen["accept"] == "application/vnd.github+json"
    assert seen["x_github_api_version"] == "2022-11-28"
    assert seen["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in repr(http._client.auth) and TOKEN not in repr(Token(TOKEN, "GH_TOKEN"))


def test_a_burst_of_502_is_retried_with_growing_jittered_backoff():
    clock = FakeClock()
    app = Script((502, {}, {"message": "Server Error"}), (502, {}, {}), (502, {}, {}), (200, {}, {}))
    assert client(app, clock).request("GET", "/x", action="read").status_code == 200
    assert len(app.seen) == 4
    # backoff 0.5 s doubling, "equal jitter" at random()=0.5 → three quarters of the ceiling
    assert clock.sleeps == [0.375, 0.75, 1.5]


def test_secondary_rate_limit_with_retry_after_waits_exactly_that():
    clock = FakeClock()
    app = Script(
        (403, {"Retry-After": "7"}, {"message": "You have exceeded a secondary rate limit."}),
        (201, {}, {"id": 1}),
    )
    assert client(app, clock).request("POST", "/orgs/a/repos", action="create", json={}).status_code == 201
    assert clock.sleeps == [7.0]


def test_secondary_rate_limit_without_retry_after_waits_a_minute_then_doubles():
    clock = FakeClock(rand=0.0)
    limited = (
        403,
        {"x-ratelimit-remaining": "4999"},
        {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."},
    )
    app = Script(limited, limited, (200, {}, {}))
    client(app, clock).request("GET", "/x", action="read")
    assert clock.sleeps == [60.0, 120.0]


def test_primary_rate_limit_waits_until_reset():
    clock = FakeClock()
    reset = str(int(clock.now) + 30)
    app = Script(
        (
            403,
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
            {"message": "API rate limit exceeded for user ID 1."},
        ),
        (200, {}, {}),
    )
    client(app, clock).request("GET", "/x", action="read")
    assert clock.sleeps == [31.0]


def test_gitlab_429_with_ratelimit_reset_and_http_date_retry_after():
    clock = FakeClock()
    reset = str(int(clock.now) + 5)
    app = Script(
        (429, {"RateLimit-Remaining": "0", "RateLimit-Reset": reset}, b"Retry later"),
        (429, {"Retry-After": "Tue, 14 Nov 2023 22:13:30 GMT"}, b"Retry later"),
        (200, {}, {}),
    )
    client(app, clock).request("GET", "/x", action="read")
    assert clock.sleeps[0] == 6.0
    assert clock.sleeps[1] == 4.0  # the date is 1_700_000_010; the clock is at 1_700_000_006


def test_a_wait_beyond_the_budget_fails_at_once_saying_when_to_come_back():
    clock = FakeClock()
    app = Script((429, {"Retry-After": "3600"}, {"message": "slow down"}))
    with pytest.raises(ProviderError) as info:
        client(app, clock).request("GET", "/x", action="list rulesets")
    assert clock.sleeps == [] and len(app.seen) == 1
    assert "asks to wait 3600 s" in info.value.message
    assert "re-run after" in info.value.hint


def test_attempts_are_capped():
    clock = FakeClock()
    app = Script((503, {}, {"message": "unavailable"}))
    with pytest.raises(ProviderError) as info:
        client(app, clock, RetryPolicy(max_attempts=3)).request("GET", "/x", action="read the thing")
    assert len(app.seen) == 3 and len(clock.sleeps) == 2
    assert info.value.message == "GitHub did not read the thing: 503 unavailable (after retries)"


def test_validation_errors_are_never_retried_and_carry_the_server_message():
    body = {
        "message": "Repository creation failed.",
        "documentation_url": "https://docs.github.com/x",
        "errors": [
            {
                "resource": "Repository",
                "code": "custom",
                "field": "name",
                "message": "name already exists on this account",
            }
        ],
    }
    app = Script((422, {}, body))
    with pytest.raises(ProviderError) as info:
        client(app).request("POST", "/orgs/a/repos", action="create repository a/b", json={})
    assert len(app.seen) == 1
    assert info.value.exit_code == ExitCode.ERROR and info.value.status == 422
    assert info.value.message == (
        "GitHub refused to create repository a/b (422: Repository creation "
        "failed; name already exists on this account)"
    )


def test_404_is_retried_only_when_asked_and_bounded():
    clock = FakeClock()
    app = Script((404, {}, {"message": "Not Found"}))
    with pytest.raises(ProviderError):
        client(app, clock).request("GET", "/x", action="read")
    assert len(app.seen) == 1
    app = Script((404, {}, {"message": "Not Found"}), (404, {}, {}), (200, {}, {"ok": 1}))
    answer = client(app, clock).request("PUT", "/x", action="w", json={}, retry_not_found=True)
    assert answer.json() == {"ok": 1}
    app = Script((404, {}, {"message": "Not Found"}))
    response = client(app, clock, RetryPolicy(max_attempts=4)).request(
        "GET", "/x", action="read", retry_not_found=True, allow={404}
    )
    assert response.status_code == 404 and len(app.seen) == 4


def test_401_is_an_auth_error_naming_the_variables():
    app = Script((401, {}, {"message": "Bad credentials", "documentation_url": "https://docs.github.com"}))
    with pytest.raises(AuthError) as info:
        client(app).request("GET", "/user", action="read the user")
    assert info.value.exit_code == ExitCode.AUTH
    assert "401: Bad credentials" in info.value.message
    assert info.value.hint == "set PLATFORMCTL_GITHUB_TOKEN (or GH_TOKEN / GITHUB_TOKEN)"


@pytest.mark.parametrize(
    ("headers", "lacking"),
    [
        ({"X-Accepted-GitHub-Permissions": "administration=write"}, "the permission administration: write"),
        (
            {"X-Accepted-GitHub-Permissions": "contents=read,metadata=read; issues=write"},
            "the permission contents: read, metadata: read or issues: write",
        ),
        ({"X-Accepted-OAuth-Scopes": "repo, admin:org", "X-OAuth-Scopes": "repo"}, "the scope admin:org"),
        ({"WWW-Authenticate": 'Bearer realm="", error="insufficient_scope", scope="api"'}, "the scope api"),
    ],
)
def test_permission_403_names_what_the_token_lacks(headers, lacking):
    app = Script((403, headers, {"message": "Resource not accessible by personal access token"}))
    with pytest.raises(AuthError) as info:
        client(app).request("POST", "/orgs/a/repos", action="create repository a/b", json={})
    assert f"the token lacks {lacking}" in info.value.message
    assert info.value.hint == f"grant the token {lacking}"
    assert len(app.seen) == 1


def test_plan_gated_refusal_says_what_the_plan_lacks():
    app = Script(
        (403, {}, {"message": "Upgrade to GitHub Pro or make this repository public to enable this feature."})
    )
    with pytest.raises(ProviderError) as info:
        client(app).request("POST", "/repos/a/b/rulesets", action="create ruleset", json={})
    assert info.value.exit_code == ExitCode.ERROR
    assert "the account's plan lacks this feature (Upgrade to GitHub Pro" in info.value.message


class Flaky(httpx.BaseTransport):
    """Raise a connection error ``failures`` times, then hand over to the WSGI app."""

    def __init__(self, app: Callable, failures: int, error: type[Exception] = httpx.ConnectError) -> None:
        self.inner = httpx.WSGITransport(app=app)
        self.failures = failures
        self.error = error

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.failures:
            self.failures -= 1
            raise self.error("connection reset by peer", request=request)
        return self.inner.handle_request(request)


def test_connection_errors_are_retried_then_reported():
    clock = FakeClock()
    app = Script((200, {}, {}))
    http = client(app, clock, transport=Flaky(app, 2, httpx.ReadError))
    assert http.request("GET", "/x", action="read").status_code == 200
    assert len(clock.sleeps) == 2
    http = client(app, clock, RetryPolicy(max_attempts=2), transport=Flaky(app, 5))
    with pytest.raises(ProviderError) as info:
        http.request("GET", "/x", action="read the repository")
    assert info.value.message.startswith(
        "cannot reach GitHub at https://api.github.test to read the repository: ConnectError"
    )


def test_pagination_follows_link_and_refuses_other_hosts():
    page2 = "https://api.github.test/repositories/9/rulesets?per_page=2&page=2"
    app = Script((200, {"Link": f'<{page2}>; rel="next"'}, [{"id": 1}, {"id": 2}]), (200, {}, [{"id": 3}]))
    listed = list(client(app).paginate("/repos/a/b/rulesets", action="list", per_page=2))
    assert listed == [{"id": 1}, {"id": 2}, {"id": 3}]
    assert app.seen[0]["query"] == "per_page=2" and app.seen[1]["path"] == "/repositories/9/rulesets"
    app = Script((200, {"Link": '<https://evil.test/x?page=2>; rel="next"'}, [{"id": 1}]))
    with pytest.raises(ProviderError, match="another host"):
        list(client(app).paginate("/x", action="list"))


def test_github_writes_are_spaced_reads_are_not():
    clock = FakeClock()
    http = client(Script((200, {}, {})), clock, RetryPolicy(write_interval=1.0))
    http.request("GET", "/a", action="r")
    http.request("POST", "/a", action="w", json={})
    http.request("GET", "/a", action="r")
    http.request("PUT", "/a", action="w", json={})
    assert clock.sleeps == [1.0]


def test_no_token_fails_before_any_request():
    app = Script((200, {}, {}))
    with pytest.raises(AuthError) as info:
        client(app, token=None).request("GET", "/user", action="read the user")
    assert app.seen == []
    assert info.value.message == "no GitHub token to read the user"


def test_a_redirect_to_another_host_drops_the_token():
    app = Script((301, {"Location": "https://elsewhere.test/repositories/1"}, {}), (200, {}, {}))
    client(app).request("GET", "/repos/a/b", action="read")
    assert app.seen[0]["authorization"] == f"Bearer {TOKEN}"
    assert "authorization" not in app.seen[1]


def test_the_token_never_reaches_logs_or_errors(caplog):
    echo = {"message": f"Bad credentials for {TOKEN}"}  # a server that echoes the token back
    app = Script((502, {}, {}), (401, {}, echo))
    with caplog.at_level(logging.DEBUG, logger="platformctl"), pytest.raises(AuthError) as info:
        client(app).request("GET", "/user", action="read")
    assert caplog.records, "the policy logs its requests and retries"
    assert TOKEN not in caplog.text
    assert TOKEN not in str(info.value) and TOKEN not in info.value.message
    assert redact(f"x {TOKEN} y") == "x *** y"
    assert redact("glpat-" + "abcdefghijklmnopqrst and github_pat_" + "a" * 30) == "*** and ***"


def test_service_without_required_token_is_allowed_for_backstage():
    from platformctl.providers.http import backstage_service

    app = Script((200, {}, []))
    http = HttpClient(
        backstage_service("https://backstage.test", None),
        clock=FakeClock(),
        transport=httpx.WSGITransport(app=app),
    )
    http.request("GET", "/locations", action="list")
    assert app.seen[0]["path"] == "/api/catalog/locations" and "authorization" not in app.seen[0]


def test_service_token_hint_lists_gitlab_variable():
    from platformctl.providers.http import gitlab_service

    assert gitlab_service("https://gitlab.test", None).token_hint == "set GITLAB_TOKEN"
    assert isinstance(Service("github", "GitHub", "https://x").token_hint, str)
