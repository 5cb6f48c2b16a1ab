"""A converged ``env up`` answered from what the last converged run recorded.

Planning an environment validates ``platform.yaml``, merges the environment's class and builds
the spec's models: most of a re-run that then writes nothing. So when a plan of the local
provider alone found nothing to do, ``env up`` remembers its result next to a key of every input
the plan depended on: the exact text and path of ``platform.yaml``, the resolved settings and
the text of every settings file, the environment's name and the version of this program. The
next run without flags that has the same key, and finds the local store holding exactly the
rows it held then (every column, its write times included), prints the remembered result
without planning. Anything else (a flag, another text, a changed row, a secret, a remote
provider, a dry run) is planned as always.

Entries live in ``HOME/cache/env-up`` (the user's own, like the local store; variables only,
never a secret) and are never needed: an unreadable or malformed entry is a miss, a failed
write is ignored, and an entry is written only when it changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from platformctl.config import Settings

FORMAT = 1  # bump when a plan's inputs or its document change shape
FOLDER = Path("cache") / "env-up"
_MAX_TEXT = 1 << 20  # platform.yaml over 1 MiB is refused by the loader: never recorded


class Recorded(NamedTuple):  # not a dataclass: defining one costs 0.8 ms of this path's ~25
    """What a converged run remembered: its service, the store's rows and the result."""

    service: str
    state: str
    document: Mapping[str, Any]


def run_key(settings: Settings, folder: Path, environment: str) -> str | None:
    """The digest of every input of the plan of ``environment`` (None: not to be recorded)."""
    from platformctl import __version__

    try:
        descriptor = (folder / "platform.yaml").resolve()
        if descriptor.stat().st_size > _MAX_TEXT:
            return None
        files = [(str(p), _sha(p.read_bytes())) for p in settings.files]
        material = [
            FORMAT,
            __version__,
            str(descriptor),
            _sha(descriptor.read_bytes()),
            environment,
            sorted((k, str(v.value), v.source) for k, v in settings.values.items()),
            files,
            sorted((k, src) for k, (_, src) in settings.environment_classes.items()),
            list(settings.ignored),
        ]
    except OSError:
        return None
    return _sha(json.dumps(material).encode("utf-8", "surrogateescape"))


def recall(home: Path, folder: Path, environment: str, key: str) -> Recorded | None:
    """The entry of ``environment`` of the service in ``folder`` when its key is ``key``."""
    try:
        entry = json.loads(_entry(home, folder, environment).read_text(encoding="utf-8"))
        if entry["key"] != key or entry["format"] != FORMAT:
            return None
        recorded = Recorded(str(entry["service"]), str(entry["state"]), dict(entry["document"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return recorded


def remember(home: Path, folder: Path, environment: str, key: str, recorded: Recorded) -> None:
    """Keep ``recorded`` for the next run with ``key`` (written only when it changed)."""
    from platformctl.files import atomic_write_text

    path = _entry(home, folder, environment)
    entry = {
        "format": FORMAT,
        "key": key,
        "service": recorded.service,
        "state": recorded.state,
        "document": dict(recorded.document),
    }
    text = json.dumps(entry)  # key order kept: the document is printed as it was
    with contextlib.suppress(OSError, ValueError):
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return
        atomic_write_text(path, text, mode=0o600, durable=False)


def _entry(home: Path, folder: Path, environment: str) -> Path:
    where = f"{folder.resolve()}\0{environment}".encode("utf-8", "surrogateescape")
    return home / FOLDER / f"{_sha(where)}.json"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
