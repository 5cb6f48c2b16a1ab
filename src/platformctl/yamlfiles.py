"""The one hardened loader for every YAML or JSON file platformctl reads.

Settings, answers, descriptors, golden-path metadata, model files, history lines and trust
records all come through here, so one place decides what a hostile or broken file looks like
(docs/security.md, "Input files"):

- a size cap checked before a byte is parsed (``MAX_BYTES``; more only where a caller says);
- NUL bytes refused, naming the line;
- aliases (``*name``) refused: they are how a 454-byte file expands to gigabytes;
- nesting deeper than ``MAX_DEPTH`` refused before any recursive code sees it;
- duplicate mapping keys refused, naming both lines (never silently last-wins);
- scalars resolved with the YAML 1.2 core schema, restricted so free text stays text:
  ``yes``/``no``/``on``/``off``, ``0x1F``, ``0o17``, ``1_000``, ``1:20``, ``.inf``, ``.nan`` and
  dates are strings; only ``true``/``false``, ``null``/``~``, decimal integers and decimal
  floats are not;
- a document whose first character is ``{`` or ``[`` is JSON and parsed by :mod:`json`
  (tab indentation allowed) under the same limits.

Every refusal is the caller's error type (exit 2 for every user file) with ``file:line`` and a
hint. The C loader is used when PyYAML has it; the checks are the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformctl.errors import ConfigError, PlatformctlError
from platformctl.files import read_text
from platformctl.yamlcore import MAX_DEPTH, Path_, Refused, compose, parse_yaml, walk

__all__ = [
    "HISTORY_MAX_BYTES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MODEL_MAX_BYTES",
    "Lines",
    "load_file_with_lines",
    "load_yaml_file",
    "parse_json_text",
    "parse_text",
]

MAX_BYTES = 4 * 1024 * 1024
"""Largest file read (answers, descriptors, settings, golden-path metadata, trust records)."""
MODEL_MAX_BYTES = 16 * 1024 * 1024
"""A maturity model may carry long guidance texts: a larger cap, still bounded."""
HISTORY_MAX_BYTES = 64 * 1024 * 1024
"""The history file grows by one JSON line (~2 KiB) per saved run: tens of thousands of runs."""
_HINT = "fix the file at that line (see 'Input files' in 'platformctl docs security')"


@dataclass
class Lines:
    """Line numbers (1-based) of the values of a document, by path."""

    source: str
    by_path: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.by_path:
                return self.by_path[path]
            path = path[:-1]
        return self.by_path.get(())

    def where(self, path: Sequence[str | int]) -> str:
        """``source:line`` for ``path`` (just ``source`` when the line is unknown)."""
        line = self.line(path)
        return f"{self.source}:{line}" if line else self.source


def load_yaml_file(
    path: Path,
    *,
    what: str,
    error: type[PlatformctlError],
    hint: str | None = None,
    max_bytes: int = MAX_BYTES,
    first_document: bool = False,
    remember: bool = False,
) -> Any:
    """The data of the YAML or JSON file ``path``; any failure is ``error`` naming ``what`` and ``path``.

    ``first_document``: a multi-document stream (``catalog-info.yaml``) gives its first document.
    ``remember``: the data may be kept in the platform home's cache of parsed files
    (``yamlcache.py``) and read from there while the text is the same: only for files that
    never hold a secret (``platform.yaml``, golden-path files), never answers or kubeconfigs.
    """
    text = read_text(path, what=what, error=error, hint=hint, max_bytes=max_bytes)
    if not remember:
        return parse_text(text, str(path), error=error, hint=hint, first_document=first_document)[0]
    from platformctl import yamlcache

    data = yamlcache.recall(path, text, first_document=first_document)
    if yamlcache.is_miss(data):
        data = parse_text(text, str(path), error=error, hint=hint, first_document=first_document)[0]
        yamlcache.remember(path, text, data, first_document=first_document)
    return data


def load_file_with_lines(
    path: Path,
    *,
    what: str,
    error: type[PlatformctlError],
    hint: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> tuple[Any, Lines]:
    """Read ``path`` under the size cap and parse it (see :func:`parse_text`)."""
    text = read_text(path, what=what, error=error, hint=hint, max_bytes=max_bytes)
    return parse_text(text, str(path), error=error, hint=hint)


def parse_text(
    text: str,
    source: str,
    *,
    error: type[PlatformctlError] = ConfigError,
    hint: str | None = None,
    first_document: bool = False,
) -> tuple[Any, Lines]:
    """Parse one YAML or JSON document under every limit; return the data and its line map.

    Raises:
        error: the text breaks a limit or is not valid YAML/JSON; the message is
            ``source:line: problem``.
    """
    _refuse_nul(text, source, error)
    try:
        if _looks_like_json(text):
            return _parse_json_or_flow_yaml(text, source)
        data, by_path = parse_yaml(text, first_document=first_document)
        return data, Lines(source, by_path)
    except Refused as exc:
        line = f":{exc.line}" if exc.line else ""
        raise error(f"{source}{line}: {exc.problem}", hint=exc.hint or hint or _HINT) from None


def parse_json_text(
    text: str, source: str, *, error: type[PlatformctlError] = ConfigError, hint: str | None = None
) -> Any:
    """Parse JSON only (a history line, a trust record) under the same limits."""
    _refuse_nul(text, source, error)
    try:
        return _parse_json(text, source)
    except Refused as exc:
        line = f":{exc.line}" if exc.line else ""
        raise error(f"{source}{line}: {exc.problem}", hint=exc.hint or hint or _HINT) from None


def describe_yaml_error(exc: Exception) -> str:
    """`` at line L, column C: problem`` for a PyYAML error (as much of it as is known)."""
    where = ""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        where = f" at line {mark.line + 1}, column {mark.column + 1}"
    problem = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
    return f"{where}: {problem}"


def _refuse_nul(text: str, source: str, error: type[PlatformctlError]) -> None:
    index = text.find("\0")
    if index >= 0:
        line = text.count("\n", 0, index) + 1
        raise error(
            f"{source}:{line}: contains a NUL byte (a binary file?)",
            hint="save it as plain UTF-8 text without NUL characters",
        )


def _looks_like_json(text: str) -> bool:
    # JSON is YAML's flow style, but YAML forbids tabs where JSON allows them, and PyYAML
    # decodes "\ud83d\ude00" as two lone surrogates: JSON documents go to the json module.
    stripped = text.lstrip(" \t\r\n\ufeff")
    return stripped[:1] in ("{", "[")


# -- JSON ------------------------------------------------------------------------------------
def _parse_json_or_flow_yaml(text: str, source: str) -> tuple[Any, Lines]:
    """JSON; or, when it is not JSON at all, YAML flow style (``{provider: github}``)."""
    try:
        return _parse_json_with_lines(text, source)
    except Refused as exc:
        if not exc.problem.startswith("not valid JSON"):
            raise  # a limit (depth, duplicates) is final
        try:
            data, by_path = parse_yaml(text)
        except Refused:
            raise exc from None  # the JSON error speaks for a document that starts like JSON
        return data, Lines(source, by_path)


def _parse_json_with_lines(text: str, source: str) -> tuple[Any, Lines]:
    try:
        data = _parse_json(text, source)
    except Refused as exc:
        if exc.problem.startswith("duplicate key"):
            _json_lines(text, source, check=True)  # names both lines when YAML can read the JSON
        raise
    return data, _json_lines(text, source, check=False)


def _parse_json(text: str, source: str) -> Any:
    _check_json_depth(text)
    try:
        return json.loads(text.lstrip("\ufeff"), object_pairs_hook=_unique_pairs, parse_constant=_no_constant)
    except Refused:
        raise
    except json.JSONDecodeError as exc:
        raise Refused(f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except (ValueError, RecursionError) as exc:  # huge integers, nesting the pre-scan missed
        raise Refused(f"not valid JSON: {str(exc).splitlines()[0]}") from None


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise Refused(f"duplicate key {key!r}", hint="keep one of the two entries")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise Refused(f"{name} is not a JSON value", hint="write a number, or null")


_JSON_TOKENS = re.compile(r'\\.|["\[\]{}\n]')


def _check_json_depth(text: str) -> None:
    """Refuse nesting beyond MAX_DEPTH in one linear pass (brackets inside strings skipped)."""
    depth, line, in_string = 0, 1, False
    for match in _JSON_TOKENS.finditer(text):
        char = match.group()
        if char == "\n":
            line += 1
        elif char == '"':
            in_string = not in_string
        elif in_string or char[0] == "\\":
            continue
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise Refused(f"nested deeper than {MAX_DEPTH} levels", line, "flatten the structure")
        else:
            depth -= 1


def _json_lines(text: str, source: str, *, check: bool) -> Lines:
    """Line numbers for JSON values, from the YAML composer over the tab-free text.

    Inside valid JSON a tab can only be whitespace between tokens, so replacing tabs keeps
    every position; when YAML cannot read the JSON anyway, errors just name no line.
    """
    lines = Lines(source)
    try:
        node = compose(text.replace("\t", " "))
        if node is not None:
            walk(node, (), lines.by_path, check=check)
    except Refused:
        if check:
            raise
    except Exception:  # positions are a courtesy; the data was already checked
        return lines
    return lines
