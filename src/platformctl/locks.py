"""Advisory locks under the platform home, so two platformctl runs never apply the same thing.

A lock is a file ``<home>/locks/<key>.lock`` held with ``flock``: the kernel releases it when
its process ends, however it ends (``kill -9`` included), so a lock can never be left held by a
dead run. The holder writes its pid and what it is doing into the file, for the error message
of the run that has to wait. Taking a lock waits a short, bounded time (the ``lock_wait``
setting, which each command passes down with the lock's other terms), then gives up with a
clear error (exit 1) instead of blocking for ever. Standard library only.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from platformctl.errors import PlatformctlError

LOCKS_DIR = "locks"
# What a run says when another holds its lock: ``doing`` and ``pid`` come from the holder.
HELD_BY = "another platformctl is {doing} (pid {pid})"
DEFAULT_WAIT = 3.0  # seconds: long enough to queue behind a quick apply, short enough for CI
_POLL = 0.05
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


class LockBusy(PlatformctlError):
    """Another platformctl process holds the lock: exit 1, nothing was done."""

    def __init__(self, message: str, *, hint: str | None = None, pid: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.pid = pid


def service_lock(
    home: Path, name: str, doing: str, *, wait: float = DEFAULT_WAIT
) -> contextlib.AbstractContextManager[Path]:
    """The lock of service ``name`` under ``home`` (``new service``, ``update service``);
    ``doing`` is ``creating`` or ``updating``."""
    return hold_lock(home, lock_key(name), doing=f"{doing} service {name}", busy=HELD_BY, wait=wait)


def lock_key(*parts: str) -> str:
    """A file-name-safe key for ``parts`` (``service``, ``service--env``).

    Names come from files that may be hostile (``platform.yaml`` arrives in pull requests):
    anything but letters, digits, ``_.-`` is replaced, and a short hash then keeps two names
    that differ only there apart.
    """
    raw = "--".join(parts)
    safe = _UNSAFE.sub("_", raw).lstrip(".") or "_"
    if safe != raw:
        safe = f"{safe[:80]}-{hashlib.sha256(raw.encode()).hexdigest()[:8]}"
    return safe


def lock_path(home: Path, key: str) -> Path:
    """Where the lock file of ``key`` lives."""
    return home / LOCKS_DIR / f"{key}.lock"


@contextlib.contextmanager
def hold_lock(home: Path, key: str, *, doing: str, busy: str, wait: float = DEFAULT_WAIT) -> Iterator[Path]:
    """Hold the lock ``key`` for the ``with`` block.

    Args:
        home: the platform home.
        key: from :func:`lock_key`.
        doing: what this run does, recorded for others (``applying staging of payments``).
        busy: the error when another run holds it, ``{doing}`` and ``{pid}`` filled in from the
            holder (e.g. ``another platformctl is {doing} (pid {pid})``).
        wait: seconds to wait for the holder before giving up (the ``lock_wait`` setting).

    Raises:
        LockBusy: still held by another process after ``wait`` seconds.
    """
    path = lock_path(home, key)
    path.parent.mkdir(parents=True, exist_ok=True)  # an OSError names the folder: the CLI reports it
    fd = _acquire(path, wait, busy)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n{doing}\n".encode(), 0)
        yield path
    finally:
        # Unlink while still holding it: a waiter that got the old file notices (see _acquire).
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def _acquire(path: Path, wait: float, busy: str) -> int:
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if time.monotonic() >= deadline:
                raise _busy(path, busy) from None
            time.sleep(_POLL)
            continue
        if _same_file(fd, path):
            return fd
        os.close(fd)  # the holder removed it as we took it: take the new one


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


def _busy(path: Path, template: str) -> LockBusy:
    pid, doing = holder(path)
    return LockBusy(
        template.format(doing=doing or "using it", pid=pid if pid is not None else "unknown"),
        hint="wait for that run to finish, then run the same command again: it continues from "
        "what is already there",
        pid=pid,
    )


def holder(path: Path) -> tuple[int | None, str]:
    """The pid and activity recorded in a lock file (``None, ""`` when unreadable)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None, ""
    pid = int(lines[0]) if lines and lines[0].isdigit() else None
    return pid, lines[1] if len(lines) > 1 else ""


def is_held(path: Path) -> bool:
    """Whether some process holds the lock file at ``path`` right now."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False
