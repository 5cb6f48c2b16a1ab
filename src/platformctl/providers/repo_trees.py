"""File listings of every repository of a GitHub organisation or GitLab group, read-only.

Used by ``assess maturity --org`` to feed evidence detectors. Per repository: one tree
listing (GitHub's recursive git tree; GitLab's paginated repository tree), no file contents.
Re-scans are cheap: a repository whose ``pushed_at`` (GitHub) or ``last_activity_at`` (GitLab)
has not moved is not asked again, and a GitHub tree that may have moved is asked with
``If-None-Match`` (a 304 costs no rate limit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from platformctl.contracts.listings import Listing, RemoteRepository
from platformctl.providers.answers import string

if TYPE_CHECKING:
    from platformctl.providers.http import HttpClient

LISTING_MAX_BODY = 64 * 1024 * 1024
"""A recursive tree of a big repository (GitHub stops at 100,000 entries) exceeds http.max_body."""


class GitHubTrees:
    """Repository listings from GitHub (or GitHub Enterprise Server)."""

    name = "github"

    def __init__(self, client: HttpClient) -> None:
        self.client = client

    def repositories(self, org: str) -> list[RemoteRepository]:
        """Active repositories of ``org`` (archived ones, forks and empty ones left out)."""
        items = self.client.paginate(
            f"orgs/{quote(org, safe='')}/repos",
            action=f"list the repositories of {org}",
            params={"type": "all"},
        )
        return [
            RemoteRepository(
                string(r, "full_name"), string(r, "default_branch", "main"), str(r.get("pushed_at") or "")
            )
            for r in items
            if not r.get("archived") and not r.get("fork") and r.get("size", 1) != 0
        ]

    def listing(self, repo: RemoteRepository, cached: Listing | None) -> Listing:
        """The repository's file paths at its default branch."""
        headers = {"If-None-Match": cached.etag} if cached and cached.etag else None
        response = self.client.request(
            "GET",
            f"repos/{repo.slug}/git/trees/{quote(repo.default_branch, safe='')}",
            action=f"list the files of {repo.slug}",
            params={"recursive": "1"},
            headers=headers,
            allow=(304, 404, 409),
            max_body=LISTING_MAX_BODY,
        )
        if response.status_code == 304 and cached:
            return Listing(repo.version, cached.etag, cached.paths, cached.truncated, fetched=False)
        if response.status_code in (404, 409):  # empty repository or missing branch: no files
            return Listing(repo.version, "", ())
        data = response.json()
        paths = tuple(sorted(item["path"] for item in data.get("tree", []) if item.get("type") == "blob"))
        return Listing(repo.version, response.headers.get("etag", ""), paths, bool(data.get("truncated")))


class GitLabTrees:
    """Repository listings from GitLab (gitlab.com or self-managed), subgroups included."""

    name = "gitlab"

    def __init__(self, client: HttpClient) -> None:
        self.client = client

    def repositories(self, group: str) -> list[RemoteRepository]:
        """Active projects of ``group`` and its subgroups (archived and empty ones left out)."""
        items = self.client.paginate(
            f"groups/{quote(group, safe='')}/projects",
            action=f"list the projects of {group}",
            params={"include_subgroups": "true", "archived": "false", "order_by": "id", "sort": "asc"},
        )
        return [
            RemoteRepository(
                string(p, "path_with_namespace"),
                p.get("default_branch") or "",
                str(p.get("last_activity_at") or ""),
                str(p["id"]),
            )
            for p in items
            if p.get("default_branch") and not p.get("empty_repo")
        ]

    def listing(self, repo: RemoteRepository, cached: Listing | None) -> Listing:
        """The project's file paths at its default branch."""
        items = self.client.paginate(
            f"projects/{repo.key}/repository/tree",
            action=f"list the files of {repo.slug}",
            params={"recursive": "true", "ref": repo.default_branch},
        )
        paths = tuple(sorted(item["path"] for item in items if item.get("type") == "blob"))
        return Listing(repo.version, "", paths)
