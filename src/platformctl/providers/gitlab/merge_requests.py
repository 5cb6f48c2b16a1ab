"""GitLab's side of the fleet: group discovery, branches and merge requests.

Projects are addressed by their URL-encoded full path. A first scan costs one raw-file read
(``platform.yaml``) per project and one merge-request list per service, both conditional on
re-scan where GitLab sends an ``ETag``. A draft is GitLab's ``Draft:`` title prefix. Branches
are read and pushed with real git over HTTPS, the token passed per command.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from platformctl.contracts.change_requests import ChangeRequest, ChangeRequestDraft, ForgeRepository
from platformctl.providers.answers import objects, string
from platformctl.providers.forge_git import GitForge

DRAFT = "Draft: "
MAX_FILE = 1024 * 1024


class GitLabChangeRequests(GitForge):
    """Discovery and merge requests in a GitLab group (gitlab.com or self-managed)."""

    name = "gitlab"

    def repositories(self, org: str) -> list[ForgeRepository]:
        """Active, non-empty projects of the group and its subgroups."""
        items = self.http.paginate(
            f"groups/{quote(org, safe='')}/projects",
            action=f"list the projects of {org}",
            params={"include_subgroups": "true", "archived": "false", "order_by": "id", "sort": "asc"},
        )
        return [
            ForgeRepository(
                string(p, "path_with_namespace"),
                string(p, "default_branch"),
                p.get("last_activity_at"),
                str(p.get("last_activity_at")),
                str(p["id"]),
            )
            for p in items
            if p.get("default_branch") and not p.get("empty_repo")
        ]

    def read_file(self, repo: ForgeRepository, path: str) -> str | None:
        """``GET /projects/:id/repository/files/:path/raw`` on the default branch."""
        data = self._conditional(
            repo,
            f"file:{path}",
            f"projects/{_id(repo)}/repository/files/{quote(path, safe='')}/raw",
            {"ref": repo.default_branch},
            f"read {path} of {repo.slug}",
            raw=True,
        )
        return data if isinstance(data, str) and len(data) <= MAX_FILE else None

    def change_requests(self, repo: ForgeRepository, branch_prefix: str) -> list[ChangeRequest]:
        """Merge requests (any state) whose source branch starts with the prefix."""
        items = self._conditional(
            repo,
            "merge_requests",
            f"projects/{_id(repo)}/merge_requests",
            {"state": "all", "per_page": 100},
            f"list the merge requests of {repo.slug}",
        )
        requests = [_merge_request(m) for m in objects(items)]
        return [r for r in requests if r.branch.startswith(branch_prefix)]

    def open_change_request(self, repo: ForgeRepository, draft: ChangeRequestDraft) -> ChangeRequest:
        """``POST /merge_requests``; "another open merge request already exists" (409) is a read."""
        body = {
            "source_branch": draft.branch,
            "target_branch": draft.base,
            "title": (DRAFT if draft.draft else "") + draft.title,
            "description": draft.body,
            "labels": ",".join(draft.labels),
        }
        response = self.http.request(
            "POST",
            f"projects/{_id(repo)}/merge_requests",
            action=f"open a merge request in {repo.slug}",
            json=body,
            allow=(409,),
        )
        if response.status_code == 409:
            existing = self._forget_and_find(repo, draft.branch)
            if existing is not None:
                return existing
            from platformctl.providers.httperrors import translate

            raise translate("GitLab", f"open a merge request in {repo.slug}", response, "")
        return _merge_request(response.json())

    def update_change_request(
        self, repo: ForgeRepository, number: int, draft: ChangeRequestDraft
    ) -> ChangeRequest:
        """Title (with the draft prefix), description and labels in one ``PUT``."""
        body = {
            "title": (DRAFT if draft.draft else "") + draft.title,
            "description": draft.body,
            "labels": ",".join(draft.labels),
        }
        response = self.http.request(
            "PUT",
            f"projects/{_id(repo)}/merge_requests/{number}",
            action=f"update merge request !{number} of {repo.slug}",
            json=body,
        )
        return _merge_request(response.json())

    def close_change_request(self, repo: ForgeRepository, number: int, comment: str) -> ChangeRequest:
        """A note, then ``state_event=close``."""
        self.http.request(
            "POST",
            f"projects/{_id(repo)}/merge_requests/{number}/notes",
            action=f"comment on !{number} of {repo.slug}",
            json={"body": comment},
        )
        response = self.http.request(
            "PUT",
            f"projects/{_id(repo)}/merge_requests/{number}",
            action=f"close merge request !{number} of {repo.slug}",
            json={"state_event": "close"},
        )
        return _merge_request(response.json())


def _id(repo: ForgeRepository) -> str:
    return quote(repo.slug, safe="")


def _merge_request(data: dict[str, Any]) -> ChangeRequest:
    raw = data.get("state")
    state = "merged" if raw == "merged" else "open" if raw == "opened" else "closed"
    title = str(data.get("title") or "")
    draft = bool(data.get("draft")) or title.startswith(DRAFT)
    pipeline = (data.get("head_pipeline") or {}).get("status")
    checks = {"success": "passing", "failed": "failing"}.get(str(pipeline)) if pipeline else None
    return ChangeRequest(
        number=int(data["iid"]),
        branch=str(data.get("source_branch") or ""),
        base=str(data.get("target_branch") or ""),
        title=title.removeprefix(DRAFT),
        body=str(data.get("description") or ""),
        state=state,  # type: ignore[arg-type]
        draft=draft,
        labels=tuple(str(label) for label in data.get("labels") or []),
        url=str(data.get("web_url") or ""),
        checks=checks or ("pending" if pipeline else None),  # type: ignore[arg-type]
    )
