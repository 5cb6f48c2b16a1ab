"""Compiled Jinja templates remembered under the platform home (``<home>/cache/jinja``).

Compiling is most of what a render costs that is not copier's import: every file of a golden
path, every path part and every question's default, validator and ``when:`` is parsed and
turned into Python code (165 distinct templates for the bundled golden path). The compiled code
of the same source in an environment of the same compile-time settings is the same, so it is
written once, as Jinja's own bytecode caches do, and loaded by the next render. The sandbox
stays what it was: the code is the sandboxed compiler's output for that source, run in the same
``SandboxedEnvironment``, whose checks happen when the code runs.

A cache file holds code that runs in this process, so only files this user wrote are read: the
folder and the file must be owned by the user and writable by nobody else, the file is a
regular file opened without following links, starts with this format's header and the key it
was written under, and holds a code object; anything else (a foreign, corrupt or truncated
file, another Jinja or Python) is a miss, compiled again. The key covers the source, the
template's name, every setting that changes the compiled code, the Jinja, Python and
platformctl versions and the file that defines each extension. Sources that may hold copier's
``yield`` tag (its extension keeps state from the parse) and environments with extensions of
other packages are never cached. A dry run reads the cache and writes nothing; a failed write
is ignored.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import stat
import tempfile
import types
import weakref
from pathlib import Path
from typing import Any

_FORMAT = b"platformctl-jinja-1\n"
# Extensions whose parse depends only on their own code (the file defining each is in the key).
_KNOWN_EXTENSIONS = ("jinja2.", "jinja2_ansible_filters.", "copier.")
# The settings of an environment that change what its lexer, parser and code generator make.
_COMPILE_SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "is_async",
)
_CHECKED: dict[Path, bool] = {}  # folder -> whether it is ours alone (checked once per process)
# An environment's compile-time settings are fixed once copier or we built it: read them once.
_FINGERPRINTS: weakref.WeakKeyDictionary[Any, str | None] = weakref.WeakKeyDictionary()


def from_string(env: Any, source: str) -> Any:
    """``env.from_string(source)``, its compiled code read from the cache when it is there."""
    folder, writable = _folder()
    key = cache_key(env, source) if folder is not None else None
    code = load(folder, key) if folder is not None and key is not None else None
    if code is None:
        code = env.compile(source)
        if folder is not None and key is not None and writable:
            store(folder, key, code)
    return env.template_class.from_code(env, code, env.make_globals(None), None)


def bytecode_cache() -> Any:
    """A Jinja ``BytecodeCache`` over the same files, for templates loaded by name (copier's
    files), or None when this invocation has no platform home."""
    folder, writable = _folder()
    return None if folder is None else _cache_class()(folder, writable)


@functools.cache
def _cache_class() -> Any:
    from jinja2.bccache import Bucket, BytecodeCache

    class HomeBytecodeCache(BytecodeCache):
        """Buckets keyed by :func:`cache_key`, in the files :func:`load` and :func:`store` use."""

        def __init__(self, folder: Path, writable: bool) -> None:
            self.folder, self.writable = folder, writable

        def get_bucket(self, environment: Any, name: str, filename: str | None, source: str) -> Any:
            bucket = Bucket(environment, cache_key(environment, source, name, filename) or "", "")
            if bucket.key:
                bucket.code = load(self.folder, bucket.key)
            return bucket

        def set_bucket(self, bucket: Any) -> None:
            if bucket.key and self.writable and isinstance(bucket.code, types.CodeType):
                store(self.folder, bucket.key, bucket.code)

    return HomeBytecodeCache


def _folder() -> tuple[Path | None, bool]:
    from platformctl import yamlcache

    return yamlcache.sibling_folder("jinja")


def cache_key(env: Any, source: str, name: str | None = None, filename: str | None = None) -> str | None:
    """The key of ``source`` compiled in ``env`` under ``name``, or None when it is not cached."""
    if "yield" in source:
        return None
    if env not in _FINGERPRINTS:
        _FINGERPRINTS[env] = _fingerprint(env)
    setting = _FINGERPRINTS[env]
    if setting is None:
        return None
    material = "\0".join((setting, name or "", filename or "", source))
    return hashlib.sha256(material.encode("utf-8", "surrogateescape")).hexdigest()


def _fingerprint(env: Any) -> str | None:
    """Everything of ``env`` that changes the code Jinja generates (None: unknown extensions)."""
    import importlib.util
    import sys

    import jinja2

    import platformctl

    extensions = [f"{type(e).__module__}.{type(e).__qualname__}" for e in env.extensions.values()]
    if not all(name.startswith(_KNOWN_EXTENSIONS) for name in extensions):
        return None
    versions = [jinja2.__version__, platformctl.__version__, importlib.util.MAGIC_NUMBER.hex()]
    # An extension's parse may change with its package, which may have no version to read:
    # the file that defines it stands for it.
    for extension in env.extensions.values():
        versions.append(_file_stamp(getattr(sys.modules.get(type(extension).__module__), "__file__", None)))
    lexer = [getattr(env, attribute) for attribute in _COMPILE_SETTINGS]
    compiled_by = [_qualified(type(env)), _qualified(env.code_generator_class)]
    compiled_by += [_qualified(env.autoescape), _qualified(env.finalize)]
    intercepted = [
        sorted(getattr(env, "intercepted_binops", ())),
        sorted(getattr(env, "intercepted_unops", ())),
    ]
    return repr((versions, sorted(extensions), lexer, compiled_by, intercepted))


def _file_stamp(path: str | None) -> str:
    try:
        status = os.stat(path) if path else None
    except OSError:
        status = None
    return f"{path}:{status.st_size}:{status.st_mtime_ns}" if status else f"{path}:?"


def _qualified(value: Any) -> str:
    if isinstance(value, bool | type(None)):
        return repr(value)
    return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', type(value).__qualname__)}"


def load(folder: Path, key: str) -> types.CodeType | None:
    """The code remembered under ``key`` in ``folder``, when this user alone wrote it."""
    data = _read_own(folder, key) if _ours(folder, create=False) else None
    header = _FORMAT + key.encode("ascii") + b"\n"
    if data is None or not data.startswith(header):
        return None
    try:
        # Only files of this user's own folder, nobody else can write to, get here (see above).
        code = marshal.loads(data[len(header) :])  # noqa: S302
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, types.CodeType) else None


def _read_own(folder: Path, key: str) -> bytes | None:
    """The bytes of the regular file ``folder/key`` (no link followed) when only we can write it."""
    try:
        fd = os.open(folder / key, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        try:
            status = os.fstat(handle.fileno())
            return handle.read() if stat.S_ISREG(status.st_mode) and _owned_alone(status) else None
        except OSError:
            return None


def store(folder: Path, key: str, code: types.CodeType) -> None:
    """Remember ``code`` under ``key`` (a failed write is ignored: the next run compiles)."""
    if not _ours(folder, create=True):
        return
    data = _FORMAT + key.encode("ascii") + b"\n" + marshal.dumps(code)
    with contextlib.suppress(OSError, ValueError):
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=folder)  # 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, folder / key)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _ours(folder: Path, *, create: bool) -> bool:
    """Whether ``folder`` is a directory of this user that nobody else may write to."""
    if _CHECKED.get(folder):
        return True
    if create:
        with contextlib.suppress(OSError):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        ours = stat.S_ISDIR(os.lstat(folder).st_mode) and _owned_alone(os.lstat(folder))
    except OSError:
        return False
    if ours:
        _CHECKED[folder] = True
    return ours


def _owned_alone(status: os.stat_result) -> bool:
    """Owned by this user (where the system has users) and writable by no group or other."""
    mine = not hasattr(os, "getuid") or status.st_uid == os.getuid()
    return mine and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
