"""What an organisation scan reads of each repository: the listing and its file paths."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RemoteRepository:
    """A repository as the organisation listing reports it."""

    slug: str
    default_branch: str
    version: str  # changes whenever the repository does (pushed_at / last_activity_at)
    key: str = ""  # the host's id for API paths (GitLab project id)


@dataclass(frozen=True)
class Listing:
    """One repository's file paths, with what is needed to ask again cheaply."""

    version: str
    etag: str
    paths: tuple[str, ...]
    truncated: bool = False
    fetched: bool = True  # False when served from the cache or by a 304
