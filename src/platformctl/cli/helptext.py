"""Help texts are plain text, whatever typer's rich help formatter makes of them.

Typer's rich help reads ``[env var: X]`` or ``[default: ./NAME]`` as markup tags and drops
them, and keeps the hard line breaks of a docstring's later paragraphs, which then break
mid-sentence at the terminal's width. Applied once to the command tree before it runs, so every
command (present and future) gets the same treatment. Standard library only: ``--help`` and
``--version`` must stay fast.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

# What rich reads as a markup tag (the pattern of ``rich.markup.escape``).
_TAG = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def escape_markup(text: str) -> str:
    """``text`` with every would-be rich markup tag escaped, so it prints as written."""
    escaped = _TAG.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", text)
    if escaped.endswith("\\") and not escaped.endswith("\\\\"):
        escaped += "\\"
    return escaped


def unwrap(text: str) -> str:
    """Join the lines of each paragraph, so the help formatter wraps them at the terminal's width.

    A paragraph starting with click's ``\\b`` marker keeps its line breaks.
    """
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        p if p.startswith("\b") else " ".join(line.strip() for line in p.splitlines()) for p in paragraphs
    )


def plain_help(command: Any) -> None:
    """Make the help of ``command`` and of all its subcommands and parameters plain text."""
    for cmd in _walk(command):
        if cmd.help:
            cmd.help = escape_markup(unwrap(cmd.help))
        if cmd.short_help:
            cmd.short_help = escape_markup(cmd.short_help)
        for param in cmd.params:
            if getattr(param, "help", None):
                param.help = escape_markup(unwrap(param.help))


def _walk(command: Any) -> Iterator[Any]:
    yield command
    for sub in (getattr(command, "commands", None) or {}).values():
        yield from _walk(sub)
