"""What the domain asks of a repository host. Each provider implements this Protocol."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class RepositorySpec:
    """The repository a new service needs."""

    org: str
    name: str
    description: str = ""
    private: bool = True
    default_branch: str = "main"

    @property
    def slug(self) -> str:
        """``org/name``."""
        return f"{self.org}/{self.name}"


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
    """Creates, pushes to and protects repositories. Every method reads before it writes."""

    name: str

    def locate(self, spec: RepositorySpec) -> Repository:
        """Where the repository is or will be, without touching the host."""
        ...

    def ensure_repository(self, spec: RepositorySpec) -> StepResult:
        """Create the repository unless it exists (an existing one is read, never a failure)."""
        ...

    def push(self, spec: RepositorySpec, workdir: Path, branch: str) -> StepResult:
        """Push ``branch`` of ``workdir`` unless the host already has that commit."""
        ...

    def protect_branch(self, spec: RepositorySpec, branch: str) -> StepResult:
        """Forbid force pushes and deletion of ``branch`` unless already so."""
        ...
