"""Evidence detectors: what a repository's file tree says about the platform.

A detector looks at one repository through ``RepositoryTree``: the list of its file paths
and, where the listing alone cannot tell (an OpenTelemetry dependency, a Kyverno policy),
the text of a few small files. A checkout on disk (``checkout.py``) implements it today; a
tree listing from a Git host's API can implement it tomorrow, returning ``None`` from
``read_text`` when contents are not fetched, and detectors then decide on paths alone.

Findings of all repositories are aggregated per detector into ``Evidence``: how many
repositories have the signal (coverage) and which kinds were seen (e.g. CI systems).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

MAX_EXAMPLES = 5
# Content checks read at most this many candidate files per kind (reads are cached per tree).
MAX_FILES_READ = 2000


class RepositoryTree(Protocol):
    """One repository: its name, its file paths (POSIX, relative) and, maybe, file contents."""

    name: str

    def paths(self) -> Sequence[str]:
        """Every file path in the repository."""
        ...

    def read_text(self, path: str) -> str | None:
        """The text of a small file, or None when unavailable (too big, binary, not fetched)."""
        ...


@dataclass(frozen=True)
class Finding:
    """What one detector found in one repository: kinds seen and the paths that show them."""

    kinds: frozenset[str] = frozenset()
    paths: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        """Whether the signal is present."""
        return bool(self.kinds)


@dataclass(frozen=True)
class Detector:
    """A named detector and the function that inspects one repository."""

    id: str
    title: str
    detect: Callable[[TreeView], Finding]


@dataclass(frozen=True)
class Evidence:
    """One detector's findings over every scanned repository."""

    detector: str
    title: str
    repositories: int
    with_signal: int
    kinds: tuple[str, ...]
    examples: tuple[str, ...]
    signal_repositories: tuple[str, ...] = ()  # names of the repositories with the signal

    @property
    def exact_coverage(self) -> Fraction:
        """Percent of scanned repositories with the signal, exactly."""
        return Fraction(100 * self.with_signal, self.repositories) if self.repositories else Fraction(0)

    @property
    def coverage(self) -> float:
        """Percent of scanned repositories with the signal."""
        return float(self.exact_coverage)

    def detail(self) -> str:
        """The summary with the counts and the repositories behind it, for a cap's reason."""
        names = list(self.signal_repositories[:MAX_EXAMPLES])
        more = len(self.signal_repositories) - len(names)
        shown = ", ".join(names) + (f" and {more} more" if more > 0 else "")
        kinds = f"{len(self.kinds)} kind{'' if len(self.kinds) == 1 else 's'}"
        if not self.with_signal:
            return f"{kinds}, {self.summary()}"
        return f"{kinds}, {self.summary()} ({shown})"

    def summary(self) -> str:
        """One line, e.g. ``github-actions, jenkins in 2 of 3 repositories``."""
        if not self.with_signal:
            return f"nothing found in {_repos(self.repositories)}"
        return f"{', '.join(self.kinds)} in {self.with_signal} of {_repos(self.repositories)}"

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "detector": self.detector,
            "title": self.title,
            "repositories": self.repositories,
            "with_signal": self.with_signal,
            "coverage": round(self.coverage, 1),
            "kinds": list(self.kinds),
            "examples": list(self.examples),
            "signal_repositories": list(self.signal_repositories),
            "summary": self.summary(),
        }


def _repos(n: int) -> str:
    return f"{n} repositor{'y' if n == 1 else 'ies'}"


@dataclass
class TreeView:
    """Helpers detectors share over one tree: glob matching and cached file reads."""

    tree: RepositoryTree
    _paths: tuple[str, ...] = ()
    _texts: dict[str, str | None] = field(default_factory=dict)
    _globs: dict[tuple[str, ...], list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._paths = tuple(self.tree.paths())

    @property
    def paths(self) -> tuple[str, ...]:
        """All paths."""
        return self._paths

    def glob(self, *patterns: str) -> list[str]:
        """Paths matching any pattern (cached).

        Patterns know ``*`` and ``?``. A pattern without '/' matches the file name at any depth
        (``Jenkinsfile``, ``*.tf``); one starting with '/' is anchored at the repository root
        (``/.gitlab-ci.yml``); any other matches the whole path, where ``*`` also crosses
        directories (``*/adr/*``).
        """
        if patterns not in self._globs:
            regex = _compile(patterns)
            self._globs[patterns] = [path for path in self._paths if regex.match(path)]
        return self._globs[patterns]

    def text(self, path: str) -> str | None:
        """The file's text (cached)."""
        if path not in self._texts:
            self._texts[path] = self.tree.read_text(path)
        return self._texts[path]

    def first_match(self, patterns: Sequence[str], regex: re.Pattern[str]) -> str | None:
        """The first path matching ``patterns`` whose text matches ``regex`` (a bounded number read)."""
        for path in self.glob(*patterns)[:MAX_FILES_READ]:
            text = self.text(path)
            if text is not None and regex.search(text):
                return path
        return None


@functools.lru_cache(maxsize=256)
def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression for a group of patterns (one match per path, not one per pattern)."""
    parts = []
    for pattern in patterns:
        if pattern.startswith("/"):
            parts.append(_translate(pattern[1:], star=".*"))
        elif "/" in pattern:
            parts.append(_translate(pattern, star=".*"))
        else:  # a file name at any depth: '*' stays inside the name
            parts.append("(?:.*/)?" + _translate(pattern, star="[^/]*"))
    return re.compile("(?:" + "|".join(parts) + r")\Z", re.DOTALL)


def _translate(pattern: str, *, star: str) -> str:
    return "".join(star if ch == "*" else "[^/]" if ch == "?" else re.escape(ch) for ch in pattern)


def finding(kinds: Iterable[str], paths: Iterable[str]) -> Finding:
    """Build a Finding with sorted, de-duplicated paths."""
    return Finding(frozenset(kinds), tuple(sorted(set(paths))))


def detect_all(
    trees: Iterable[RepositoryTree],
    detector_ids: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Evidence]:
    """Run detectors over every tree and aggregate their findings per detector."""
    from platformctl.maturity.detector_rules import DETECTORS

    chosen = [DETECTORS[d] for d in (detector_ids or DETECTORS)]
    per_detector: dict[str, list[tuple[str, Finding]]] = {d.id: [] for d in chosen}
    count = 0
    for tree in trees:
        count += 1
        if progress:
            progress(f"scanning {tree.name}")
        view = TreeView(tree)
        for det in chosen:
            per_detector[det.id].append((tree.name, det.detect(view)))
    return {det.id: aggregate(det, per_detector[det.id], count) for det in chosen}


def aggregate(det: Detector, findings: list[tuple[str, Finding]], repositories: int) -> Evidence:
    """Combine one detector's findings over all repositories."""
    kinds: set[str] = set()
    examples: list[str] = []
    names: list[str] = []
    for repo, found in findings:
        if found.found:
            names.append(repo)
            kinds |= found.kinds
            examples += [f"{repo}:{p}" for p in found.paths[:2]]
    return Evidence(
        det.id,
        det.title,
        repositories,
        len(names),
        tuple(sorted(kinds)),
        tuple(examples[:MAX_EXAMPLES]),
        tuple(names),
    )
