"""The environment fields shared by the platform config (classes) and the service descriptor.

A platform team writes environment *classes* in ``platformctl.yaml`` (defaults for e.g.
``staging`` or ``production``); a service names its environments in ``platform.yaml``, each of a
class, overriding what it needs. Both use the models below (pydantic only, no I/O).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

ENVIRONMENT_PROVIDERS = ("local", "kubernetes", "github", "gitlab")
_DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
_VAR_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
_QUANTITY = r"^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$"
_TTL = re.compile(r"^([1-9][0-9]*)([smhdw])$")
_TTL_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_ttl(text: str) -> timedelta:
    """``90s``, ``30m``, ``12h``, ``3d``, ``2w`` as a duration.

    Raises:
        ValueError: anything else.
    """
    match = _TTL.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration: use a number and s, m, h, d or w (e.g. 3d)")
    return timedelta(**{_TTL_UNITS[match.group(2)]: int(match.group(1))})


def _check_ttl(value: str | None) -> str | None:
    if value is not None:
        parse_ttl(value)
    return value


Ttl = Annotated[str | None, AfterValidator(_check_ttl)]
VarName = Annotated[str, Field(pattern=_VAR_NAME, max_length=255)]
Quantity = Annotated[str, Field(pattern=_QUANTITY)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Reviewer(_Strict):
    """A required reviewer: a user or a team (exactly one)."""

    user: str | None = None
    team: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Reviewer:
        if (self.user is None) == (self.team is None):
            raise ValueError("give exactly one of 'user' or 'team'")
        return self


class Protection(_Strict):
    """Who may deploy: reviewers, wait timer, self-review, deployment branches."""

    reviewers: list[Reviewer] | None = Field(None, max_length=6)
    wait_timer: int | None = Field(None, ge=0, le=43200, description="Minutes")
    prevent_self_review: bool | None = None
    branches: Literal["protected", "all"] | list[str] | None = Field(
        None, description="'protected', 'all', or a list of branch name patterns"
    )


class Quota(_Strict):
    """A namespace resource quota."""

    cpu: Quantity | None = None
    memory: Quantity | None = None
    pods: int | None = Field(None, ge=0)


class Limits(_Strict):
    """Default container limits of a namespace (a LimitRange)."""

    cpu: Quantity | None = None
    memory: Quantity | None = None


class Rbac(_Strict):
    """A group bound to a cluster role inside the namespace."""

    group: str = Field(min_length=1)
    role: str = Field("edit", min_length=1)


class KubernetesFields(_Strict):
    """The namespace of an environment and what it carries."""

    namespace: str | None = Field(None, pattern=_DNS_LABEL, max_length=63)
    quota: Quota | None = None
    limits: Limits | None = None
    rbac: Rbac | None = None
    network_policy: bool | None = Field(
        None, description="A default-deny policy that allows traffic inside the namespace"
    )


class SecretSource(_Strict):
    """Where a secret's value comes from: an environment variable, a file, or stdin. Never a value."""

    env: str | None = Field(None, pattern=_VAR_NAME)
    file: str | None = None
    stdin: bool | None = None

    @model_validator(mode="after")
    def _one(self) -> SecretSource:
        given = [k for k in ("env", "file", "stdin") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of 'env', 'file' or 'stdin: true'")
        return self


class EnvironmentDefaults(_Strict):
    """What a class gives its environments and an environment may override."""

    providers: list[Literal["local", "kubernetes", "github", "gitlab"]] | None = None
    variables: dict[VarName, str] | None = None
    protection: Protection | None = None
    kubernetes: KubernetesFields | None = None
    ttl: Ttl = Field(None, description="Lifetime of an ephemeral environment, e.g. 3d")


class EnvironmentClass(EnvironmentDefaults):
    """An environment class of the platform config (``environments:`` in platformctl.yaml)."""

    production: bool = Field(False, description="Deleting needs --yes when there is no terminal")
