"""The service descriptor, ``platform.yaml``: what platformctl knows about one service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from platformctl.contracts.environment_fields import EnvironmentDefaults, SecretSource, VarName
from platformctl.errors import ConfigError

DESCRIPTOR_FILE = "platform.yaml"
API_VERSION = "platformctl/v1"
# A golden path's semantic version (golden-path.yaml, and the version a service records); the
# same grammar that updates compare versions with (``pristine.version_key``).
VERSION_PATTERN = r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"


def _check_version(value: str) -> str:
    import re

    if not re.match(VERSION_PATTERN, value):
        raise ValueError(f"{value!r} is not a semantic version like 1.2.3 (or 1.2.3-rc.1)")
    return value


Version = Annotated[str, AfterValidator(_check_version)]


# Names become folder names, namespaces and API paths: a lower-case DNS label, never a path.
Name = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class GoldenPathRecord(_Model):
    """Which golden path made the service, at which version, with which answers."""

    name: Name
    version: Version
    source: str
    pristine_commit: str = Field(pattern=r"^[0-9a-f]{40}$")
    answers: dict[str, Any]


class RepositoryRecord(_Model):
    """Where the service's repository lives."""

    provider: str
    # OWNER/NAME or GROUP/SUB/NAME: it becomes API paths (environments at GitHub and GitLab).
    slug: str = Field(pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$")
    url: str

    @field_validator("slug")
    @classmethod
    def _no_dot_segments(cls, value: str) -> str:
        if any(part in (".", "..") for part in value.split("/")):
            raise ValueError("must be OWNER/NAME (or GROUP/SUB/NAME), without '.' or '..'")
        return value


class EnvironmentRecord(EnvironmentDefaults):
    """One environment of the service; ``class`` picks defaults from the platform config.

    The key in ``environments:`` is the environment name, or a pattern such as ``pr-*`` that
    ephemeral environments made by CI match. Secrets are named with their source, never a value;
    a secret without a source is read from the environment variable of the same name.
    """

    environment_class: str = Field(alias="class")
    secrets: dict[VarName, SecretSource | None] | None = None


class ServiceDescriptor(_Model):
    """The content of ``platform.yaml``."""

    api_version: str = Field(API_VERSION, alias="apiVersion")
    name: Name
    owner: str | None = None
    description: str | None = None
    golden_path: GoldenPathRecord
    repository: RepositoryRecord
    environments: dict[str, EnvironmentRecord] = Field(default_factory=dict)


HEADER = "# Service descriptor written by platformctl. Edit environments freely; keep golden_path as is.\n"


def dump_descriptor(descriptor: ServiceDescriptor) -> str:
    """The YAML text of a descriptor, keys in a stable, readable order."""
    import yaml

    data = descriptor.model_dump(by_alias=True, exclude_none=True)
    return HEADER + yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


def write_descriptor(folder: Path, descriptor: ServiceDescriptor) -> Path:
    """Write ``platform.yaml`` into ``folder`` atomically."""
    from platformctl.files import atomic_write_text

    path = folder / DESCRIPTOR_FILE
    atomic_write_text(path, dump_descriptor(descriptor))
    return path


def read_descriptor(folder: Path) -> ServiceDescriptor:
    """Read and validate ``platform.yaml`` in ``folder``.

    Raises:
        ConfigError: missing, unreadable or invalid.
    """
    from platformctl.yamlfiles import load_yaml_file

    path = folder / DESCRIPTOR_FILE
    if not path.exists():
        raise ConfigError(
            f"no {DESCRIPTOR_FILE} in {folder}",
            hint="run this inside a service created by 'platformctl new service'",
        )
    # Secrets are named with their source there, never a value: its data may be remembered.
    data = load_yaml_file(path, what="service descriptor", error=ConfigError, remember=True)
    try:
        return ServiceDescriptor.model_validate(data)
    except ValidationError as exc:
        from platformctl.config import describe_validation_error

        raise ConfigError(f"{path}: {describe_validation_error(exc, ServiceDescriptor)}") from None
