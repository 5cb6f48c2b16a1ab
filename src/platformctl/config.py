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
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from platformctl.environment_fields import EnvironmentClass
from platformctl.errors import ConfigError
from platformctl.files import user_config_dir, user_data_dir

PROJECT_FILE_NAME = "platformctl.yaml"
ENV_PREFIX = "PLATFORMCTL_"
PROVIDERS = ("local", "github", "gitlab")
_SLUG = r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?(/[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)*$"


def _check_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_check_url)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GoldenPathSource(_Strict):
    """Where a configured golden path comes from: a local directory or a git URL at a ref."""

    path: str | None = Field(None, description="Local directory holding copier.yml")
    git: str | None = Field(None, description="Git URL of a repository holding copier.yml")
    ref: str | None = Field(None, description="Tag, branch or commit of `git` (default: HEAD)")
    subdirectory: str | None = Field(None, description="Folder of the git repository to use")
    trusted: bool = Field(False, description="Allow copier tasks and extensions of this source")

    @model_validator(mode="after")
    def _one_location(self) -> GoldenPathSource:
        if (self.path is None) == (self.git is None):
            raise ValueError("give exactly one of 'path' or 'git'")
        if self.path is not None and (self.ref or self.subdirectory):
            raise ValueError("'ref' and 'subdirectory' go with 'git', not 'path'")
        return self

    @field_validator("git")
    @classmethod
    def _no_credentials(cls, value: str | None) -> str | None:
        from urllib.parse import urlsplit

        if value is not None and value.startswith("-"):
            raise ValueError("must be a git URL or path, not an option")
        # A password in the URL would be stored in the cache's .git/config and recorded in every
        # service's platform.yaml (as the golden path's source), and printed by `config show`.
        if value is not None and urlsplit(value).password:
            raise ValueError("holds a password or token: leave it out, git asks its credential helper "
                             "(or use an SSH URL)")
        return value

    @field_validator("ref")
    @classmethod
    def _ref(cls, value: str | None) -> str | None:
        if value is not None and (value.startswith("-") or not value or any(c.isspace() for c in value)):
            raise ValueError("must be a tag, branch or commit (no spaces, not starting with '-')")
        return value

    @field_validator("subdirectory")
    @classmethod
    def _inside(cls, value: str | None) -> str | None:
        if value is not None and (Path(value).is_absolute() or ".." in Path(value).parts):
            raise ValueError("must be a folder inside the repository (relative, without '..')")
        return value


class GitHubConfig(_Strict):
    api_url: HttpUrl | None = None
    api_version: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class GitLabConfig(_Strict):
    url: HttpUrl | None = None


class BackstageConfig(_Strict):
    url: HttpUrl | None = None


class HttpConfig(_Strict):
    """The HTTP policy of the remote providers (docs/providers.md)."""

    timeout: float | None = Field(None, gt=0, description="Seconds to wait for one answer")
    max_attempts: int | None = Field(None, ge=1, le=20, description="Attempts per request")
    max_wait: float | None = Field(None, ge=0, description="Seconds one command may spend waiting to retry")
    backoff: float | None = Field(None, ge=0, description="First retry delay in seconds (doubles)")
    rate_limit_wait: float | None = Field(None, ge=0, description="Wait after a rate limit naming no time")
    write_interval: float | None = Field(None, ge=0, description="Seconds between two writes to GitHub")


class PlatformConfig(_Strict):
    """The shape of ``platformctl.yaml``; every field is optional."""

    provider: Literal["local", "github", "gitlab"] | None = None
    org: str | None = Field(None, pattern=_SLUG)
    owner: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:-]*$")
    golden_path: str | None = Field(None, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    home: str | None = None
    github: GitHubConfig | None = None
    gitlab: GitLabConfig | None = None
    backstage: BackstageConfig | None = None
    http: HttpConfig | None = None
    golden_paths: dict[str, GoldenPathSource] | None = None
    environments: dict[str, EnvironmentClass] | None = Field(
        None, description="Environment classes: defaults for the environments of that class")

    @field_validator("golden_paths", "environments")
    @classmethod
    def _names(cls, value: dict[str, Any] | None, info: Any) -> Any:
        what = "golden path" if info.field_name == "golden_paths" else "environment class"
        for name in value or {}:
            if not _is_dns_label(name):
                raise ValueError(f"{what} name {name!r} must be a lower-case DNS label")
        return value


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
    Setting("http.max_attempts", 5, "Attempts per HTTP request (retries on 5xx, 429, rate limits)."),
    Setting("http.max_wait", 300.0, "Seconds one command may spend waiting before retries."),
    Setting("http.backoff", 0.5, "First retry delay in seconds; doubles, with jitter."),
    Setting("http.rate_limit_wait", 60.0, "Wait after a rate limit answer that names no time."),
    Setting("http.write_interval", 1.0, "Seconds between two writes to GitHub (its best practice)."),
)
_BY_KEY = {s.key: s for s in SETTINGS}


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
class Settings:
    """The effective settings of one invocation."""

    values: dict[str, Resolved]
    golden_paths: dict[str, ConfiguredGoldenPath] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    environment_classes: dict[str, tuple[EnvironmentClass, str]] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        """The effective value of a dotted setting key."""
        return self.values[key].value

    @property
    def home(self) -> Path:
        """The platform home directory."""
        return Path(self.get("home")).expanduser()


