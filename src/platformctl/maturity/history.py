"""History of assessments: one JSON object per line, oldest first.

Each entry records when, which model (and version), the score, band, level and dimension
scores. The report compares a run with the last saved one. Lines that cannot be read (a
hand edit gone wrong) are skipped and reported, never fatal: history is a convenience.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import UsageError

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


def entry_for(assessment: Assessment, at: str, scope: str = "") -> HistoryEntry:
    """The history entry of an assessment."""
    return HistoryEntry(
        at=at,
        model=assessment.model.name,
        model_version=assessment.model.version,
        score=assessment.score,
        band=assessment.band,
        level=assessment.level,
        dimensions={d.id: round(d.score, 1) for d in assessment.dimensions if not d.excluded},
        scope=scope,
    )


def change_since(previous: HistoryEntry | None, current: HistoryEntry) -> Change | None:
    """How ``current`` differs from ``previous`` (None without a previous run)."""
    if previous is None:
        return None
    dims = {
        k: round(v - previous.dimensions[k], 1)
        for k, v in current.dimensions.items()
        if k in previous.dimensions
    }
    return Change(
        previous.at,
        round(current.score - previous.score, 1),
        current.level - previous.level,
        dims,
        (previous.model, previous.model_version) != (current.model, current.model_version),
    )


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
        hint="pass another file with --history",
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
    """Add ``entry`` to the file, rewriting it atomically so a crash never leaves half a line."""
    from platformctl.files import atomic_write_text

    existing = history.path.read_text(encoding="utf-8") if history.path.exists() else ""
    if existing and not existing.endswith("\n"):
        existing += "\n"
    atomic_write_text(history.path, existing + json.dumps(entry.as_dict(), sort_keys=True) + "\n")
    history.entries.append(entry)
