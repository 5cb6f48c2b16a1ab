"""The service whose environments a command manages: its ``platform.yaml`` found, the
environment providers its entries and classes name, and what a store recorded of an
environment ``platform.yaml`` does not name."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platformctl.contracts.environment_fields import EnvironmentClass
    from platformctl.contracts.environments import EnvironmentProvider
    from platformctl.environments.spec import SpecFlags
    from platformctl.scaffold.descriptor import ServiceDescriptor

NOT_FOUND_HINT = "run this inside a service checkout"


def find_service(
    service_dir: Path | None, cwd: Path, *, hint: str = NOT_FOUND_HINT
) -> tuple[ServiceDescriptor, Path]:
    """The descriptor of the service in ``service_dir``, else the nearest one walking up from ``cwd``.

    Raises:
        ConfigError: no ``platform.yaml`` there (``hint`` says what to do), or it is invalid.
    """
    from platformctl.errors import ConfigError
    from platformctl.scaffold.descriptor import DESCRIPTOR_FILE, read_descriptor

    folder = locate_service(service_dir, cwd)
    if folder is not None:
        return read_descriptor(folder), folder.resolve() if service_dir is not None else folder
    raise ConfigError(f"no {DESCRIPTOR_FILE} here or in any parent folder", hint=hint)


def locate_service(service_dir: Path | None, cwd: Path) -> Path | None:
    """The folder whose ``platform.yaml`` a command reads: ``service_dir`` as given, else the
    nearest folder from ``cwd`` up that has one (None: none has)."""
    if service_dir is not None:
        return service_dir
    return next((f for f in (cwd, *cwd.parents) if (f / "platform.yaml").is_file()), None)


def provider_names(
    descriptor: ServiceDescriptor, classes: Mapping[str, tuple[EnvironmentClass, str]]
) -> tuple[str, ...]:
    """Every environment provider the service may use: ``local``, and those its entries name
    or, for an entry naming none, its class of the platform config names."""
    names: dict[str, None] = {"local": None}
    for record in descriptor.environments.values():
        env_class = classes.get(record.environment_class)
        for provider in record.providers or (env_class[0].providers if env_class else None) or []:
            names[provider] = None
    return tuple(names)


def flags_from_store(
    descriptor: ServiceDescriptor,
    name: str,
    flags: SpecFlags,
    providers: Callable[[], Iterable[EnvironmentProvider]],
) -> SpecFlags:
    """An environment ``platform.yaml`` does not name but a provider holds (``env up pr-42
    --ttl 3d`` made it) is managed by name: its class and TTL come from what the store recorded.

    ``providers`` is called only when the flags and ``platform.yaml`` do not decide.
    """
    from platformctl.environments.apply import list_environments
    from platformctl.environments.spec import find_record

    # A class, a TTL (a preview) or an entry decide without asking any provider.
    if flags.environment_class or flags.ttl or find_record(descriptor, name) is not None:
        return flags
    for summary in list_environments(descriptor.name, providers()):
        if summary.name == name:
            return replace(flags, environment_class=summary.environment_class, ttl=flags.ttl or summary.ttl)
    return flags
