"""Console output without rich where rich would only strip its markup: pipes, files and CI logs.

On a stream that is not a terminal rich prints no styles at all: a markup string becomes its
text with the tags taken out. Importing rich is a tenth of a quick command's start-up, so
:class:`PlainConsole` prints such strings itself, with the same rules as rich's markup parser
(``rich/markup.py``: tags are ``[`` + a letter, ``#``, ``/`` or ``@`` + anything up to ``]``;
backslashes before a tag escape it in pairs; ``\\[`` in text is ``[``). Anything it cannot
prove it prints the way rich would (another renderable, a keyword argument, a handler tag, an
explicit closing tag) goes to the rich console built on first use, which also answers every
other attribute. ``tests/cli/test_plain_output.py`` compares the two on tricky strings.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

# rich.markup.RE_TAGS and the pattern of rich.markup.escape
_TAGS = re.compile(r"((\\*)\[([a-z#/@][^[]*?)])")
_ESCAPABLE = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def escape(markup: str) -> str:
    """``markup`` with what would read as a tag escaped: rich.markup.escape, without rich."""

    def double(match: re.Match[str]) -> str:
        backslashes, text = match.groups()
        return f"{backslashes}{backslashes}\\{text}"

    markup = _ESCAPABLE.sub(double, markup)
    if markup.endswith("\\") and not markup.endswith("\\\\"):
        return markup + "\\"
    return markup


def plain_text(markup: str) -> str | None:
    """The text rich prints for ``markup`` on a stream without styles, or None when only rich
    can say (a handler tag ``[@…]``, an explicit closing tag, a ``[/]`` with nothing open)."""
    if "[" not in markup:
        return markup
    parts: list[str] = []
    open_tags = 0
    position = 0
    for match in _TAGS.finditer(markup):
        full, escapes, tag = match.groups()
        start, end = match.span()
        if start > position:
            parts.append(markup[position:start].replace("\\[", "["))
        position = end
        if escapes:
            backslashes, escaped = divmod(len(escapes), 2)
            parts.append("\\" * backslashes)
            if escaped:
                parts.append(full[len(escapes) :].replace("\\[", "["))
                continue
        if tag.startswith("@") or (tag.startswith("/") and tag[1:].strip()):
            return None
        if tag.startswith("/"):
            if not open_tags:
                return None  # rich raises MarkupError: let it
            open_tags -= 1
        else:
            open_tags += 1
    if position < len(markup):
        parts.append(markup[position:].replace("\\[", "["))
    return "".join(parts)


def wants_rich(stream: Any, environ: Mapping[str, str] | None = None) -> bool:
    """Whether rich would style ``stream``: a terminal, or forced (``TTY_COMPATIBLE``,
    ``FORCE_COLOR``, which rich reads from the process environment) or a notebook."""
    environ = os.environ if environ is None else environ
    if environ.get("TTY_COMPATIBLE", "") in ("0", "1") or environ.get("FORCE_COLOR") is not None:
        return True
    if "IPython" in sys.modules:  # rich's notebook detection: leave it to rich
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class PlainConsole:
    """``print`` of markup strings to a non-terminal stream; rich for everything else."""

    def __init__(self, stream: Any, escape_text: Callable[[str], str], rich: Callable[[], Any]) -> None:
        """``escape_text`` is applied to every string (what SafeConsole.render_str does);
        ``rich`` builds the equivalent rich console, once, when it is needed."""
        self.file = stream
        self._escape_text = escape_text
        self._make_rich = rich
        self._rich: Any = None

    @property
    def is_terminal(self) -> bool:
        """Never: this console is only made for streams rich would not style."""
        return False

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", **options: Any) -> None:
        """Print like rich's ``Console.print`` would on this stream."""
        if not options and all(isinstance(o, str) for o in objects):
            texts = [plain_text(self._escape_text(o)) for o in objects]
            if all(t is not None for t in texts):
                self.file.write(sep.join(t for t in texts if t is not None) + end)
                return
        self.rich.print(*objects, sep=sep, end=end, **options)

    @property
    def rich(self) -> Any:
        """The rich console on the same stream (built on first use)."""
        if self._rich is None:
            self._rich = self._make_rich()
        return self._rich

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rich, name)
