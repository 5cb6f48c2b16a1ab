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
) -> tuple[tuple[Change, ...], list[str]]:
    """The changes among ``commits`` and the merge commits (keys of ``merges``) found there.

    ``merges`` maps a merge/squash commit SHA to its request number; ``originals_of`` lists a
    request's own commits (one request per request number, only when it shipped).
    """
    changes: dict[str, Change] = {}
    found: list[str] = []
    remaining = {c["sha"]: c for c in commits}
    for sha, number in merges.items():
        if sha not in remaining:
            continue
        found.append(sha)
        originals = originals_of(number)
        keys = {(c["date"], c["message"]) for c in originals}
        for c in commits:
            if c["sha"] == sha or (c["date"], c["message"]) in keys:
                remaining.pop(c["sha"], None)
        for c in originals:
            changes[c["sha"]] = Change(c["sha"], parse_time(c["date"], "commit date"), str(number))
    for c in remaining.values():
        changes.setdefault(c["sha"], Change(c["sha"], parse_time(c["date"], "commit date")))
    return tuple(changes.values()), found


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
