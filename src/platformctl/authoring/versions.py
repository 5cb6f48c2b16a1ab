"""Golden-path versions from git tags (``v1.2.3``, ``1.2.3`` or ``NAME-v1.2.3``)."""

from __future__ import annotations

import re
from pathlib import Path

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
