"""Golden-path versions from git tags (``v1.2.3``, ``1.2.3`` or ``NAME-v1.2.3``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platformctl.config import Settings
    from platformctl.scaffold.catalog import GoldenPath

TAG = re.compile(r"^(?:[A-Za-z0-9_.-]+[-/])?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$")


def _git(folder: Path, *args: str) -> str | None:
    from platformctl.gitsafe import run_git

    done = run_git(list(args), cwd=folder)
    return done.stdout if done.returncode == 0 else None


def version_tags(folder: Path) -> list[tuple[str, str]]:
    """``(tag, version)`` of every version tag of the repository holding ``folder``, oldest first."""
    from platformctl.scaffold.pristine import version_key

    out = _git(folder, "tag", "--list")
    if out is None:
        return []
    tags = [(t, m.group(1)) for t in out.split() if (m := TAG.match(t))]
    return sorted(tags, key=lambda tv: version_key(tv[1]))


def changed_since_tag(folder: Path) -> tuple[str, str, bool] | None:
    """The newest version tag, its version, and whether ``folder`` changed since (work tree included).

    None when ``folder`` is not in a git work tree or the repository has no version tag.
    """
    tags = version_tags(folder)
    if not tags:
        return None
    tag, version = tags[-1]
    diff = _git(folder, "diff", "--name-only", tag, "--", ".")
    untracked = _git(folder, "ls-files", "--others", "--exclude-standard", "--", ".")
    return tag, version, bool((diff or "").strip() or (untracked or "").strip())


def source_versions(settings: Settings, gp: GoldenPath) -> list[tuple[str, str]]:
    """``(tag, version)`` of a configured git golden path, oldest first; [] for other sources.

    Bundled golden paths and local folders have one version: the one in ``golden-path.yaml``.
    """
    configured = settings.golden_paths.get(gp.name)
    if configured is None or configured.source.git is None:
        return []
    return version_tags(gp.path)


def newest_version(settings: Settings, gp: GoldenPath) -> str:
    """The newest version available: the loaded one, or a newer version tag of its git source."""
    from platformctl.scaffold.pristine import version_key

    versions = [gp.version, *(v for _, v in source_versions(settings, gp))]
    return max(versions, key=version_key)


def golden_path_at(settings: Settings, gp: GoldenPath, version: str) -> GoldenPath | None:
    """``gp`` as it is at the tag of ``version`` (git sources), or None when no tag has it."""
    import dataclasses

    from platformctl.scaffold import catalog

    tag = next((t for t, v in source_versions(settings, gp) if v == version), None)
    if tag is None:
        return None
    configured = settings.golden_paths[gp.name]
    at_tag = dataclasses.replace(configured, source=configured.source.model_copy(update={"ref": tag}))
    # The catalog's own loader: the same cache, checks and trust as the configured ref.
    return catalog._load_configured(at_tag, settings.home)


def changelog_entries(folder: Path, since: str | None = None) -> dict[str, str]:
    """``{version: text}`` of the ``## VERSION`` sections of ``CHANGELOG.md`` (newer than ``since``)."""
    from platformctl.scaffold.pristine import version_key

    path = folder / "CHANGELOG.md"
    if not path.is_file():
        return {}
    entries: dict[str, str] = {}
    current: str | None = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = re.match(r"^#+\s*\[?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\]?", line)
        if match:
            current = match.group(1)
            entries[current] = ""
        elif current is not None:
            entries[current] += line + "\n"
    entries = {v: t.strip() for v, t in entries.items()}
    if since is not None:
        entries = {v: t for v, t in entries.items() if version_key(v) > version_key(since)}
    return entries


def as_version(text: str) -> str:
    """``1.2.3`` for a version tag such as ``v1.2.3`` or ``NAME-v1.2.3``; other text unchanged."""
    match = TAG.match(text)
    return match.group(1) if match else text
