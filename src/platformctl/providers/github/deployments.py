"""Delivery events of one GitHub repository: deployments, the changes they shipped, incidents.

Requests per repository (all through the one HTTP policy: pagination, retries, rate limits;
the three listings are asked with ``If-None-Match``, so an unchanged one is a 304):

1. ``GET /repos/{o}/{r}/deployments?environment=E`` (newest first; paging stops at the first
   deployment older than the window, which is kept as the base of the first comparison); with
   ``deploy_workflow`` and no deployment at all, the workflow's completed runs instead
   (:mod:`~platformctl.providers.github.workflow_runs`);
2. per deployment not finished at the last run, ``GET …/deployments/{id}/statuses``: its
   history of ``success``, ``failure`` and ``error`` (a failure) states (:func:`attempts`);
3. the changes: one ``compare`` for all new successful deployments, pull requests' commits for
   squash and rebase merges (:mod:`~platformctl.providers.github.delivery_commits`);
4. ``GET …/pulls?state=closed&sort=updated&direction=desc`` while updated in the window: merge
   commits; a revert (title ``Revert "…"``) or a ``hotfix`` label marks the deployment unplanned;
5. ``GET …/issues?labels=L&state=all&since=S``: incidents; the body or title links the
   deployment (``deployment 123``) or a SHA it shipped; closing the issue resolves it;
6. with ``status_context``, the deployed commits' statuses
   (:mod:`~platformctl.providers.github.commit_statuses`).

Finished deployments are kept in the cache (by repository, deployment id and comparison base)
with the listings' ETags, so a re-run with nothing new asks the three listings and gets 304s.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from platformctl.contracts.delivery_events import Deployment, EventSet, Incident, parse_time
from platformctl.providers.delivery_changes import incident_from
from platformctl.providers.github.delivery_commits import Needed, ShippedCommits, changes_of
from platformctl.providers.httpcache import ConditionalCache

if TYPE_CHECKING:
    from platformctl.providers.http import HttpClient

_FINAL = {"success": "success", "failure": "failure", "error": "failure"}
CACHE_VERSION = 2


def attempts(statuses: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """A deployment's outcomes, oldest first, from its statuses (listed newest first).

    Repeated states collapse to the first of each run (the moment it broke, the moment it was
    restored): ``failure, success`` is a failed attempt then a success (docs/delivery.md:
    failed statuses followed by a success); pending states are ignored.
    """
    out: list[tuple[str, str]] = []
    for status in reversed(statuses):
        state = _FINAL.get(str(status.get("state")))
        if state and (not out or out[-1][0] != state):
            out.append((state, str(status["created_at"])))
    return out


def _trim_deployment(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["id"], "sha": item["sha"], "created_at": item["created_at"]}


def _trim_pull(pull: dict[str, Any]) -> dict[str, Any]:
    keep = ("number", "title", "updated_at", "merged_at", "merge_commit_sha")
    return {
        **{k: pull.get(k) for k in keep},
        "labels": [{"name": x.get("name")} for x in pull.get("labels") or []],
    }


def _trim_issue(issue: dict[str, Any]) -> dict[str, Any]:
    keep = ("number", "title", "body", "created_at", "closed_at")
    return {**{k: issue.get(k) for k in keep}, "pull_request": "pull_request" in issue}


class GitHubDeliverySource:
    """Reads one repository's delivery history from GitHub."""

    name = "github"

    def __init__(
        self,
        client: HttpClient,
        *,
        incident_label: str = "incident",
        hotfix_label: str = "hotfix",
        deploy_workflow: str | None = None,
        status_context: str | None = None,
        cache: dict[str, Any] | None = None,
    ) -> None:
        self.client = client
        self.incident_label = incident_label
        self.hotfix_label = hotfix_label
        self.deploy_workflow = deploy_workflow
        self.status_context = status_context
        self.cache: dict[str, Any] = cache if cache is not None else {}
        if self.cache.get("version") != CACHE_VERSION:  # an older layout: start again
            self.cache.clear()
            self.cache.update({"version": CACHE_VERSION, "repos": {}})

    def events(self, slug: str, environment: str, since: dt.datetime) -> EventSet:
        """The repository's deployments to ``environment`` since ``since`` and its incidents."""
        service = slug.split("/", 1)[1]
        state = self.cache["repos"].setdefault(slug, {})
        pages = ConditionalCache(state.get("pages"))
        raw, base, listed = self._deployments(slug, environment, since, pages)
        if not listed and self.deploy_workflow:
            from platformctl.providers.github.workflow_runs import workflow_runs

            raw, base = workflow_runs(self.client, slug, self.deploy_workflow, since, pages)
        pulls = self._pulls(slug, since, pages)
        known = state.setdefault("deployments", {})
        deployments, incidents = self._outcomes(slug, service, environment, (raw, base), pulls, known)
        incidents += self._incidents(slug, service, since, deployments, pages)
        if self.status_context:
            from platformctl.providers.github.commit_statuses import status_incidents

            known_states = state.setdefault("commit_statuses", {})
            incidents += status_incidents(self.client, slug, self.status_context, deployments, known_states)
        state["pages"] = pages.used()
        return EventSet(deployments, incidents)

    def _deployments(
        self, slug: str, environment: str, since: dt.datetime, pages: ConditionalCache
    ) -> tuple[list[dict[str, Any]], str, bool]:
        """Deployments in the window (oldest first), the base before it, whether any exist."""
        found: list[dict[str, Any]] = []
        base, listed = "", False
        for item in self.client.paginate(
            f"repos/{slug}/deployments",
            action=f"list the deployments of {slug}",
            params={"environment": environment},
            cache=pages,
            trim=_trim_deployment,
        ):
            listed = True
            if parse_time(item["created_at"], "deployment created_at") < since:
                base = str(item["sha"])
                break
            found.append(item)
        return list(reversed(found)), base, listed

    def _statuses(self, slug: str, deployment_id: int) -> list[tuple[str, str]]:
        return attempts(
            list(
                self.client.paginate(
                    f"repos/{slug}/deployments/{deployment_id}/statuses",
                    action=f"read the statuses of deployment {deployment_id}",
                )
            )
        )

    def _outcomes(
        self,
        slug: str,
        service: str,
        environment: str,
        listing: tuple[list[dict[str, Any]], str],
        pulls: dict[str, dict[str, Any]],
        known: dict[str, Any],
    ) -> tuple[list[Deployment], list[Incident]]:
        """Each deployment's attempts (cached once finished) and the changes of new successes."""
        raw, base = listing
        entries: list[tuple[dict[str, Any], dict[str, Any]]] = []
        needed: list[Needed] = []
        for item in raw:
            key = f"{item['id']}@{base}"
            entry = known.get(key) if _valid(known.get(key)) else None
            if entry is None:
                tried = item["attempts"] if "attempts" in item else self._statuses(slug, int(item["id"]))
                if not tried:
                    continue  # still pending: asked again next time
                entry = {"attempts": [list(t) for t in tried], "changes": None, "merges": []}
            known[key] = entry
            entries.append((item, entry))
            if any(status == "success" for status, _ in entry["attempts"]):
                if entry.get("changes") is None:
                    needed.append((entry, base, str(item["sha"])))
                base = str(item["sha"])
        ShippedCommits(self.client, slug, pulls).fill(needed)
        out: list[Deployment] = []
        incidents: list[Incident] = []
        for item, entry in entries:
            unplanned = any(pulls.get(sha, {}).get("unplanned", False) for sha in entry["merges"])
            shape = (service, environment, str(item["sha"]), str(item["id"]))
            made, late = _attempted(shape, entry, unplanned)
            out += made
            incidents += late
        return out, incidents

    def _pulls(self, slug: str, since: dt.datetime, pages: ConditionalCache) -> dict[str, dict[str, Any]]:
        """Merged pull requests by merge commit SHA, with whether each was unplanned."""
        out: dict[str, dict[str, Any]] = {}
        for pull in self.client.paginate(
            f"repos/{slug}/pulls",
            action=f"list the pull requests of {slug}",
            params={"state": "closed", "sort": "updated", "direction": "desc"},
            cache=pages,
            trim=_trim_pull,
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
        self,
        slug: str,
        service: str,
        since: dt.datetime,
        deployments: list[Deployment],
        pages: ConditionalCache,
    ) -> list[Incident]:
        ids = {d.id for d in deployments}
        shas = {d.sha for d in deployments} | {c.sha for d in deployments for c in d.changes}
        # The day the window starts, not its exact time: a re-run later the same day asks the
        # same URL, so the ETag still applies (older issues are ignored by the metrics anyway).
        day = since.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        out = []
        for issue in self.client.paginate(
            f"repos/{slug}/issues",
            action=f"list the {self.incident_label} issues of {slug}",
            params={
                "labels": self.incident_label,
                "state": "all",
                "since": day.isoformat().replace("+00:00", "Z"),
            },
            cache=pages,
            trim=_trim_issue,
        ):
            if issue.get("pull_request"):
                continue
            text = f"{issue.get('title') or ''}\n{issue.get('body') or ''}"
            times = (issue["created_at"], issue.get("closed_at"))
            out.append(incident_from(f"#{issue['number']}", service, text, times, (ids, shas), what="issue"))
        return out


