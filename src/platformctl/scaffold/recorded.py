"""A converged ``new service`` re-run answered from what the last converged run recorded.

A re-run that finds the service made and published validates ``platform.yaml`` (the
``ServiceDescriptor`` schema holds every environment model), loads the golden path and asks
the host about three steps that were all done already: most of a run that writes nothing. So
when such a run of the local provider found every step done, ``new service`` remembers its
result next to a key of every input the decision read: this program's version and location,
the working directory, ``HOME``, the target folder, the service name, the exact text of
``platform.yaml``, the resolved settings and the text of every settings file. The golden-path
files it loaded are remembered with the SHA-256 of their text, and the state of the two
repositories as :func:`repository_state` reads it. The next run with no flag but ``--dir``,
``--json`` and ``--no-input`` that has the same key, the same golden-path text and the same
repository state prints the remembered result without validating anything again. Anything
else (a flag, another text, a commit, a changed bare repository, another host) is decided as
always.

Entries live in ``HOME/cache/new-service`` (the user's own, like the local repositories;
answers are recorded in ``platform.yaml`` already, and no secret is among them), 0600, and
are never needed: an unreadable, malformed or foreign entry is a miss, a failed write is
ignored, and an entry is written only when it changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from platformctl.config import Settings

FORMAT = 1  # bump when the decision's inputs or the recorded result change shape
FOLDER = Path("cache") / "new-service"
DESCRIPTOR_FILE = "platform.yaml"  # scaffold.descriptor.DESCRIPTOR_FILE, without its models
# providers/local/repositories.MARKER: a bare repository platformctl made (a test checks)
LOCAL_MARKER = "platformctl-repository"
_MAX_TEXT = 1 << 20  # the loader refuses larger files: never recorded


class Recorded(NamedTuple):  # not a dataclass: defining one costs more than this path's checks
    """What a converged run remembered: the inputs outside its key, and what it printed."""

    files: Sequence[Sequence[str]]  # [path, SHA-256] of each golden-path file read
    bare: str  # the bare repository's folder
    state: str  # repository_state() when the run ended
    progress: Sequence[str]  # the progress lines, in order
    document: Mapping[str, Any]  # the --json document
    shown: Mapping[str, str]  # what the text output shows besides the document


def run_key(settings: Settings, target: Path, name: str, extra: Sequence[str] = ()) -> str | None:
    """The digest of every input of a re-run's decision in ``target`` (None: not recordable)."""
    import platformctl

    try:
        descriptor = target / DESCRIPTOR_FILE
        if descriptor.stat().st_size > _MAX_TEXT or not (target / ".git").is_dir():
            return None
        material = [
            FORMAT,
            platformctl.__version__,
            str(Path(platformctl.__file__).parent),  # the bundled golden paths live beside it
            os.getcwd(),  # paths are shown relative to it
            os.environ.get("HOME", ""),  # '~' in a configured golden path's folder
            str(target),
            name,
            _sha(descriptor.read_bytes()),
            sorted((k, str(v.value), v.source) for k, v in settings.values.items()),
            [(str(p), _sha(p.read_bytes())) for p in settings.files],
            sorted((k, src) for k, (_, src) in settings.environment_classes.items()),
            list(settings.ignored),
            list(extra),
        ]
    except (OSError, ValueError):
        return None
    return _sha(json.dumps(material).encode("utf-8", "surrogateescape"))


def file_digests(paths: Sequence[Path]) -> list[list[str]] | None:
    """``[path, SHA-256 of its bytes]`` of each file (None: one cannot be read)."""
    try:
        return [[str(p), _sha(p.read_bytes())] for p in paths]
    except OSError:
        return None


def files_unchanged(files: Sequence[Sequence[str]]) -> bool:
    """Whether every remembered file still holds the text it held."""
    return file_digests([Path(path) for path, _ in files]) == [list(f) for f in files]


def repository_state(target: Path, bare: Path, branch: str) -> str | None:
    """A digest of what the host steps read: the commit of ``branch`` in the checkout and in
    the bare repository, the bare repository's own configuration (whether it is bare and
    protected) and its ``HEAD`` and marker files; None when either cannot be read.

    Both commits are read by git, hardened (:func:`platformctl.gitsafe.run_git`), never from
    git's files: refs may be loose, packed or in a reftable.
    """
    from platformctl.gitsafe import commit_of, run_git

    try:
        config = _sha((bare / "config").read_bytes())
        files = [(bare / "HEAD").is_file(), (bare / LOCAL_MARKER).is_file(), (target / ".git").is_dir()]
    except OSError:
        return None
    local = commit_of(target, branch)
    done = run_git(["--git-dir", str(bare), "for-each-ref", "--format=%(objectname)", f"refs/heads/{branch}"])
    published = done.stdout.strip() if done.returncode == 0 else ""
    if local is None or not published:
        return None
    return _sha(json.dumps([local, published, config, files]).encode())


def recall(home: Path, target: Path, key: str) -> Recorded | None:
    """The entry of the service in ``target`` when its key is ``key``, else None."""
    try:
        entry = json.loads(_entry(home, target).read_text(encoding="utf-8"))
        if entry["format"] != FORMAT or entry["key"] != key or entry["sum"] != _sum(entry):
            return None
        recorded = Recorded(
            [[str(p), str(s)] for p, s in entry["files"]],
            str(entry["bare"]),
            str(entry["state"]),
            [str(line) for line in entry["progress"]],
            dict(entry["document"]),
            {str(k): str(v) for k, v in dict(entry["shown"]).items()},
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return recorded if _printable(recorded) else None


def _printable(recorded: Recorded) -> bool:
    """Whether the result has every field the command prints (an entry edited by hand may not)."""
    document, repository = recorded.document, recorded.document.get("repository")
    texts = [document.get(k) for k in ("service", "path", "pristine_commit")]
    if isinstance(repository, dict):
        texts += [repository.get(k) for k in ("slug", "provider", "url", "clone_url")]
    steps = document.get("next_steps")
    return (
        isinstance(repository, dict)
        and all(isinstance(text, str) for text in texts)
        and all(isinstance(document.get(k), bool) for k in ("resumed", "changed"))
        and isinstance(steps, list)
        and all(isinstance(step, str) for step in steps)
        and {"golden_path", "path"} <= set(recorded.shown)
    )


def remember(home: Path, target: Path, key: str, recorded: Recorded) -> None:
    """Keep ``recorded`` for the next run with ``key`` (written only when it changed)."""
    from platformctl.files import atomic_write_text

    path = _entry(home, target)
    entry: dict[str, Any] = {"format": FORMAT, "key": key, **recorded._asdict()}
    entry["sum"] = _sum(entry)  # a truncated or altered entry is a miss
    text = json.dumps(entry)  # key order kept: the document is printed as it was
    with contextlib.suppress(OSError, ValueError):
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return
        atomic_write_text(path, text, mode=0o600, durable=False)


def _sum(entry: Mapping[str, Any]) -> str:
    fields = {k: v for k, v in entry.items() if k != "sum"}
    return _sha(json.dumps(fields, sort_keys=True).encode("utf-8", "surrogateescape"))


def _entry(home: Path, target: Path) -> Path:
    return home / FOLDER / f"{_sha(str(target).encode('utf-8', 'surrogateescape'))}.json"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
