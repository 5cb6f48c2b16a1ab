"""Serve a WSGI fake on a loopback port, in a thread, for subprocess runs of the real CLI.

The handler adds what wsgiref leaves out and the fakes need: the raw (still percent-encoded)
request path (GitLab's ``group%2Fproject`` ids), the socket (to reset a connection on
purpose), and chunked request bodies (git sends large packs chunked).
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer, make_server

from tests.fakes.base import ConnectionDropped


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connections the fake dropped on purpose are not errors; others are reported."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionDropped | OSError):
            super().handle_error(request, client_address)


class _QuietServerHandler(ServerHandler):
    sized = False

    def cleanup_headers(self) -> None:
        """wsgiref's, noting whether the answer says where it ends (a kept-alive connection
        needs that); an answer that does not closes its connection, and says so."""
        super().cleanup_headers()
        self.sized = "Content-Length" in self.headers
        if self.http_version == "1.1" and not self.sized:
            self.headers["Connection"] = "close"

    def log_exception(self, exc_info: Any) -> None:
        if not isinstance(exc_info[1], ConnectionDropped | OSError):
            super().log_exception(exc_info)


class _Handler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        """One request per connection, or (``keep_alive``) as many as the client sends on it."""
        keep_alive = getattr(self.server, "keep_alive", False)
        if keep_alive:
            self.protocol_version = "HTTP/1.1"
            # wsgiref writes the head and the body apart: without this, Nagle's algorithm and
            # the client's delayed ACK hold every answer on a kept-alive connection ~40 ms.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.close_connection = True
        self._handle_one(keep_alive)
        while keep_alive and not self.close_connection:
            self._handle_one(keep_alive)

    def _handle_one(self, keep_alive: bool) -> None:
        """wsgiref's handle(), with the extra environ entries and a decoded chunked body."""
        self.close_connection = True
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline or len(self.raw_requestline) > 65536 or not self.parse_request():
            self.close_connection = True
            return
        environ = self.get_environ()
        environ["fake.raw_path"] = self.path.split("?", 1)[0]
        environ["fake.socket"] = self.connection
        stdin: Any = self.rfile
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = _read_chunked(self.rfile)
            stdin, environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        handler = _QuietServerHandler(stdin, self.wfile, self.get_stderr(), environ, multithread=True)
        handler.request_handler = self  # type: ignore[attr-defined]
        if keep_alive:
            handler.http_version = "1.1"
        with contextlib.suppress(ConnectionDropped, OSError):
            handler.run(self.server.get_app())  # type: ignore[attr-defined]
            # Kept open only when the answer said where it ends (else the close ends it).
            self.close_connection = self.close_connection or not handler.sized
            return
        self.close_connection = True


def _read_chunked(stream: Any) -> bytes:
    body = bytearray()
    while True:
        size = int(stream.readline().split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while stream.readline().strip():  # trailers
                pass
            return bytes(body)
        body += stream.read(size)
        stream.readline()


@contextmanager
def serve(app: Callable[..., Any], port: int = 0, *, keep_alive: bool = False) -> Iterator[str]:
    """Serve ``app`` on ``127.0.0.1`` at ``port`` (default: a free one); yield its base URL.

    ``keep_alive``: HTTP/1.1 persistent connections, as a real forge keeps them (benchmarks);
    by default each connection carries one request (HTTP/1.0), which the tests rely on.
    """
    server = make_server("127.0.0.1", port, app, server_class=_Server, handler_class=_Handler)
    server.keep_alive = keep_alive  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
