"""Redaction: every secret this invocation has seen, blanked out of every text we emit.

Secrets are remembered as they are read (tokens, secret values); :func:`redact` replaces them,
and anything shaped like a GitHub or GitLab token, with ``***``. Standard library only: the
error funnel and the log filter (``cli/logs.py``) use it.
"""

from __future__ import annotations

import re

REDACTED = "***"

# Token shapes from GitHub's and GitLab's token-format docs; redacted even when not ours.
_TOKEN_SHAPES = re.compile(
    r"\b(?:gh[pousr]_[A-Za-z0-9_]{16,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,})"
)
_known: set[str] = set()


def remember_secret(value: str) -> None:
    """Have :func:`redact` blank ``value`` from now on (short values would blank too much)."""
    if len(value) >= 4:
        _known.add(value)


def forget_secrets() -> None:
    """Start a new invocation with no remembered secrets (tests run many in one process)."""
    _known.clear()


def redact(text: str) -> str:
    """``text`` with every known secret and every token-shaped word replaced by ``***``."""
    for secret in sorted(_known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _TOKEN_SHAPES.sub(REDACTED, text)
