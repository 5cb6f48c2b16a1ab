"""Delivery events of one GitLab project: deployments, the changes they shipped, incidents.

Requests per project (through the one HTTP policy):

1. ``GET /projects/:id/deployments?environment=E&order_by=created_at&sort=desc`` (pages until
   the first deployment older than the window, kept as the base of the first comparison);
   ``success`` and ``failed`` deployments count, others (running, canceled…) are skipped;
2. per successful deployment, ``GET /projects/:id/repository/compare?from=PREV&to=SHA``
   (``GET …/repository/commits/:sha`` for the very first one);
3. ``GET /projects/:id/merge_requests?state=merged&order_by=updated_at&sort=desc`` while updated
   in the window, and ``GET …/merge_requests/:iid/commits`` for each one a deployment shipped
   (squash and rebase merges mapped back); a ``Revert "…"`` title or a ``hotfix`` label is rework;
4. ``GET /projects/:id/issues?issue_type=incident&scope=all&created_after=S``: incidents.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from platformctl.contracts.delivery_events import Deployment, EventSet, Incident, parse_time
from platformctl.providers.delivery_changes import Commit, as_commit, incident_from, shipped_changes

if TYPE_CHECKING:
    from platformctl.providers.http import HttpClient

_FINAL = {"success": "success", "failed": "failure"}


def _commit(item: dict[str, Any]) -> Commit:
    return as_commit(item["id"], item.get("authored_date") or item.get("created_at"), item.get("message"))


class GitLabDeliverySource:
    """Reads one project's delivery history from GitLab."""

    name = "gitlab"

    def __init__(self, client: HttpClient, *, hotfix_label: str = "hotfix") -> None:
        self.client = client
        self.hotfix_label = hotfix_label

    def events(self, path: str, environment: str, since: dt.datetime) -> EventSet:
        """The project's deployments to ``environment`` since ``since`` and its incidents."""
        project = f"projects/{quote(path, safe='')}"
        service = path.rsplit("/", 1)[-1]
        raw, base = self._deployments(project, environment, since)
        merges = self._merge_requests(project, since)
        deployments = []
        for item in raw:
            status = _FINAL.get(str(item.get("status")))
            if status is None:
                continue
            when = parse_time(item.get("finished_at") or item.get("updated_at"), "deployment time")
            changes: tuple[Any, ...] = ()
            unplanned = False
            if status == "success":
                changes, found = self._changes(project, base, str(item["sha"]), merges)
                unplanned = any(merges[sha][1] for sha in found)
                base = str(item["sha"])
            deployments.append(
                Deployment(
                    service,
                    environment,
                    str(item["sha"]),
                    when,
                    status,
                    str(item["id"]),
                    changes,
                    unplanned=unplanned,
                )
            )
        return EventSet(deployments, self._incidents(project, service, since, deployments))

    def _deployments(
        self, project: str, environment: str, since: dt.datetime
    ) -> tuple[list[dict[str, Any]], str]:
        found: list[dict[str, Any]] = []
        base = ""
        for item in self.client.paginate(
            f"{project}/deployments",
            action="list the deployments",
            params={"environment": environment, "order_by": "created_at", "sort": "desc"},
        ):
            if parse_time(item["created_at"], "deployment created_at") < since:
                base = str(item["sha"])
                break
            found.append(item)
        return list(reversed(found)), base

    def _changes(
        self, project: str, base: str, head: str, merges: dict[str, tuple[int, bool]]
    ) -> tuple[tuple[Any, ...], list[str]]:
        if base:
            data = self.client.request(
                "GET",
                f"{project}/repository/compare",
                action=f"compare {base[:8]}..{head[:8]}",
                params={"from": base, "to": head},
            ).json()
            commits = [_commit(c) for c in data.get("commits") or []]
        else:
            one = self.client.request(
                "GET", f"{project}/repository/commits/{head}", action=f"read {head[:8]}"
            )
            commits = [_commit(one.json())]
        numbers = {sha: iid for sha, (iid, _) in merges.items()}
        return shipped_changes(commits, numbers, lambda iid: self._mr_commits(project, iid))

    def _mr_commits(self, project: str, iid: int) -> list[Commit]:
        pages = self.client.paginate(
            f"{project}/merge_requests/{iid}/commits", action=f"list the commits of !{iid}"
        )
        return [_commit(c) for c in pages]

    def _merge_requests(self, project: str, since: dt.datetime) -> dict[str, tuple[int, bool]]:
        """Merged requests by the commit that landed (squash commit or merge commit)."""
        out: dict[str, tuple[int, bool]] = {}
        for mr in self.client.paginate(
            f"{project}/merge_requests",
            action="list the merge requests",
            params={"state": "merged", "order_by": "updated_at", "sort": "desc"},
        ):
            if parse_time(mr["updated_at"], "merge request updated_at") < since - dt.timedelta(days=31):
                break
            landed = mr.get("squash_commit_sha") or mr.get("merge_commit_sha") or mr.get("sha")
            if not landed:
                continue
            labels = {str(label).lower() for label in mr.get("labels") or []}
            unplanned = str(mr.get("title", "")).startswith("Revert ") or self.hotfix_label in labels
            out[str(landed)] = (int(mr["iid"]), unplanned)
        return out

    def _incidents(
        self, project: str, service: str, since: dt.datetime, deployments: list[Deployment]
    ) -> list[Incident]:
        ids = [d.id for d in deployments]
        shas = {d.sha for d in deployments} | {c.sha for d in deployments for c in d.changes}
        out = []
        for issue in self.client.paginate(
            f"{project}/issues",
            action="list the incidents",
            params={
                "issue_type": "incident",
                "scope": "all",
                "created_after": since.isoformat().replace("+00:00", "Z"),
            },
        ):
            text = f"{issue.get('title') or ''}\n{issue.get('description') or ''}"
            times = (issue["created_at"], issue.get("closed_at"))
            out.append(incident_from(f"#{issue['iid']}", service, text, times, (ids, shas), what="incident"))
        return out
