"""Prometheus metrics: request count and latency by route template, plus process metrics."""

from __future__ import annotations

import logging
import time

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests handled, by method, route and status code.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to handle an HTTP request, by method and route.",
    ["method", "route"],
)
# Probes and scrapes are frequent and uninteresting: counted, never logged.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})

log = logging.getLogger("http")


class RequestMetricsMiddleware:
    """Counts, times and logs every HTTP request (pure ASGI, so streaming responses work)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call, observing HTTP requests."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            elapsed = time.perf_counter() - start
            # The route template (/items/{id}), not the raw path, keeps label cardinality bounded.
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(scope["method"], route).observe(elapsed)
            if route not in QUIET_ROUTES:
                log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )


def metrics_response() -> Response:
    """The Prometheus exposition of the default registry."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
