"""Build delivery events for tests: JSON Lines files with hand-computable histories."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any


def at(day: str, hour: int = 12, minute: int = 0) -> str:
    """``2026-03-02`` at ``hour`` UTC, ISO 8601 with Z."""
    base = dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=dt.UTC)
    return base.isoformat().replace("+00:00", "Z")


def shift(moment: str, hours: float) -> str:
    """``moment`` moved by ``hours``."""
    parsed = dt.datetime.fromisoformat(moment.replace("Z", "+00:00")) + dt.timedelta(hours=hours)
    return parsed.isoformat().replace("+00:00", "Z")


def deployment(
    service: str, sha: str, when: str, *, lead_hours: float | None = None, **extra: Any
) -> dict[str, Any]:
    """A deployment record; ``lead_hours`` adds one change (the deployed SHA) committed that long before."""
    record: dict[str, Any] = {"type": "deployment", "service": service, "sha": sha, "at": when, **extra}
    if lead_hours is not None:
        record.setdefault("changes", [{"sha": sha, "committed_at": shift(when, -lead_hours)}])
    return record


def write_events(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write ``records`` as JSON Lines."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
