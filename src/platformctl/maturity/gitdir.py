"""Whether git would take a checkout's ``.git`` directory plainly, read with care.

``maturity/gitindex.py`` answers for git only where git would list the files from that
directory's index and nothing else. That is the case when git accepts the directory as the
repository of the work tree above it (its owner is us, as git's ``safe.directory`` check wants;
``objects/``, ``refs/`` and a valid ``HEAD`` are there) and its ``config`` (and
``config.worktree``) holds only what a plain clone's does, in lines git parses: no
``core.worktree`` or ``core.bare``, no repository extension but ``worktreeConfig`` and
``partialclone`` (so no ``objectformat`` of a SHA-256 repository), no ``include``. Anything
else, or anything unclear, is left to git. Files are opened without following symlinks and
without blocking, and read only when they are regular files under a cap: a FIFO or a symlink to
``/dev/zero`` planted in an untrusted checkout neither hangs nor fills memory. git itself would
wait for ever on a FIFO as its index: ``index_would_block`` tells the caller not to ask it.
"""

from __future__ import annotations

import os
import re
import stat
import string
from pathlib import Path

GIT_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
SMALL_CAP = 64 * 1024  # HEAD and config
_FALSE = frozenset({"false", "no", "off", "0", ""})
_TRUE = frozenset({"true", "yes", "on", "1"})
_CORE_BOOLEANS = frozenset(
    {
        "filemode",
        "logallrefupdates",
        "symlinks",
        "ignorecase",
        "precomposeunicode",
        "sparsecheckout",
        "sparsecheckoutcone",
    }
)
# `[name]` or `[name "subsection"]` (lower-cased), then perhaps a comment.
_SECTION = re.compile(r'\[([a-z0-9-]+)(?: "((?:[^"\\\n]|\\.)*)")?\]\s*(?:[#;].*)?')
# `key`, `key =` or `key = value` with no quoting, escape or continuation, then perhaps a comment.
# (No two neighbouring parts match the same character: linear time on a hostile line.)
_SETTING = re.compile(r'([a-z][a-z0-9-]*)\s*(?:=([^"\\#;]*))?(?:[#;][^"\\]*)?')
# worktreeConfig: config.worktree is read too (and checked); partialclone: objects fetched later.
_HARMLESS_EXTENSIONS = frozenset({"worktreeconfig", "partialclone"})
_HEX = frozenset(string.hexdigits.encode())


def read_capped(dir_fd: int, name: str, cap: int) -> bytes | None:
    """The bytes of the regular file ``name`` in the directory ``dir_fd``; None when it is not a
    regular file, is larger than ``cap`` or grows while read.

    Raises:
        OSError: it cannot be opened (FileNotFoundError: there is none; a symlink: ELOOP).
    """
    fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > cap:
            return None
        wanted = info.st_size + 1  # one byte more than its size tells a file still growing
        data = bytearray()
        while len(data) < wanted and (chunk := os.read(fd, wanted - len(data))):
            data += chunk
        return None if len(data) > info.st_size else bytes(data)
    finally:
        os.close(fd)


def index_would_block(root: Path) -> bool:
    """Whether ``root/.git/index`` is there but, symlinks followed, no regular file: git opens
    it without ``O_NONBLOCK``, so a FIFO planted there would keep ``git ls-files`` waiting for
    ever (a device or a folder only makes git fail)."""
    try:
        return not stat.S_ISREG(os.stat(root / ".git" / "index").st_mode)
    except OSError:
        return False  # none (or no .git folder): nothing git would wait on


def plain_repository(root: Path, git_fd: int) -> bool:
    """Whether git takes ``git_fd`` (``root/.git``, opened with :data:`GIT_DIR_FLAGS`) as the
    repository of ``root`` and lists its tracked files from its index alone.

    Raises:
        OSError: the directory cannot be read.
    """
    owner = os.geteuid()
    # safe.directory: git refuses a repository someone else owns (and so falls back to a walk).
    if os.fstat(git_fd).st_uid != owner or os.lstat(root).st_uid != owner:
        return False
    for name in ("objects", "refs"):
        if not _is_dir(git_fd, name):
            return False
    if _exists(git_fd, "commondir"):  # objects, refs and config live elsewhere
        return False
    head = _read_or_empty(git_fd, "HEAD")
    if not head or not (head.startswith(b"ref: refs/") or _detached(head)):
        return False  # not a repository to git: it would look for one above root
    # config.worktree counts only with extensions.worktreeConfig (sparse-checkout sets it).
    configs = [_read_or_empty(git_fd, name) for name in ("config", "config.worktree")]
    return all(config is not None and plain_config(config) for config in configs)


def plain_config(raw: bytes) -> bool:
    """Whether a repository's ``config`` leaves the work tree, the repository format and the
    index where they are, in lines git parses without complaint (a malformed file makes git
    fail, and the listing a walk). Only the sections and keys a plain clone has count as "yes"."""
    try:
        text = raw.decode("utf-8").lower()
    except UnicodeDecodeError:
        return False
    section: str | None = None
    for line in (raw_line.strip() for raw_line in text.splitlines()):
        if not line or line[0] in "#;":
            continue
        header = _SECTION.fullmatch(line)
        if header:
            name, subsection = header.groups()
            # remote.<name>.* and branch.<name>.*: git ls-files reads none of them.
            allowed = name in ("core", "extensions") if subsection is None else name in ("remote", "branch")
            section = name if allowed else None
            if section is None:
                return False
            continue
        setting = _SETTING.fullmatch(line)
        if section is None or setting is None:
            return False
        key, value = setting.groups()
        if not _plain_setting(section, key, None if value is None else value.strip()):
            return False
    return True


def _plain_setting(section: str, key: str, value: str | None) -> bool:
    if section == "extensions":  # objectformat (SHA-256), refstorage…: only these two are known
        return key in _HARMLESS_EXTENSIONS
    if section != "core":
        return True
    if key == "repositoryformatversion":
        return value in ("0", "1")
    if key == "bare":  # `bare` alone means true
        return value is not None and value in _FALSE
    if key == "logallrefupdates" and value == "always":
        return True
    # Booleans git parses on start-up (a bad one makes it fail); any other core key (worktree,
    # excludesfile, …) is not a plain clone's: git decides.
    return key in _CORE_BOOLEANS and (value is None or value in _FALSE | _TRUE)


def _detached(head: bytes) -> bool:
    return len(head) >= 40 and set(head[:40]) <= _HEX and head[40:].strip() == b""


def _read_or_empty(git_fd: int, name: str) -> bytes | None:
    try:
        return read_capped(git_fd, name, SMALL_CAP)
    except FileNotFoundError:
        return b""


def _is_dir(git_fd: int, name: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(name, dir_fd=git_fd).st_mode)  # git follows these symlinks
    except OSError:
        return False


def _exists(git_fd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=git_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True
