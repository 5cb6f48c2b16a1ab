"""Server answers that say so when they have the wrong shape.

A JSON answer can be valid JSON of the wrong shape: a list where an object is expected, a
missing ``default_branch``, a string for an object, ``null`` items in a page. Provider code reads
answers with plain ``data["key"]``, ``data.get(...)`` and loops; without help a wrong shape ends
in a ``KeyError``/``TypeError`` deep in a provider, reported as a bug. Two mechanisms, one place:

- :func:`decode` reads every JSON answer (the :class:`~platformctl.providers.http.HttpClient`
  does it for each) into read views — :class:`AnswerDict` for every object, :class:`AnswerList`
  or :class:`AnswerStr` for the document itself; :func:`string` and :func:`objects` read a
  name and a listing — that raise :class:`AnswerShapeError` (a :class:`ProviderError`, exit 1,
  that is *also* a ``KeyError``/``TypeError``/``AttributeError``, so a provider's own
  ``except KeyError`` still works) naming the endpoint and what was wrong:
  ``GitHub answered GET /repos/o/x with an unexpected document: 'default_branch' missing``.
- :func:`shape_error_of` is for what no view intercepts (``None``, a number, or a list or a
  string inside an object, where the code expects something else): an exception of those kinds
  whose innermost platformctl frame is in a provider module reading answers, raised after an
  answer arrived, is reported the same way.
  Errors raised anywhere else (the domain, the CLI, the HTTP policy itself) stay bugs.

Standard library only: the CLI's error funnel imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any

from platformctl.errors import ProviderError

_DICT_METHODS = frozenset({"get", "items", "keys", "values", "setdefault", "pop"})
# Modules whose code is the HTTP policy, not the reading of an answer's content.
_NOT_READERS = ("platformctl.providers.http", "platformctl.providers.httpbounds", __name__)
_SHAPE_ERRORS = (KeyError, TypeError, AttributeError, IndexError, ValueError)


@dataclass(frozen=True)
class Endpoint:
    """Who answered what: ``GitHub``, ``github``, ``GET``, ``/repos/o/x``."""

    label: str
    key: str
    method: str
    path: str


_last: list[Endpoint] = []  # the endpoint of the latest JSON answer (any thread)


class AnswerShapeError(ProviderError):
    """A server answer of the wrong shape: exit 1, naming the endpoint."""

    def __init__(self, endpoint: Endpoint, what: str) -> None:
        super().__init__(
            f"{endpoint.label} answered {endpoint.method} {endpoint.path} with an unexpected "
            f"document: {what}",
            hint=f"the answer does not have the shape of the {endpoint.label} API that platformctl "
            "reads: check that the provider's URL setting points at a supported version "
            "(--debug logs each request); if it does, the server is misbehaving: re-run later",
            provider=endpoint.key,
        )
        self.endpoint = endpoint

    def __str__(self) -> str:  # KeyError would show the message quoted
        return self.message


class _Missing(AnswerShapeError, KeyError):
    pass


class _WrongType(AnswerShapeError, TypeError):
    pass


class _NoAttribute(AnswerShapeError, AttributeError):
    pass


def kind_of(value: Any) -> str:
    """How a JSON value is named in a message: a string, a list, null, int 5."""
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else f"{type(value).__name__} {value!r}"


class AnswerDict(dict[str, Any]):
    """A JSON object of an answer: a missing key is an :class:`AnswerShapeError`."""

    endpoint: Endpoint

    def __missing__(self, key: Any) -> Any:
        raise _Missing(self.endpoint, f"{key!r} missing")


class AnswerList(list[Any]):
    """A JSON array of an answer: used as an object, it says so."""

    endpoint: Endpoint

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, str):
            raise _WrongType(self.endpoint, f"a list where an object with {index!r} is expected")
        return super().__getitem__(index)

    def __getattr__(self, name: str) -> Any:
        if name in _DICT_METHODS:
            raise _NoAttribute(self.endpoint, "a list where an object is expected")
        raise AttributeError(name)


class AnswerStr(str):
    """A JSON string of an answer: used as an object, it says so."""

    endpoint: Endpoint

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, str):
            raise _WrongType(self.endpoint, f"a string where an object with {index!r} is expected")
        return super().__getitem__(index)

    def __getattr__(self, name: str) -> Any:
        if name in _DICT_METHODS:
            raise _NoAttribute(self.endpoint, "a string where an object is expected")
        raise AttributeError(name)


def decode(content: bytes | str, endpoint: Endpoint) -> Any:
    """``content`` (JSON) decoded into read views that know ``endpoint``; remembered as the latest.

    Every object becomes an :class:`AnswerDict` as the C decoder builds it (a class per answer
    carries the endpoint, so a 64 MiB listing decodes as fast as plain ``json.loads``); the
    document itself, when a list or a string, an :class:`AnswerList` or :class:`AnswerStr`.
    Lists and strings *inside* objects stay plain: what they are misread as is caught by
    :func:`shape_error_of`.
    """
    import json

    _last[:] = [endpoint]
    views = type("AnswerDict", (AnswerDict,), {"endpoint": endpoint, "__module__": __name__})
    data = json.loads(content, object_pairs_hook=views)
    view: AnswerList | AnswerStr
    if isinstance(data, list):
        view = AnswerList(data)
    elif isinstance(data, str):
        view = AnswerStr(data)
    else:
        return data
    view.endpoint = endpoint
    return view


def require_objects(items: list[Any], endpoint: Endpoint) -> None:
    """Refuse a listing page with an item that is not an object (``null``, a string, a number)."""
    for item in items:
        if not isinstance(item, dict):
            raise _WrongType(endpoint, f"{kind_of(item)} among the items of a list of objects")


def string(doc: Any, key: str, default: str | None = None) -> str:
    """``doc[key]`` as a string (``default`` when missing or null, if given); another kind of
    value is an :class:`AnswerShapeError` naming the endpoint, the key and what came."""
    value = doc.get(key) if isinstance(doc, dict) else doc[key]
    if value is None and default is not None:
        return default
    if not isinstance(value, str):
        what = (
            "missing" if value is None and key not in doc else f"{kind_of(value)} where a string is expected"
        )
        raise _WrongType(_endpoint_of(doc), f"{key!r}: {what}")
    return value


def _endpoint_of(value: Any) -> Endpoint:
    endpoint = getattr(value, "endpoint", None)
    if isinstance(endpoint, Endpoint):
        return endpoint
    return _last[0] if _last else Endpoint("server", "", "GET", "?")


def objects(value: Any) -> list[Any]:
    """``value`` as a list of JSON objects (``None``: none); anything else is an
    :class:`AnswerShapeError` naming the endpoint that answered it."""
    if value is None:
        return []
    endpoint = _endpoint_of(value)
    if not isinstance(value, list):
        raise _WrongType(endpoint, f"{kind_of(value)} where a list is expected")
    require_objects(value, endpoint)
    return value


def shape_error_of(exc: BaseException) -> AnswerShapeError | None:
    """The :class:`AnswerShapeError` for a shape error raised while a provider read an answer.

    Only a ``KeyError``/``TypeError``/``AttributeError``/``IndexError``/``ValueError`` (pydantic's
    ``ValidationError`` is one) qualifies, only when the innermost platformctl frame of its
    traceback is in a provider module that reads answers, and only after an answer arrived.
    """
    if isinstance(exc, AnswerShapeError) or not isinstance(exc, _SHAPE_ERRORS) or not _last:
        return None
    module = _innermost_platformctl_module(exc.__traceback__)
    if module is None or not module.startswith("platformctl.providers.") or module in _NOT_READERS:
        return None
    return AnswerShapeError(_last[0], _detail(exc))


def _detail(exc: BaseException) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):  # pydantic's ValidationError: the first field and what it says
        first = (errors() or [{}])[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "the document"
        return f"{where}: {first.get('msg', 'invalid')}"
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def _innermost_platformctl_module(tb: TracebackType | None) -> str | None:
    found = None
    while tb is not None:
        name = tb.tb_frame.f_globals.get("__name__", "")
        if isinstance(name, str) and name.startswith("platformctl."):
            found = name
        tb = tb.tb_next
    return found


def forget() -> None:
    """Forget the latest answer (each CLI invocation starts afresh)."""
    _last.clear()
