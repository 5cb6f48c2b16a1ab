"""What the domain asks of a repository host and of a catalog. Each provider implements these."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

Visibility = Literal["private", "public", "internal"]


@dataclass(frozen=True)
class TeamAccess:
    """A team of the organisation and the permission it gets on the repository."""

    team: str
    permission: str = "push"


@dataclass(frozen=True)
class RepositorySpec:
    """The repository a new service needs.

    ``org`` is the organisation (GitHub), group path (GitLab) or folder (local); an empty
    ``org`` with ``owner_kind="user"`` means the account the token belongs to.
    """

    org: str
    name: str
    description: str = ""
    visibility: Visibility = "private"
    default_branch: str = "main"
    topics: tuple[str, ...] = ()
    teams: tuple[TeamAccess, ...] = ()
    owner_kind: Literal["org", "user"] = "org"

    @property
    def slug(self) -> str:
        """``org/name``."""
        return f"{self.org}/{self.name}"

    @property
    def private(self) -> bool:
        """Whether only members can see it."""
        return self.visibility != "public"

    @property
    def has_settings(self) -> bool:
        """Whether topics or team access are asked for (the ``configure`` step)."""
        return bool(self.topics or self.teams)


@dataclass(frozen=True)
class Repository:
    """A repository as the host reports it."""

    slug: str
    url: str
    clone_url: str


@dataclass(frozen=True)
class StepResult:
    """One provider step and whether it changed anything."""

    step: str
    changed: bool
    detail: str = ""


class RepositoryHost(Protocol):
    """Creates, pushes to, configures and protects repositories. Every method reads before it writes."""

    name: str

    def default_owner(self, *, read: bool = True) -> str:
        """The owner of repositories when no ``--org`` is given (may read, never writes).

        With ``read=False`` (``--dry-run``) no request is sent: a host that would have to ask
        returns a placeholder such as ``{user}``.
        """
        ...

    def check_access(self, spec: RepositorySpec) -> None:
        """Raise AuthError now when no request could succeed (no token), before anything is written."""
        ...

    def locate(self, spec: RepositorySpec) -> Repository:
        """Where the repository is or will be (at most a read, never a write)."""
        ...

    def plan(self, spec: RepositorySpec, branch: str) -> list[str]:
        """The requests a first run would make, in order, for ``--dry-run`` (no request sent)."""
        ...

    def published_head(self, spec: RepositorySpec, branch: str) -> str | None:
        """The commit ``branch`` points to at the host; None when the repository or branch is absent.

        Only reads: ``--dry-run`` uses it to tell a conflict from a create or a resume.
        """
        ...

    def ensure_repository(self, spec: RepositorySpec) -> StepResult:
        """Create the repository unless it exists (an existing one is read, never a failure)."""
        ...

    def push(self, spec: RepositorySpec, workdir: Path, branch: str) -> StepResult:
        """Push ``branch`` of ``workdir`` unless the host already has that commit.

        A branch with other history at the host means the repository is not this service's:
        raise, before anything else is changed there.
        """
        ...

    def configure(self, spec: RepositorySpec) -> StepResult:
        """Set topics and team access unless already so (called only when the spec asks)."""
        ...

    def protect_branch(self, spec: RepositorySpec, branch: str) -> StepResult:
        """Require reviews, forbid force pushes and deletion of ``branch`` unless already so."""
        ...

    def file_url(self, spec: RepositorySpec, branch: str, path: str) -> str | None:
        """A URL a catalog can read ``path`` at (None when the host has no such URL)."""
        ...


@dataclass(frozen=True)
class CatalogEntity:
    """The entity a catalog file declares: ``kind:namespace/name``."""

    kind: str
    name: str
    namespace: str = "default"

    @property
    def ref(self) -> str:
        """The entity reference, lower-case kind as Backstage writes it."""
        return f"{self.kind.lower()}:{self.namespace}/{self.name}"


class CatalogRegistrar(Protocol):
    """Registers a service's catalog file with a developer portal (Backstage)."""

    name: str

    def plan(self, entity: CatalogEntity, target: str) -> list[str]:
        """The requests a first registration would make, for ``--dry-run``."""
        ...

    def preview(self, entity: CatalogEntity, target: str) -> list[str]:
        """``plan`` checked by the catalog itself without storing anything (a server dry run)."""
        ...

    def register(self, entity: CatalogEntity, target: str) -> StepResult:
        """Register the location ``target`` unless it already is; "already registered" is success."""
        ...
