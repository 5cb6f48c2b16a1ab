"""The paths a repository's index tracks, read without starting git (for ``--detect``).

``tracked_paths`` reads ``.git/index`` (versions 2, 3 and 4, SHA-1 repositories) with
``struct`` and gives the set of paths ``git ls-files --cached`` would print, or None: "ask
git". The checkout is untrusted (see the trust boundary in docs/architecture.md), so None is the
answer to everything this module does not fully understand or would have to trust: a ``.git``
that is not a plain directory (``gitdir:`` files of worktrees and submodules, symlinks), a
repository git would read differently (``maturity/gitdir.py``), a split or sparse index, a
merge in progress, a bad checksum, a truncated or malformed file, a name that is not UTF-8, an
index over ``INDEX_CAP``. Nothing is ever raised out of it.
"""

from __future__ import annotations

import hashlib
import os
import struct
from pathlib import Path

from platformctl.maturity.gitdir import GIT_DIR_FLAGS, plain_repository, read_capped

INDEX_CAP = 32 * 1024 * 1024  # a checkout of ~300 000 files; a larger index is left to git
_HEADER = struct.Struct(">4sII")  # signature, version, entry count
_FLAGS = struct.Struct(">H")
_FIXED = 62  # ctime, mtime, dev, ino, mode, uid, gid, size (40 bytes), SHA-1 (20), flags (2)
_SMALLEST_ENTRY = 64  # the fixed part, a one-byte name and its NUL (v2/v3 pad to 64 anyway)
_EXTENDED = 0x4000
_STAGE = 0x3000
_NAME_LENGTH = 0x0FFF
_KNOWN_EXTENDED = 0x6000  # skip-worktree (sparse checkout) and intent-to-add (git add -N)
_TRAILER = 20


class _Malformed(ValueError):
    """The index is not one this module reads: the caller asks git."""


def tracked_paths(root: Path) -> frozenset[str] | None:
    """The paths the index of the repository at ``root`` tracks, or None when git must say.

    A repository with no index yet (``git init``, nothing added) tracks nothing.
    """
    try:
        git_fd = os.open(root / ".git", GIT_DIR_FLAGS)  # O_NOFOLLOW: a symlinked .git is git's
    except OSError:
        return None  # no .git directory: a gitdir: file (worktree, submodule) or a symlink
    try:
        if not plain_repository(root, git_fd):
            return None
        try:
            data = read_capped(git_fd, "index", INDEX_CAP)
        except FileNotFoundError:
            return frozenset()
        return None if data is None else parse_index(data)
    except Exception:  # untrusted bytes: whatever goes wrong, git gives the answer
        return None
    finally:
        os.close(git_fd)


def parse_index(data: bytes) -> frozenset[str] | None:
    """The paths of an index file's entries, or None when the file is not one this reads."""
    try:
        return frozenset(name.decode("utf-8") for name in _entry_names(data))
    except (_Malformed, UnicodeDecodeError):  # git's answer for names that are not UTF-8: a walk
        return None


def _entry_names(data: bytes) -> list[bytes]:
    if len(data) < _HEADER.size + _TRAILER:
        raise _Malformed("truncated")
    signature, version, count = _HEADER.unpack_from(data)
    if signature != b"DIRC" or version not in (2, 3, 4):
        raise _Malformed("not an index this reads")
    trailer = data[-_TRAILER:]
    # index.skipHash writes no checksum: a trailer of zeros.
    if (
        trailer != bytes(_TRAILER)
        and hashlib.sha1(data[:-_TRAILER], usedforsecurity=False).digest() != trailer
    ):
        raise _Malformed("bad checksum")
    end = len(data) - _TRAILER
    if count > (end - _HEADER.size) // _SMALLEST_ENTRY:  # before looping over a planted count
        raise _Malformed("more entries than the file holds")
    names: list[bytes] = []
    pos = _HEADER.size
    previous = b""
    for _ in range(count):
        previous, pos = _entry(data, pos, end, version, previous)
        if names and previous <= names[-1]:
            # git keeps entries sorted; equal names would be stages, which _entry refuses.
            raise _Malformed("entries out of order")
        names.append(previous)
    _check_extensions(data, pos, end)
    return names


def _entry(data: bytes, start: int, end: int, version: int, previous: bytes) -> tuple[bytes, int]:
    """One entry's name and where the next entry starts."""
    if start + _FIXED > end:
        raise _Malformed("truncated entry")
    (flags,) = _FLAGS.unpack_from(data, start + _FIXED - _FLAGS.size)
    if flags & _STAGE:  # a merge conflict: git lists such a path once per stage
        raise _Malformed("unmerged entry")
    pos = start + _FIXED
    if flags & _EXTENDED:
        if version < 3 or pos + _FLAGS.size > end:
            raise _Malformed("extended flags")
        if _FLAGS.unpack_from(data, pos)[0] & ~_KNOWN_EXTENDED:
            raise _Malformed("unknown extended flags")
        pos += _FLAGS.size
    if version == 4:  # the name is a suffix of the previous name, minus its last N bytes
        strip, pos = _varint(data, pos, end)
        if strip > len(previous):
            raise _Malformed("strip past the previous name")
        nul = _nul(data, pos, end)
        name, after = previous[: len(previous) - strip] + data[pos:nul], nul + 1
    else:
        nul = _nul(data, pos, end)
        name, after = data[pos:nul], start + ((nul - start + 8) & ~7)  # NUL-padded to 8 bytes
    if not name or after > end or flags & _NAME_LENGTH != min(len(name), _NAME_LENGTH):
        raise _Malformed("bad name")
    return name, after


def _nul(data: bytes, pos: int, end: int) -> int:
    nul = data.find(b"\0", pos, end)
    if nul < 0:
        raise _Malformed("unterminated name")
    return nul


def _varint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    """git's offset varint (varint.c): big-endian 7-bit groups, each continuation adding one."""
    value = -1
    for index in range(pos, min(end, pos + 5)):  # a name's strip length fits in 5 groups
        value = ((value + 1) << 7) | (data[index] & 0x7F)
        if not data[index] & 0x80:
            return value, index + 1
    raise _Malformed("bad varint")


def _check_extensions(data: bytes, pos: int, end: int) -> None:
    """Optional extensions (TREE, REUC, UNTR…) say nothing about the entries; a required one
    (lower-case: ``link`` for a split index, ``sdir`` for a sparse index) means git reads more."""
    while pos < end:
        if pos + 8 > end or not data[pos : pos + 1].isupper():
            raise _Malformed("required or truncated extension")
        (size,) = struct.unpack_from(">I", data, pos + 4)
        pos += 8 + size
    if pos != end:
        raise _Malformed("extension runs into the trailer")
