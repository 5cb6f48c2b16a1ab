"""How each provider is built from the settings, the environment and the invocation context.

The only place providers are constructed. :class:`~platformctl.cli.context.Builders` calls these
by default; a test replaces one there to hand a command a fake or a double.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platformctl.cli.context import AppContext
    from platformctl.config import Settings
    from platformctl.contracts.environments import EnvironmentProvider
    from platformctl.contracts.repositories import CatalogRegistrar, RepositoryHost
    from platformctl.providers.http import RetryPolicy, Service
    from platformctl.providers.repo_trees import GitHubTrees, GitLabTrees
    from platformctl.scaffold.descriptor import RepositoryRecord


GIT_HOSTS = ("github", "gitlab")


def _context(state: AppContext | None) -> AppContext:
    from platformctl.cli.context import AppContext

    return state or AppContext()


def http_policy(settings: Settings) -> RetryPolicy:
    """The retry policy of every remote provider, from the ``http.*`` settings."""
    from platformctl.providers.http import RetryPolicy

    http = settings.http
    return RetryPolicy(
        max_attempts=http.max_attempts,
        max_wait=http.max_wait,
        backoff=http.backoff,
        rate_limit_wait=http.rate_limit_wait,
        write_interval=http.write_interval,
        timeout=http.timeout,
        deadline=http.deadline,
        max_body=http.max_body,
    )


def repository_host(settings: Settings, provider: str, state: AppContext | None = None) -> RepositoryHost:
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

    state = _context(state)
    service, policy = git_host_service(settings, provider, state.env), http_policy(settings)
    http = state.http_client(service, policy)
    if provider == "github":
        from platformctl.providers.github.repositories import GitHubRepositories, web_url_from_api

        credentials = GitCredentials("x-access-token", service.token, "the permission contents: write")
        git = GitRemote("GitHub", credentials, policy, token_hint=service.token_hint)
        return GitHubRepositories(http, git, web_url_from_api(service.base_url))
    from platformctl.providers.gitlab.repositories import GitLabRepositories

    credentials = GitCredentials("oauth2", service.token, "the scope write_repository")
    git = GitRemote("GitLab", credentials, policy, token_hint=service.token_hint)
    return GitLabRepositories(http, git, settings.gitlab_url)


def git_host_service(settings: Settings, provider: str, env: Mapping[str, str] | None = None) -> Service:
    """The API of a Git host (``github`` or ``gitlab``), its token from the environment."""
    from platformctl.providers.http import github_service, gitlab_service
    from platformctl.providers.tokens import token_from_env

    token = token_from_env(provider, os.environ if env is None else env)
    if provider == "github":
        return github_service(settings.github.api_url, settings.github.api_version, token)
    return gitlab_service(settings.gitlab_url, token)


def catalog_registrar(settings: Settings, state: AppContext | None = None) -> CatalogRegistrar | None:
    """The Backstage catalog when ``backstage.url`` is set, else None (registration off)."""
    url = settings.backstage_url
    if not url:
        return None
    from platformctl.providers.backstage.catalog import BackstageCatalog
    from platformctl.providers.http import backstage_service
    from platformctl.providers.tokens import token_from_env

    state = _context(state)
    service = backstage_service(url, token_from_env("backstage", state.env))
    return BackstageCatalog(state.http_client(service, http_policy(settings)))


def environment_providers(
    settings: Settings,
    names: Sequence[str],
    progress: Callable[[str], None] | None = None,
    repository: RepositoryRecord | None = None,
    *,
    kubernetes_conflicts: str = "report",
    state: AppContext | None = None,
) -> dict[str, EnvironmentProvider]:
    """The environment providers named by a spec; the only place they are constructed.

    GitHub and GitLab environments live in the service's repository (``repository`` of the
    service descriptor), which must be at that provider. ``kubernetes_conflicts`` says what a
    field another manager owns does: ``report`` it, ``refuse`` to write, or ``force`` it back.
    """
    from platformctl.errors import UsageError

    state = _context(state)

    providers: dict[str, EnvironmentProvider] = {}
    for name in names:
        if name == "local":
            from platformctl.providers.local.environments import LocalEnvironments

            providers[name] = LocalEnvironments(settings.home)
        elif name == "kubernetes":
            from platformctl.providers.kubernetes.environments import KubernetesEnvironments, OnConflict
            from platformctl.providers.kubernetes.kubeconfig import load_kubeconfig

            on_conflict: OnConflict = (
                "refuse"
                if kubernetes_conflicts == "refuse"
                else "force"
                if kubernetes_conflicts == "force"
                else "report"
            )
            providers[name] = KubernetesEnvironments(
                load_kubeconfig(state.env, home=settings.home),
                progress=progress,
                on_conflict=on_conflict,
                policy=http_policy(settings),  # the http.* settings, as for every other provider
                on_wait=state._show_wait,
            )
        elif name in ("github", "gitlab"):
            providers[name] = _git_host_environments(
                state, settings, name, _repository_slug(repository, name)
            )
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


def _git_host_environments(
    state: AppContext, settings: Settings, provider: str, slug: str
) -> EnvironmentProvider:
    import functools

    service = git_host_service(settings, provider, state.env)
    http = state.http_client(service, http_policy(settings))
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

    key = load_key(settings.home, state.env)
    return GitLabEnvironments(http, slug, functools.partial(fingerprint, key))


def repository_trees(
    settings: Settings, provider: str, state: AppContext | None = None
) -> GitHubTrees | GitLabTrees:
    """Read-only repository listings of an organisation at ``provider`` (``assess maturity --org``)."""
    from platformctl.errors import UsageError

    if provider not in GIT_HOSTS:
        raise UsageError(
            f"--org needs a Git host to scan, not {provider!r}",
            hint="pass --provider github or --provider gitlab (or set provider in platformctl.yaml)",
        )
    from platformctl.providers.repo_trees import GitHubTrees, GitLabTrees

    state = _context(state)
    client = state.http_client(git_host_service(settings, provider, state.env), http_policy(settings))
    return GitHubTrees(client) if provider == "github" else GitLabTrees(client)
