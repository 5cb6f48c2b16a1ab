"""Events files (JSON Lines) and the local store a pipeline step appends to.

Reading goes through the hardened loader's limits (size cap before parsing, JSON depth,
duplicate keys refused). Writing appends one line per record with ``O_APPEND``, so two
pipeline steps recording at once never interleave within a line.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from platformctl.delivery.events import Deployment, EventSet, Incident, record_from
from platformctl.errors import UsageError, option

EVENTS_MAX_BYTES = 64 * 1024 * 1024  # ~200k records; beyond that a file is not an event log


def store_path(home: Path) -> Path:
    """The local store under the platform home."""
    return home / "delivery" / "events.jsonl"


def load_events(path: Path, *, missing_ok: bool = False) -> EventSet:
    """Every record of a JSON Lines events file; blank lines are skipped.

    Raises:
        UsageError: the file cannot be read, breaks a limit, or a line is not a valid record
            (the message names ``file:line``; nothing is half-loaded).
    """
    from platformctl.files import read_text
    from platformctl.yamlfiles import parse_json_text

    events = EventSet()
    if missing_ok and not path.exists():
        return events
    text = read_text(
        path,
        what="events file",
        error=UsageError,
        hint=f"pass a JSON Lines file with {option('events')}",
        max_bytes=EVENTS_MAX_BYTES,
    )
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        record = record_from(parse_json_text(line, where, error=UsageError), where)
        if isinstance(record, Deployment):
            events.deployments.append(record)
        else:
            events.incidents.append(record)
    return events


def append_record(path: Path, record: dict[str, Any]) -> None:
    """Validate ``record`` and append it as one line to ``path`` (created with its folder)."""
    record_from(record, "record")  # refuse before writing anything
    append_line(path, json.dumps(record, sort_keys=True, separators=(",", ":")))


def append_line(path: Path, line: str) -> None:
    """Append one line to ``path`` in a single write (created with its folder)."""
    line += "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UsageError(f"cannot open {path}: {exc.strerror}", hint="check the platform home") from None
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def as_record(item: Deployment | Incident) -> dict[str, Any]:
    """The JSON Lines record of an event (the inverse of :func:`record_from`)."""
    if isinstance(item, Incident):
        out: dict[str, Any] = {
            "type": "incident",
            "id": item.id,
            "service": item.service,
            "started_at": item.started_at.isoformat(),
        }
        if item.resolved_at:
            out["resolved_at"] = item.resolved_at.isoformat()
        out.update({k: v for k, v in (("deployment", item.deployment), ("sha", item.sha)) if v})
        return out
    out = {
        "type": "deployment",
        "service": item.service,
        "environment": item.environment,
        "sha": item.sha,
        "at": item.at.isoformat(),
        "status": item.status,
    }
    out.update({k: v for k, v in (("id", item.id), ("remediates", item.remediates)) if v})
    if item.unplanned:
        out["unplanned"] = True
    if item.changes:
        out["changes"] = [
            {"sha": c.sha, "committed_at": c.committed_at.isoformat(), **({"pr": c.pr} if c.pr else {})}
            for c in item.changes
        ]
    return out


def load_cache(path: Path) -> dict[str, Any]:
    """The source cache (finished deployments by repository); unreadable or missing is empty."""
    from platformctl.errors import PlatformctlError
    from platformctl.files import read_text
    from platformctl.yamlfiles import parse_json_text

    if not path.is_file():
        return {}
    try:
        data = parse_json_text(
            read_text(path, what="delivery cache", error=UsageError, max_bytes=EVENTS_MAX_BYTES), str(path)
        )
    except PlatformctlError:
        return {}  # a cache is only an optimisation: start again
    return data if isinstance(data, dict) else {}


def save_cache(path: Path, cache: dict[str, Any]) -> None:
    """Write the cache atomically (a failure to write it is not an error of the command)."""
    from platformctl.files import atomic_write_text

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(cache, sort_keys=True))
    except OSError:
        pass
