"""What the GitHub and GitLab environment providers share: the marker variable and name checks.

Neither host can label an environment, so platformctl keeps what it knows about one in a
variable of that environment, ``PLATFORMCTL_ENVIRONMENT``: a JSON object with the service, the
class, the TTL and expiry, and the names of the variables and secrets platformctl manages
there. The names matter: variables or secrets someone added by hand are never touched, and
only names platformctl once set are ever deleted.

The marker is written before the variables and secrets it names (with the union of the old and
new names) and rewritten after deletions, so a run that fails half-way still finds everything
it made on the next run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from platformctl.contracts.environments import (
    EnvironmentMeta,
    EnvironmentSpec,
    EnvironmentSummary,
    ResourceChange,
)
from platformctl.errors import ConfigError, ProviderError

MARKER = "PLATFORMCTL_ENVIRONMENT"
ENVIRONMENT = "environment"
PROTECTION = "protection"
PROTECTION_NAME = "deployment"
_MARKER_KEYS = ("class", "ttl", "expires_at", "variables", "secrets")


def marker_fields(spec: EnvironmentSpec) -> dict[str, Any]:
    """What the marker of ``spec`` records (besides the service), as plan fields."""
    return {
        "class": spec.environment_class,
        "ttl": spec.ttl,
        "expires_at": spec.expires_at.isoformat() if spec.expires_at else None,
        "variables": sorted(spec.variables),
        "secrets": sorted(spec.secrets),
    }


def empty_marker_fields() -> dict[str, Any]:
    """The fields of an environment that has no marker (not made by platformctl, or half made)."""
    return {"class": None, "ttl": None, "expires_at": None, "variables": [], "secrets": []}


def encode_marker(service: str, fields: Mapping[str, Any]) -> str:
    """The marker variable's value."""
    body = {"service": service, **{k: fields.get(k) for k in _MARKER_KEYS}}
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def decode_marker(value: str | None) -> dict[str, Any] | None:
    """The marker's content, or None when the value is not a marker."""
    if not value:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("service"), str):
        return None
    return {
        "service": data["service"],
        "class": data.get("class"),
        "ttl": data.get("ttl"),
        "expires_at": data.get("expires_at"),
        "variables": sorted(_names(data.get("variables"))),
        "secrets": sorted(_names(data.get("secrets"))),
    }


def _names(value: Any) -> set[str]:
    return {str(v) for v in value} if isinstance(value, list) else set()


def plan_fields(marker: Mapping[str, Any] | None) -> dict[str, Any]:
    """A decoded marker as the environment resource's fields (the service is checked, not shown)."""
    if marker is None:
        return empty_marker_fields()
    return {k: marker[k] for k in _MARKER_KEYS}


def check_owner(marker: Mapping[str, Any] | None, service: str, where: str, provider: str) -> None:
    """Refuse an environment whose marker names another service.

    Raises:
        ProviderError: the environment belongs to another service.
    """
    if marker is not None and marker["service"] != service:
        raise ProviderError(
            f"{where} belongs to service {marker['service']}, not {service}",
            hint="give this service's environment another name",
            provider=provider,
        )


def meta_of(marker: Mapping[str, Any], created_at: str | None) -> EnvironmentMeta:
    """The environment's class, TTL and expiry as the domain sees them."""
    return EnvironmentMeta(
        environment_class=marker.get("class") or "",
        ttl=marker.get("ttl"),
        expires_at=parse_time(marker.get("expires_at")),
        created_at=parse_time(created_at),
    )


def summary_of(
    provider: str, service: str, name: str, marker: Mapping[str, Any], state: str, created_at: str | None
) -> EnvironmentSummary:
    """One environment for ``env list``."""
    meta = meta_of(marker, created_at)
    return EnvironmentSummary(
        provider=provider,
        service=service,
        name=name,
        environment_class=meta.environment_class,
        state=state,
        ttl=meta.ttl,
        expires_at=meta.expires_at,
        created_at=meta.created_at,
    )


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time (``Z`` accepted), or None."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def managed(marker: Mapping[str, Any] | None, spec: EnvironmentSpec, kind: str) -> set[str]:
    """Names platformctl manages: those its marker lists and those the spec names.

    A name of the spec that exists remotely is managed even before the marker lists it: a run
    that failed after setting it but before recording it must not set it twice.
    """
    listed = set(marker[kind]) if marker else set()
    return listed | set(spec.variables if kind == "variables" else spec.secrets)


def interim_marker(change: ResourceChange) -> dict[str, Any]:
    """The marker to write before variables and secrets: new fields, old and new names."""
    before, after = change.before or empty_marker_fields(), dict(change.after or {})
    for kind in ("variables", "secrets"):
        after[kind] = sorted(set(after.get(kind) or []) | set(before.get(kind) or []))
    return after


def marker_writes(changes: Sequence[ResourceChange]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The marker to write before the values and the one to write after the deletions.

    Either is None when no write is needed: the first when it equals what is there, the second
    when it equals the first (nothing was removed).
    """
    env = next((c for c in changes if c.kind == ENVIRONMENT and c.action in ("create", "update")), None)
    if env is None:
        return None, None
    before = {k: (env.before or {}).get(k) for k in _MARKER_KEYS} if env.before else None
    final = {k: (env.after or {}).get(k) for k in _MARKER_KEYS}
    interim = {k: interim_marker(env).get(k) for k in _MARKER_KEYS}
    return (interim if interim != before else None), (final if final != interim else None)


def check_names(
    spec: EnvironmentSpec, provider: str, *, upper: bool = False, reserved_prefix: str | None = None
) -> None:
    """Names the host would refuse or confuse, refused before anything is written.

    Raises:
        ConfigError: a reserved name, a reserved prefix, or two names equal up to case when
            the host ignores case.
    """
    seen: dict[str, str] = {}
    for name in [*spec.variables, *spec.secrets]:
        if name.upper() == MARKER:
            raise ConfigError(
                f"environment {spec.name}: {name} is reserved for platformctl's own record",
                hint="rename the variable or secret",
            )
        if reserved_prefix and name.upper().startswith(reserved_prefix):
            raise ConfigError(
                f"environment {spec.name}: {provider} refuses names starting with {reserved_prefix} ({name})",
                hint="rename the variable or secret",
            )
        key = name.upper() if upper else name
        if key in seen:
            raise ConfigError(
                f"environment {spec.name}: {seen[key]} and {name} are the same name at "
                f"{provider}, which ignores case",
                hint="rename one of them",
            )
        seen[key] = name


def sorted_reviewers(reviewers: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Reviewers as ``{user: x}`` / ``{team: y}`` in a stable order."""
    out = [{k: str(v) for k, v in r.items() if v is not None} for r in reviewers]
    return sorted(out, key=lambda r: (sorted(r)[0], next(iter(r.values()))))
