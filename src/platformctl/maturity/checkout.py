"""Repository trees from checkouts on disk, for ``--detect PATH``.

A PATH is one repository when it is a git work tree or holds no git repositories directly
below it; a folder whose sub-folders are git repositories (a directory of clones) yields one
tree per clone. In a git work tree the listing is what git knows (tracked files plus untracked
ones that are not ignored), so ``node_modules`` and build output stay out; elsewhere the walk
skips the usual dependency and tool folders. The git listings of a directory of clones run
concurrently (a bounded pool of plain, hardened ``git ls-files`` processes).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from platformctl.errors import UsageError, option

SKIP_DIRS = frozenset(
    {
        ".git",
        "node_modules",
        ".venv",
        "venv",
        "vendor",
        "third_party",
        "__pycache__",
        ".tox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".terraform",
        "dist",
        "build",
        "target",
        ".idea",
        ".gradle",
    }
)
MAX_READ_BYTES = 256 * 1024
MAX_GIT_PROCESSES = 8  # git ls-files mostly waits on the disk: more than the cores, but bounded


@dataclass
class CheckoutTree:
    """A repository on disk, listed once and read lazily."""

    root: Path
    name: str
    _paths: list[str] | None = field(default=None, repr=False)

    def paths(self) -> list[str]:
        """Every file path, relative and POSIX-style, sorted."""
        if self._paths is None:
            listed = _git_files(self.root) if (self.root / ".git").exists() else None
            self._paths = sorted(
                p for p in (listed if listed is not None else _walk(self.root)) if not _skipped(p)
            )
        return self._paths

    def read_text(self, path: str) -> str | None:
        """The file's text if it is small and decodable; None otherwise."""
        target = self.root / path
        try:
            if target.stat().st_size > MAX_READ_BYTES:
                return None
            return target.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None


def checkout_trees(paths: list[Path]) -> Iterator[CheckoutTree]:
    """One tree per repository found under ``paths`` (see the module docstring).

    Raises:
        UsageError: a path does not exist or is not a directory.
    """
    trees = list(_find_trees(paths))
    _list_concurrently([t for t in trees if (t.root / ".git").exists()])
    yield from trees


def _list_concurrently(trees: list[CheckoutTree]) -> None:
    """Fill in the git listing of every tree, a bounded number of git processes at a time."""
    if len(trees) < 2:
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(MAX_GIT_PROCESSES, len(trees))) as pool:
        for tree, listed in zip(trees, pool.map(_git_files, [t.root for t in trees]), strict=True):
            if listed is not None:
                tree._paths = sorted(p for p in listed if not _skipped(p))


def _find_trees(paths: list[Path]) -> Iterator[CheckoutTree]:
    for path in paths:
        if not path.is_dir():
            raise UsageError(
                f"{option('detect')} {path}: not a directory",
                hint="pass a repository checkout, or a folder of checkouts",
            )
        root = path.resolve()
        if (root / ".git").exists():
            yield CheckoutTree(root, root.name)
            continue
        clones = sorted(p for p in root.iterdir() if p.is_dir() and (p / ".git").exists())
        if clones:
            yield from (CheckoutTree(c, c.name) for c in clones)
        else:
            yield CheckoutTree(root, root.name)


def _git_files(root: Path) -> list[str] | None:
    from platformctl.gitsafe import run_git

    try:
        # A scanned clone is someone else's: its .git/config may name an fsmonitor or hooks;
        # run_git hardens the command against both.
        done = run_git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root)
    except (OSError, UnicodeDecodeError):  # no git, or names git cannot give as UTF-8: walk
        return None
    if done.returncode != 0:
        return None  # not a usable repository after all: fall back to walking the folder
    return [p for p in done.stdout.split("\0") if p and (root / p).is_file()]


def _walk(root: Path) -> Iterator[str]:
    for current, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        base = Path(current).relative_to(root)
        for name in files:
            yield (base / name).as_posix()


def _skipped(path: str) -> bool:
    # Vendored code carries other projects' CI files and manifests; it says nothing about ours.
    return any(part in SKIP_DIRS for part in path.split("/")[:-1])
