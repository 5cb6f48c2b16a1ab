"""Repository trees from checkouts on disk, for ``--detect PATH``.

A PATH is one repository when it is a git work tree or holds no git repositories directly
below it; a folder whose sub-folders are git repositories (a directory of clones) yields one
tree per clone. In a git work tree the listing is what git knows (tracked files plus untracked
ones that are not ignored), so ``node_modules`` and build output stay out; elsewhere the walk
skips the usual dependency and tool folders.

Most checkouts scanned are clean: every file on disk is tracked, so git's answer is the files
on disk and no git process is needed. A work tree is walked (without ``.git`` and the skipped
folders) and the walk compared with the paths its index tracks (``gitindex.py``): when every
file found is tracked, the listing is those files plus the tracked ones the walk cannot see
(below a symlinked folder, in a skipped folder: dropped anyway). Otherwise (untracked files, so
ignore rules matter) or when the index cannot answer, the listing is ``git ls-files`` as before;
those of a directory of clones run concurrently (a bounded pool of plain, hardened processes).
A ``.git/index`` that is no regular file (a FIFO would keep git waiting) is walked instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
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
# A planted FIFO (as .git/HEAD, .git/config, a .gitignore) keeps git waiting for ever; a listing
# that takes longer than this is given up and the folder walked instead.
GIT_LIST_TIMEOUT = 60.0


@dataclass
class CheckoutTree:
    """A repository on disk, listed once and read lazily."""

    root: Path
    name: str
    _paths: list[str] | None = field(default=None, repr=False)

    def paths(self) -> list[str]:
        """Every file path, relative and POSIX-style, sorted."""
        if self._paths is None:
            if (self.root / ".git").exists():
                listed = _index_listing(self.root)
                self._paths = listed if listed is not None else _from_git(self.root, _git_files(self.root))
            else:
                self._paths = _filtered(_walk(self.root))
        return self._paths

    def read_text(self, path: str) -> str | None:
        """The file's text if it is a small regular file inside the checkout; None otherwise.

        The checkout is someone else's: a symlink in it may lead out of it (to ``~/.ssh``,
        ``/etc``) and a FIFO would keep the read waiting for ever; neither is read.
        """
        from platformctl.maturity.gitdir import read_capped

        try:
            real = (self.root / path).resolve(strict=True)
            if not real.is_relative_to(self.root.resolve()):
                return None
            folder = os.open(real.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                data = read_capped(folder, real.name, MAX_READ_BYTES)  # regular, capped, no wait
            finally:
                os.close(folder)
        except OSError:
            return None
        return None if data is None else data.decode("utf-8", errors="replace")


def checkout_trees(paths: list[Path]) -> Iterator[CheckoutTree]:
    """One tree per repository found under ``paths`` (see the module docstring).

    Raises:
        UsageError: a path does not exist or is not a directory.
    """
    trees = list(_find_trees(paths))
    _list_concurrently([t for t in trees if (t.root / ".git").exists()])
    yield from trees


def _list_concurrently(trees: list[CheckoutTree]) -> None:
    """Fill in the listing of every tree: from its index where that answers, else from git, a
    bounded number of git processes at a time."""
    if len(trees) < 2:
        return
    asking_git = []
    for tree in trees:
        tree._paths = _index_listing(tree.root)
        if tree._paths is None:
            asking_git.append(tree)
    if not asking_git:
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(MAX_GIT_PROCESSES, len(asking_git))) as pool:
        roots = [t.root for t in asking_git]
        for tree, listed in zip(asking_git, pool.map(_git_files, roots), strict=True):
            tree._paths = _from_git(tree.root, listed)


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
    import subprocess

    from platformctl.gitsafe import run_git
    from platformctl.maturity.gitdir import index_would_block

    if index_would_block(root):
        return None  # a FIFO as .git/index would hang git: walk the folder as for a broken one
    try:
        # A scanned clone is someone else's: its .git/config may name an fsmonitor or hooks;
        # run_git hardens the command against both.
        done = run_git(
            ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            timeout=GIT_LIST_TIMEOUT,
        )
    except (OSError, UnicodeDecodeError, subprocess.TimeoutExpired):
        return None  # no git, names git cannot give as UTF-8, or a git kept waiting: walk
    if done.returncode != 0:
        return None  # not a usable repository after all: fall back to walking the folder
    return [p for p in done.stdout.split("\0") if p and not _skipped(p) and _is_file(root, p)]


def _from_git(root: Path, listed: list[str] | None) -> list[str]:
    return _filtered(listed if listed is not None else _walk(root))


def _index_listing(root: Path) -> list[str] | None:
    """git's listing of the work tree at ``root`` when every file in it is tracked (then git
    would list exactly the tracked files that are files on disk); None: ask git."""
    from platformctl.maturity.gitindex import tracked_paths

    tracked = tracked_paths(root)
    if tracked is None:
        return None
    on_disk = _files_on_disk(root)
    if on_disk is None or not on_disk <= tracked:
        return None  # untracked files: only git knows which of them its ignore rules drop
    # Tracked files the walk does not reach: below a symlink to a folder, or deleted (dropped).
    unseen = (p for p in tracked - on_disk if not _skipped(p) and _is_file(root, p))
    return _filtered([*on_disk, *unseen])


def _files_on_disk(root: Path) -> set[str] | None:
    """Every path below ``root`` that ``(root / path).is_file()`` accepts, outside ``.git`` and
    the skipped folders, without following symlinks to folders; None when a folder is unreadable."""
    found, complete = _scan(root)
    return found if complete else None


def _walk(root: Path) -> set[str]:
    """The same paths for a folder git does not list: an unreadable folder is left out."""
    return _scan(root)[0]


def _scan(root: Path) -> tuple[set[str], bool]:
    """The files below ``root`` (see :func:`_files_on_disk`) and whether every folder was read."""
    found: set[str] = set()
    complete = True
    pending = [""]
    while pending:
        prefix = pending.pop()
        try:
            with os.scandir(root / prefix if prefix else root) as entries:
                for entry in entries:
                    path = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name not in SKIP_DIRS:
                            pending.append(path + "/")
                    elif entry.is_file():  # follows a symlink: to a file yes, to a folder or nothing no
                        found.add(path)
        except OSError:
            complete = False
    return found, complete


def _filtered(paths: Iterable[str]) -> list[str]:
    return sorted(p for p in paths if not _skipped(p))


def _skipped(path: str) -> bool:
    parts = path.split("/")
    # A planted index can name any path (/etc/passwd, ../x): only what lies below the root counts.
    if any(part in ("", ".", "..") for part in parts):
        return True
    # Vendored code carries other projects' CI files and manifests; it says nothing about ours.
    return any(part in SKIP_DIRS for part in parts[:-1])


def _is_file(root: Path, path: str) -> bool:
    """Whether ``root / path`` is a file; a name the system cannot even look up (longer than
    ``PATH_MAX``, say, from a planted index) is not one."""
    try:
        return (root / path).is_file()
    except OSError:
        return False
