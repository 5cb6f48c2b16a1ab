"""How long the HTTP policy waits before trying again, whether it tries at all, and how it gives up.

Pure functions of an answer, the attempt number, the policy and the clock: the retry loop in
:mod:`platformctl.providers.http` sleeps what they say.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import httpx

from platformctl.errors import PlatformctlError, ProviderError
from platformctl.providers.httperrors import is_rate_limited
from platformctl.providers.httpterms import Clock, RetryPolicy, Service

RETRY_STATUSES = frozenset({500, 502, 503, 504})


def retry_decision(
    response: httpx.Response, attempt: int, policy: RetryPolicy, clock: Clock, *, retry_not_found: bool
) -> tuple[float, str] | None:
    """``(delay, reason)`` when ``response`` deserves another attempt, else None.

    429 and rate-limit 403s wait as the service asks; 500/502/503/504 back off; a 404 backs off
    only on a request marked ``retry_not_found`` (right after our own create).
    """
    status = response.status_code
    if is_rate_limited(response):
        return rate_limit_wait(response, attempt, policy, clock), f"rate limited ({status})"
    if status in RETRY_STATUSES:
        return backoff(attempt, policy, clock), f"{status} {response.reason_phrase}"
    if status == 404 and retry_not_found:
        return backoff(attempt, policy, clock), "404 right after creation (not visible yet)"
    return None


def rate_limit_wait(response: httpx.Response, attempt: int, policy: RetryPolicy, clock: Clock) -> float:
    """``Retry-After``, else until the spent budget resets, else ``rate_limit_wait`` doubling."""
    headers = response.headers
    retry_after = seconds_from(headers.get("retry-after"), clock.time())
    if retry_after is not None:
        return retry_after
    remaining = headers.get("x-ratelimit-remaining", headers.get("ratelimit-remaining"))
    reset = headers.get("x-ratelimit-reset", headers.get("ratelimit-reset"))
    if remaining == "0" and reset and reset.isdigit():
        return max(0.0, int(reset) - clock.time()) + 1.0  # one second for clock skew
    base = policy.rate_limit_wait * 2.0 ** (attempt - 1)
    return base * (1 + 0.25 * clock.random())


def backoff(attempt: int, policy: RetryPolicy, clock: Clock) -> float:
    """Exponential backoff with jitter in its upper half, capped at ``backoff_cap``."""
    ceiling = min(policy.backoff_cap, policy.backoff * 2.0 ** (attempt - 1))
    return ceiling / 2 + clock.random() * ceiling / 2


def seconds_from(value: str | None, now: float) -> float | None:
    """``Retry-After`` as seconds: a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


def over_wait_budget(
    service: Service, action: str, delay: float, policy: RetryPolicy, clock: Clock
) -> PlatformctlError:
    """The rate limit asks for a longer wait than ``http.max_wait`` leaves: say when to come back."""
    when = time.strftime("%H:%M:%S UTC", time.gmtime(clock.time() + delay))
    return ProviderError(
        f"{service.label} rate limit: it asks to wait {delay:.0f} s before the next request "
        f"to {action}, more than http.max_wait ({policy.max_wait:.0f} s) allows",
        hint=f"re-run after {when} (it resumes where it stopped), or raise http.max_wait",
        provider=service.key,
        status=429,
    )


def unreachable(service: Service, action: str, reason: str, attempts: int) -> PlatformctlError:
    """Every attempt failed to connect (or timed out): name the service, its URL and the cause."""
    return ProviderError(
        f"cannot reach {service.label} at {service.base_url} to {action}: {reason} "
        f"(after {attempts} attempts)",
        hint="check the network and the URL setting, then re-run: it resumes where it stopped",
        provider=service.key,
    )
