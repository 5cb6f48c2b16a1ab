"""The per-invocation context handed to every command through ``ctx.obj``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from platformctl.cli.io import IO

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from platformctl.config import Settings
    from platformctl.contracts.environments import EnvironmentProvider
    from platformctl.contracts.repositories import CatalogRegistrar, RepositoryHost
    from platformctl.providers.http import RetryPolicy, Service
    from platformctl.providers.repo_trees import GitHubTrees, GitLabTrees
    from platformctl.scaffold.descriptor import RepositoryRecord


GIT_HOSTS = ("github", "gitlab")


@dataclass
class AppContext:
    """Global flags, the IO object and lazily loaded settings (gh's Factory, in small)."""

    io: IO = field(default_factory=IO)
    config_file: Path | None = None
    debug: bool = False
    _warned: set[tuple[str, str]] = field(default_factory=set)

    def settings(self, **flags: Any) -> Settings:
        """Load the layered settings, with ``flags`` (dotted keys) on top."""
        from platformctl.config import load_settings

        settings = load_settings(config_file=self.config_file, flags=flags)
        for file, key in settings.ignored:
            if (file, key) not in self._warned:  # settings may be loaded more than once
                self._warned.add((file, key))
                self.io.warn(
                    f"ignoring {key} from {file}: that file is not trusted "
                    "(run 'platformctl config trust' if it is yours)"
                )
        return settings


def command_context(ctx: typer.Context, *, json: bool = False, no_input: bool = False) -> AppContext:
    """The invocation context, with this command's --json and --no-input applied."""
    state: AppContext = ctx.ensure_object(AppContext)
    state.io.json = state.io.json or json
    state.io.no_input = state.io.no_input or no_input
    return state


def http_policy(settings: Settings) -> RetryPolicy:
    """The retry policy of every remote provider, from the ``http.*`` settings."""
    from platformctl.providers.http import RetryPolicy

    def number(key: str) -> float:
        return float(settings.get(f"http.{key}"))

    return RetryPolicy(
        max_attempts=int(number("max_attempts")),
        max_wait=number("max_wait"),
        backoff=number("backoff"),
        rate_limit_wait=number("rate_limit_wait"),
        write_interval=number("write_interval"),
        timeout=number("timeout"),
        deadline=number("deadline"),
        max_body=int(number("max_body")),
    )


def repository_host(settings: Settings, provider: str) -> RepositoryHost:
    """The repository host for ``provider``; the only place providers are constructed.

    Tokens come from the environment only (never flags or settings files); a missing token
    is reported by the first request that needs it, so ``--dry-run`` works without one.
    """
    if provider == "local":
        from platformctl.providers.local.repositories import LocalRepositories

        return LocalRepositories(settings.home)
    from platformctl.errors import UsageError

    if provider not in GIT_HOSTS:
        raise UsageError(f"unknown provider {provider!r}", hint="use local, github or gitlab")
    from platformctl.providers.gitpush import GitCredentials, GitRemote
    from platformctl.providers.http import build_client

    service, policy = git_host_service(settings, provider), http_policy(settings)
    http = build_client(service, policy)
    if provider == "github":
        from platformctl.providers.github.repositories import GitHubRepositories, web_url_from_api

        credentials = GitCredentials("x-access-token", service.token, "the permission contents: write")
        git = GitRemote("GitHub", credentials, policy, token_hint=service.token_hint)
        return GitHubRepositories(http, git, web_url_from_api(service.base_url))
    from platformctl.providers.gitlab.repositories import GitLabRepositories

    credentials = GitCredentials("oauth2", service.token, "the scope write_repository")
    git = GitRemote("GitLab", credentials, policy, token_hint=service.token_hint)
    return GitLabRepositories(http, git, settings.get("gitlab.url"))


def git_host_service(settings: Settings, provider: str) -> Service:
    """The API of a Git host (``github`` or ``gitlab``), its token from the environment."""
    import os

    from platformctl.providers.http import github_service, gitlab_service
    from platformctl.providers.tokens import token_from_env

    token = token_from_env(provider, os.environ)
    if provider == "github":
        return github_service(settings.get("github.api_url"), settings.get("github.api_version"), token)
    return gitlab_service(settings.get("gitlab.url"), token)


def catalog_registrar(settings: Settings) -> CatalogRegistrar | None:
    """The Backstage catalog when ``backstage.url`` is set, else None (registration off)."""
    import os

    url = settings.get("backstage.url")
    if not url:
        return None
    from platformctl.providers.backstage.catalog import BackstageCatalog
    from platformctl.providers.http import backstage_service, build_client
    from platformctl.providers.tokens import token_from_env

    service = backstage_service(url, token_from_env("backstage", os.environ))
    return BackstageCatalog(build_client(service, http_policy(settings)))


def environment_providers(
    settings: Settings,
    names: Sequence[str],
    progress: Callable[[str], None] | None = None,
    repository: RepositoryRecord | None = None,
) -> dict[str, EnvironmentProvider]:
    """The environment providers named by a spec; the only place they are constructed.

    GitHub and GitLab environments live in the service's repository (``repository`` of the
    service descriptor), which must be at that provider.
    """
    import os

    from platformctl.errors import UsageError

    providers: dict[str, EnvironmentProvider] = {}
    for name in names:
        if name == "local":
            from platformctl.providers.local.environments import LocalEnvironments

            providers[name] = LocalEnvironments(settings.home)
        elif name == "kubernetes":
            from platformctl.providers.kubernetes.environments import KubernetesEnvironments
            from platformctl.providers.kubernetes.kubeconfig import load_kubeconfig

            providers[name] = KubernetesEnvironments(load_kubeconfig(os.environ), progress=progress)
        elif name in ("github", "gitlab"):
            providers[name] = _git_host_environments(settings, name, _repository_slug(repository, name))
        else:
            raise UsageError(
                f"unknown environment provider {name!r}", hint="use local, kubernetes, github or gitlab"
            )
    return providers


def _repository_slug(repository: RepositoryRecord | None, provider: str) -> str:
    from platformctl.errors import ConfigError

    if repository is None or repository.provider != provider:
        found = repository.provider if repository else "none"
        raise ConfigError(
            f"environments at {provider} live in the service's repository, but platform.yaml "
            f"says its repository is at {found}",
            hint=f"set repository.provider to {provider} and repository.slug to OWNER/NAME in "
            "platform.yaml, or use another environment provider",
        )
    return repository.slug


def _git_host_environments(settings: Settings, provider: str, slug: str) -> EnvironmentProvider:
    import functools
    import os

    from platformctl.providers.http import build_client

    service = git_host_service(settings, provider)
    http = build_client(service, http_policy(settings))
    if provider == "github":
        from platformctl.providers.github.environments import GitHubEnvironments
        from platformctl.providers.github.secret_state import SecretFingerprints

        return GitHubEnvironments(
            http,
            slug,
            SecretFingerprints(settings.home),
            scope=f"{service.base_url.rstrip('/')}/repos/{slug}",
        )
    from platformctl.environments.secrets import fingerprint, load_key
    from platformctl.providers.gitlab.environments import GitLabEnvironments

    key = load_key(settings.home, os.environ)
    return GitLabEnvironments(http, slug, functools.partial(fingerprint, key))


def repository_trees(settings: Settings, provider: str) -> GitHubTrees | GitLabTrees:
    """Read-only repository listings of an organisation at ``provider`` (``assess maturity --org``)."""
    from platformctl.errors import UsageError

    if provider not in GIT_HOSTS:
        raise UsageError(
            f"--org needs a Git host to scan, not {provider!r}",
            hint="pass --provider github or --provider gitlab (or set provider in platformctl.yaml)",
        )
    from platformctl.providers.http import build_client
    from platformctl.providers.repo_trees import GitHubTrees, GitLabTrees

    client = build_client(git_host_service(settings, provider), http_policy(settings))
    return GitHubTrees(client) if provider == "github" else GitLabTrees(client)
