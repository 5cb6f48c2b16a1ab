"""What the environments domain asks of a provider, and the values they exchange.

A provider reads what it holds for one environment, says which resources it would hold for a
desired spec (``desired``, read-only: a server may be asked for a dry run), applies a list of
changes, destroys an environment and lists a service's environments. The diff itself is the
domain's (``platformctl.environments.plan``), so every provider is planned the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:  # annotations only: planning a spec needs no pydantic class
    from platformctl.contracts.environment_fields import KubernetesFields, Protection

Action = Literal["create", "update", "delete", "unchanged"]


@dataclass(frozen=True)
class SecretValue:
    """A secret to set: its name, a keyed hash of its value, and the value (never printed)."""

    name: str
    fingerprint: str
    value: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class EnvironmentSpec:
    """The desired state of one environment of one service, merged from all its sources."""

    service: str
    name: str
    environment_class: str
    providers: tuple[str, ...]
    production: bool = False
    variables: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, SecretValue] = field(default_factory=dict)
    protection: Protection | None = None
    kubernetes: KubernetesFields | None = None
    ttl: str | None = None
    expires_at: datetime | None = None

    @property
    def namespace(self) -> str:
        """The Kubernetes namespace: configured, else ``<service>-<environment>``."""
        configured = self.kubernetes.namespace if self.kubernetes else None
        return configured or f"{self.service}-{self.name}"[:63].rstrip("-")


@dataclass(frozen=True)
class Resource:
    """One thing a provider holds for an environment, as comparable fields.

    ``fields`` never hold a secret value: a secret resource carries a keyed hash instead.
    """

    kind: str
    name: str
    fields: Mapping[str, Any]
    secret: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """The identity of the resource inside one provider."""
        return (self.kind, self.name)


@dataclass(frozen=True)
class ResourceChange:
    """What a plan will do to one resource of one provider."""

    provider: str
    kind: str
    name: str
    action: Action
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    secret: bool = False


@dataclass(frozen=True)
class EnvironmentMeta:
    """What a provider remembers about an environment besides its resources."""

    environment_class: str
    ttl: str | None = None
    expires_at: datetime | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class Observed:
    """What a provider holds for one environment (empty when the environment is absent)."""

    resources: Sequence[Resource] = ()
    meta: EnvironmentMeta | None = None
    state: str = "absent"
    notes: tuple[str, ...] = ()  # what the spec asks that this provider cannot do (not a failure)

    @property
    def exists(self) -> bool:
        """Whether the provider holds anything for the environment."""
        return bool(self.resources) or self.meta is not None


@dataclass(frozen=True)
class EnvironmentSummary:
    """One environment as ``env list`` shows it."""

    provider: str
    service: str
    name: str
    environment_class: str
    state: str
    ttl: str | None = None
    expires_at: datetime | None = None
    created_at: datetime | None = None


class EnvironmentProvider(Protocol):
    """A place environments live in: local state, a cluster, a git host."""

    name: str

    def read(self, spec: EnvironmentSpec) -> Observed:
        """What the provider holds for the environment, read-only."""
        ...

    def desired(self, spec: EnvironmentSpec, observed: Observed) -> list[Resource]:
        """The resources the provider would hold once ``spec`` is applied (read-only)."""
        ...

    def apply(self, spec: EnvironmentSpec, changes: Sequence[ResourceChange]) -> int:
        """Make the changes (never ``unchanged`` ones); return the number of writes."""
        ...

    def destroy(self, service: str, name: str) -> int:
        """Remove everything the provider holds for the environment; return the writes."""
        ...

    def list_environments(self, service: str) -> list[EnvironmentSummary]:
        """The service's environments this provider holds."""
        ...
