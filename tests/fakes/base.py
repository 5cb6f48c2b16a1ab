"""Building blocks of the stateful fakes: a WSGI app with a pluggable route table.

A fake is a :class:`FakeApp` subclass. Routes are ``(method, template, handler)`` with
``{name}`` placeholders matching one path segment; handlers take a :class:`Request` (its
``params`` hold the placeholders) and return a :class:`Response`. Anyone can add routes to
a fake from their own module, without editing it::

    def add_environment_routes(fake: GitHubFake) -> None:
        environments = {}                              # your own state, beside the fake's

        def put_environment(request: Request) -> Response:
            repo = fake.repo(request.params["owner"], request.params["repo"])
            if repo is None:
                raise Answer(Response(404, {"message": "Not Found"}))
            environments[(repo.full_name, request.params["environment_name"])] = request.json()
            return Response(200, {"name": request.params["environment_name"]})

        fake.add_route("PUT", "/repos/{owner}/{repo}/environments/{environment_name}",
                       put_environment, permission="environments=write")   # GitHubFake only

Every request is logged (:attr:`FakeApp.log`), may be answered by an injected
:class:`Fault` instead of its handler, and runs under one lock: the fake's state changes
one request at a time, as if the service were serial.
"""

from __future__ import annotations

import fnmatch
import json
import re
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Request:
    """One request as a handler sees it."""

    method: str
    path: str
    raw_path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    environ: dict[str, Any]
    params: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The JSON body, or None when empty (ValueError when not JSON)."""
        return json.loads(self.body) if self.body.strip() else None

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter."""
        return self.query.get(name, [default])[0]


@dataclass
class Response:
    """What a handler answers: JSON for dicts and lists, bytes as they are."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        """The body as bytes (JSON-encoded unless already bytes)."""
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


@dataclass
class Logged:
    """One request the fake received and the status it answered."""

    method: str
    path: str
    query: str
    status: int
    body: Any
    kind: str = "api"

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Fault:
    """A misbehaviour for matching requests: ``status`` answers, ``reset`` drops the connection.

    ``path`` is a glob on the raw path (``*`` spans slashes); ``skip`` lets that many matching
    requests through first; ``times`` is how many to spoil. ``after=True`` (with ``reset`` or a
    status) handles the request first, then misbehaves: the write happened, the answer is lost.
    ``hold`` keeps the answer back until the event is set (kill the client meanwhile to crash
    it mid-request); ``arrived`` is set when the fault fires.
    """

    method: str | None = None
    path: str | None = None
    status: int = 0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False
    after: bool = False
    times: int = 1
    skip: int = 0
    hold: threading.Event | None = None
    arrived: threading.Event = field(default_factory=threading.Event)
    # with ``after=True``: the handled answer's JSON body, rewritten (a wrong-shaped answer)
    rewrite: Callable[[Any], Any] | None = None

    def matches(self, request: Request) -> bool:
        """Whether this fault applies to ``request``."""
        return (self.method is None or self.method == request.method) and (
            self.path is None or fnmatch.fnmatchcase(request.raw_path, self.path)
        )


@dataclass
class Route:
    """One entry of the route table."""

    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Callable[[Request], Response]


class Answer(Exception):
    """Raise from a handler (or a helper it calls) to answer at once with ``response``."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


class ConnectionDropped(Exception):
    """Raised after the fake reset the connection: the server must not answer."""


def compile_template(template: str) -> re.Pattern[str]:
    """``/repos/{owner}/{repo}`` → a regex with named groups matching one segment each."""
    parts = re.split(r"(\{[a-z_]+\})", template)
    regex = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$")


