"""Every scalar setting platformctl has: its dotted key, built-in default, variable and help.

The one table ``config show``, ``config init``, the environment variables and the docs are
made from; :mod:`platformctl.config` resolves them. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from platformctl.locks import DEFAULT_WAIT

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
BY_KEY = {s.key: s for s in SETTINGS}
# Settings whose field in PlatformConfig is plain optional text (no pattern, no check): the value
# of their environment variable is taken as it is, without building the pydantic schema (most of
# a quick command's settings cost). tests/cli/test_quick_paths.py checks the schema still says so.
PLAIN_TEXT_SETTINGS = frozenset({"home"})
