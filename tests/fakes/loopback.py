"""Serve a WSGI fake on a loopback port in a thread, for CLI runs in a subprocess."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass


@contextmanager
def serve(app: Callable[..., Any]) -> Iterator[str]:
    """Run ``app`` on 127.0.0.1 (a free port) until the block ends; yield its base URL."""
    lock = threading.Lock()

    def locked(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with lock:  # the fakes keep plain state: one request at a time
            return list(app(environ, start_response))

    server = make_server("127.0.0.1", 0, locked, server_class=_Server, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