class FakeApp:
    """A WSGI app: route table, request log, faults, one lock."""

    label = "fake"

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.log: list[Logged] = []
        self.faults: list[Fault] = []
        self.violations: list[str] = []
        self.lock = threading.RLock()

    # -- configuration ---------------------------------------------------------------------
    def add_route(self, method: str, template: str, handler: Callable[[Request], Response]) -> None:
        """Serve ``method template`` with ``handler``; later routes win over earlier ones."""
        self.routes.insert(0, Route(method, template, compile_template(template), handler))

    def inject(self, fault: Fault) -> Fault:
        """Add a fault; it stays until spent."""
        with self.lock:
            self.faults.append(fault)
        return fault

    def requests(self, kind: str = "api") -> list[str]:
        """``METHOD /path`` of every logged request of ``kind`` (api or git), in order."""
        return [str(entry) for entry in self.log if entry.kind == kind]

    def writes(self, kind: str = "api") -> list[str]:
        """The logged requests that are not reads."""
        return [str(e) for e in self.log if e.kind == kind and e.method not in ("GET", "HEAD")]

    # -- WSGI --------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        request = self._parse(environ)
        sent = request.raw_path  # handlers may rewrite raw_path; the log keeps what was sent
        with self.lock:
            fault = self._take_fault(request)
            if fault is not None and not fault.after:
                response = self._misbehave(fault, request, None)
            else:
                try:
                    response = self.dispatch(request)
                except Answer as answer:
                    response = answer.response
                if fault is not None:
                    response = self._misbehave(fault, request, response)
            self.log.append(
                Logged(
                    request.method,
                    sent,
                    environ.get("QUERY_STRING", ""),
                    response.status,
                    _safe_json(request),
                    self.kind_of(request),
                )
            )
        headers = {"Content-Type": "application/json; charset=utf-8", **response.headers}
        start_response(f"{response.status} {_REASONS.get(response.status, 'Status')}", list(headers.items()))
        return [response.content()]

    def dispatch(self, request: Request) -> Response:
        """Find the route and call it (subclasses add authentication, validation, headers)."""
        route = self.match(request)
        if route is None:
            return self.not_found(request)
        return route.handler(request)

    def match(self, request: Request) -> Route | None:
        """The route for the request, its placeholders put in ``request.params``."""
        for route in self.routes:
            found = route.pattern.match(request.raw_path)
            if route.method == request.method and found:
                request.params = {k: _unquote(v) for k, v in found.groupdict().items()}
                return route
        return None

    def not_found(self, request: Request) -> Response:
        """The answer for an unknown route."""
        return Response(404, {"message": "Not Found"})

    def kind_of(self, request: Request) -> str:
        """``api`` or ``git`` (for the log)."""
        return "git" if ".git/" in request.raw_path else "api"

    # -- internals ---------------------------------------------------------------------------
    def _take_fault(self, request: Request) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.matches(request):
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                fault.times -= 1
                return fault
        return None

    def _misbehave(self, fault: Fault, request: Request, handled: Response | None) -> Response:
        fault.arrived.set()
        if fault.rewrite is not None and handled is not None:
            return Response(handled.status, fault.rewrite(handled.body), dict(handled.headers))
        if fault.hold is not None:
            fault.hold.wait(timeout=60)
            if handled is not None and not fault.reset and not fault.status:
                return handled
        if fault.reset:
            self.log.append(
                Logged(
                    request.method,
                    request.raw_path,
                    request.environ.get("QUERY_STRING", ""),
                    0,
                    _safe_json(request),
                    self.kind_of(request),
                )
            )
            drop_connection(request.environ)
        return Response(fault.status, fault.body, dict(fault.headers))

    @staticmethod
    def _parse(environ: dict[str, Any]) -> Request:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        raw = environ.get("fake.raw_path") or environ.get("PATH_INFO", "")
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        return Request(
            environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), raw, query, headers, body, environ
        )


def drop_connection(environ: dict[str, Any]) -> None:
    """Reset the client's connection (served) or fail like a reset (in-process), then abort."""
    sock: socket.socket | None = environ.get("fake.socket")
    if sock is None:
        import httpx

        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # with linger 0: the peer sees a reset, not a clean close
    raise ConnectionDropped


def _unquote(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value)


def _safe_json(request: Request) -> Any:
    try:
        return request.json()
    except (ValueError, UnicodeDecodeError):
        return None


_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    301: "Moved Permanently",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
