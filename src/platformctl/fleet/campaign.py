"""``fleet update``: roll one golden-path version out to every service behind, as pull requests.

Per service: read the forge (branch, pull requests), decide, and only then write. A pull request
carries a marker with the golden path's fingerprint and the head platformctl pushed; a re-run
whose fingerprint and head still match writes nothing, a branch someone else pushed to is left
alone, and a branch pushed before an interruption is recognised (the merge is deterministic)
and gets its pull request without a second push.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import PlatformctlError, UsageError, option
from platformctl.fleet.body import labels_complete, parse_marker, request_draft
from platformctl.fleet.discovery import BRANCH_PREFIX, FleetService, discover
from platformctl.fleet.journal import Campaign, Journal

if TYPE_CHECKING:
    from platformctl.config import Settings
    from platformctl.contracts.change_requests import ChangeRequest, ChangeRequestHost, ForgeRepository
    from platformctl.scaffold.catalog import GoldenPath


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based), chosen by a stable hash of the repository name."""

    index: int = 1
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``2/4`` → Shard(2, 4).

        Raises:
            UsageError: not I/N with 1 ≤ I ≤ N.
        """
        head, _, tail = text.partition("/")
        if not (head.isdigit() and tail.isdigit() and 1 <= int(head) <= int(tail)):
            raise UsageError(
                f"invalid {option('shard')} {text!r}: expected I/N with 1 <= I <= N",
                hint=f"for example {option('shard')} 1/4",
            )
        return cls(int(head), int(tail))

    def holds(self, repository: str) -> bool:
        """Whether ``repository`` belongs to this shard (the same answer on every machine)."""
        digest = hashlib.sha256(repository.encode()).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1


@dataclass
class Outcome:
    """What the campaign did for one service."""

    repository: str
    state: str  # opened conflicted failed updated unchanged skipped merged closed would-open would-update
    from_version: str | None = None
    number: int | None = None
    url: str = ""
    conflicts: list[str] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)
    detail: str = ""


@dataclass
class CampaignResult:
    """The outcome of every service of one run of one campaign."""

    campaign: Campaign
    shard: Shard
    dry_run: bool
    outcomes: list[Outcome]

    def counts(self) -> dict[str, int]:
        """How many services ended in each state."""
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            counts[outcome.state] = counts.get(outcome.state, 0) + 1
        return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Options:
    """How a campaign runs."""

    to: str | None = None
    limit: int | None = None
    dry_run: bool = False
    shard: Shard = Shard()
    check: str | None = None
    max_per_minute: float | None = None


Progress = Callable[[str], None]
Counter = Callable[[int, int], None]  # (services done, services to do)


def run_campaign(
    host: ChangeRequestHost,
    org: str,
    settings: Settings,
    golden_path: str,
    options: Options,
    progress: Progress | None = None,
    counter: Counter | None = None,
) -> CampaignResult:
    """Update every service of ``golden_path`` that is behind (this shard's share of them).

    ``progress`` gets a line as each service starts; ``counter`` how many are done of how many.
    """
    from platformctl.scaffold.catalog import get_golden_path
    from platformctl.scaffold.pristine import version_key

    if options.check is not None:
        from platformctl.fleet.merge import check_argv

        check_argv(options.check)  # a bad command is a usage error before anything is read
    gp = get_golden_path(settings, golden_path)
    target = options.to or gp.version
    if target != gp.version:
        raise UsageError(
            f"golden path {gp.name!r} is available at version {gp.version} only, not {target}",
            hint=f"pass {option('to')} {gp.version}, or configure a source that has {target}",
        )
    campaign = Campaign(gp.name, target)
    status = discover(host, org, settings, golden_path=gp.name, requests=False)
    behind = [
        s
        for s in status.services
        if s.error is None
        and s.version
        and version_key(s.version) < version_key(target)
        and options.shard.holds(s.repository)
    ]
    runner = _Runner(host, settings, gp, campaign, options, progress)
    outcomes = []
    count = counter or (lambda done, total: None)
    count(0, len(behind))
    for service in sorted(behind, key=lambda s: s.repository):
        if options.limit is not None and runner.written >= options.limit:
            break
        outcomes.append(runner.one(service))
        count(len(outcomes), len(behind))
    return CampaignResult(campaign, options.shard, options.dry_run, outcomes)


def fingerprint(gp: GoldenPath) -> str:
    """A digest of the golden path's files: it changes when the golden path moves."""
    digest = hashlib.sha256(gp.version.encode())
    for path in sorted(p for p in Path(gp.path).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(gp.path).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


class _Runner:
    """The writes of one campaign run: one service at a time, paced."""

    def __init__(
        self,
        host: ChangeRequestHost,
        settings: Settings,
        gp: GoldenPath,
        campaign: Campaign,
        options: Options,
        progress: Progress | None,
    ) -> None:
        self.host, self.settings, self.gp, self.campaign, self.options = host, settings, gp, campaign, options
        self.progress = progress or (lambda _: None)
        self.journal = Journal(settings.home, campaign)
        self.fingerprint = fingerprint(gp)
        self.written = 0
        self.last_open = 0.0

    def one(self, service: FleetService) -> Outcome:
        """Bring one service's branch and pull request to the campaign's state."""
        repo = _repository(service)
        self.progress(f"{service.repository}: {service.version} → {self.campaign.version}")
        try:
            outcome = self._converge(repo, service)
        except PlatformctlError as exc:
            outcome = Outcome(service.repository, "failed", service.version, detail=exc.message)
        self.journal.record(
            service.repository,
            outcome.state,
            number=outcome.number,
            detail=outcome.detail or None,
            conflicts=outcome.conflicts or None,
            shard=f"{self.options.shard.index}/{self.options.shard.count}",
        )
        return outcome

    def _converge(self, repo: ForgeRepository, service: FleetService) -> Outcome:
        requests = self.host.change_requests(repo, f"{BRANCH_PREFIX}{self.gp.name}-")
        mine = _newest_for(requests, self.campaign.branch)
        head = self.host.branch_head(repo, self.campaign.branch)
        outcome = Outcome(service.repository, "unchanged", service.version)
        if mine is not None:
            outcome.number, outcome.url = mine.number, mine.url
            if mine.state != "open":
                outcome.state = mine.state  # a person merged or closed it: that is the answer
                return outcome
            marker = parse_marker(mine.body)
            if head is None or marker.get("head") != head:
                outcome.state, outcome.detail = "skipped", "the branch has commits platformctl did not push"
                return outcome
            if marker.get("fingerprint") == self.fingerprint and labels_complete(mine.labels, marker):
                outcome.conflicts = list(marker.get("conflicts", []))
                outcome.superseded = self._supersede(repo, requests, mine)
                return outcome
        if self.options.dry_run:
            outcome.state = "would-update" if mine else "would-open"
            return outcome
        return self._write(repo, service, mine, head, requests)

    def _write(
        self,
        repo: ForgeRepository,
        service: FleetService,
        mine: ChangeRequest | None,
        head: str | None,
        requests: list[ChangeRequest],
    ) -> Outcome:
        from platformctl.fleet.merge import merge_in_clone

        self.written += 1
        merged, checkout, cleanup = merge_in_clone(
            self.host, repo, self.settings, self.campaign, check=self.options.check
        )
        with cleanup:
            self.journal.record(
                service.repository, "merged", head=merged.head, conflicts=merged.conflicts or None
            )
            if head != merged.head:
                if head is not None and mine is None and not self._pushed_before(service.repository, head):
                    raise PlatformctlError(
                        f"{repo.slug} has a branch {self.campaign.branch} that this campaign did not push",
                        hint="delete the branch or open a pull request from it, then run the campaign again",
                    )
                self.host.push_branch(repo, checkout, self.campaign.branch, lease=head)
                self.journal.record(service.repository, "pushed", head=merged.head)
        draft = request_draft(self.gp, self.campaign, repo, merged, self.fingerprint)
        if mine is not None:
            request, state = self.host.update_change_request(repo, mine.number, draft), "updated"
        else:
            self._pace()
            request = self.host.open_change_request(repo, draft)
            state = "conflicted" if merged.conflicts else "opened"
        if merged.check_failed is not None:
            state = "failed"
        outcome = Outcome(service.repository, state, merged.from_version, request.number, request.url)
        outcome.conflicts = merged.conflicts
        outcome.detail = f"check failed: {merged.check_failed.splitlines()[0]}" if merged.check_failed else ""
        outcome.superseded = self._supersede(repo, requests, request)
        return outcome

    def _pushed_before(self, repository: str, head: str) -> bool:
        """Whether this campaign's journal shows ``head`` pushed (then interrupted) earlier."""
        return any(
            e["repository"] == repository and e["step"] == "pushed" and e.get("head") == head
            for e in self.journal.events()
        )

    def _supersede(
        self, repo: ForgeRepository, requests: list[ChangeRequest], new: ChangeRequest
    ) -> list[int]:
        """Close the open update requests of older versions of this golden path."""
        from platformctl.scaffold.pristine import version_key

        closed = []
        for request in requests:
            version = request.branch.removeprefix(f"{BRANCH_PREFIX}{self.gp.name}-")
            try:
                older = version_key(version) < version_key(self.campaign.version)
            except PlatformctlError:
                continue
            if request.state == "open" and older:
                comment = (
                    f"Superseded by #{new.number}, which updates {self.gp.name} to {self.campaign.version}."
                )
                self.host.close_change_request(repo, request.number, comment)
                closed.append(request.number)
        return closed

    def _pace(self) -> None:
        """At most ``max_per_minute`` new pull requests a minute (the host's secondary limits)."""
        if not self.options.max_per_minute:
            return
        wait = self.last_open + 60.0 / self.options.max_per_minute - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.last_open = time.monotonic()


def _repository(service: FleetService) -> ForgeRepository:
    from platformctl.contracts.change_requests import ForgeRepository

    return ForgeRepository(service.repository, service.default_branch, service.last_activity)


def _newest_for(requests: list[ChangeRequest], branch: str) -> ChangeRequest | None:
    same = [r for r in requests if r.branch == branch]
    return max(same, key=lambda r: (r.state == "open", r.number)) if same else None


def outcome_document(result: CampaignResult) -> dict[str, Any]:
    """The JSON document of a campaign run."""
    from dataclasses import asdict

    return {
        "campaign": result.campaign.name,
        "branch": result.campaign.branch,
        "shard": f"{result.shard.index}/{result.shard.count}",
        "dry_run": result.dry_run,
        "counts": result.counts(),
        "services": [asdict(o) for o in result.outcomes],
    }
