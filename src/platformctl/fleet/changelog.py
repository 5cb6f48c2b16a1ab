"""A golden path's release notes: ``CHANGELOG.md`` beside its ``golden-path.yaml``.

Releases are the level-2 headings that start with a version (``## 1.1.0``, ``## [1.1.0] - date``).
"""

from __future__ import annotations

import re
from pathlib import Path

CHANGELOG = "CHANGELOG.md"
MAX_SIZE = 256 * 1024
_HEADING = re.compile(r"^##\s+\[?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\]?")


def _sections(folder: Path) -> list[tuple[str, str]]:
    path = folder / CHANGELOG
    try:
        if not path.is_file() or path.stat().st_size > MAX_SIZE:
            return []
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            sections.append((match.group(1), [line]))
        elif sections:
            sections[-1][1].append(line)
    return [(version, "\n".join(lines).strip()) for version, lines in sections]


def release_versions(folder: Path) -> list[str]:
    """Every version the changelog of the golden path in ``folder`` names."""
    return [version for version, _ in _sections(folder)]


def changes_between(folder: Path, after: str, upto: str) -> str:
    """The changelog sections of the releases after ``after`` up to ``upto`` (newest first)."""
    from platformctl.errors import PlatformctlError
    from platformctl.scaffold.pristine import version_key

    try:
        low, high = version_key(after), version_key(upto)
    except PlatformctlError:
        return ""
    picked = []
    for version, text in _sections(folder):
        try:
            if low < version_key(version) <= high:
                picked.append((version_key(version), text))
        except PlatformctlError:
            continue
    return "\n\n".join(text for _, text in sorted(picked, reverse=True))
