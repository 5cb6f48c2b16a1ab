"""Small filesystem helpers: atomic writes and the platform's standard directories."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from platformctl.errors import PlatformctlError


def atomic_write_text(path: Path, text: str, *, mode: int = 0o644, durable: bool = True) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half.

    The temporary file is created next to the target (same filesystem) readable by its owner
    only, and gets ``mode`` (less what the umask takes away, as ``open`` would) before a byte is
    written, so a secret-bearing file (``mode=0o600``) is never readable by others, not even
    for an instant. ``durable=False`` skips the fsync: for caches, whose loss costs a re-read.
    """
    make_dirs(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:  # name the file being written, not the temporary one
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    try:
        os.fchmod(fd, mode & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make_dirs(path: Path) -> None:
    """``mkdir -p``, where a file in the way is reported as "Not a directory" on that file."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # mkdir's word for "a file is in the way"
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), path)
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(blocker)) from None


def _umask() -> int:
    """The process umask, read without changing it where the system allows (Linux)."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Umask:")), 8)
    except (OSError, StopIteration, ValueError, IndexError):
        current = os.umask(0o022)
        os.umask(current)
        return current


def user_config_dir(env: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_CONFIG_HOME/platformctl``, else ``~/.config/platformctl`` (as gh does, on every OS)."""
    base = env.get("XDG_CONFIG_HOME") or str(_home(env) / ".config")
    return Path(base) / "platformctl"


def user_data_dir(env: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_DATA_HOME/platformctl``, else ``~/.local/share/platformctl``."""
    base = env.get("XDG_DATA_HOME") or str(_home(env) / ".local" / "share")
    return Path(base) / "platformctl"


def _home(env: Mapping[str, str]) -> Path:
    return Path(env["HOME"]) if env.get("HOME") else Path.home()


def read_text(
    path: Path,
    *,
    what: str,
    error: type[PlatformctlError],
    hint: str | None = None,
    max_bytes: int | None = None,
) -> str:
    """The UTF-8 text of a file the user named, or ``error`` saying what is wrong with it.

    Covers what users actually pass: a missing or unreadable file, a directory, a binary or
    otherwise non-UTF-8 file (e.g. saved as UTF-16 or Latin-1), and, with ``max_bytes``, a
    file larger than that (refused before it is read: no time or memory spent on it).
    """
    try:
        data = _read_capped(path, max_bytes)
        if max_bytes is not None and len(data) > max_bytes:
            raise error(
                f"{what} {path} is larger than {_size(max_bytes)}: refused",
                hint="check that this is the right file: such files stay far below that",
            )
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
        hint = "save it as UTF-8 text"
    except IsADirectoryError:
        reason = "it is a directory"
    except OSError as exc:
        reason = exc.strerror or str(exc)
    raise error(f"cannot read {what} {path}: {reason}", hint=hint)


def _read_capped(path: Path, max_bytes: int | None) -> bytes:
    """The bytes of ``path``, at most ``max_bytes + 1`` of them (enough to know it is too big)."""
    with path.open("rb") as handle:
        if max_bytes is None:
            return handle.read()
        # read(n) allocates n bytes up front: asking for the cap (megabytes) to read a small file
        # made every settings or descriptor read a multi-megabyte allocation. The size on disk
        # is only a first guess (a file can grow, /proc reports 0): read on while it is exceeded.
        expected = min(os.fstat(handle.fileno()).st_size, max_bytes) + 1
        data = handle.read(expected)
        if len(data) < expected:
            return data
        return data + handle.read(max_bytes + 1 - len(data))


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MiB" if count >= 1024 * 1024 else f"{count} bytes"
