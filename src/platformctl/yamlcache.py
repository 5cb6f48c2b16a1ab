"""What the hardened loader made of a YAML file, remembered under the platform home.

Importing PyYAML and building the loader were a sixth of a converged ``new service`` or
``env up`` re-run, which read the same ``platform.yaml`` and golden-path files every time. So
:func:`platformctl.yamlfiles.load_yaml_file`, when its caller asks (``remember=True``: only
``platform.yaml`` and golden-path files, which hold no secret; never answers files or
kubeconfigs), remembers the data of a file it parsed, keyed by the file's path, next to the
SHA-256 of the exact text: the same text gives the same data back as JSON (stdlib, already
loaded), any other text is parsed again and replaces the entry. Only data that JSON carries
exactly is remembered (text keys; text, whole numbers, finite floats, booleans, null, lists,
mappings): a date or a number key is parsed every time.

The cache is on only once the invocation knows its platform home (``cli/context.py`` sets it
when the settings are loaded), lives in ``HOME/cache/yaml`` (the user's own, like the local
store) and is never needed: an unreadable or malformed entry is a miss, a failed write is
ignored, and a ``--dry-run`` uses it without adding to it (it writes nothing anywhere). Every
check of the loader (size, NUL bytes, aliases, depth, duplicate keys) ran on the text before
its data was remembered.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

_FOLDER: list[Path] = []  # the cache folder of this invocation, when one is set
_READ_ONLY: list[bool] = [False]  # a dry run reads the cache but writes nothing, not even there
_MISS = object()
_FORMAT = 1  # bump when the loader's results change, so older entries are misses


def reset(*, read_only: bool = False) -> None:
    """A new invocation: no folder until its settings name the platform home; ``read_only``
    (``--dry-run``): remembered files are used, nothing new is remembered."""
    _FOLDER.clear()
    _READ_ONLY[0] = read_only


def use_folder(folder: Path | None) -> None:
    """Remember parsed files in ``folder`` from now on (None: remember nothing)."""
    _FOLDER[:] = [] if folder is None else [folder]


def sibling_folder(name: str) -> tuple[Path | None, bool]:
    """Another cache of this invocation's platform home (``<home>/cache/NAME``), None before the
    home is known, and whether it may be written (not in a dry run)."""
    return (_FOLDER[0].parent / name if _FOLDER else None), not _READ_ONLY[0]


def _entry(path: Path) -> Path | None:
    if not _FOLDER:
        return None
    import hashlib  # here, not at the top: every command resets the cache, few read through it

    name = hashlib.sha256(str(path.absolute()).encode("utf-8", "surrogateescape")).hexdigest()
    return _FOLDER[0] / f"{name}.json"


def _digest(text: str, first_document: bool) -> str:
    material = f"{_FORMAT}\0{int(first_document)}\0{text}".encode("utf-8", "surrogateescape")
    import hashlib

    return hashlib.sha256(material).hexdigest()


def recall(path: Path, text: str, *, first_document: bool) -> Any:
    """The data remembered for exactly ``text`` at ``path``, or :data:`MISS`."""
    entry = _entry(path)
    if entry is None:
        return _MISS
    import json

    try:
        stored = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _MISS
    if not isinstance(stored, dict) or stored.get("sha256") != _digest(text, first_document):
        return _MISS
    return stored.get("data")


def remember(path: Path, text: str, data: Any, *, first_document: bool) -> None:
    """Remember ``data`` as what ``text`` at ``path`` holds, when JSON carries it exactly."""
    entry = _entry(path)
    if entry is None or _READ_ONLY[0] or not _exact(data):
        return
    import json

    from platformctl.files import atomic_write_text

    document = {"sha256": _digest(text, first_document), "data": data}
    with contextlib.suppress(OSError, ValueError):  # a cache: the next run parses again
        atomic_write_text(entry, json.dumps(document, allow_nan=False), mode=0o600, durable=False)


def is_miss(value: Any) -> bool:
    """Whether :func:`recall` found nothing."""
    return value is _MISS


def _exact(data: Any) -> bool:
    """Whether ``json.loads(json.dumps(data)) == data`` with the same types, iteratively."""
    import math

    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if not all(type(key) is str for key in value):
                return False
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, float):
            if not math.isfinite(value):
                return False
        elif value is not None and type(value) not in (str, int, bool):
            return False
    return True
