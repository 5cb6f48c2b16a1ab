"""Layered platform settings: flags > ``PLATFORMCTL_*`` env vars > project file > user file > defaults.

The project file is the one named by ``--config`` or ``PLATFORMCTL_CONFIG``, else the nearest
``platformctl.yaml`` walking up from the working directory. The user file is
``$XDG_CONFIG_HOME/platformctl/config.yaml``. Every file is validated with pydantic and every
error names the file (or variable), the field and what is allowed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from platformctl.config_files import (
    config_files,
    find_project_file,
    read_config_file,
    validate,
    validate_flag,
)
from platformctl.config_keys import BY_KEY, PLAIN_TEXT_SETTINGS, SETTINGS
from platformctl.files import user_data_dir

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

    from platformctl.config_schema import GoldenPathSource, PlatformConfig
    from platformctl.contracts.environment_fields import EnvironmentClass

__all__ = [
    "ConfiguredGoldenPath",
    "GitHubSettings",
    "HttpSettings",
    "Settings",
    "describe_validation_error",
    "find_project_file",
    "load_settings",
]


def describe_validation_error(exc: ValidationError, model: type[BaseModel]) -> str:
    """Every problem of a pydantic validation in the file's words (see config_schema)."""
    from platformctl.config_schema import describe_validation_error as describe

    return describe(exc, model)


@dataclass(frozen=True)
class Resolved:
    """A value and where it came from (``default``, a file path, ``env NAME`` or ``--flag``)."""

    value: Any
    source: str


@dataclass(frozen=True)
class ConfiguredGoldenPath:
    """A golden path named in a config file, with relative paths resolved against that file."""

    name: str
    source: GoldenPathSource
    base_dir: Path
    origin: str

    @property
    def local_path(self) -> Path | None:
        """The directory for ``path:`` sources, resolved against the config file's folder."""
        if self.source.path is None:
            return None
        return (self.base_dir / Path(self.source.path).expanduser()).resolve()


@dataclass(frozen=True)
class GitHubSettings:
    """Where GitHub's REST API is, and which version of it to ask for."""

    api_url: str
    api_version: str


@dataclass(frozen=True)
class HttpSettings:
    """The ``http.*`` settings: the retry, deadline and size policy of every remote provider."""

    timeout: float
    deadline: float
    max_body: int
    max_attempts: int
    max_wait: float
    backoff: float
    rate_limit_wait: float
    write_interval: float


@dataclass(frozen=True)
class Settings:
    """The effective settings of one invocation, read through typed properties and sections."""

    values: dict[str, Resolved]
    golden_paths: dict[str, ConfiguredGoldenPath] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    environment_classes: dict[str, tuple[EnvironmentClass, str]] = field(default_factory=dict)
    # (file, dotted key) pairs an untrusted project file set and that were ignored
    ignored: tuple[tuple[str, str], ...] = ()

    @property
    def provider(self) -> str:
        """Where repositories are created: ``local``, ``github`` or ``gitlab``."""
        return str(self._value("provider"))

    @property
    def org(self) -> str | None:
        """The organisation, group or namespace at the provider, if set."""
        return self._text("org")

    @property
    def owner(self) -> str | None:
        """The default owner team of new services, if set."""
        return self._text("owner")

    @property
    def golden_path(self) -> str:
        """The golden path of ``new service`` without ``--golden-path``."""
        return str(self._value("golden_path"))

    @property
    def home(self) -> Path:
        """The platform home directory."""
        return Path(str(self._value("home"))).expanduser()

    @property
    def github(self) -> GitHubSettings:
        """The ``github.*`` settings."""
        return GitHubSettings(str(self._value("github.api_url")), str(self._value("github.api_version")))

    @property
    def gitlab_url(self) -> str:
        """GitLab's base URL (gitlab.com or self-managed)."""
        return str(self._value("gitlab.url"))

    @property
    def backstage_url(self) -> str | None:
        """Backstage's base URL; None (or empty) turns catalog registration off."""
        return self._text("backstage.url")

    @property
    def http(self) -> HttpSettings:
        """The ``http.*`` settings."""

        def number(key: str) -> float:
            return float(cast(float, self._value(f"http.{key}")))  # a number: the schema says so

        return HttpSettings(
            timeout=number("timeout"),
            deadline=number("deadline"),
            max_body=int(number("max_body")),
            max_attempts=int(number("max_attempts")),
            max_wait=number("max_wait"),
            backoff=number("backoff"),
            rate_limit_wait=number("rate_limit_wait"),
            write_interval=number("write_interval"),
        )

    @property
    def lock_wait(self) -> float:
        """Seconds a command waits for another run holding the same lock before it gives up."""
        return float(cast(float, self._value("lock_wait")))  # a number: the schema says so

    def platform_setting(self, key: str) -> object:
        """One ``platform.*`` setting (where new services plug into the platform: Argo CD,
        Vault, Grafana, alerting, Terraform), or None when it is not set."""
        if not key.startswith("platform."):
            raise KeyError(key)
        resolved = self.values.get(key)
        return None if resolved is None else resolved.value

    def _value(self, key: str) -> object:
        return self.values[key].value

    def _text(self, key: str) -> str | None:
        value = self._value(key)
        return None if value is None else str(value)


