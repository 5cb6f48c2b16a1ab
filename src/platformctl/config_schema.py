"""The shape of ``platformctl.yaml`` (pydantic), and readable sentences for its validation errors.

Pydantic only, no I/O: :mod:`platformctl.config` reads the files and layers the settings.
"""

from __future__ import annotations

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

from platformctl.contracts.environment_fields import EnvironmentClass

_SLUG = r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?(/[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)*$"


def _check_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_check_url)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


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
            raise ValueError(
                "holds a password or token: leave it out, git asks its credential helper (or use an SSH URL)"
            )
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
    deadline: float | None = Field(None, gt=0, description="Seconds one exchange may take in all")
    max_body: int | None = Field(None, ge=1024, description="Largest answer body read, in bytes")
    max_attempts: int | None = Field(None, ge=1, le=20, description="Attempts per request")
    max_wait: float | None = Field(None, ge=0, description="Seconds one command may spend waiting to retry")
    backoff: float | None = Field(None, ge=0, description="First retry delay in seconds (doubles)")
    rate_limit_wait: float | None = Field(None, ge=0, description="Wait after a rate limit naming no time")
    write_interval: float | None = Field(None, ge=0, description="Seconds between two writes to GitHub")


_LABEL_KEY = r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
_LABEL_VALUE = r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$"


class ArgoCdConfig(_Strict):
    """Argo CD: the AppProject, its namespace and the repositories' base URL."""

    project: str | None = Field(None, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63)
    namespace: str | None = Field(None, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63)
    repo_url: str | None = Field(None, pattern=r"^(https://|ssh://|git@)[^\s'\"]+[^/\s'\"]$")


class VaultConfig(_Strict):
    """Vault through External Secrets: the KV mount and the ClusterSecretStore."""

    mount: str | None = Field(None, pattern=r"^[A-Za-z0-9][-A-Za-z0-9_/]*[A-Za-z0-9]$")
    cluster_secret_store: str | None = Field(
        None, pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253
    )


class GrafanaConfig(_Strict):
    """Grafana: the folder the dashboards land in, and how they get there."""

    folder: str | None = Field(None, pattern=r"^[A-Za-z0-9][-A-Za-z0-9 _.]*$", max_length=100)
    dashboards: Literal["configmap", "grafana-operator"] | None = Field(
        None, description="A ConfigMap for Grafana's sidecar, or a GrafanaDashboard for the operator"
    )
    instance_labels: dict[str, str] | None = Field(
        None, description="Labels of the Grafana instances that import GrafanaDashboards"
    )

    @field_validator("instance_labels")
    @classmethod
    def _instance_label_pairs(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        import re

        for key, label in (value or {}).items():
            if not re.fullmatch(_LABEL_KEY, key) or not re.fullmatch(_LABEL_VALUE, label) or len(label) > 63:
                raise ValueError(f"{key!r}: {label!r} is not a Kubernetes-style label")
        return value


class AlertingConfig(_Strict):
    """Alerting: labels every alert carries (routing, team, severity policy)."""

    labels: dict[str, str] | None = Field(None, description="Labels added to every alert")

    @field_validator("labels")
    @classmethod
    def _label_pairs(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        import re

        for key, label in (value or {}).items():
            if not re.fullmatch(_LABEL_KEY, key) or not re.fullmatch(_LABEL_VALUE, label) or len(label) > 63:
                raise ValueError(f"{key!r}: {label!r} is not a Kubernetes-style label")
        return value


class TerraformConfig(_Strict):
    """The platform's shared Terraform module: its source and version."""

    module_source: str | None = Field(None, pattern=r"^[A-Za-z0-9][-A-Za-z0-9_.:/@?=&]*$")
    module_version: str | None = Field(None, pattern=r"^[-~>=<!., 0-9A-Za-z]+$")


class PlatformStackConfig(_Strict):
    """Where new services plug into the platform: answers' defaults of the golden paths."""

    argocd: ArgoCdConfig | None = None
    vault: VaultConfig | None = None
    grafana: GrafanaConfig | None = None
    alerting: AlertingConfig | None = None
    terraform: TerraformConfig | None = None


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
    lock_wait: float | None = Field(
        None, ge=0, le=600, description="Seconds to wait for another run holding the same lock"
    )
    platform: PlatformStackConfig | None = None
    golden_paths: dict[str, GoldenPathSource] | None = None
    environments: dict[str, EnvironmentClass] | None = Field(
        None, description="Environment classes: defaults for the environments of that class"
    )

    @field_validator("golden_paths", "environments")
    @classmethod
    def _names(cls, value: dict[str, Any] | None, info: Any) -> Any:
        what = "golden path" if info.field_name == "golden_paths" else "environment class"
        for name in value or {}:
            if not _is_dns_label(name):
                from platformctl.names import NAME_RULE

                raise ValueError(f"{what} name {name!r} must be a lower-case DNS label ({NAME_RULE})")
        return value


def _is_dns_label(name: str) -> bool:
    import re

    return bool(re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name)) and len(name) <= 63


def describe_validation_error(exc: ValidationError, model: type[BaseModel]) -> str:
    """Every problem of a pydantic validation, each with its field, in the file's words; "; "-joined."""
    return "; ".join(_describe_one(err, model) for err in exc.errors())


def _describe_one(err: Any, model: type[BaseModel]) -> str:
    loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        allowed = _allowed_fields(model, err["loc"][:-1])
        more = f" (allowed: {', '.join(allowed)})" if allowed else ""
        return f"unknown field '{loc}'{more}"
    return f"field '{loc}': {describe_problem(err)}"


# pydantic's words for a type, and ours (a platform engineer writes YAML, not Python).
_WANTED = {
    "a valid string": "text",
    "a valid integer": "a whole number",
    "a valid number": "a number",
    "a valid boolean": "true or false",
    "a valid dictionary": "a mapping (key: value lines)",
    "a valid list": "a list",
}


def describe_problem(err: Any) -> str:
    """What is wrong with one value, in the words of the file rather than of pydantic."""
    if err["type"] == "string_pattern_mismatch":
        return f"{err.get('input')!r} does not match {err['ctx']['pattern']}"
    if err["type"] in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping (key: value lines), not {_yaml_kind(err.get('input'))}"
    if err["type"] == "missing":
        return "is required"
    message = str(err["msg"]).removeprefix("Value error, ")
    if message.startswith("Input should be "):
        wanted = message.removeprefix("Input should be ")
        wanted = _WANTED.get(wanted.split(",")[0], wanted)
        return f"must be {wanted}, not {_shown(err.get('input'))}"
    for subject in ("String should", "Value should", "List should", "Dictionary should"):
        if message.startswith(subject):
            return "must" + message.removeprefix(subject)
    return message


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:50] + "…")
    return _yaml_kind(value) if isinstance(value, (list, dict, type(None))) else repr(value)


def _yaml_kind(value: Any) -> str:
    if value is None:
        return "empty"
    kinds = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list"}
    return kinds.get(type(value), type(value).__name__)


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
