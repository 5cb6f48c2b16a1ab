"""The one HTTP policy of every remote provider.

:func:`build_client` gives an :class:`HttpClient` per service (see :func:`github_service` …):

- the base URL, timeouts, ``User-Agent: platformctl/<version>``, the service's headers and a
  bearer token that never prints (:class:`~platformctl.providers.tokens.Token`); the token is
  attached per request by an ``httpx.Auth``, so a redirect to another host drops it;
- retries with backoff and jitter on connection errors, timeouts and 500/502/503/504; on
  429 and GitHub's rate-limit 403s it waits ``Retry-After``, else until ``x-ratelimit-reset``
  (GitLab: ``RateLimit-Reset``) when the budget is spent, else ``rate_limit_wait`` doubling;
  attempts and the total wait are capped; 4xx answers are never retried, except a 404 on a
  request marked ``retry_not_found`` (issued right after our own create: GitHub is
  eventually consistent);
- ``Link`` pagination, same-origin only, with conditional pages (:mod:`~platformctl.providers.httppages`);
- writes serialized with a minimum interval (GitHub asks for one write at a time, ≥ 1 s apart);
- failures translated by :func:`~platformctl.providers.httperrors.translate`;
- bounds (:mod:`~platformctl.providers.httpbounds`): each exchange ends within ``deadline``
  seconds (connect to last byte; not retried when it runs over), its body is streamed and
  capped at ``max_body`` bytes, a successful answer must be JSON, and a redirect loop stops:
  each is one :class:`ProviderError` naming the endpoint, the status and the content type.

Retries are a hand-written loop, not tenacity or stamina: the waits come from the answer's
headers, the total-wait cap must fail saying when to come back, and tests inject a clock.
That is ~60 lines; a dependency would add more code than it removes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Generator, Iterator, Mapping
from typing import Any

import httpx

from platformctl import __version__
from platformctl.errors import AuthError
from platformctl.logsetup import logger
from platformctl.providers.answers import Endpoint, decode
from platformctl.providers.httpbounds import bad_answer, exchange, install_deadlines, json_problem
from platformctl.providers.httpcache import ConditionalCache
from platformctl.providers.httperrors import is_rate_limited, translate
from platformctl.providers.httppages import pages
from platformctl.providers.httpterms import (
    GITHUB_ACCEPT,
    Clock,
    RetryPolicy,
    RetryWait,
    Service,
    SystemClock,
    WaitObserver,
    backstage_service,
    github_service,
    gitlab_service,
)
from platformctl.providers.httpwaits import backoff, over_wait_budget, retry_decision, unreachable
from platformctl.providers.tlstrust import verifying_context
from platformctl.providers.tokens import Token
from platformctl.redact import redact

# The terms of the policy live in httpterms; providers take them from here, with the client.
__all__ = [
    "GITHUB_ACCEPT",
    "USER_AGENT",
    "WRITE_METHODS",
    "Clock",
    "HttpClient",
    "RetryPolicy",
    "RetryWait",
    "Service",
    "SystemClock",
    "WaitObserver",
    "backstage_service",
    "build_client",
    "github_service",
    "gitlab_service",
]

log = logger("platformctl.http")  # the CLI's handler, configured once a logger is asked for
USER_AGENT = f"platformctl/{__version__}"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_RETRY_ERRORS = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)


class _BearerAuth(httpx.Auth):
    def __init__(self, token: Token) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        yield request

    def __repr__(self) -> str:
        return f"BearerAuth({self._token!r})"


class HttpClient:
    """An httpx client wrapped in the retry, pagination, serialization and error policy."""

    def __init__(
        self,
        service: Service,
        policy: RetryPolicy | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
        on_wait: WaitObserver | None = None,
    ) -> None:
        self.service = service
        self.policy = policy or RetryPolicy()
        self.clock: Clock = clock or SystemClock()
        self.on_wait = on_wait
        self.waited = 0.0
        self._write_lock = threading.Lock()
        self._last_write: float | None = None
        self._client = httpx.Client(
            base_url=service.base_url.rstrip("/") + "/",
            headers={"User-Agent": USER_AGENT, **service.headers},
            auth=_BearerAuth(service.token) if service.token else None,
            timeout=httpx.Timeout(self.policy.timeout, connect=min(10.0, self.policy.timeout)),
            transport=transport,
            # One context per trust setting for the process, not a CA bundle loaded per client.
            verify=True if transport is not None else verifying_context(),
            follow_redirects=True,
        )
        install_deadlines(self._client)

    @property
    def base_url(self) -> httpx.URL:
        """The service's base URL, as requests resolve relative paths against it."""
        return self._client.base_url

    def close(self) -> None:
        """Release the connections."""
        self._client.close()

    def require_token(self, action: str) -> None:
        """Raise AuthError naming ``action`` when the service needs a token and has none."""
        if self.service.token is None and self.service.token_required:
            raise AuthError(f"no {self.service.label} token to {action}", hint=self.service.token_hint)

    def request(
        self,
        method: str,
        path: str,
        *,
        action: str,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        allow: Collection[int] = (),
        retry_not_found: bool = False,
        max_body: int | None = None,
        text: bool = False,
    ) -> httpx.Response:
        """Send one request under the policy; return the answer if 2xx/3xx or in ``allow``.

        ``max_body`` raises the body cap for one request (a listing); default ``http.max_body``.
        ``text``: the answer is a file's raw content, not JSON (still capped and deadlined).

        Raises:
            AuthError: no token, 401, or a permission 403.
            ProviderError: any other failure once retries are spent, an exchange over the
                deadline, a body over the cap, a redirect loop, a 2xx answer that is not JSON.
        """
        self.require_token(action)
        cap = max(max_body or 0, self.policy.max_body)
        args = (method, path.lstrip("/"), action, json, params, headers, retry_not_found, cap)
        if method in WRITE_METHODS and self.service.serialize_writes:
            with self._write_lock:
                self._space_writes()
                try:
                    response = self._with_retries(*args)
                finally:
                    self._last_write = self.clock.monotonic()
        else:
            response = self._with_retries(*args)
        if response.status_code < 400 or response.status_code in allow:
            problem = None if text else json_problem(response)
            if problem is not None:
                raise bad_answer(self.service.label, self.service.key, response, f"not JSON ({problem})")
            if not text:  # its json() is a read view that names this endpoint if misshapen
                endpoint = Endpoint(
                    self.service.label, self.service.key, method, redact(response.request.url.path)
                )
                response.extensions["platformctl.endpoint"] = endpoint
                response.__class__ = _Answer
            return response
        raise translate(self.service.label, action, response, self.service.token_hint)

    def paginate(
        self,
        path: str,
        *,
        action: str,
        params: Mapping[str, Any] | None = None,
        key: str | None = None,
        per_page: int = 100,
        cache: ConditionalCache | None = None,
        trim: Callable[[Any], Any] | None = None,
    ) -> Iterator[Any]:
        """Every item of a list endpoint, following ``Link: rel="next"`` verbatim.

        With ``cache``, each page is asked with ``If-None-Match`` and a 304 is answered from it
        (:mod:`~platformctl.providers.httpcache`); ``trim`` reduces each item to what is kept.
        The page loop is :func:`~platformctl.providers.httppages.pages`.
        """
        return pages(
            self, path, action=action, params=params, key=key, per_page=per_page, cache=cache, trim=trim
        )

    def _space_writes(self) -> None:
        if self._last_write is None or self.policy.write_interval <= 0:
            return
        pause = self._last_write + self.policy.write_interval - self.clock.monotonic()
        if pause > 0:
            self.clock.sleep(pause)

    def _with_retries(
        self,
        method: str,
        path: str,
        action: str,
        json: Any,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        retry_not_found: bool,
        cap: int,
    ) -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                request = self._client.build_request(method, path, json=json, params=params, headers=headers)
                response = self._exchange(request, action, cap)
            except _RETRY_ERRORS as exc:
                reason = f"{type(exc).__name__}: {redact(str(exc)) or 'connection failed'}"
                log.debug("%s %s -> %s", method, path, reason)
                if self._pause(reason, backoff(attempt, self.policy, self.clock), attempt, action) != "retry":
                    raise unreachable(self.service, action, reason, attempt) from None
                continue
            decision = retry_decision(
                response, attempt, self.policy, self.clock, retry_not_found=retry_not_found
            )
            if decision is None:
                return response
            delay, reason = decision
            outcome = self._pause(reason, delay, attempt, action)
            if outcome == "budget" and is_rate_limited(response):
                raise over_wait_budget(self.service, action, delay, self.policy, self.clock)
            if outcome != "retry":
                return response

    def _exchange(self, request: httpx.Request, action: str, cap: int) -> httpx.Response:
        """One request and its whole (capped) body, within the deadline; bounds become errors."""
        started = self.clock.monotonic()
        label, key = self.service.label, self.service.key
        response = exchange(
            self._client, request, label, key, deadline=self.policy.deadline, cap=cap, action=action
        )
        elapsed = (self.clock.monotonic() - started) * 1000
        log.debug(
            "%s %s -> %s (%.0f ms)", request.method, response.request.url, response.status_code, elapsed
        )
        return response

    def _pause(self, reason: str, delay: float, attempt: int, action: str) -> str:
        """Sleep before the next attempt (``retry``), or say why not (``attempts``, ``budget``)."""
        if attempt >= self.policy.max_attempts:
            return "attempts"
        if delay > self.policy.max_wait - self.waited:
            return "budget"
        log.warning(
            "%s: %s; retrying in %.1f s (attempt %d of %d) to %s",
            self.service.label,
            reason,
            delay,
            attempt + 1,
            self.policy.max_attempts,
            action,
        )
        if self.on_wait is not None:
            label, limited = self.service.label, reason.startswith("rate limited")
            self.on_wait(RetryWait(label, reason, delay, attempt + 1, self.policy.max_attempts, limited))
        try:
            self.clock.sleep(delay)
        finally:
            if self.on_wait is not None:
                self.on_wait(None)
        self.waited += delay
        return "retry"


class _Answer(httpx.Response):
    """A JSON answer whose ``json()`` is a read view (:func:`~platformctl.providers.answers.document`)."""

    def json(self, **kwargs: Any) -> Any:
        return decode(self.content, self.extensions["platformctl.endpoint"])


def build_client(
    service: Service,
    policy: RetryPolicy | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
    clock: Clock | None = None,
    on_wait: WaitObserver | None = None,
) -> HttpClient:
    """The client for ``service`` under ``policy``: the one way providers get HTTP.

    ``on_wait`` is told of each pause before a retry (and of its end), e.g. to show it.
    """
    return HttpClient(service, policy, transport=transport, clock=clock, on_wait=on_wait)
