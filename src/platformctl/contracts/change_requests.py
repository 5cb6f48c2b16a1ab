"""What the fleet asks of a forge: its repositories, one file each, branches and change requests.

A change request is a GitHub pull request, a GitLab merge request, or a record in the local
forge. Each provider implements :class:`ChangeRequestHost`; the fleet domain only schedules,
merges (with ``update service``'s functions), pushes and records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

ChangeState = Literal["open", "merged", "closed"]
ChecksState = Literal["passing", "failing", "pending"]


@dataclass(frozen=True)
class ForgeRepository:
    """A repository of an organisation, as the forge lists it."""

    slug: str
    default_branch: str
    last_activity: str | None = None  # ISO 8601, when the forge says
    version: str = ""  # changes whenever the repository does (conditional re-reads)
    key: str = ""  # the host's id for API paths (GitLab project id)

    @property
    def name(self) -> str:
        """The last segment of the slug."""
        return self.slug.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class ChangeRequestDraft:
    """A change request to open, or the new content of an existing one."""

    branch: str
    base: str
    title: str
    body: str
    draft: bool = False
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeRequest:
    """A change request as the forge reports it."""

    number: int
    branch: str
    base: str
    title: str
    body: str
    state: ChangeState
    draft: bool = False
    labels: tuple[str, ...] = ()
    url: str = ""
    checks: ChecksState | None = None
    comments: tuple[str, ...] = field(default=(), compare=False)
    head: str = ""  # the head commit, when the forge says


class ChangeRequestHost(Protocol):
    """A forge the fleet can discover services at and open change requests on."""

    name: str

    def repositories(self, org: str) -> list[ForgeRepository]:
        """Every active repository of the organisation (or group, or local folder)."""
        ...

    def read_file(self, repo: ForgeRepository, path: str) -> str | None:
        """The text of ``path`` on the default branch, or None when there is no such file."""
        ...

    def clone(self, repo: ForgeRepository, dest: Path, *, depth: int | None = None) -> None:
        """A checkout of the default branch in ``dest`` (a new folder); hooks never run there.

        ``depth``: only that many commits of history (a shallow clone; see :meth:`deepen`).
        """
        ...

    def deepen(self, repo: ForgeRepository, dest: Path, commits: int) -> None:
        """Fetch ``commits`` more commits of the default branch's history into the shallow clone."""
        ...

    def branch_head(self, repo: ForgeRepository, branch: str) -> str | None:
        """The commit ``branch`` points at, or None when it does not exist."""
        ...

    def push_branch(self, repo: ForgeRepository, workdir: Path, branch: str, *, lease: str | None) -> None:
        """Make ``branch`` at the forge point at ``workdir``'s ``branch``.

        ``lease`` is the head the caller last saw (None: the branch must not exist); when the
        forge's branch has moved since, nothing is written and a ``ProviderError`` is raised.
        """
        ...

    def change_requests(self, repo: ForgeRepository, branch_prefix: str) -> list[ChangeRequest]:
        """Every change request (any state) whose branch starts with ``branch_prefix``."""
        ...

    def open_change_request(self, repo: ForgeRepository, draft: ChangeRequestDraft) -> ChangeRequest:
        """Open a change request; an existing open one for the branch is returned instead."""
        ...

    def update_change_request(
        self, repo: ForgeRepository, number: int, draft: ChangeRequestDraft
    ) -> ChangeRequest:
        """Set title, body, draft and labels of an open change request."""
        ...

    def close_change_request(self, repo: ForgeRepository, number: int, comment: str) -> ChangeRequest:
        """Comment on a change request and close it (unmerged)."""
        ...
