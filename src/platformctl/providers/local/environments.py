"""The embedded ``local`` environment provider: a SQLite database in the platform home.

``<home>/state/environments.db`` (WAL) holds one row per resource: the environment itself
(class, TTL, expiry), its variables, its protection rules, and for each secret only a keyed hash
(the value is never stored). Every apply is one transaction, so a failure leaves the store as
it was; every write is also recorded in ``journal``, which is what "zero writes" is counted on.
Creates and updates are upserts, so two runs racing on one environment both converge (the CLI
also serialises them with a per-environment lock, see :mod:`platformctl.locks`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import ProviderError

if TYPE_CHECKING:  # the value types are imported where they are built: a converged `env up`
    # answered from its record reads only the store's digest (platformctl.environments.recorded)
    from platformctl.contracts.environments import (
        EnvironmentMeta,
        EnvironmentSpec,
        EnvironmentSummary,
        Observed,
        Resource,
        ResourceChange,
    )

DB_FILE = Path("state") / "environments.db"
SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
  service TEXT NOT NULL, environment TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
  fields TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY (service, environment, kind, name));
CREATE TABLE IF NOT EXISTS journal (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, service TEXT NOT NULL,
  environment TEXT NOT NULL, action TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL);
"""
ENVIRONMENT = "environment"


class LocalEnvironments:
    """Environments as rows of a local database; same contract as remote providers."""

    name = "local"
    atomic = True  # one transaction per apply: a failure keeps nothing of it

    def __init__(self, home: Path, *, clock: Any = None) -> None:
        self.path = home / DB_FILE
        self._clock = clock or (lambda: datetime.now(UTC))

    # -- reading -------------------------------------------------------------------------
    def read(self, spec: EnvironmentSpec) -> Observed:
        """The rows of one environment (nothing when the database does not exist yet)."""
        from platformctl.contracts.environments import Observed, Resource

        service, name = spec.service, spec.name
        if not self.path.exists():
            return Observed()
        with self._connect() as db:
            rows = db.execute(
                "SELECT kind, name, fields, created_at FROM resources WHERE service=? AND environment=? "
                "ORDER BY rowid",
                (service, name),
            ).fetchall()
        resources = [
            Resource(kind, rname, json.loads(fields), secret=kind == "secret")
            for kind, rname, fields, _ in rows
        ]
        meta = next((_meta(json.loads(f), c) for k, _, f, c in rows if k == ENVIRONMENT), None)
        return Observed(resources=resources, meta=meta, state="ready" if meta else "absent")

    def digest(self, service: str, name: str) -> str:
        """The SHA-256 of every column of the environment's rows, write times included: any
        write to it changes the digest (a converged ``env up`` compares it with its record)."""
        import hashlib

        if not self.path.exists():
            return ""
        with self._connect() as db:
            rows = db.execute(
                "SELECT kind, name, fields, created_at, updated_at FROM resources "
                "WHERE service=? AND environment=? ORDER BY rowid",
                (service, name),
            ).fetchall()
        return hashlib.sha256(json.dumps(rows).encode("utf-8", "surrogateescape")).hexdigest()

    def desired(self, spec: EnvironmentSpec, observed: Observed) -> list[Resource]:
        """The environment row, one row per variable, per secret (hash only), and protection."""
        from platformctl.contracts.environments import Resource

        out = [
            Resource(
                ENVIRONMENT,
                spec.name,
                {
                    "class": spec.environment_class,
                    "ttl": spec.ttl,
                    "expires_at": spec.expires_at.isoformat() if spec.expires_at else None,
                },
            )
        ]
        out += [Resource("variable", k, {"value": v}) for k, v in spec.variables.items()]
        out += [
            Resource("secret", s.name, {"fingerprint": s.fingerprint}, secret=True)
            for s in spec.secrets.values()
        ]
        if spec.protection is not None:
            out.append(
                Resource(
                    "protection", "deployment", spec.protection.model_dump(mode="json", exclude_none=True)
                )
            )
        return out

    def list_environments(self, service: str) -> list[EnvironmentSummary]:
        """Every environment of ``service`` in the store."""
        from platformctl.contracts.environments import EnvironmentSummary

        if not self.path.exists():
            return []
        with self._connect() as db:
            rows = db.execute(
                "SELECT name, fields, created_at FROM resources WHERE service=? AND kind=?",
                (service, ENVIRONMENT),
            ).fetchall()
        out = []
        for name, fields, created in rows:
            meta = _meta(json.loads(fields), created)
            out.append(
                EnvironmentSummary(
                    provider=self.name,
                    service=service,
                    name=name,
                    environment_class=meta.environment_class,
                    state="ready",
                    ttl=meta.ttl,
                    expires_at=meta.expires_at,
                    created_at=meta.created_at,
                )
            )
        return out

    # -- writing ---------------------------------------------------------------------------
    def apply(self, spec: EnvironmentSpec, changes: Sequence[ResourceChange]) -> int:
        """Make all changes in one transaction; nothing is kept if one fails."""
        now = self._clock().isoformat()
        with self._transaction() as db:
            for change in changes:
                self._write(db, spec, change, now)
        return len(changes)

    def destroy(self, service: str, name: str) -> int:
        """Delete every row of the environment in one transaction."""
        if not self.path.exists():
            return 0
        now = self._clock().isoformat()
        with self._transaction() as db:
            rows = db.execute(
                "SELECT kind, name FROM resources WHERE service=? AND environment=?", (service, name)
            ).fetchall()
            db.execute("DELETE FROM resources WHERE service=? AND environment=?", (service, name))
            db.executemany(
                "INSERT INTO journal (at, service, environment, action, kind, name) "
                "VALUES (?, ?, ?, 'delete', ?, ?)",
                [(now, service, name, k, n) for k, n in rows],
            )
        return len(rows)

    def _write(self, db: sqlite3.Connection, spec: EnvironmentSpec, change: ResourceChange, now: str) -> None:
        key = (spec.service, spec.name, change.kind, change.name)
        fields = json.dumps(change.after, sort_keys=True) if change.after is not None else None
        if change.action in ("create", "update"):
            # An upsert: a run that planned a create while another run created the same row (or
            # an update of a row removed meanwhile) still ends with exactly the desired row.
            db.execute(
                "INSERT INTO resources VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (service, environment, kind, name) "
                "DO UPDATE SET fields=excluded.fields, updated_at=excluded.updated_at",
                (*key, fields, now, now),
            )
        elif change.action == "delete":
            db.execute("DELETE FROM resources WHERE service=? AND environment=? AND kind=? AND name=?", key)
        else:
            return
        db.execute(
            "INSERT INTO journal (at, service, environment, action, kind, name) VALUES (?, ?, ?, ?, ?, ?)",
            (now, spec.service, spec.name, change.action, change.kind, change.name),
        )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        except sqlite3.Error as exc:
            raise ProviderError(f"cannot open {self.path}: {exc}", provider=self.name) from None
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            yield db
        except sqlite3.Error as exc:
            raise ProviderError(
                f"local environment store {self.path}: {exc}",
                provider=self.name,
                hint="the store was left as it was before this command",
            ) from None
        finally:
            db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")


def _meta(fields: dict[str, Any], created_at: str) -> EnvironmentMeta:
    from platformctl.contracts.environments import EnvironmentMeta

    expires = fields.get("expires_at")
    return EnvironmentMeta(
        environment_class=fields.get("class", ""),
        ttl=fields.get("ttl"),
        expires_at=datetime.fromisoformat(expires) if expires else None,
        created_at=datetime.fromisoformat(created_at),
    )
