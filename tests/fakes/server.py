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
    def log_exception(self, exc_info: Any) -> None:
        if not isinstance(exc_info[1], ConnectionDropped | OSError):
            super().log_exception(exc_info)


class _Handler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        """wsgiref's handle(), with the extra environ entries and a decoded chunked body."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536 or not self.parse_request():
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
        with contextlib.suppress(ConnectionDropped, OSError):
            handler.run(self.server.get_app())  # type: ignore[attr-defined]


class _KeepAliveHandler(_Handler):
    """HTTP/1.1 with persistent connections, as a real forge serves: many requests a connection.

    Each request body is read whole before the app sees it and each answer is sent whole with
    its ``Content-Length``, so an app that reads or writes in pieces cannot desynchronise the
    connection. A client's ``Connection: close`` (or a dropped socket) ends it.
    """

    protocol_version = "HTTP/1.1"

    def handle(self) -> None:
        # wsgiref writes the head and the body apart: without this, Nagle's algorithm and the
        # client's delayed ACK hold every answer on a kept-alive connection ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.close_connection = False
        while not self.close_connection:
            try:
                self._one_request()
            except (ConnectionDropped, OSError):
                return

    def _one_request(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline or len(self.raw_requestline) > 65536 or not self.parse_request():
            self.close_connection = True
            return
        environ = self.get_environ()
        environ["fake.raw_path"] = self.path.split("?", 1)[0]
        environ["fake.socket"] = self.connection
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = _read_chunked(self.rfile)
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        environ["CONTENT_LENGTH"] = str(len(body))
        handler = _QuietServerHandler(
            io.BytesIO(body), self.wfile, self.get_stderr(), environ, multithread=True
        )
        handler.http_version = "1.1"
        handler.request_handler = self  # type: ignore[attr-defined]
        app = self.server.get_app()  # type: ignore[attr-defined]
        handler.run(lambda env, start: [b"".join(app(env, start))])


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

    ``keep_alive``: HTTP/1.1 persistent connections (benchmarks: a real forge keeps them open,
    and a new connection and thread per request would time the fake, not the client).
    """
    handler = _KeepAliveHandler if keep_alive else _Handler
    server = make_server("127.0.0.1", port, app, server_class=_Server, handler_class=handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.005}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
