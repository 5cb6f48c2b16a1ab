"""Delivery events of one GitHub repository: deployments, the changes they shipped, incidents.

Requests per repository (all through the one HTTP policy: pagination, retries, rate limits):

1. ``GET /repos/{o}/{r}/deployments?environment=E`` (newest first; paging stops at the first
   deployment older than the window, which is kept as the base of the first comparison);
2. per deployment in the window, ``GET …/deployments/{id}/statuses`` (its last ``success``,
   ``failure`` or ``error`` decides; ``error`` counts as a failure; pending ones are skipped);
3. per successful deployment, ``GET …/compare/{previous success}...{sha}``: the commits shipped;
4. ``GET …/pulls?state=closed&sort=updated&direction=desc`` while updated in the window, and
   ``GET …/pulls/{n}/commits`` for each pull request merged into a deployed comparison: a squash
   or rebase merge is mapped back to the pull request's own commits and their author times;
   a revert (title ``Revert "…"``) or a ``hotfix`` label marks its deployment as unplanned;
5. ``GET …/issues?labels=L&state=all&since=S``: incidents; the body or title links the
   deployment (``deployment 123``) or a SHA it shipped; closing the issue resolves it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from platformctl.contracts.delivery_events import Change, Deployment, EventSet, Incident, parse_time
from platformctl.providers.delivery_changes import Commit, as_commit, incident_from, shipped_changes

if TYPE_CHECKING:
    from platformctl.providers.http import HttpClient

_FINAL = {"success": "success", "failure": "failure", "error": "failure"}


def _commit(item: dict[str, Any]) -> Commit:
    return as_commit(item["sha"], item["commit"]["author"]["date"], item["commit"]["message"])


class GitHubDeliverySource:
    """Reads one repository's delivery history from GitHub."""

    name = "github"

    def __init__(
        self,
        client: HttpClient,
        *,
        incident_label: str = "incident",
        hotfix_label: str = "hotfix",
        cache: dict[str, Any] | None = None,
    ) -> None:
        self.client = client
        self.incident_label = incident_label
        self.hotfix_label = hotfix_label
        # Finished deployments never change: their outcome and changes are kept across runs
        # (by repository, deployment id and comparison base), so a re-run asks only the listings.
        self.cache: dict[str, Any] = {} if cache is None else cache

    def events(self, slug: str, environment: str, since: dt.datetime) -> EventSet:
        """The repository's deployments to ``environment`` since ``since`` and its incidents."""
        service = slug.split("/", 1)[1]
        raw, base = self._deployments(slug, environment, since)
        pulls = self._pulls(slug, since)
        deployments = self._with_changes(slug, service, environment, raw, base, pulls)
        return EventSet(deployments, self._incidents(slug, service, since, deployments))

    def _deployments(
        self, slug: str, environment: str, since: dt.datetime
    ) -> tuple[list[dict[str, Any]], str]:
        found: list[dict[str, Any]] = []
        base = ""
        for item in self.client.paginate(
            f"repos/{slug}/deployments",
            action=f"list the deployments of {slug}",
            params={"environment": environment},
        ):
            if parse_time(item["created_at"], "deployment created_at") < since:
                base = str(item["sha"])
                break
            found.append(item)
        return list(reversed(found)), base  # oldest first

    def _final_status(self, slug: str, deployment_id: int) -> tuple[str, dt.datetime] | None:
        for status in self.client.paginate(
            f"repos/{slug}/deployments/{deployment_id}/statuses",
            action=f"read the statuses of deployment {deployment_id}",
        ):
            state = _FINAL.get(str(status.get("state")))
            if state:  # newest first: the first final state is the outcome
                return state, parse_time(status["created_at"], "status created_at")
        return None

    def _with_changes(
        self,
        slug: str,
        service: str,
        environment: str,
        raw: list[dict[str, Any]],
        base: str,
        pulls: dict[str, dict[str, Any]],
    ) -> list[Deployment]:
        out = []
        known = self.cache.setdefault(slug, {})
        for item in raw:
            key = f"{item['id']}@{base}"
            entry = known.get(key) or self._outcome(slug, item, base, pulls)
            if entry is None:
                continue  # still pending: asked again next time
            known[key] = entry
            status, when = entry["status"], parse_time(entry["at"], "cached time")
            changes = tuple(Change(c[0], parse_time(c[1], "cached time"), c[2]) for c in entry["changes"])
            unplanned = any(pulls.get(sha, {}).get("unplanned", False) for sha in entry["merges"])
            if status == "success":
                base = str(item["sha"])
            out.append(
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
        return out

    def _outcome(
        self, slug: str, item: dict[str, Any], base: str, pulls: dict[str, dict[str, Any]]
    ) -> dict[str, Any] | None:
        """A finished deployment's status, time, changes and the merge commits among them."""
        final = self._final_status(slug, int(item["id"]))
        if final is None:
            return None
        status, when = final
        changes: tuple[Change, ...] = ()
        merges: list[str] = []
        if status == "success":
            changes, merges = self._changes(slug, base, str(item["sha"]), pulls)
        return {
            "status": status,
            "at": when.isoformat(),
            "changes": [[c.sha, c.committed_at.isoformat(), c.pr] for c in changes],
            "merges": merges,
        }

    def _changes(
        self, slug: str, base: str, head: str, pulls: dict[str, dict[str, Any]]
    ) -> tuple[tuple[Change, ...], list[str]]:
        if base:
            data = self.client.request(
                "GET",
                f"repos/{slug}/compare/{base}...{head}",
                action=f"compare {base[:7]}...{head[:7]} in {slug}",
            ).json()
            commits = list(data.get("commits") or [])
        else:  # the first deployment ever: only its own commit is known to be new
            commits = [
                self.client.request(
                    "GET", f"repos/{slug}/commits/{head}", action=f"read commit {head[:7]}"
                ).json()
            ]
        numbers = {sha: int(pull["number"]) for sha, pull in pulls.items()}
        return shipped_changes([_commit(c) for c in commits], numbers, lambda n: self._pull_commits(slug, n))

    def _pull_commits(self, slug: str, number: int) -> list[Commit]:
        pages = self.client.paginate(
            f"repos/{slug}/pulls/{number}/commits", action=f"list the commits of #{number}"
        )
        return [_commit(c) for c in pages]

    def _pulls(self, slug: str, since: dt.datetime) -> dict[str, dict[str, Any]]:
        """Merged pull requests by merge commit SHA, with whether each was unplanned."""
        out: dict[str, dict[str, Any]] = {}
        for pull in self.client.paginate(
            f"repos/{slug}/pulls",
            action=f"list the pull requests of {slug}",
            params={"state": "closed", "sort": "updated", "direction": "desc"},
        ):
            if parse_time(pull["updated_at"], "pull updated_at") < since - dt.timedelta(days=31):
                break  # sorted by update: older ones cannot have shipped in the window
            if not pull.get("merged_at") or not pull.get("merge_commit_sha"):
                continue
            labels = {str(label.get("name", "")).lower() for label in pull.get("labels") or []}
            unplanned = str(pull.get("title", "")).startswith("Revert ") or self.hotfix_label in labels
            out[str(pull["merge_commit_sha"])] = {"number": int(pull["number"]), "unplanned": unplanned}
        return out

    def _incidents(
        self, slug: str, service: str, since: dt.datetime, deployments: list[Deployment]
    ) -> list[Incident]:
        ids = {d.id for d in deployments}
        shas = {d.sha for d in deployments} | {c.sha for d in deployments for c in d.changes}
        out = []
        for issue in self.client.paginate(
            f"repos/{slug}/issues",
            action=f"list the {self.incident_label} issues of {slug}",
            params={
                "labels": self.incident_label,
                "state": "all",
                "since": since.isoformat().replace("+00:00", "Z"),
            },
        ):
            if "pull_request" in issue:
                continue
            text = f"{issue.get('title') or ''}\n{issue.get('body') or ''}"
            times = (issue["created_at"], issue.get("closed_at"))
            out.append(incident_from(f"#{issue['number']}", service, text, times, (ids, shas), what="issue"))
        return out