def load_settings(
    *,
    config_file: Path | None = None,
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Resolve every setting from its layers.

    Args:
        config_file: the file named by ``--config`` (it must exist).
        flags: dotted keys set by command-line flags, highest precedence.
        env: the process environment (``os.environ`` when omitted).
        cwd: where the walk up for ``platformctl.yaml`` starts.

    Raises:
        ConfigError: a file or variable is unreadable or invalid.
    """
    env = os.environ if env is None else env
    values = {s.key: Resolved(s.default, "default") for s in SETTINGS}
    values["home"] = Resolved(str(user_data_dir(env)), "default")
    golden_paths: dict[str, ConfiguredGoldenPath] = {}
    classes: dict[str, tuple[EnvironmentClass, str]] = {}
    files, walked = config_files(config_file, env, cwd or Path.cwd())
    ignored: list[tuple[str, str]] = []
    for path in files:
        config = read_config_file(path)
        from platformctl.config_trust import is_trusted, restrict

        if path == walked and not is_trusted(path, env):
            config, dropped = restrict(config)
            ignored += [(str(path), key) for key in dropped]
        _apply(values, config, str(path))
        if values["home"].source == str(path):  # a relative home is relative to its file
            home = (path.parent / Path(values["home"].value).expanduser()).resolve()
            values["home"] = Resolved(str(home), str(path))
        for name, source in (config.golden_paths or {}).items():
            golden_paths[name] = ConfiguredGoldenPath(name, source, path.parent.resolve(), str(path))
        for name, env_class in (config.environments or {}).items():
            classes[name] = (env_class, str(path))
    for setting in SETTINGS:
        raw = env.get(setting.env_var)
        if raw and setting.key in PLAIN_TEXT_SETTINGS:
            values[setting.key] = Resolved(raw, f"env {setting.env_var}")
        elif raw:
            _apply(
                values,
                validate({setting.key: raw}, f"environment variable {setting.env_var}"),
                f"env {setting.env_var}",
            )
    for key, value in (flags or {}).items():
        if value is not None:
            _apply(values, validate_flag(key, value), "flag")
    return Settings(values, golden_paths, tuple(files), classes, tuple(ignored))


def _apply(values: dict[str, Resolved], config: PlatformConfig, source: str) -> None:
    dumped = config.model_dump(exclude_unset=True, exclude={"golden_paths", "environments"})
    for key, value in _flatten(dumped).items():
        if key in BY_KEY and value is not None:
            values[key] = Resolved(value, source)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and dotted not in BY_KEY:  # a mapping-valued setting stays whole
            out.update(_flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out
