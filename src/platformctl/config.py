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

from platformctl.errors import ConfigError
from platformctl.files import user_config_dir, user_data_dir
from platformctl.locks import DEFAULT_WAIT

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
    "load_settings",
]

PROJECT_FILE_NAME = "platformctl.yaml"
ENV_PREFIX = "PLATFORMCTL_"


@dataclass(frozen=True)
class Setting:
    """One scalar setting: its dotted key, built-in default and help."""

    key: str
    default: Any
    doc: str

    @property
    def env_var(self) -> str:
        """The environment variable that overrides this setting."""
        return ENV_PREFIX + self.key.upper().replace(".", "_")


SETTINGS: tuple[Setting, ...] = (
    Setting("provider", "local", "Where repositories are created: local, github or gitlab."),
    Setting("org", None, "Organisation, group or namespace at the provider."),
    Setting("owner", None, "Default owner team of new services."),
    Setting("golden_path", "python-service", "Golden path of `new service` without --golden-path."),
    Setting("home", None, "Platform home: local repositories and state (default: user data dir)."),
    Setting("github.api_url", "https://api.github.com", "GitHub REST API base URL."),
    Setting("github.api_version", "2022-11-28", "X-GitHub-Api-Version header."),
    Setting("gitlab.url", "https://gitlab.com", "GitLab base URL."),
    Setting("backstage.url", None, "Backstage base URL; catalog registration is off without it."),
    Setting("http.timeout", 30.0, "Seconds to wait for one HTTP answer."),
    Setting("http.deadline", 60.0, "Seconds one HTTP exchange may take, connect to last byte."),
    Setting("http.max_body", 8 * 1024 * 1024, "Largest HTTP answer body read, in bytes."),
    Setting("http.max_attempts", 5, "Attempts per HTTP request (retries on 5xx, 429, rate limits)."),
    Setting("http.max_wait", 300.0, "Seconds one command may spend waiting before retries."),
    Setting("http.backoff", 0.5, "First retry delay in seconds; doubles, with jitter."),
    Setting("http.rate_limit_wait", 60.0, "Wait after a rate limit answer that names no time."),
    Setting("http.write_interval", 1.0, "Seconds between two writes to GitHub (its best practice)."),
    Setting("lock_wait", DEFAULT_WAIT, "Seconds to wait for another platformctl run holding the same lock."),
    Setting("platform.argocd.project", None, "Argo CD AppProject of new services' Applications."),
    Setting("platform.argocd.namespace", None, "Namespace of Argo CD (where Applications live)."),
    Setting(
        "platform.argocd.repo_url", None, "Base URL of service repositories, as Argo CD or Flux clone them."
    ),
    Setting("platform.vault.mount", None, "Vault KV mount holding the services' secrets."),
    Setting(
        "platform.vault.cluster_secret_store", None, "External Secrets ClusterSecretStore reading Vault."
    ),
    Setting("platform.grafana.folder", None, "Grafana folder of the services' dashboards."),
    Setting(
        "platform.grafana.dashboards",
        None,
        "configmap (for the sidecar) or grafana-operator (GrafanaDashboard).",
    ),
    Setting(
        "platform.grafana.instance_labels", None, "Labels of the Grafanas that import GrafanaDashboards."
    ),
    Setting("platform.alerting.labels", None, "Labels added to every alert (a mapping), for routing."),
    Setting("platform.terraform.module_source", None, "Source of the platform's shared Terraform module."),
    Setting("platform.terraform.module_version", None, "Version constraint of that module."),
)
_BY_KEY = {s.key: s for s in SETTINGS}
# Settings whose field in PlatformConfig is plain optional text (no pattern, no check): the value
# of their environment variable is taken as it is, without building the pydantic schema (most of
# a quick command's settings cost). tests/cli/test_quick_paths.py checks the schema still says so.
PLAIN_TEXT_SETTINGS = frozenset({"home"})


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


