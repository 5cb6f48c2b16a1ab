"""The scalar values of an answers file as the text an answer keeps.

YAML hands back booleans for bare words, dates for ISO dates and lone surrogates for JSON's
surrogate-pair escapes; an answer keeps text, so each is turned back into what was written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def scalar_text(value: Any) -> str:
    """A value as stripped text: ``""`` for None, ``yes``/``no`` for a boolean."""
    if value is None:
        return ""
    if isinstance(value, bool):  # YAML 1.1 reads a bare 'no' as False; give the word back
        return "yes" if value else "no"
    return whole_characters(str(value).strip())


def whole_characters(text: str) -> str:
    """Join JSON's surrogate-pair escapes (``\\ud83d\\ude80``) into the character they spell.

    A YAML parser reads each escape alone and leaves two lone surrogates, which no UTF-8
    report can hold; a lone surrogate that pairs with nothing becomes U+FFFD.
    """
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def date_text(value: Any) -> str:
    """A date or time as ISO text, anything else as ``scalar_text``."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return scalar_text(value)
