"""What platformctl last set as each GitHub environment secret: a keyed hash and GitHub's time.

GitHub never gives a secret's value back, and sealed boxes are randomized, so the only way to
know whether a secret needs setting again is to remember what was set: the keyed hash of the
value (see ``platformctl.environments.secrets``) and the ``updated_at`` GitHub reported right
after. When GitHub's ``updated_at`` differs from the recorded one, someone else set the secret
since, and it is set again (Terraform's approach). Values are never stored.

``<home>/state/secret-fingerprints.db`` (SQLite, mode 0600), one row per secret.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from platformctl.errors import ProviderError

DB_FILE = Path("state") / "secret-fingerprints.db"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS fingerprints (
  scope TEXT NOT NULL, environment TEXT NOT NULL, name TEXT NOT NULL,
  fingerprint TEXT NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY (scope, environment, name));
"""


@dataclass(frozen=True)
class Recorded:
    """One secret as last set by platformctl."""

    fingerprint: str
    updated_at: str


class SecretFingerprints:
    """The local record of secrets set at a remote host, by scope (host and repository)."""

    def __init__(self, home: Path) -> None:
        self.path = home / DB_FILE

    def get(self, scope: str, environment: str) -> dict[str, Recorded]:
        """The recorded secrets of one environment, by name."""
        if not self.path.exists():
            return {}
        with self._connect() as db:
            rows = db.execute(
                "SELECT name, fingerprint, updated_at FROM fingerprints WHERE scope=? AND environment=?",
                (scope, environment),
            ).fetchall()
        return {name: Recorded(fp, at) for name, fp, at in rows}

    def put(self, scope: str, environment: str, records: dict[str, Recorded]) -> None:
        """Record (or replace) what was just set."""
        if not records:
            return
        with self._connect() as db:
            rows = [(scope, environment, name, r.fingerprint, r.updated_at) for name, r in records.items()]
            db.executemany("INSERT OR REPLACE INTO fingerprints VALUES (?, ?, ?, ?, ?)", rows)

    def forget(self, scope: str, environment: str, names: Iterable[str] | None = None) -> None:
        """Drop the records of some secrets, or of the whole environment."""
        if not self.path.exists():
            return
        with self._connect() as db:
            if names is None:
                db.execute("DELETE FROM fingerprints WHERE scope=? AND environment=?", (scope, environment))
            else:
                db.executemany(
                    "DELETE FROM fingerprints WHERE scope=? AND environment=? AND name=?",
                    [(scope, environment, n) for n in names],
                )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(self.path)
            db = sqlite3.connect(self.path, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise ProviderError(f"cannot open {self.path}: {exc}", provider="github") from None
        try:
            with db:  # one transaction
                db.executescript(_SCHEMA)
                yield db
        except sqlite3.Error as exc:
            hint = "delete the file to start over: each secret is then set once more"
            raise ProviderError(f"secret record {self.path}: {exc}", provider="github", hint=hint) from None
        finally:
            db.close()


def _create_private(path: Path) -> None:
    """Create the database file 0600 before SQLite opens it (SQLite would create it 0644, and
    its journal takes the database's mode): never readable by others, not even for an instant."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
