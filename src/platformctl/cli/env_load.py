"""What an ``env`` command loads before it plans: the service, the environment's spec, the
providers it uses, and the environment's lock."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from platformctl.cli.context import AppContext
    from platformctl.contracts.environments import EnvironmentProvider, EnvironmentSpec
    from platformctl.environments.spec import SpecFlags
    from platformctl.scaffold.descriptor import ServiceDescriptor


def lock_for(state: AppContext, spec: EnvironmentSpec, doing: str, *, dry_run: bool) -> Any:
    """The environment's lock (none for a dry run, which only reads)."""
    from contextlib import nullcontext

    from platformctl.environments.locking import environment_lock

    if dry_run:
        return nullcontext()
    settings = state.settings()
    return environment_lock(settings.home, spec.service, spec.name, doing, wait=settings.lock_wait)


def spec_flags(
    env_class: str | None, ttl: str | None, variables: list[str], secrets: list[str], providers: list[str]
) -> SpecFlags:
    """The command's flags as the spec's overrides (each flag's value checked)."""
    from platformctl.cli.env_flags import parse_providers, parse_secrets, parse_ttl_flag, parse_variables
    from platformctl.environments.spec import SpecFlags

    return SpecFlags(
        environment_class=env_class,
        ttl=parse_ttl_flag(ttl),
        variables=parse_variables(variables),
        secrets=parse_secrets(secrets),
        providers=parse_providers(providers),
    )


def find(service_dir: Path | None) -> tuple[ServiceDescriptor, Path]:
    """The service whose environment this is: ``service_dir``, else found walking up from here."""
    from platformctl.environments.service import NOT_FOUND_HINT, find_service

    return find_service(service_dir, Path.cwd(), hint=f"{NOT_FOUND_HINT}, or pass --service-dir")


def load(
    state: AppContext,
    name: str,
    flags: SpecFlags,
    service_dir: Path | None,
    *,
    secrets_required: bool,
    ttl_flag: bool = False,
    conflicts: str = "report",
) -> tuple[EnvironmentSpec, dict[str, EnvironmentProvider]]:
    """The environment's spec, resolved from ``platform.yaml``, its class, the flags and the
    store, and the providers it is applied at.

    Raises:
        UsageError: a bad name, flag or descriptor; InputRequired: a secret without a value.
    """
    from platformctl.environments.secrets import SecretReader, load_key
    from platformctl.environments.service import flags_from_store
    from platformctl.environments.spec import resolve_spec, validate_environment_name

    validate_environment_name(name)
    settings = state.settings()  # first: its platform home holds the cache of parsed files
    descriptor, folder = find(service_dir)

    def stored() -> Iterable[EnvironmentProvider]:  # built only when the store must be asked
        return service_providers(state, folder, descriptor)[2].values()

    flags = flags_from_store(descriptor, name, flags, stored)
    reader = SecretReader(
        env=state.env,
        base_dir=folder,
        key=load_key(settings.home, state.env),
        stdin=state.io.stdin,
        required=secrets_required,
    )
    spec = resolve_spec(descriptor, settings.environment_classes, name, flags, reader, ttl_flag=ttl_flag)
    providers = state.environment_providers(
        settings, spec.providers, state.io.step, descriptor.repository, kubernetes_conflicts=conflicts
    )
    return spec, providers


def service_providers(
    state: AppContext, service_dir: Path | None, descriptor: ServiceDescriptor | None = None
) -> tuple[ServiceDescriptor, Path, dict[str, EnvironmentProvider]]:
    """The service and every environment provider it may use (for list, reap and lookups)."""
    from platformctl.environments.service import provider_names

    if descriptor is None or service_dir is None:
        descriptor, folder = find(service_dir)
    else:
        folder = service_dir
    settings = state.settings()
    names = provider_names(descriptor, settings.environment_classes)
    providers = state.environment_providers(settings, names, state.io.step, descriptor.repository)
    return descriptor, folder, providers
