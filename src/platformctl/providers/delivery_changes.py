"""Shared by the forge delivery sources: the changes a deployment shipped, merges mapped back.

Commits are normalised to ``{"sha", "date", "message"}`` (author time: a rebase keeps it).
A pull/merge request whose merge commit a deployment shipped stands for its own commits: the
merge or squash commit, and rebased copies (same author time and message), are replaced by the
request's original commits, so squash and rebase merges give the same lead times as merges.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from platformctl.contracts.delivery_events import Change, Incident, parse_time

DEPLOYMENT_REF = re.compile(r"\bdeployment[s]?\s*[#:/]?\s*(\d+)\b", re.IGNORECASE)
SHA = re.compile(r"\b[0-9a-f]{7,40}\b")

Commit = dict[str, str]


def shipped_changes(
    commits: list[Commit],
    merges: dict[str, int],
    originals_of: Callable[[int], list[Commit]],
    graph: CommitGraph | None = None,
) -> tuple[tuple[Change, ...], list[str]]:
    """The changes among ``commits`` and the merge commits (keys of ``merges``) found there.

    ``merges`` maps a merge/squash commit SHA to its request number; ``originals_of`` lists a
    request's own commits (one request per request number, only when it shipped and only for
    a squash or rebase: a true merge's commits are in ``graph`` already).
    """
    changes: dict[str, Change] = {}
    found: list[str] = []
    remaining = {c["sha"]: c for c in commits}
    for sha, number in merges.items():
        if sha not in remaining:
            continue
        found.append(sha)
        brought = graph.merged_by(sha) if graph is not None else None
        originals = originals_of(number) if brought is None else brought
        keys = {(c["date"], c["message"]) for c in originals}
        for c in commits:
            if c["sha"] == sha or (c["date"], c["message"]) in keys:
                remaining.pop(c["sha"], None)
        for c in originals:
            changes[c["sha"]] = Change(c["sha"], parse_time(c["date"], "commit date"), str(number))
    for c in remaining.values():
        changes.setdefault(c["sha"], Change(c["sha"], parse_time(c["date"], "commit date")))
    return tuple(changes.values()), found


class CommitGraph:
    """The commits of one comparison and their parents: what each deployment in it shipped.

    One comparison from the oldest base to the newest deployed SHA lists every commit shipped
    in between; with the parents, what a deployment ``head`` adds over the previous one
    ``base`` is the commits reachable from ``head`` and not from ``base`` — exactly what a
    comparison ``base...head`` would list — without asking for that comparison.
    """

    def __init__(self, base: str, commits: list[Commit], parents: dict[str, list[str]]) -> None:
        self.base = base
        self.commits = commits
        self.parents = parents
        self._ancestors: dict[str, frozenset[str]] = {}

    def ancestors(self, sha: str) -> frozenset[str]:
        """``sha`` and every commit of the comparison reachable from it."""
        if sha not in self.parents:
            return frozenset()
        if sha not in self._ancestors:
            seen: set[str] = set()
            stack = [sha]
            while stack:
                current = stack.pop()
                if current in seen or current not in self.parents:
                    continue
                seen.add(current)
                stack.extend(self.parents[current])
            self._ancestors[sha] = frozenset(seen)
        return self._ancestors[sha]

    def between(self, base: str, head: str) -> list[Commit] | None:
        """The commits ``head`` ships over ``base`` (in the comparison's order), or None when
        the comparison cannot tell (either end outside it: ask for ``base...head`` instead)."""
        if head == base:
            return []
        if head not in self.parents or (base != self.base and base not in self.parents):
            return None
        new = self.ancestors(head) - self.ancestors(base)
        return [c for c in self.commits if c["sha"] in new]

    def merged_by(self, sha: str) -> list[Commit] | None:
        """For a merge commit (two parents or more): the commits it brought in, reachable from
        its other parents and not its first; None when it has one parent (squash, rebase)."""
        parents = self.parents.get(sha) or []
        if len(parents) < 2:
            return None
        brought = set().union(*(self.ancestors(p) for p in parents[1:])) - self.ancestors(parents[0])
        return [c for c in self.commits if c["sha"] in brought]


def incident_links(text: str, ids: Iterable[str], shas: Iterable[str]) -> tuple[str, str]:
    """The deployment id (``deployment 123``) and the shipped SHA (7+ hex) an incident names."""
    known_ids = set(ids)
    deployment = next((m for m in DEPLOYMENT_REF.findall(text) if m in known_ids), "")
    known = list(shas)
    sha = next((s for m in SHA.findall(text) for s in known if s.startswith(m)), "")
    return deployment, sha


def as_commit(sha: Any, date: Any, message: Any) -> Commit:
    """A normalised commit."""
    return {"sha": str(sha), "date": str(date), "message": str(message or "")}


def incident_from(
    key: str,
    service: str,
    text: str,
    times: tuple[Any, Any],
    known: tuple[Iterable[str], Iterable[str]],
    *,
    what: str,
) -> Incident:
    """An incident from a forge issue: created/closed ``times``, and the deployment or SHA its
    ``text`` names among the ``known`` (deployment ids, SHAs); ``what`` names it in errors."""
    created, closed = times
    deployment, sha = incident_links(text, *known)
    return Incident(
        key,
        service,
        parse_time(created, f"{what} created_at"),
        parse_time(closed, f"{what} closed_at") if closed else None,
        deployment,
        sha,
    )
