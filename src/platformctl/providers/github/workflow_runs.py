"""Deployments from a workflow's runs, for repositories that record no GitHub Deployments.

``assess delivery --deploy-workflow deploy.yml``: where a repository has no deployment at all
to the environment, the completed runs of that workflow stand for its deployments:

``GET /repos/{o}/{r}/actions/workflows/{workflow}/runs?status=completed`` (newest first, asked
with ``If-None-Match``; paging stops at the first run created before the window, kept as the
base of the first comparison). A run concluding ``success`` is a successful deployment of its
``head_sha`` at its ``updated_at`` (when it finished); ``failure`` and ``timed_out`` are failed
deployments; ``cancelled``, ``skipped`` and the other conclusions deployed nothing and are left out.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from platformctl.contracts.delivery_events import parse_time

if TYPE_CHECKING:
    from platformctl.providers.http import HttpClient
    from platformctl.providers.httpcache import ConditionalCache

_CONCLUSIONS = {"success": "success", "failure": "failure", "timed_out": "failure"}


def _trim(run: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "head_sha", "created_at", "updated_at", "conclusion")
    return {k: run.get(k) for k in keep}


def workflow_runs(
    client: HttpClient, slug: str, workflow: str, since: dt.datetime, pages: ConditionalCache
) -> tuple[list[dict[str, Any]], str]:
    """The runs in the window as deployment items (oldest first) and the base before the window."""
    found: list[dict[str, Any]] = []
    base = ""
    for run in client.paginate(
        f"repos/{slug}/actions/workflows/{quote(workflow, safe='')}/runs",
        action=f"list the runs of workflow {workflow} in {slug}",
        params={"status": "completed", "exclude_pull_requests": "true"},
        key="workflow_runs",
        cache=pages,
        trim=_trim,
    ):
        outcome = _CONCLUSIONS.get(str(run.get("conclusion")))
        if parse_time(run["created_at"], "workflow run created_at") < since:
            if outcome == "success":  # the base is the last thing shipped before the window
                base = str(run["head_sha"])
                break
            continue
        if outcome is not None:
            item = {"id": run["id"], "sha": run["head_sha"], "created_at": run["created_at"]}
            found.append({**item, "attempts": [[outcome, str(run["updated_at"])]]})
    return list(reversed(found)), base
