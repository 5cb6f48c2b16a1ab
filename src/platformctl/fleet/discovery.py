"""Find the services of an organisation and where each stands on its golden path.

A service is a repository with a valid ``platform.yaml`` on its default branch. Reads are
concurrent (bounded); nothing is written. The descriptor arrives from the forge and is
untrusted: it goes through the one YAML loader and the descriptor model, and a bad one is
reported as such, never trusted.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from platformctl.errors import PlatformctlError

if TYPE_CHECKING:
    from platformctl.config import Settings
    from platformctl.contracts.change_requests import ChangeRequest, ChangeRequestHost, ForgeRepository
    from platformctl.fleet.descriptors import DescriptorReader

CONCURRENCY = 16  # reads in flight: GitHub allows 100 concurrent; 16 hides a 20 ms round trip
BRANCH_PREFIX = "platformctl/update-"
CONFLICT_LABEL = "platformctl:conflict"
CHECK_FAILED_LABEL = "platformctl:check-failed"


@dataclass
class FleetService:
    """One repository that holds a service descriptor (or a broken one: ``error``)."""

    repository: str
    default_branch: str
    last_activity: str | None
    name: str | None = None
    golden_path: str | None = None
    version: str | None = None
    newest: str | None = None
    behind: int | None = None  # releases behind the newest; None when unknown
    owner: str | None = None
    environments: list[str] = field(default_factory=list)
    update_request: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class FleetStatus:
    """Every service found, and the summary of the organisation."""

    org: str
    provider: str
    repositories: int
    services: list[FleetService]

    def summary(self) -> dict[str, Any]:
        """Adoption, share on the newest version, and a version histogram per golden path."""
        valid = [s for s in self.services if s.error is None]
        current = [s for s in valid if s.newest is not None and s.version == s.newest]
        histogram: dict[str, Counter[str]] = {}
        for service in valid:
            histogram.setdefault(service.golden_path or "", Counter())[service.version or ""] += 1
        return {
            "repositories": self.repositories,
            "services": len(valid),
            "invalid": len(self.services) - len(valid),
            "adoption": round(len(valid) / self.repositories, 4) if self.repositories else 0.0,
            "on_newest": round(len(current) / len(valid), 4) if valid else 0.0,
            "behind": sum(1 for s in valid if s.behind),
            "versions": {gp: dict(sorted(c.items())) for gp, c in sorted(histogram.items())},
        }

    def most_behind(self) -> int:
        """The largest number of releases any service is behind."""
        return max((s.behind or 0 for s in self.services), default=0)


def discover(
    host: ChangeRequestHost,
    org: str,
    settings: Settings,
    *,
    golden_path: str | None = None,
    requests: bool = True,
) -> FleetStatus:
    """Read every repository's descriptor (and its update request) at ``host``."""
    from platformctl.fleet.descriptors import DescriptorReader

    repos = host.repositories(org)
    newest = _Newest(settings)
    cache = settings.home / "cache" / "fleet" / "descriptors.json"
    with DescriptorReader(cache) as reader, ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        found = list(pool.map(lambda r: _service(host, r, newest, reader, requests=requests), repos))
    services = [s for s in found if s is not None]
    if golden_path is not None:
        services = [s for s in services if s.golden_path == golden_path]
    return FleetStatus(org, host.name, len(repos), services)


def _service(
    host: ChangeRequestHost,
    repo: ForgeRepository,
    newest: _Newest,
    reader: DescriptorReader,
    *,
    requests: bool,
) -> FleetService | None:
    text = host.read_file(repo, "platform.yaml")
    if text is None:
        return None
    service = FleetService(repo.slug, repo.default_branch, repo.last_activity)
    try:
        descriptor = reader.parse(text)
    except PlatformctlError as exc:
        service.error = exc.message
        return service
    record = descriptor.golden_path
    service.name, service.golden_path, service.version = descriptor.name, record.name, record.version
    service.owner = descriptor.owner
    service.environments = sorted(descriptor.environments)
    service.newest, service.behind = newest.behind(record.name, record.version)
    if requests:
        latest = latest_request(host.change_requests(repo, f"{BRANCH_PREFIX}{record.name}-"))
        service.update_request = request_summary(latest) if latest else None
    return service


def latest_request(requests: list[ChangeRequest]) -> ChangeRequest | None:
    """The newest change request: an open one first, else the highest number."""
    if not requests:
        return None
    return max(requests, key=lambda r: (r.state == "open", r.number))


def request_summary(request: ChangeRequest) -> dict[str, Any]:
    """What a status row shows of an update request."""
    state: str = request.state
    if state == "open" and CONFLICT_LABEL in request.labels:
        state = "conflicted"
    elif state == "open" and (CHECK_FAILED_LABEL in request.labels or request.checks == "failing"):
        state = "checks failing"
    elif state == "open" and request.checks == "passing":
        state = "checks passing"
    return {"number": request.number, "branch": request.branch, "state": state, "url": request.url}


class _Newest:
    """The newest version of each golden path and its release list, loaded once per name."""

    def __init__(self, settings: Settings) -> None:
        import threading

        self.settings = settings
        self.cache: dict[str, tuple[str, list[str]] | None] = {}
        self.lock = threading.Lock()  # discovery threads share it: load each golden path once

    def behind(self, name: str, version: str) -> tuple[str | None, int | None]:
        with self.lock:
            if name not in self.cache:
                self.cache[name] = self._load(name)
            known = self.cache[name]
        if known is None:
            return None, None
        newest, releases = known
        return newest, releases_between(releases, version, newest)

    def _load(self, name: str) -> tuple[str, list[str]] | None:
        from platformctl.fleet.changelog import release_versions
        from platformctl.scaffold.catalog import get_golden_path

        try:
            gp = get_golden_path(self.settings, name)
        except PlatformctlError:
            return None
        return gp.version, release_versions(gp.path)


def releases_between(releases: list[str], version: str, newest: str) -> int:
    """How many releases lie after ``version`` up to ``newest`` (at least 1 when behind).

    The golden path's CHANGELOG.md lists its releases; without one, only "behind or not" is
    known, which counts as one release.
    """
    from platformctl.scaffold.pristine import version_key

    try:
        low, high = version_key(version), version_key(newest)
    except PlatformctlError:
        return 0
    if low >= high:
        return 0
    between = {r for r in releases if low < version_key(r) <= high}
    return max(len(between | {newest}), 1)
