"""GitHub's side of the fleet: organisation discovery, branches and pull requests.

Per repository a first scan costs one contents read (``platform.yaml``) and, for services, one
pull-request list; both are kept with their ``ETag`` under ``<home>/cache/fleet/github/`` so a
re-scan asks with ``If-None-Match`` (a 304 costs no rate limit). Branches are read and pushed
with real git over HTTPS (``git ls-remote``, ``git push --force-with-lease``), the token passed
per command. Writes go through the one HTTP policy (serialized, secondary limits honoured).
"""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from platformctl.contracts.change_requests import (
    ChangeRequest,
    ChangeRequestDraft,
    ChecksState,
    ForgeRepository,
)
from platformctl.providers.answers import objects, string
from platformctl.providers.forge_git import GitForge

MAX_FILE = 1024 * 1024


class GitHubChangeRequests(GitForge):
    """Discovery and pull requests in a GitHub organisation (or on GitHub Enterprise Server)."""

    name = "github"
    read_checks = False  # two more reads per open pull request: only when asked (--checks)

    def repositories(self, org: str) -> list[ForgeRepository]:
        """Active repositories of ``org`` (archived ones, forks and empty ones left out)."""
        items = self.http.paginate(
            f"orgs/{quote(org, safe='')}/repos",
            action=f"list the repositories of {org}",
            params={"type": "all"},
        )
        return [
            ForgeRepository(
                string(r, "full_name"),
                string(r, "default_branch", "main"),
                r.get("pushed_at"),
                str(r.get("pushed_at")),
            )
            for r in items
            if not r.get("archived") and not r.get("fork") and r.get("size", 1) != 0
        ]

    def read_file(self, repo: ForgeRepository, path: str) -> str | None:
        """``GET /repos/{owner}/{repo}/contents/{path}`` on the default branch, conditionally."""
        data = self._conditional(
            repo,
            f"contents:{path}",
            f"repos/{repo.slug}/contents/{quote(path)}",
            {"ref": repo.default_branch},
            f"read {path} of {repo.slug}",
        )
        if not isinstance(data, dict) or data.get("type") != "file" or data.get("size", 0) > MAX_FILE:
            return None
        try:
            return base64.b64decode(data.get("content") or "").decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None

    def change_requests(self, repo: ForgeRepository, branch_prefix: str) -> list[ChangeRequest]:
        """Pull requests (any state) of the repository whose head branch starts with the prefix."""
        items = self._conditional(
            repo,
            "pulls",
            f"repos/{repo.slug}/pulls",
            {"state": "all", "per_page": 100},
            f"list the pull requests of {repo.slug}",
        )
        pulls = [_pull(p) for p in objects(items)]
        mine = [p for p in pulls if p.branch.startswith(branch_prefix)]
        if not self.read_checks:
            return mine
        return [
            replace(p, checks=self._checks(repo, p.head)) if p.state == "open" and p.head else p for p in mine
        ]

    def _checks(self, repo: ForgeRepository, sha: str) -> ChecksState | None:
        """Check runs and commit statuses of the head, as one state (None: nothing reported).

        Two conditional reads per open update request; a 304 costs no rate limit.
        """
        runs = self._conditional(
            repo,
            f"check-runs:{sha}",
            f"repos/{repo.slug}/commits/{sha}/check-runs",
            {"per_page": 100},
            f"read the check runs of {repo.slug}",
        )
        status = self._conditional(
            repo,
            f"status:{sha}",
            f"repos/{repo.slug}/commits/{sha}/status",
            {"per_page": 100},
            f"read the commit status of {repo.slug}",
        )
        states = [
            "pending"
            if r.get("status") != "completed"
            else "passing"
            if r.get("conclusion") in ("success", "neutral", "skipped")
            else "failing"
            for r in (runs or {}).get("check_runs", [])
            if isinstance(r, dict)
        ]
        if isinstance(status, dict) and status.get("statuses"):
            combined = status.get("state")
            states.append(
                "passing" if combined == "success" else "pending" if combined == "pending" else "failing"
            )
        for state in ("failing", "pending", "passing"):
            if state in states:
                return state
        return None

    def open_change_request(self, repo: ForgeRepository, draft: ChangeRequestDraft) -> ChangeRequest:
        """``POST /pulls`` then the labels; "already exists" (422) becomes a read."""
        body = {
            "title": draft.title,
            "head": draft.branch,
            "base": draft.base,
            "body": draft.body,
            "draft": draft.draft,
        }
        response = self.http.request(
            "POST",
            f"repos/{repo.slug}/pulls",
            action=f"open a pull request in {repo.slug}",
            json=body,
            allow=(422,),
        )
        if response.status_code == 422:
            existing = self._forget_and_find(repo, draft.branch)
            if existing is None:
                from platformctl.providers.httperrors import translate

                raise translate("GitHub", f"open a pull request in {repo.slug}", response, "")
            return existing
        pull = _pull(response.json())
        return self._labelled(repo, pull, draft.labels)

    def update_change_request(
        self, repo: ForgeRepository, number: int, draft: ChangeRequestDraft
    ) -> ChangeRequest:
        """Title and body by ``PATCH``, labels by ``PUT`` (REST cannot turn a draft ready: GraphQL can)."""
        response = self.http.request(
            "PATCH",
            f"repos/{repo.slug}/pulls/{number}",
            action=f"update pull request #{number} of {repo.slug}",
            json={"title": draft.title, "body": draft.body},
        )
        return self._labelled(repo, _pull(response.json()), draft.labels)

    def close_change_request(self, repo: ForgeRepository, number: int, comment: str) -> ChangeRequest:
        """A comment, then ``PATCH state=closed``."""
        self.http.request(
            "POST",
            f"repos/{repo.slug}/issues/{number}/comments",
            action=f"comment on #{number} of {repo.slug}",
            json={"body": comment},
        )
        response = self.http.request(
            "PATCH",
            f"repos/{repo.slug}/pulls/{number}",
            action=f"close pull request #{number} of {repo.slug}",
            json={"state": "closed"},
        )
        return _pull(response.json())

    # -- helpers -------------------------------------------------------------------------
    def _labelled(self, repo: ForgeRepository, pull: ChangeRequest, labels: tuple[str, ...]) -> ChangeRequest:
        if sorted(pull.labels) == sorted(labels):
            return pull
        self.http.request(
            "PUT",
            f"repos/{repo.slug}/issues/{pull.number}/labels",
            action=f"label #{pull.number} of {repo.slug}",
            json={"labels": list(labels)},
        )
        return replace(pull, labels=tuple(labels))


def _pull(data: dict[str, Any]) -> ChangeRequest:
    state = "merged" if data.get("merged_at") else ("open" if data.get("state") == "open" else "closed")
    return ChangeRequest(
        number=int(data["number"]),
        branch=str((data.get("head") or {}).get("ref", "")),
        base=str((data.get("base") or {}).get("ref", "")),
        title=str(data.get("title") or ""),
        body=str(data.get("body") or ""),
        state=state,  # type: ignore[arg-type]
        draft=bool(data.get("draft")),
        labels=tuple(str(label.get("name")) for label in data.get("labels") or [] if isinstance(label, dict)),
        url=str(data.get("html_url") or ""),
        head=str((data.get("head") or {}).get("sha", "")),
    )
