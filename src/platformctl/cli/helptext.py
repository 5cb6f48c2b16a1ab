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
        _plain_help_option(cmd)
        if cmd.help:
            cmd.help = escape_markup(unwrap(cmd.help))
        if cmd.short_help:
            cmd.short_help = escape_markup(cmd.short_help)
        for param in cmd.params:
            if getattr(param, "help", None):
                param.help = escape_markup(unwrap(param.help))
            _plain_type(param)


# typer's type labels are Python's; the help shows what to type, as gh does.
_WORDS = {"str": "string", "int": "int", "float": "number", "bool": "", "Path": "path"}


def _plain_type(param: Any) -> None:
    """The type column of a parameter: nothing for a flag (``--dry-run`` takes no value, so no
    ``<bool>``), the metavar when one is declared, bounds as ``1..4``, words instead of Python
    types (``string``, not ``<list[str]>``)."""
    original = getattr(param, "display_type_rich", None)
    if original is None:
        return
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    bounds = (
        ""
        if low is None and high is None
        else f"{'' if low is None else low}..{'' if high is None else high}"
    )
    if getattr(param, "is_flag", False):
        label: str | None = None
    elif param.metavar:
        label = param.metavar if not bounds or ".." in param.metavar else f"{param.metavar} {bounds}"
    else:
        label = bounds or _words(original(ctx=None))
    param.display_type_rich = lambda ctx, _label=label: _label
    param._get_number_range_help_str = lambda: None  # the bounds are in the label already


def _plain_help_option(cmd: Any) -> None:
    """``--help`` is made when help is printed, after the walk: treat it then."""
    made = cmd.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = made(ctx)
        if option is not None:
            _plain_type(option)
        return option

    cmd.get_help_option = get_help_option


def _words(label: str | None) -> str | None:
    """``<list[str]>`` → ``string``, ``<int>`` → ``int``, ``<a|b>`` stays ``a|b``."""
    if not label:
        return label
    inner = label.strip("<>")
    while inner.startswith("list[") and inner.endswith("]"):
        inner = inner[5:-1]
    return _WORDS.get(inner, inner) or None


def _walk(command: Any) -> Iterator[Any]:
    yield command
    for sub in (getattr(command, "commands", None) or {}).values():
        yield from _walk(sub)
