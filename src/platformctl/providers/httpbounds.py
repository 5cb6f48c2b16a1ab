"""Bounds on one HTTP exchange: a total deadline, a body size cap, a JSON body that is JSON.

httpx's timeouts are per operation: a server that sends one byte every second never trips a
30 s read timeout and holds the CLI for ever. Here a deadline (``http.deadline``) covers one
exchange from connecting to the last byte of the body:

- every socket read and write of the real transport gets ``min(timeout, time left)`` and fails
  once none is left (a network backend wrapping httpcore's, installed on httpx's transport), so
  trickled headers are bounded too;
- the body is streamed and counted (after decompression, so a gzip bomb counts in full) and
  refused beyond ``http.max_body`` bytes; the time is checked between chunks as well, which
  bounds transports that have no sockets (tests' WSGI fakes).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpcore

from platformctl.errors import ProviderError
from platformctl.redact import redact

if TYPE_CHECKING:
    import httpx

_LOCAL = threading.local()  # the deadline of the exchange running in this thread, if any


class DeadlineExceeded(Exception):
    """The exchange ran past its deadline (never retried: a trickling server stays slow)."""


class BodyTooLarge(Exception):
    """The answer's body is larger than the cap."""

    def __init__(self, size: int, cap: int) -> None:
        super().__init__(f"{size} bytes > {cap}")
        self.size, self.cap = size, cap


@contextmanager
def _deadline(seconds: float) -> Iterator[float]:
    """Run the block under a deadline ``seconds`` from now (monotonic); yield the deadline."""
    previous = getattr(_LOCAL, "at", None)
    _LOCAL.at = time.monotonic() + seconds
    try:
        yield _LOCAL.at
    finally:
        _LOCAL.at = previous


def time_left() -> float | None:
    """Seconds left before this thread's deadline (None without one); raises once none is left."""
    at: float | None = getattr(_LOCAL, "at", None)
    if at is None:
        return None
    left = at - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded
    return left


def _bounded(timeout: float | None) -> float | None:
    left = time_left()
    if left is None:
        return timeout
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read and write honours the thread's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, with streams that honour the deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, _bounded(timeout), local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(path, _bounded(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def install_deadlines(client: httpx.Client) -> None:
    """Put the deadline backend under every real (socket) transport of ``client``.

    httpx has no public hook for the network backend; its transports keep the httpcore pool
    as ``_pool`` and the pool its backend as ``_network_backend``. When a future version moves
    them, this does nothing and the between-chunks check still bounds the body.
    """
    import httpx

    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None) if isinstance(transport, httpx.HTTPTransport) else None
        backend = getattr(pool, "_network_backend", None)
        if backend is not None and not isinstance(backend, _DeadlineBackend):
            pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]


def exchange(
    client: httpx.Client,
    request: httpx.Request,
    label: str,
    key: str,
    *,
    deadline: float,
    cap: int,
    action: str,
) -> httpx.Response:
    """Send ``request`` and read its whole body (at most ``cap`` bytes) within ``deadline`` seconds.

    Raises:
        ProviderError: over the deadline, over the cap, or a redirect loop; each names the
            endpoint (without its query) and what was being done.
        httpx.TransportError: any other network failure (the caller retries those).
    """
    import httpx

    try:
        return _bounded_send(client, request, deadline, cap)
    except DeadlineExceeded:
        raise ProviderError(
            f"{label} did not answer {_endpoint(request)} within http.deadline ({deadline:g} s) "
            f"while trying to {action}",
            hint="the server is too slow or stalled; re-run later, or raise http.deadline",
            provider=key,
        ) from None
    except _Oversized as exc:
        raise bad_answer(
            label, key, exc.response, f"a body larger than http.max_body ({cap} bytes)"
        ) from None
    except httpx.TooManyRedirects:
        raise ProviderError(
            f"{label} redirected {_endpoint(request)} in a loop (more than 20 redirects) "
            f"while trying to {action}",
            hint="check the URL setting of this provider: it should name the API itself",
            provider=key,
        ) from None


def _endpoint(request: httpx.Request) -> str:
    """``METHOD URL`` without the query, redacted: built only for an error (it costs a URL parse)."""
    return f"{request.method} {redact(str(request.url.copy_with(query=None)))}"


class _Oversized(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__()
        self.response = response


def _bounded_send(client: httpx.Client, request: httpx.Request, seconds: float, cap: int) -> httpx.Response:
    import httpx

    with _deadline(seconds) as at:
        try:
            response = client.send(request, stream=True)
            try:
                read_body(response, cap)
            except BodyTooLarge:
                raise _Oversized(response) from None
            finally:
                response.close()
        except httpx.TimeoutException:
            # A socket timeout shortened to the time left is the deadline, not a timeout.
            if time.monotonic() >= at - 0.05:
                raise DeadlineExceeded from None
            raise
    return response


def bad_answer(label: str, key: str, response: httpx.Response, what: str) -> ProviderError:
    """The error for an answer that cannot be used: endpoint, status, content type, and ``what``."""
    url = redact(str(response.url.copy_with(query=None)))
    kind = response.headers.get("content-type", "").split(";")[0].strip()
    return ProviderError(
        f"{label} answered {response.request.method} {url} with {response.status_code} "
        f"({kind or 'no content type'}): {what}",
        hint="check the URL setting of this provider (a proxy or login page answers HTML); "
        "if it is right, the server is misbehaving: re-run later",
        provider=key,
        status=response.status_code,
    )


def read_body(response: httpx.Response, cap: int) -> None:
    """Read the streamed body of ``response`` into it, at most ``cap`` bytes, within the deadline.

    Raises:
        BodyTooLarge: the declared or the received size is over ``cap``.
        DeadlineExceeded: the deadline passed while the body was arriving.
    """
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise BodyTooLarge(int(declared), cap)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge(size, cap)
        chunks.append(chunk)
        time_left()
    # What Response.read() does once the stream is consumed: later .content/.json() use it.
    response._content = b"".join(chunks)


def json_problem(response: httpx.Response) -> str | None:
    """Why the body is not usable JSON (HTML page, truncated, malformed, too deep), or None."""
    from platformctl.errors import PlatformctlError
    from platformctl.yamlfiles import parse_json_text

    if response.status_code == 204 or not response.content.strip():
        return None  # no body: nothing to decode
    try:
        text = response.content.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    try:
        parse_json_text(text, "answer", error=PlatformctlError)
    except PlatformctlError as exc:
        return exc.message.split(": ", 1)[-1]  # "answer:1: not valid JSON: ..." without the source
    return None