def _valid(entry: Any) -> bool:
    """Whether a cached entry has the shape this version writes (a hand-edited one is a miss)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("attempts"), list) or not entry["attempts"]:
        return False
    pairs = all(
        isinstance(a, list) and len(a) == 2 and all(isinstance(x, str) for x in a) for a in entry["attempts"]
    )
    changes = entry.get("changes")
    rows = changes is None or (
        isinstance(changes, list) and all(isinstance(c, list) and len(c) == 3 for c in changes)
    )
    return pairs and rows and isinstance(entry.get("merges"), list)


def _attempted(
    shape: tuple[str, str, str, str], entry: dict[str, Any], unplanned: bool
) -> tuple[list[Deployment], list[Incident]]:
    """One deployment's attempts as deployment records, and failures after its success.

    Failures before the first success are failed attempts (``ID.1``, ``ID.2``…), restored by
    the success; the first success is the deployment ``ID`` with its changes; a failure after
    it is an incident of the deployment, resolved by the next success status where one follows.
    """
    service, environment, sha, ident = shape
    tried = [(status, parse_time(when, "cached time")) for status, when in entry["attempts"]]
    first_success = next((n for n, (status, _) in enumerate(tried) if status == "success"), None)
    if first_success is None:  # failed and never restored on this deployment
        return [Deployment(service, environment, sha, tried[0][1], "failure", ident)], []
    made = [
        Deployment(service, environment, sha, when, "failure", f"{ident}.{n + 1}")
        for n, (_, when) in enumerate(tried[:first_success])
    ]
    made.append(
        Deployment(
            service,
            environment,
            sha,
            tried[first_success][1],
            "success",
            ident,
            changes_of(entry, parse_time),
            unplanned=unplanned,
        )
    )
    later = tried[first_success + 1 :]
    incidents = [
        Incident(
            f"deployment {ident} {when.isoformat()}",
            service,
            when,
            next((t for status, t in later[n + 1 :] if status == "success"), None),
            ident,
        )
        for n, (status, when) in enumerate(later)
        if status == "failure"
    ]
    return made, incidents
