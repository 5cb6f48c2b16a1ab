"""Temporary folders under the platform home that a killed run never leaves behind for long.

``scratch_dir(home, purpose)`` makes ``<home>/tmp/<purpose>-<pid>-<random>/`` and holds an
``flock`` on its ``.owner`` file for as long as it is in use. The kernel drops that lock when the
process dies, however it dies, so the next run can tell a live folder from a dead one without
trusting pids (which get reused) and removes the dead ones first. Standard library only.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

SCRATCH_DIR = "tmp"
OWNER_FILE = ".owner"


def scratch_root(home: Path) -> Path:
    """``<home>/tmp``."""
    return home / SCRATCH_DIR


@contextlib.contextmanager
def scratch_dir(home: Path, purpose: str) -> Iterator[Path]:
    """A fresh private folder under ``<home>/tmp``, removed when the block ends.

    Stale folders of earlier runs that died are removed first.
    """
    root = scratch_root(home)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: keys pass through it
    remove_stale(root)
    path = Path(tempfile.mkdtemp(prefix=f"{purpose}-{os.getpid()}-", dir=root))
    fd = os.open(path / OWNER_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)


@contextlib.contextmanager
def temporary_dir(
    home: Path | None, purpose: str, *, prefix: str | None = None, beside: Path | None = None
) -> Iterator[Path]:
    """A scratch folder under ``<home>/tmp``; without a home, a ``prefix``-named one beside
    ``beside`` (the target's file system) or one in the system's temporary directory."""
    if home is not None:
        with scratch_dir(home, purpose) as path:
            yield path
        return
    parent = beside.parent if beside is not None else None
    try:
        path = Path(
            tempfile.mkdtemp(prefix=f"{prefix or 'platformctl-' + purpose + '-'}{os.getpid()}-", dir=parent)
        )
    except OSError as exc:  # name the folder the user chose, not our temporary one
        raise type(exc)(exc.errno, exc.strerror, str(parent)) from None
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def remove_stale_scratch(home: Path) -> list[Path]:
    """Remove the scratch folders under ``<home>/tmp`` whose run has ended.

    Commands that may finish without making a scratch folder of their own (a re-run that finds
    the work done) call it, so what a killed run left is gone after the next run, whatever it did.
    """
    return remove_stale(scratch_root(home))


def remove_stale(root: Path) -> list[Path]:
    """Remove the folders under ``root`` whose run has ended; the removed paths."""
    removed = []
    with contextlib.suppress(FileNotFoundError):
        for path in root.iterdir():
            if path.is_dir() and not path.is_symlink() and _dead(path):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _dead(path: Path) -> bool:
    """No process holds the folder's owner lock (or, before it had one, its pid is gone)."""
    try:
        fd = os.open(path / OWNER_FILE, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except FileNotFoundError:  # killed between creating the folder and its owner file
        return not pid_alive(_pid_of(path.name))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def _pid_of(name: str) -> int | None:
    """The pid in ``<purpose>-<pid>-<random>`` (None when the name has none)."""
    parts = name.rsplit("-", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


def pid_alive(pid: int | None) -> bool:
    """Whether a process ``pid`` exists (unknown pids count as alive: never remove on a guess)."""
    if pid is None:
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def move_into_place(source: Path, target: Path, staging_prefix: str) -> None:
    """Rename ``source`` to ``target`` (which must not exist); across file systems, copy it
    into a hidden sibling of ``target`` first, then rename that, so ``target`` appears whole
    or not at all.
    """
    try:
        os.rename(source, target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    staging = Path(tempfile.mkdtemp(prefix=f"{staging_prefix}{os.getpid()}-", dir=target.parent))
    try:
        copy = staging / "copy"
        shutil.copytree(source, copy, symlinks=True)
        os.rename(copy, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def remove_stale_siblings(parent: Path, staging_prefix: str) -> list[Path]:
    """Remove ``<parent>/<staging_prefix>*`` folders left by runs that died (pid gone).

    Call it holding the lock that makes such folders (``new service`` for that name): then a
    folder whose pid is alive belongs to some other process by pid reuse, and is left alone.
    """
    removed = []
    with contextlib.suppress(FileNotFoundError):
        for path in parent.iterdir():
            name = path.name
            if not name.startswith(staging_prefix) or not path.is_dir() or path.is_symlink():
                continue
            rest = name[len(staging_prefix) :]
            pid = int(rest.split("-", 1)[0]) if rest.split("-", 1)[0].isdigit() else None
            # Folders of older versions carry no pid: the lock we hold says they are dead too.
            if pid is None or not pid_alive(pid):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed
