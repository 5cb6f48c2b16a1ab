"""Control characters made visible, so that no displayed value can steer a terminal or a CI log.

Every value platformctl displays may come from a file, a flag or a server. Printed raw, a
newline starts a line of its own choosing (``::stop-commands::…`` or ``::error::…`` in GitHub
Actions), ESC/CSI/OSC sequences recolour, retitle or hyperlink the terminal, and bidi overrides
make text read differently from what it is. :func:`escape_controls` turns each such character
into a visible escape (``\\n``, ``\\x1b``, ``\\u202e``); printable text passes unchanged.

Escaped: C0 controls (U+0000–U+001F, including tab, newline and CR), DEL, C1 controls
(U+0080–U+009F), the bidi embedding/override/isolate/mark characters and the Unicode line and
paragraph separators. Standard library only: every layer may import it.
"""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BIDI_AND_SEPARATORS = (
    "\u061c",  # ARABIC LETTER MARK
    "\u200e",  # LEFT-TO-RIGHT MARK
    "\u200f",  # RIGHT-TO-LEFT MARK
    "\u2028",  # LINE SEPARATOR
    "\u2029",  # PARAGRAPH SEPARATOR
    *(chr(c) for c in range(0x202A, 0x202F)),  # LRE RLE PDF LRO RLO
    *(chr(c) for c in range(0x2066, 0x206A)),  # LRI RLI FSI PDI
)
UNSAFE = frozenset(
    [*(chr(c) for c in range(0x20)), "\x7f", *(chr(c) for c in range(0x80, 0xA0)), *_BIDI_AND_SEPARATORS]
)
"""Every character :func:`escape_controls` replaces."""


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE = {ord(char): _escape(char) for char in UNSAFE}


def escape_controls(text: str, *, keep: str = "") -> str:
    """``text`` with every unsafe character replaced by a visible escape.

    Args:
        text: any value about to be displayed.
        keep: characters to leave alone (a multi-line document keeps ``"\\n"``); only use it
            for text whose line structure is the document's own, never for a single value.
    """
    if text.isprintable():  # the common case, and every unsafe character is non-printable
        return text
    table = _TABLE if not keep else {k: v for k, v in _TABLE.items() if chr(k) not in keep}
    return text.translate(table)


def neutralize_workflow_commands(text: str) -> str:
    """``::`` broken by a zero-width space, so no part of ``text`` reads as an Actions command.

    The runner treats any output line beginning with ``::`` as a workflow command; a value
    displayed at the start of a line (or wrapped there) must never be one.
    """
    return text.replace("::", ":\u200b:")
