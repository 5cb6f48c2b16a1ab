"""The reporting window: ``--since 90d|DATE`` and ``--until DATE``, half-open [since, until).

``--until 2026-03-31`` includes that whole day (UTC): the window ends at the next midnight.
A time with an offset is taken exactly. The default end is now.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from platformctl.errors import UsageError, option

_RELATIVE = re.compile(r"^(\d{1,4})([dw])$")
_HINT = "write a number of days or weeks (90d, 12w) or a date (2026-01-31)"


@dataclass(frozen=True)
class Window:
    """A half-open interval of UTC times."""

    since: dt.datetime
    until: dt.datetime

    def __contains__(self, moment: dt.datetime) -> bool:
        return self.since <= moment < self.until

    @property
    def days(self) -> float:
        """Length in days."""
        return (self.until - self.since).total_seconds() / 86400

    @property
    def weeks(self) -> float:
        """Length in weeks."""
        return self.days / 7


def _moment(text: str, flag: str, *, end: bool) -> dt.datetime:
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
            return start + dt.timedelta(days=1) if end else start
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag} {text!r}: not a date", hint=_HINT) from None
    if parsed.tzinfo is None:
        raise UsageError(
            f"{flag} {text!r}: a time needs a time zone", hint="add Z or an offset such as +02:00"
        )
    return parsed.astimezone(dt.UTC)


def make_window(since: str, until: str | None, now: dt.datetime) -> Window:
    """The window the flags describe.

    Raises:
        UsageError: a malformed value, or ``since`` not before ``until``.
    """
    end = _moment(until.strip(), option("until"), end=True) if until else now.astimezone(dt.UTC)
    match = _RELATIVE.match(since.strip())
    if match:
        count = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
        start = end - dt.timedelta(days=count)
    else:
        start = _moment(since.strip(), option("since"), end=False)
    if start >= end:
        raise UsageError(
            f"the window is empty: {option('since')} {since} is not before the end {end.isoformat()}",
            hint=f"pass a {option('since')} before {option('until')}",
        )
    return Window(start, end)
