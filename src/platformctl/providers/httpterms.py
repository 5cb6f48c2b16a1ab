"""What the HTTP policy is told: the service, how long to insist, the clock, and its waits.

Plain values: :mod:`platformctl.providers.http` applies them (``build_client``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from platformctl.providers.tokens import Token, token_variables


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often to insist. All durations in seconds."""

    max_attempts: int = 5
    max_wait: float = 300.0
    backoff: float = 0.5
    backoff_cap: float = 30.0
    rate_limit_wait: float = 60.0
    write_interval: float = 0.0
    timeout: float = 30.0
    deadline: float = 60.0
    max_body: int = 8 * 1024 * 1024


@dataclass(frozen=True)
class Service:
    """What differs between services: name, headers, whether a token is needed, writes."""

    key: str
    label: str
    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    token: Token | None = None
    token_required: bool = True
    serialize_writes: bool = False

    @property
    def token_hint(self) -> str:
        """How to give platformctl a token for this service."""
        names = token_variables(self.key)
        return f"set {names[0]}" + (f" (or {' / '.join(names[1:])})" if len(names) > 1 else "")


class Clock(Protocol):
    """Time as the retry loop sees it; tests pass one that does not really sleep."""

    def sleep(self, seconds: float) -> None: ...
    def monotonic(self) -> float: ...
    def time(self) -> float: ...
    def random(self) -> float: ...


class SystemClock:
    """The real clock."""

    sleep = staticmethod(time.sleep)
    monotonic = staticmethod(time.monotonic)
    time = staticmethod(time.time)
    random = staticmethod(random.random)


@dataclass(frozen=True)
class RetryWait:
    """A pause before the next attempt, as told to an observer (the CLI shows it on a terminal)."""

    service: str  # the service's label, e.g. GitHub
    reason: str  # why, e.g. ``503 Service Unavailable``
    seconds: float
    attempt: int  # the attempt that follows the pause (2 for the first retry)
    max_attempts: int
    rate_limited: bool


# Told of every pause before a retry (None once the pause is over); it must not raise.
WaitObserver = Callable[[RetryWait | None], None]


GITHUB_ACCEPT = "application/vnd.github+json"


def github_service(api_url: str, api_version: str, token: Token | None) -> Service:
    """GitHub (or GitHub Enterprise Server at ``https://HOST/api/v3``): writes serialized."""
    return Service(
        "github",
        "GitHub",
        api_url,
        {"Accept": GITHUB_ACCEPT, "X-GitHub-Api-Version": api_version},
        token,
        token_required=True,
        serialize_writes=True,
    )


def gitlab_service(url: str, token: Token | None) -> Service:
    """GitLab's REST API v4 under ``url`` (gitlab.com or self-managed)."""
    return Service(
        "gitlab",
        "GitLab",
        url.rstrip("/") + "/api/v4",
        {"Accept": "application/json"},
        token,
        token_required=True,
    )


def backstage_service(url: str, token: Token | None) -> Service:
    """Backstage's catalog API under ``url``; a token is optional (guest access exists)."""
    return Service(
        "backstage",
        "Backstage",
        url.rstrip("/") + "/api/catalog",
        {"Accept": "application/json"},
        token,
        token_required=False,
    )