def find_project_file(start: Path) -> Path | None:
    """The nearest ``platformctl.yaml`` in ``start`` or one of its parents."""
    for folder in (start, *start.parents):
        candidate = folder / PROJECT_FILE_NAME
        if candidate.is_file():
            return candidate
    return None


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
    files, walked = _config_files(config_file, env, cwd or Path.cwd())
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
                _validate({setting.key: raw}, f"environment variable {setting.env_var}"),
                f"env {setting.env_var}",
            )
    for key, value in (flags or {}).items():
        if value is not None:
            _apply(values, _validate_flag(key, value), "flag")
    return Settings(values, golden_paths, tuple(files), classes, tuple(ignored))


def _config_files(
    config_file: Path | None, env: Mapping[str, str], cwd: Path
) -> tuple[list[Path], Path | None]:
    """The files to read, lowest precedence first (the user file, then the project file), and
    the project file when it was found by walking up rather than named by the user."""
    explicit = config_file or (Path(env[ENV_PREFIX + "CONFIG"]) if env.get(ENV_PREFIX + "CONFIG") else None)
    if explicit is not None and not explicit.is_file():
        via = "--config" if config_file else f"{ENV_PREFIX}CONFIG"
        problem = "is a directory" if explicit.is_dir() else "does not exist"
        raise ConfigError(
            f"config file {explicit} (from {via}) {problem}",
            hint="create it with 'platformctl config init', or fix the path",
        )
    user_file = user_config_dir(env) / "config.yaml"
    walked = None if explicit else find_project_file(cwd)
    layers = [user_file if user_file.is_file() else None, explicit or walked]
    files = list(dict.fromkeys(p for p in layers if p is not None))
    return files, (walked if walked is not None and walked != user_file else None)


def read_config_file(path: Path) -> PlatformConfig:
    """Parse and validate one ``platformctl.yaml``.

    Raises:
        ConfigError: unreadable, not YAML, not a mapping, or invalid fields.
    """
    from platformctl.yamlfiles import load_yaml_file

    data = load_yaml_file(
        path,
        what="config file",
        error=ConfigError,
        hint="fix it; 'platformctl config init' writes a valid example",
    )
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: the top level must be a mapping of settings, not {type(data).__name__}",
            hint="see 'platformctl docs configuration'",
        )
    return _validate(data, str(path))


def _nest(data: Mapping[str, Any]) -> dict[str, Any]:
    """``{"http.timeout": 5}`` → ``{"http": {"timeout": 5}}`` (settings from variables and flags)."""
    nested: dict[str, Any] = {}
    for key, value in data.items():
        *parents, last = key.split(".")  # any depth: platform.argocd.project
        level = nested
        for part in parents:
            level = level.setdefault(part, {})
        level[last] = value
    return nested


def _validate(data: Mapping[str, Any], origin: str) -> PlatformConfig:
    from pydantic import ValidationError

    from platformctl.config_schema import PlatformConfig

    try:
        return PlatformConfig.model_validate(_nest(data))
    except ValidationError as exc:
        raise ConfigError(
            f"{origin}: {describe_validation_error(exc, PlatformConfig)}",
            hint="see 'platformctl docs configuration' for every field",
        ) from None


def _validate_flag(key: str, value: Any) -> PlatformConfig:
    """A setting given as a flag (``--provider``, ``--org``): errors name the flag, not a field."""
    from pydantic import ValidationError

    from platformctl.config_schema import PlatformConfig, describe_problem

    try:
        return PlatformConfig.model_validate(_nest({key: value}))
    except ValidationError as exc:
        flag = "--" + key.rpartition(".")[2].replace("_", "-")
        problem = describe_problem(exc.errors()[0]).replace("Input should be", f"{value!r} should be", 1)
        raise ConfigError(
            f"{flag}: {problem}", hint=f"run the command with --help to see what {flag} takes"
        ) from None


def _apply(values: dict[str, Resolved], config: PlatformConfig, source: str) -> None:
    dumped = config.model_dump(exclude_unset=True, exclude={"golden_paths", "environments"})
    for key, value in _flatten(dumped).items():
        if key in _BY_KEY and value is not None:
            values[key] = Resolved(value, source)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and dotted not in _BY_KEY:  # a mapping-valued setting stays whole
            out.update(_flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out
