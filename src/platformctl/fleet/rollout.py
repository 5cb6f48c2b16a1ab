"""``fleet status --campaign NAME-VERSION``: where one rollout stands, service by service.

The forge is the truth for pull requests (a person merges or closes them long after the
campaign ran); the journals add what only the campaign knows (a failure, an update). Journals
of several shards merge: the result is the same however the campaign was split.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.fleet.discovery import CHECK_FAILED_LABEL, CONFLICT_LABEL, discover
from platformctl.fleet.journal import Campaign, Journal, last_events, read_events

if TYPE_CHECKING:
    from platformctl.config import Settings
    from platformctl.contracts.change_requests import ChangeRequest, ChangeRequestHost, ForgeRepository

STATES = ("opened", "updated", "merged", "closed", "conflicted", "failed", "not started")


@dataclass
class RolloutRow:
    """One service in a campaign."""

    repository: str
    version: str | None
    state: str
    number: int | None = None
    url: str = ""
    detail: str = ""


@dataclass
class Rollout:
    """Every service of the campaign's golden path and its state in the campaign."""

    campaign: Campaign
    rows: list[RolloutRow]

    def counts(self) -> dict[str, int]:
        """How many services are in each state (every state listed, zeros included)."""
        counts = dict.fromkeys(STATES, 0)
        for row in self.rows:
            counts[row.state] = counts.get(row.state, 0) + 1
        return counts

    def document(self) -> dict[str, Any]:
        """The JSON document."""
        from dataclasses import asdict

        return {
            "campaign": self.campaign.name,
            "golden_path": self.campaign.golden_path,
            "version": self.campaign.version,
            "branch": self.campaign.branch,
            "counts": self.counts(),
            "services": [asdict(r) for r in self.rows],
        }


def campaign_status(
    host: ChangeRequestHost,
    org: str,
    settings: Settings,
    campaign: Campaign,
    journals: list[Path] | None = None,
) -> Rollout:
    """The rollout of ``campaign`` over the services of its golden path at ``host``."""
    from platformctl.contracts.change_requests import ForgeRepository

    events = Journal(settings.home, campaign).events() + read_events(journals or [])
    last = last_events(sorted(events, key=lambda e: e["time"]))
    updated = {e["repository"] for e in events if e["step"] == "updated"}
    status = discover(host, org, settings, golden_path=campaign.golden_path, requests=False)
    rows = []
    for service in sorted(status.services, key=lambda s: s.repository):
        if service.error is not None:
            continue
        repo = ForgeRepository(service.repository, service.default_branch, service.last_activity)
        row = _row(host, repo, service.version, campaign, last.get(service.repository))
        if row.state == "opened" and service.repository in updated:
            row.state = "updated"  # refreshed once by this campaign, whatever ran since
        rows.append(row)
    return Rollout(campaign, rows)


def _row(
    host: ChangeRequestHost,
    repo: ForgeRepository,
    version: str | None,
    campaign: Campaign,
    event: dict[str, Any] | None,
) -> RolloutRow:
    request = _request(host.change_requests(repo, campaign.branch), campaign.branch)
    row = RolloutRow(repo.slug, version, "not started")
    if request is not None:
        row.number, row.url, row.state = request.number, request.url, _state(request)
    if version == campaign.version and row.state in ("not started", "opened"):
        row.state = "merged"  # the default branch is on the version: however it got there
    if event is not None and row.state not in ("merged", "closed"):
        step = str(event["step"])
        if step == "failed" or (step in ("merged", "pushed") and request is None):
            row.state = "failed"
            row.detail = str(event.get("detail", "interrupted before its pull request was opened"))
    return row


def _request(requests: list[ChangeRequest], branch: str) -> ChangeRequest | None:
    same = [r for r in requests if r.branch == branch]
    return max(same, key=lambda r: (r.state == "open", r.number)) if same else None


def _state(request: ChangeRequest) -> str:
    if request.state != "open":
        return request.state
    if CONFLICT_LABEL in request.labels:
        return "conflicted"
    if CHECK_FAILED_LABEL in request.labels or request.checks == "failing":
        return "failed"
    return "opened"
