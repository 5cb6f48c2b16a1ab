"""The HTTP application: routes, middleware and lifecycle."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.responses import Response

from . import __version__
from .config import Settings
from .health import Readiness
from .logs import configure_logging
from .metrics import RequestMetricsMiddleware, metrics_response
from .telemetry import configure_tracing

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application: logging, tracing, metrics, health endpoints and the API."""
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.service_name)
    readiness = Readiness()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        readiness.accepting = True
        log.info("started", extra={"version": __version__, "port": settings.port})
        yield
        # The Deployment's preStop hook already gave load balancers time to stop routing here;
        # uvicorn has finished the requests in flight when this runs.
        readiness.accepting = False
        log.info("stopped")

    app = FastAPI(title=settings.service_name, version=__version__, lifespan=lifespan)
    app.state.settings = settings
    app.state.readiness = readiness
    app.add_middleware(RequestMetricsMiddleware)
    configure_tracing(app)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process serves HTTP."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], response_model=None)
    async def readyz() -> dict[str, str] | JSONResponse:
        """Readiness: started, not draining, and every readiness check passes."""
        failing = await readiness.failing()
        if failing:
            return JSONResponse({"status": "unavailable", "failing": failing}, status_code=503)
        return {"status": "ok"}

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return metrics_response()

    @app.get("/", tags=["api"])
    async def index() -> dict[str, Any]:
        """What this service is; replace with the service's own API."""
        return {"service": settings.service_name, "version": __version__}

    return app
