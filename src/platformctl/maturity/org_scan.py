"""Repository trees of a whole organisation, through a provider, for ``--org``.

The provider lists the repositories and each one's file paths (no contents, so detectors
decide on paths alone). Listings are fetched with bounded concurrency and cached in a JSON
file: a repository that has not changed since the last scan is not asked again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from platformctl.contracts.listings import Listing, RemoteRepository

CONCURRENCY = 8


class TreeSource(Protocol):
    """What the scan asks of a provider (``providers.repo_trees``)."""

    name: str

    def repositories(self, org: str) -> list[RemoteRepository]:
        """The organisation's active repositories."""
        ...

    def listing(self, repo: RemoteRepository, cached: Listing | None) -> Listing:
        """One repository's file paths (``cached`` allows a conditional request)."""
        ...


@dataclass
class ListedTree:
    """A repository known only by its file listing: ``read_text`` has nothing to give."""

    name: str
    listing: Sequence[str]

    def paths(self) -> Sequence[str]:
        """The listed paths."""
        return self.listing

    def read_text(self, path: str) -> str | None:
        """Always None: contents are not fetched in an organisation scan."""
        return None


@dataclass
class OrgScan:
    """The trees of one organisation and how they were obtained."""

    trees: list[ListedTree]
    fetched: int = 0
    reused: int = 0
    truncated: list[str] = field(default_factory=list)


def scan_org(
    source: TreeSource,
    org: str,
    cache_file: Path,
    *,
    concurrency: int = CONCURRENCY,
    progress: Callable[[str], None] = lambda _: None,
) -> OrgScan:
    """List every repository of ``org`` and its files, reusing ``cache_file`` where unchanged."""
    repos = source.repositories(org)
    progress(f"{len(repos)} repositories in {org} ({source.name})")
    cache = _read_cache(cache_file)
    prefix = f"{source.name}:{org}:"

    def one(repo: RemoteRepository) -> Listing:
        cached = cache.get(prefix + repo.slug)
        if cached is not None and repo.version and cached.version == repo.version:
            return _unfetched(cached)
        return source.listing(repo, cached)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        listings = list(pool.map(one, repos))
    result = OrgScan([ListedTree(r.slug, list(lst.paths)) for r, lst in zip(repos, listings, strict=True)])
    result.fetched = sum(1 for lst in listings if lst.fetched)
    result.reused = len(listings) - result.fetched
    result.truncated = [r.slug for r, lst in zip(repos, listings, strict=True) if lst.truncated]
    _write_cache(
        cache_file,
        {
            **{k: v for k, v in cache.items() if not k.startswith(prefix)},
            **{prefix + r.slug: lst for r, lst in zip(repos, listings, strict=True)},
        },
    )
    return result


def _unfetched(listing: Listing) -> Listing:
    from dataclasses import replace

    return replace(listing, fetched=False)


def _read_cache(path: Path) -> dict[str, Listing]:
    from platformctl.contracts.listings import Listing
    from platformctl.errors import PlatformctlError
    from platformctl.files import read_text
    from platformctl.yamlfiles import MAX_BYTES, parse_json_text

    try:
        text = read_text(path, what="scan cache", error=PlatformctlError, max_bytes=MAX_BYTES)
        data = parse_json_text(text, str(path))
        return {
            key: Listing(v["version"], v["etag"], tuple(v["paths"]), bool(v.get("truncated")), fetched=False)
            for key, v in data.items()
        }
    except (PlatformctlError, ValueError, TypeError, KeyError, AttributeError):
        return {}  # no cache, or one we cannot read: scan everything again


def _write_cache(path: Path, cache: dict[str, Listing]) -> None:
    from platformctl.files import atomic_write_text

    data = {k: {key: value for key, value in asdict(v).items() if key != "fetched"} for k, v in cache.items()}
    atomic_write_text(path, json.dumps(data, sort_keys=True))
