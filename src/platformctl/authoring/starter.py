"""``golden-path new``: a starter golden path that passes ``golden-path lint`` and ``test`` as created."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from platformctl.errors import UsageError, option

PLACEHOLDER = "__NAME__"


def create_starter(name: str, destination: Path) -> list[str]:
    """Write the starter golden path called ``name`` into ``destination`` (absent or empty).

    Returns:
        The files written, relative to ``destination``, sorted.

    Raises:
        UsageError: an invalid name, or ``destination`` holds files already.
    """
    import re
    import shutil

    from platformctl.scaffold.catalog import NAME_PATTERN

    if not re.fullmatch(NAME_PATTERN, name):
        raise UsageError(
            f"invalid golden path name {name!r}", hint="use a lower-case name such as java-service"
        )
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise UsageError(
            f"{destination} exists and is not empty", hint=f"choose a new folder with {option('output')}"
        )
    staging = destination.with_name(f".{destination.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    written: list[str] = []
    try:
        _copy(files("platformctl.authoring").joinpath("starter"), staging, name, "", written)
        destination.mkdir(parents=True, exist_ok=True)
        for item in staging.iterdir():  # nothing half-written: the folder appears whole
            item.rename(destination / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(written)


def _copy(source: Any, target: Path, name: str, prefix: str, written: list[str]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for item in sorted(source.iterdir(), key=lambda i: i.name):
        if item.name == "__pycache__":
            continue
        if item.is_dir():
            _copy(item, target / item.name, name, f"{prefix}{item.name}/", written)
            continue
        text = item.read_text(encoding="utf-8")
        (target / item.name).write_text(text.replace(PLACEHOLDER, name), encoding="utf-8")
        written.append(prefix + item.name)
