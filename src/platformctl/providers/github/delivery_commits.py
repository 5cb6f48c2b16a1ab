"""What GitHub deployments shipped: one comparison per repository, pull requests mapped back.

The successful deployments whose changes are not known yet are compared at once:
``GET /repos/{o}/{r}/compare/{oldest base}...{newest head}`` (paginated, so past GitHub's 250
commits), and each one's changes are read off the commits' parents (:class:`CommitGraph`). A
deployment outside that comparison (another branch) is compared on its own
(``…/compare/{previous success}...{sha}``); the very first deployment of a repository reads
only its own commit (``…/commits/{sha}``). A pull request is asked for its commits
(``…/pulls/{n}/commits``) only for a squash or rebase merge: a true merge's commits are in the
comparison already.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from platformctl.contracts.delivery_events import Change
from platformctl.providers.delivery_changes import Commit, CommitGraph, as_commit, shipped_changes

if TYPE_CHECKING:
    from platformctl.providers.http import HttpClient

Needed = tuple[dict[str, Any], str, str]  # a cache entry to fill, its base, its head


def as_github_commit(item: dict[str, Any]) -> Commit:
    """A normalised commit from GitHub's commit object (author time: a rebase keeps it)."""
    return as_commit(item["sha"], item["commit"]["author"]["date"], item["commit"]["message"])


def _graph(base: str, items: list[dict[str, Any]]) -> CommitGraph | None:
    if any(not isinstance(c.get("parents"), list) for c in items):
        return None  # no parents to walk: compare deployment by deployment instead
    parents = {str(c["sha"]): [str(p["sha"]) for p in c["parents"]] for c in items}
    return CommitGraph(base, [as_github_commit(c) for c in items], parents)


class ShippedCommits:
    """Fills in the changes of one repository's successful deployments."""

    def __init__(self, client: HttpClient, slug: str, pulls: dict[str, dict[str, Any]]) -> None:
        self.client, self.slug = client, slug
        self.numbers = {sha: int(pull["number"]) for sha, pull in pulls.items()}

    def fill(self, needed: list[Needed]) -> None:
        """Set ``changes`` and ``merges`` on each entry from one comparison where possible."""
        if not needed:
            return
        graph = None
        if len(needed) > 1 or needed[0][1]:
            _, graph = self._compare(needed[0][1] or needed[0][2], needed[-1][2])
        for entry, base, head in needed:
            commits = graph.between(base, head) if graph is not None and base else None
            one = graph
            if commits is None:
                commits, one = self._on_its_own(base, head)
            changes, merges = shipped_changes(commits, self.numbers, self._pull_commits, one)
            entry["changes"] = [[c.sha, c.committed_at.isoformat(), c.pr] for c in changes]
            entry["merges"] = merges

    def _compare(self, base: str, head: str) -> tuple[list[Commit], CommitGraph | None]:
        if base == head:
            return [], CommitGraph(base, [], {})
        items = list(
            self.client.paginate(
                f"repos/{self.slug}/compare/{base}...{head}",
                action=f"compare {base[:7]}...{head[:7]} in {self.slug}",
                key="commits",
            )
        )
        return [as_github_commit(c) for c in items], _graph(base, items)

    def _on_its_own(self, base: str, head: str) -> tuple[list[Commit], CommitGraph | None]:
        if base:
            return self._compare(base, head)
        # The first deployment ever: only its own commit is known to be new.
        item = self.client.request(
            "GET", f"repos/{self.slug}/commits/{head}", action=f"read commit {head[:7]}"
        ).json()
        return [as_github_commit(item)], None

    def _pull_commits(self, number: int) -> list[Commit]:
        pages = self.client.paginate(
            f"repos/{self.slug}/pulls/{number}/commits", action=f"list the commits of #{number}"
        )
        return [as_github_commit(c) for c in pages]


def changes_of(entry: dict[str, Any], parse: Callable[[Any, str], Any]) -> tuple[Change, ...]:
    """The changes kept in a cache entry."""
    return tuple(Change(c[0], parse(c[1], "cached time"), c[2]) for c in entry.get("changes") or [])
