"""Serve a fake that keeps plain (unlocked) state on loopback: one request at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tests.fakes import server


@contextmanager
def serve(app: Callable[..., Any]) -> Iterator[str]:
    """Run ``app`` on 127.0.0.1 (a free port) behind a lock until the block ends; yield its URL."""
    lock = threading.Lock()

    def locked(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with lock:
            return list(app(environ, start_response))

    with server.serve(locked) as url:
        yield url