def _is_dns_label(name: str) -> bool:
    import re

    return bool(re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name)) and len(name) <= 63


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
    cwd = cwd or Path.cwd()
    values = {s.key: Resolved(s.default, "default") for s in SETTINGS}
    values["home"] = Resolved(str(user_data_dir(env)), "default")
    golden_paths: dict[str, ConfiguredGoldenPath] = {}
    classes: dict[str, tuple[EnvironmentClass, str]] = {}
    files: list[Path] = []

    explicit = config_file or (Path(env[ENV_PREFIX + "CONFIG"]) if env.get(ENV_PREFIX + "CONFIG") else None)
    if explicit is not None and not explicit.is_file():
        via = "--config" if config_file else f"{ENV_PREFIX}CONFIG"
        raise ConfigError(
            f"config file {explicit} (from {via}) does not exist",
            hint="create it with 'platformctl config init', or fix the path",
        )
    user_file = user_config_dir(env) / "config.yaml"
    layers = [user_file if user_file.is_file() else None, explicit or find_project_file(cwd)]
    for path in dict.fromkeys(p for p in layers if p is not None):
        config = read_config_file(path)
        files.append(path)
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
        if raw:
            _apply(values, _validate({setting.key: raw}, f"environment variable {setting.env_var}"),
                   f"env {setting.env_var}")
    if flags:
        set_flags = {k: v for k, v in flags.items() if v is not None}
        _apply(values, _validate(set_flags, "command-line flags"), "flag")
    return Settings(values, golden_paths, tuple(files), classes)


def read_config_file(path: Path) -> PlatformConfig:
    """Parse and validate one ``platformctl.yaml``.

    Raises:
        ConfigError: unreadable, not YAML, not a mapping, or invalid fields.
    """
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}",
                          hint="fix the syntax; 'platformctl config init' writes a valid example") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of settings, not {type(data).__name__}",
                          hint="see docs/configuration.md")
    return _validate(data, str(path))


def _validate(data: Mapping[str, Any], origin: str) -> PlatformConfig:
    nested: dict[str, Any] = {}
    for key, value in data.items():
        head, _, tail = key.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = value
        else:
            nested[key] = value
    try:
        return PlatformConfig.model_validate(nested)
    except ValidationError as exc:
        raise ConfigError(f"{origin}: {describe_validation_error(exc, PlatformConfig)}",
                          hint="see docs/configuration.md for every field") from None


def describe_validation_error(exc: ValidationError, model: type[BaseModel]) -> str:
    """One readable sentence for the first error of a pydantic validation (field, problem, allowed)."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        allowed = _allowed_fields(model, err["loc"][:-1])
        more = f" (allowed: {', '.join(allowed)})" if allowed else ""
        return f"unknown field '{loc}'{more}"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "string_pattern_mismatch":
        msg = f"{err.get('input')!r} does not match {err['ctx']['pattern']}"
    count = len(exc.errors())
    extra = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
    return f"field '{loc}': {msg}{extra}"


def _allowed_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current: Any = model
    for part in loc:
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            if isinstance(part, str) and part not in getattr(current, "model_fields", {}):
                continue  # a key of a mapping of models (e.g. an environment class name)
            return []
        current = _model_of(info.annotation)
        if current is None:
            return []
    return sorted(getattr(current, "model_fields", {}))


def _model_of(annotation: Any) -> Any:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _apply(values: dict[str, Resolved], config: PlatformConfig, source: str) -> None:
    dumped = config.model_dump(exclude_unset=True, exclude={"golden_paths", "environments"})
    for key, value in _flatten(dumped).items():
        if key in _BY_KEY and value is not None:
            values[key] = Resolved(value, source)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


STARTER_CONFIG = """\
# platformctl.yaml: the platform configuration, shared by a team in a repository.
# Every field is optional. Precedence: flags > PLATFORMCTL_* env vars > this file
# > the user file (~/.config/platformctl/config.yaml) > built-in defaults.
# Reference: docs/configuration.md

# Where `new service` creates repositories: local (embedded, no account), github or gitlab.
provider: local

# Organisation (GitHub), group path (GitLab) or folder (local) that owns new repositories.
# org: acme

# Default owner team of new services (Backstage group), and default golden path.
# owner: team-payments
golden_path: python-service

# Platform home: local repositories and state. Default: ~/.local/share/platformctl
# home: /srv/platform

# github:
#   api_url: https://api.github.com        # GitHub Enterprise Server: https://HOST/api/v3
#   api_version: "2022-11-28"
# gitlab:
#   url: https://gitlab.com                # self-managed: https://gitlab.example.com
# backstage:
#   url: https://backstage.example.com     # enables catalog registration
# http:                                    # retries of GitHub, GitLab and Backstage requests
#   max_attempts: 5
#   max_wait: 300                          # seconds one command may spend waiting

# Extra golden paths, next to the bundled ones. Copier tasks and extensions run only
# for sources marked trusted.
# golden_paths:
#   internal-api:
#     path: ./golden-paths/internal-api     # relative to this file
#   data-pipeline:
#     git: https://git.example.com/platform/data-pipeline-template.git
#     ref: v2.1.0
#     trusted: false

# Environment classes: defaults for the environments of each class (see docs/environments.md).
# environments:
#   staging:
#     providers: [local]
#     variables: {LOG_LEVEL: info}
#   production:
#     production: true                      # `env down` needs --yes without a terminal
#     protection: {wait_timer: 10, reviewers: [{team: platform}], branches: protected}
#   preview:
#     ttl: 3d                               # ephemeral: `env reap` deletes it when expired
"""
