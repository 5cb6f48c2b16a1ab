"""The journal of a campaign: ``<home>/fleet/<golden path>-<version>.jsonl``.

One JSON object per line, appended as each step of each service ends (cloned, merged, pushed,
opened, updated, closed, unchanged, failed …). Lines are appended whole under a lock, so the
shards of one campaign on one machine share a file, and journals of shards that ran elsewhere
merge by concatenation: the last event of a repository is its state.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from platformctl.errors import UsageError, in_words, option

CAMPAIGN = re.compile(
    r"^(?P<name>[a-z0-9]([-a-z0-9]*[a-z0-9])?)-(?P<version>\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$"
)
MAX_LINE = 64 * 1024


@dataclass(frozen=True)
class Campaign:
    """The rollout of one golden-path version."""

    golden_path: str
    version: str

    @property
    def name(self) -> str:
        """``NAME-VERSION``: the journal's file name and the branch suffix."""
        return f"{self.golden_path}-{self.version}"

    @property
    def branch(self) -> str:
        """The branch every service of the campaign gets."""
        return f"platformctl/update-{self.name}"

    @classmethod
    def parse(cls, text: str) -> Campaign:
        """``python-service-1.1.0`` → Campaign("python-service", "1.1.0").

        Raises:
            UsageError: not NAME-VERSION.
        """
        match = CAMPAIGN.match(text)
        if not match:
            raise UsageError(
                f"invalid campaign {text!r}: expected GOLDEN_PATH-VERSION",
                hint=f"for example {option('campaign')} python-service-1.1.0",
            )
        return cls(match.group("name"), match.group("version"))


class Journal:
    """Append-only events of one campaign."""

    def __init__(self, home: Path, campaign: Campaign) -> None:
        self.path = home / "fleet" / f"{campaign.name}.jsonl"

    def record(self, repository: str, step: str, **details: Any) -> None:
        """Append one event (a whole line, under an exclusive lock)."""
        import fcntl

        event = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "repository": repository}
        # A message names inputs by placeholder (errors.option) for the running command to spell;
        # a journal outlives that command, so it keeps them in words.
        kept = {k: in_words(v) if isinstance(v, str) else v for k, v in details.items() if v is not None}
        event.update(step=step, **kept)
        line = (json.dumps(event, sort_keys=True) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line)
        finally:
            os.close(fd)  # closing releases the lock

    def events(self) -> list[dict[str, Any]]:
        """Every event of this journal (none when it does not exist yet)."""
        return read_events([self.path]) if self.path.exists() else []


def read_events(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The events of several journals, in time order (a torn last line is skipped).

    Raises:
        UsageError: a file that is not a journal.
    """
    events: list[dict[str, Any]] = []
    for path in paths:
        try:
            lines = path.read_bytes().splitlines()
        except OSError as exc:
            raise UsageError(f"{path}: {exc.strerror}", hint="pass a campaign journal (.jsonl)") from None
        for number, line in enumerate(lines, 1):
            event = _event(line)
            if event is None and number < len(lines):
                raise UsageError(
                    f"{path}:{number}: not a journal line", hint="pass a campaign journal (.jsonl)"
                )
            if event is not None:
                events.append(event)
    return sorted(events, key=lambda e: e["time"])  # stable: file order within one second


def _event(line: bytes) -> dict[str, Any] | None:
    if len(line) > MAX_LINE:
        return None
    try:
        event = json.loads(line)
    except ValueError:
        return None
    ok = isinstance(event, dict) and all(
        isinstance(event.get(k), str) for k in ("time", "repository", "step")
    )
    return event if ok else None


def last_events(events: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The last event of every repository."""
    last: dict[str, dict[str, Any]] = {}
    for event in events:
        last[event["repository"]] = event
    return last
