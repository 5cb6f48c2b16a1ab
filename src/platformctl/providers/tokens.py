"""Access tokens: read from the environment only, never printed.

A :class:`Token` holds the secret; its ``repr``/``str`` name only where it came from. Every
token read here is remembered by :mod:`platformctl.redact`, which blanks it out of log lines,
error messages and git output. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from platformctl.credentials import TOKEN_VARIABLES
from platformctl.redact import REDACTED, remember_secret


class Token:
    """A secret credential that never shows itself: use :meth:`reveal` only to send it."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str) -> None:
        if not value:
            raise ValueError("empty token")
        self._value = value
        self.source = source
        remember_secret(value)

    def reveal(self) -> str:
        """The secret itself, for an Authorization header or a git environment variable."""
        return self._value

    def __repr__(self) -> str:
        return f"Token(from {self.source}, {REDACTED})"

    __str__ = __repr__

    def __reduce__(self) -> str:  # pragma: no cover - pickling would write the secret out
        raise TypeError("tokens are not picklable")


def token_from_env(service: str, env: Mapping[str, str]) -> Token | None:
    """The token of ``service`` (github, gitlab, backstage) from the first variable set."""
    for name in TOKEN_VARIABLES[service]:
        value = env.get(name, "").strip()
        if value:
            return Token(value, name)
    return None


def token_variables(service: str) -> Sequence[str]:
    """The variables :func:`token_from_env` reads for ``service``, in order."""
    return TOKEN_VARIABLES[service]
