"""A hostile HTTP server on loopback: it trickles, floods, lies about JSON or redirects for ever.

Raw sockets, not WSGI: a slow-loris server must be able to send half a status line and then
one byte at a time. Each behaviour stops as soon as the client hangs up, and every connection
is closed when the block ends, so no test leaves a thread writing.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

Behaviour = Callable[[socket.socket, str], None]


def _read_request(conn: socket.socket) -> str:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("the client hung up")
        data += chunk
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    return line.split(" ")[1] if line.count(" ") >= 2 else "/"


def answer(status: str, content_type: str, body: bytes, extra: str = "") -> Behaviour:
    """A complete answer with a Content-Length."""

    def send(conn: socket.socket, _path: str) -> None:
        head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n{extra}"
        conn.sendall(head.encode() + b"Connection: close\r\n\r\n" + body)

    return send


def trickle_headers(conn: socket.socket, _path: str) -> None:
    """A status line and headers, one byte every 0.1 s, for ever (never a complete answer)."""
    for byte in b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 100_000:
        conn.sendall(bytes([byte]))
        time.sleep(0.1)


def trickle_body(conn: socket.socket, _path: str) -> None:
    """Prompt headers, then a JSON body one byte every 0.1 s."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[")
    while True:
        conn.sendall(b"1")
        time.sleep(0.1)


def flood(conn: socket.socket, _path: str) -> None:
    """A JSON array that never ends, as fast as the client reads it (chunked, no length)."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"1," * 32768
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    conn.sendall(b"1\r\n[\r\n")
    while True:
        conn.sendall(frame)


def declared_huge(conn: socket.socket, _path: str) -> None:
    """A Content-Length of 3 GiB (refused before reading)."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 3221225472\r\n\r\n[")
    while True:
        conn.sendall(b"1," * 1024)


def redirect_loop(conn: socket.socket, path: str) -> None:
    """A 302 back to the very same URL."""
    conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: {path}\r\nContent-Length: 0\r\n\r\n".encode())


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def hostile(behaviour: Behaviour) -> Iterator[str]:
    """Serve ``behaviour`` for every request on 127.0.0.1; yield the base URL."""
    connections: list[socket.socket] = []

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            connections.append(self.request)
            try:
                while True:  # keep-alive: a redirect loop arrives on one connection
                    behaviour(self.request, _read_request(self.request))
            except OSError:
                return  # the client hung up: exactly what a bounded client does

    server = _Server(("127.0.0.1", 0), Handler)
    # A short poll: shutdown() waits for the loop to notice, up to one interval (0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.005}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        for conn in connections:
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
