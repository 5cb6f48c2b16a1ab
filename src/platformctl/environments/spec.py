"""The desired state of an environment: descriptor entry < class defaults < flags, merged.

Order of precedence, lowest first: the built-in classes, the platform config's class of that
name, the service descriptor's entry for the environment, then command-line flags. Mappings
(variables, secrets) merge key by key; nested settings (protection, kubernetes) field by field.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from platformctl.contracts.environment_fields import EnvironmentClass, SecretSource
from platformctl.contracts.environments import EnvironmentSpec
from platformctl.environments.secrets import SecretReader
from platformctl.errors import ConfigError, UsageError, option
from platformctl.scaffold.descriptor import DESCRIPTOR_FILE

if TYPE_CHECKING:  # the descriptor is read by the command; only its shape is needed here
    from platformctl.scaffold.descriptor import EnvironmentRecord, ServiceDescriptor

BUILTIN_CLASSES: dict[str, EnvironmentClass] = {
    "development": EnvironmentClass(),
    "staging": EnvironmentClass(),
    "production": EnvironmentClass(production=True),
    "preview": EnvironmentClass(ttl="3d"),
}
_NAME_MAX = 63


EPHEMERAL_CLASS = "preview"


@dataclass(frozen=True)
class SpecFlags:
    """What command-line flags say about the environment (``None``/empty: not given)."""

    environment_class: str | None = None
    ttl: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, SecretSource] = field(default_factory=dict)
    providers: tuple[str, ...] = ()


def validate_environment_name(name: str) -> None:
    """Environment names are lower-case DNS labels (they become namespaces and URLs).

    Raises:
        UsageError: any other name.
    """
    from platformctl.names import check_name

    check_name("environment", name)


def find_record(descriptor: ServiceDescriptor, name: str) -> EnvironmentRecord | None:
    """The descriptor's entry for ``name``: an exact key, else the first matching pattern."""
    if name in descriptor.environments:
        return descriptor.environments[name]
    for key, record in descriptor.environments.items():
        if any(c in key for c in "*?[") and fnmatch.fnmatchcase(name, key):
            return record
    return None


def resolve_spec(
    descriptor: ServiceDescriptor,
    classes: Mapping[str, tuple[EnvironmentClass, str]],
    name: str,
    flags: SpecFlags,
    secrets: SecretReader,
    *,
    ttl_flag: bool = True,
) -> EnvironmentSpec:
    """Merge everything known about environment ``name`` into one desired spec.

    Args:
        descriptor: the service's ``platform.yaml``.
        classes: environment classes of the platform config, with the file each came from.
        name: the environment.
        flags: command-line overrides.
        secrets: reads secret values from their sources and hashes them.
        ttl_flag: whether the command has ``--ttl`` (the hint offers only flags it has).

    Raises:
        UsageError: unknown environment and no --class.
        ConfigError: unknown class, or a merged value is invalid.
        InputRequired: a secret's source gives no value (when values are required).
    """
    validate_environment_name(name)
    record = find_record(descriptor, name)
    class_name = _class_name(descriptor, record, name, flags, ttl_flag=ttl_flag)
    env_class = _lookup_class(classes, class_name, name, from_flag=bool(flags.environment_class))
    fields = _merged_fields(env_class, record, name, flags)
    sources: dict[str, SecretSource | None] = dict((record.secrets or {}) if record else {})
    sources.update(flags.secrets)
    values = {
        secret: secrets.read(descriptor.name, name, secret, source, from_flag=secret in flags.secrets)
        for secret, source in sorted(sources.items())
    }
    return EnvironmentSpec(
        service=descriptor.name,
        name=name,
        environment_class=class_name,
        providers=tuple(dict.fromkeys(fields.providers or ["local"])),
        production=env_class.production,
        variables=dict(sorted((fields.variables or {}).items())),
        secrets=values,
        protection=fields.protection,
        kubernetes=fields.kubernetes,
        ttl=fields.ttl,
    )


def _class_name(
    descriptor: ServiceDescriptor,
    record: EnvironmentRecord | None,
    name: str,
    flags: SpecFlags,
    *,
    ttl_flag: bool,
) -> str:
    """The environment's class: the flag's, else the descriptor's, else preview for a --ttl."""
    class_name = flags.environment_class or (record.environment_class if record else None)
    if class_name is None and flags.ttl:
        class_name = EPHEMERAL_CLASS  # `env up pr-123 --ttl 3d` from a pull-request job
    if class_name is None:
        known = ", ".join(descriptor.environments) or "none"
        ways = (
            f"pass {option('class')}, or {option('ttl')} for an ephemeral preview environment"
            if ttl_flag
            else f"or pass {option('class')}"
        )
        raise UsageError(
            f"environment {name!r} is not in {DESCRIPTOR_FILE} (it names: {known}) and no provider holds it",
            hint=f"add it (or a pattern such as 'pr-*') under 'environments:' in {DESCRIPTOR_FILE}, {ways}",
        )
    return class_name


def _merged_fields(
    env_class: EnvironmentClass, record: EnvironmentRecord | None, name: str, flags: SpecFlags
) -> EnvironmentClass:
    """The class's fields, the descriptor entry's over them and the flags' over both, validated."""
    merged = _merge(
        env_class.model_dump(exclude_unset=True, exclude={"production"}),
        record.model_dump(exclude_unset=True, by_alias=False, exclude={"environment_class", "secrets"})
        if record
        else {},
    )
    merged = _merge(merged, _flag_values(flags))
    try:
        return EnvironmentClass.model_validate(merged)
    except ValidationError as exc:
        from platformctl.config import describe_validation_error

        raise ConfigError(
            f"environment {name!r}: {describe_validation_error(exc, EnvironmentClass)}",
            hint="check the class in platformctl.yaml and the entry in platform.yaml",
        ) from None


def _lookup_class(
    classes: Mapping[str, tuple[EnvironmentClass, str]], class_name: str, env_name: str, *, from_flag: bool
) -> EnvironmentClass:
    if class_name in classes:
        return classes[class_name][0]
    if class_name in BUILTIN_CLASSES:
        return BUILTIN_CLASSES[class_name]
    allowed = ", ".join(sorted({*classes, *BUILTIN_CLASSES}))
    hint = "define the class under 'environments:' in platformctl.yaml, or use a known one"
    if from_flag:  # the value was typed, not read from platform.yaml: name the input it came from
        raise UsageError(
            f"{option('class')}: unknown environment class {class_name!r} (allowed: {allowed})", hint=hint
        )
    raise ConfigError(
        f"{DESCRIPTOR_FILE}: field 'environments.{env_name}.class': unknown environment class "
        f"{class_name!r} (allowed: {allowed})",
        hint=hint,
    )


def _flag_values(flags: SpecFlags) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if flags.ttl is not None:
        out["ttl"] = flags.ttl
    if flags.variables:
        out["variables"] = dict(flags.variables)
    if flags.providers:
        out["providers"] = list(flags.providers)
    return out


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge of plain mappings: override wins; lists and scalars are replaced whole."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
