"""History of assessments: one JSON object per line, oldest first.

Each entry records when, which model (and version), the score, band, level and dimension
scores. The report compares a run with the last saved run of the same scope. Lines that cannot be read (a
hand edit gone wrong) are skipped and reported, never fatal: history is a convenience.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import UsageError, option

if TYPE_CHECKING:
    from platformctl.maturity.scoring import Assessment

DEFAULT_HISTORY = Path(".platformctl") / "maturity-history.jsonl"


@dataclass(frozen=True)
class HistoryEntry:
    """One saved run."""

    at: str
    model: str
    model_version: str
    score: float
    band: int
    level: int
    dimensions: dict[str, float] = field(default_factory=dict)
    scope: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass(frozen=True)
class Change:
    """The difference between this run and the previous one."""

    since: str
    score: float
    level: int
    dimensions: dict[str, float]
    model_changed: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass
class History:
    """The entries read from a history file and the lines that had to be skipped."""

    path: Path
    entries: list[HistoryEntry] = field(default_factory=list)
    skipped_lines: list[int] = field(default_factory=list)

    @property
    def previous(self) -> HistoryEntry | None:
        """The last saved entry."""
        return self.entries[-1] if self.entries else None

    def of_scope(self, scope: str) -> list[HistoryEntry]:
        """The saved entries of one scope (an org, a team, a service), oldest first."""
        return [e for e in self.entries if e.scope == scope]

    def previous_for(self, scope: str) -> HistoryEntry | None:
        """The last saved entry of the same scope: runs of other scopes are not comparable."""
        same = self.of_scope(scope)
        return same[-1] if same else None


def entry_for(assessment: Assessment, at: str, scope: str = "") -> HistoryEntry:
    """The history entry of an assessment."""
    return HistoryEntry(
        at=at,
        model=assessment.model.name,
        model_version=assessment.model.version,
        score=assessment.score,
        band=assessment.band,
        level=assessment.level,
        dimensions={d.id: float(d.shown) for d in assessment.dimensions if not d.excluded},
        scope=scope,
    )


def change_since(previous: HistoryEntry | None, current: HistoryEntry) -> Change | None:
    """How ``current`` differs from ``previous`` (None without a previous run)."""
    if previous is None:
        return None
    dims = {
        k: _minus(v, previous.dimensions[k])
        for k, v in current.dimensions.items()
        if k in previous.dimensions
    }
    return Change(
        previous.at,
        _minus(current.score, previous.score),
        current.level - previous.level,
        dims,
        (previous.model, previous.model_version) != (current.model, current.model_version),
    )


def _minus(a: float, b: float) -> float:
    # Both are shown values with one decimal; subtract them as decimals, not as binary floats.
    from decimal import Decimal

    return float(Decimal(str(a)) - Decimal(str(b)))


def read_history(path: Path) -> History:
    """Read a history file; a missing file is an empty history.

    Raises:
        UsageError: the path exists but cannot be read (e.g. it is a directory).
    """
    history = History(path)
    if not path.exists():
        return history
    from platformctl.errors import PlatformctlError
    from platformctl.files import read_text
    from platformctl.yamlfiles import HISTORY_MAX_BYTES, parse_json_text

    text = read_text(
        path,
        what="history file",
        error=UsageError,
        hint=f"pass another file with {option('history')}",
        max_bytes=HISTORY_MAX_BYTES,
    )
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            history.entries.append(_entry(parse_json_text(line, f"{path}:{number}")))
        except (PlatformctlError, ValueError, TypeError, KeyError, AttributeError):
            history.skipped_lines.append(number)
    return history


def _entry(data: dict[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        at=str(data["at"]),
        model=str(data["model"]),
        model_version=str(data["model_version"]),
        score=float(data["score"]),
        band=int(data["band"]),
        level=int(data["level"]),
        dimensions={str(k): float(v) for k, v in dict(data.get("dimensions") or {}).items()},
        scope=str(data.get("scope") or ""),
    )


def append_history(history: History, entry: HistoryEntry) -> None:
    """Add ``entry`` as one line at the end of the file.

    The line goes out in one ``write`` to a file opened for appending, under an exclusive
    ``flock``: a kill leaves the file with or without the whole line, never half of it, no
    temporary file is left beside it, and two runs saving at once both keep their line. A
    symbolic link in its place (a cloned repository may ship one) is refused, never followed. A last
    line without its newline (an editor, or a crash of an older version) is closed first so
    the new entry starts on a line of its own.
    """
    import fcntl
    import os

    from platformctl.files import make_dirs

    make_dirs(history.path.parent)
    line = (json.dumps(entry.as_dict(), sort_keys=True) + "\n").encode("utf-8")
    fd = os.open(history.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if not _ends_with_newline(history.path):
            line = b"\n" + line
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)  # closing drops the lock
    history.entries.append(entry)


def _ends_with_newline(path: Path) -> bool:
    """True for an empty file or one whose last byte is a newline."""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        if handle.tell() == 0:
            return True
        handle.seek(-1, 2)
        return handle.read(1) == b"\n"
