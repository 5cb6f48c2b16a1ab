"""Liveness and readiness.

``/healthz`` answers as long as the process can serve HTTP: it never checks dependencies, so a
database outage does not make Kubernetes restart every replica. ``/readyz`` fails while the
service starts or drains, and when a registered readiness check fails.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

ReadinessCheck = Callable[[], Awaitable[bool]]

log = logging.getLogger(__name__)


class Readiness:
    """Whether the service should receive traffic now."""

    def __init__(self, timeout: float = 2.0) -> None:
        self.accepting = False
        self.timeout = timeout
        self._checks: dict[str, ReadinessCheck] = {}

    def add_check(self, name: str, check: ReadinessCheck) -> None:
        """Register a dependency check (e.g. a database ping) that must pass for readiness."""
        self._checks[name] = check

    async def failing(self) -> list[str]:
        """Names of what is not ready; empty when the service is ready."""
        if not self.accepting:
            return ["accepting"]
        names = list(self._checks)
        results = await asyncio.gather(*(self._run(name) for name in names))
        return [name for name, ok in zip(names, results, strict=True) if not ok]

    async def _run(self, name: str) -> bool:
        try:
            return await asyncio.wait_for(self._checks[name](), self.timeout)
        except Exception:
            log.warning("readiness check failed", extra={"check": name}, exc_info=True)
            return False
