"""Run the service: ``python -m <package>``."""

from __future__ import annotations

import uvicorn

from .app import create_app
from .config import Settings


def main() -> None:
    """Serve the application with uvicorn, logging in JSON."""
    settings = Settings()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,  # keep the JSON logging set up by create_app
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=20,  # below the pod's terminationGracePeriodSeconds
    )


if __name__ == "__main__":
    main()
