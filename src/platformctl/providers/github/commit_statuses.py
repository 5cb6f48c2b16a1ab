"""Incidents from a commit status context: a failure on one deployment's commit, then a success.

``assess delivery --status-context NAME`` (e.g. a post-deployment smoke test that reports a
commit status): per successful deployment, ``GET /repos/{o}/{r}/commits/{sha}/status`` (the
combined status, the latest state per context). A deployment whose commit reports ``failure``
or ``error`` for the context caused a failure: an incident started at that status, resolved by
the status of the first later deployment whose commit reports ``success`` for it (none: not
resolved, and the recovery falls back to the next successful deployment, as for any incident).
A commit's state is kept in the cache once it is ``success`` or a failure; pending or missing
ones are asked again on the next run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from platformctl.contracts.delivery_events import Deployment, Incident, parse_time

if TYPE_CHECKING:
    from platformctl.providers.http import HttpClient

_STATES = {"success": "success", "failure": "failure", "error": "failure"}


def _state(client: HttpClient, slug: str, sha: str, context: str) -> list[str] | None:
    data = client.request(
        "GET", f"repos/{slug}/commits/{sha}/status", action=f"read the statuses of {sha[:7]} in {slug}"
    ).json()
    for status in data.get("statuses") or []:
        state = _STATES.get(str(status.get("state")))
        if status.get("context") == context and state:
            return [state, str(status.get("updated_at") or status["created_at"])]
    return None


def status_incidents(
    client: HttpClient, slug: str, context: str, deployments: list[Deployment], known: dict[str, Any]
) -> list[Incident]:
    """The incidents the context's statuses record on the deployed commits (oldest first)."""
    states: list[tuple[Deployment, str, Any]] = []
    for deploy in sorted((d for d in deployments if d.status == "success"), key=lambda d: d.at):
        entry = known.get(deploy.sha)
        if not (isinstance(entry, list) and len(entry) == 2 and entry[0] in ("success", "failure")):
            entry = _state(client, slug, deploy.sha, context)
            if entry is not None:
                known[deploy.sha] = entry
        if entry is not None:
            states.append((deploy, entry[0], parse_time(entry[1], "commit status time")))
    out = []
    for n, (deploy, state, when) in enumerate(states):
        if state != "failure":
            continue
        restored = next((t for _, later, t in states[n + 1 :] if later == "success"), None)
        out.append(Incident(f"status {context} {deploy.sha[:7]}", deploy.service, when, restored, deploy.id))
    return out
