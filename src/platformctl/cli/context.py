"""The per-invocation context handed to every command through ``ctx.obj`` (gh's Factory).

:class:`AppContext` owns everything a command reaches outside itself: the environment, the
streams (through :class:`~platformctl.cli.io.IO`), the clock, the HTTP transport and the
builders of every provider. ``platformctl.cli.app.run(argv, context=...)`` takes one, so a
test runs any command in-process with its own streams, a fixed clock and the WSGI fakes
(``AppContext(http_transport=httpx.WSGITransport(app=fake))``) or replaced builders.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from platformctl.cli.io import IO

if TYPE_CHECKING:
    from collections.abc import Sequence

    import httpx

    from platformctl.config import Settings
    from platformctl.contracts.environments import EnvironmentProvider
    from platformctl.contracts.repositories import CatalogRegistrar, RepositoryHost
    from platformctl.providers.http import HttpClient, RetryPolicy, RetryWait, Service
    from platformctl.providers.repo_trees import GitHubTrees, GitLabTrees
    from platformctl.scaffold.descriptor import RepositoryRecord


GIT_HOSTS = ("github", "gitlab")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Builders:
    """How each kind of provider is built; replace one to hand a command a fake or a double."""

    repository_host: Callable[[AppContext, Settings, str], RepositoryHost] = field(
        default=lambda state, settings, provider: repository_host(settings, provider, state)
    )
    catalog_registrar: Callable[[AppContext, Settings], CatalogRegistrar | None] = field(
        default=lambda state, settings: catalog_registrar(settings, state)
    )
    repository_trees: Callable[[AppContext, Settings, str], GitHubTrees | GitLabTrees] = field(
        default=lambda state, settings, provider: repository_trees(settings, provider, state)
    )
    environment_providers: Callable[..., dict[str, EnvironmentProvider]] = field(
        default=lambda state, settings, names, *args, **kwargs: environment_providers(
            settings, names, *args, state=state, **kwargs
        )
    )


@dataclass
class AppContext:
    """Global flags, the IO object, the environment, the clock and the provider builders."""

    io: IO = field(default_factory=IO)
    config_file: Path | None = None
    debug: bool = False
    clock: Callable[[], datetime] = _now
    http_transport: httpx.BaseTransport | None = None
    builders: Builders = field(default_factory=Builders)
    _warned: set[tuple[str, str]] = field(default_factory=set)

    @property
    def env(self) -> Mapping[str, str]:
        """The environment of this invocation (the IO object's: one for both)."""
        return self.io.env

    def repository_host(self, settings: Settings, provider: str) -> RepositoryHost:
        """The repository host for ``provider`` (through :attr:`builders`)."""
        return self.builders.repository_host(self, settings, provider)

    def catalog_registrar(self, settings: Settings) -> CatalogRegistrar | None:
        """The catalog to register services in, or None (through :attr:`builders`)."""
        return self.builders.catalog_registrar(self, settings)

    def repository_trees(self, settings: Settings, provider: str) -> GitHubTrees | GitLabTrees:
        """Organisation listings at ``provider`` (through :attr:`builders`)."""
        return self.builders.repository_trees(self, settings, provider)

    def environment_providers(
        self, settings: Settings, names: Sequence[str], *args: Any, **kwargs: Any
    ) -> dict[str, EnvironmentProvider]:
        """The environment providers named by a spec (through :attr:`builders`)."""
        return self.builders.environment_providers(self, settings, names, *args, **kwargs)

    def http_client(self, service: Service, policy: RetryPolicy) -> HttpClient:
        """An HTTP client for ``service`` over this context's transport (the real network by default)."""
        from platformctl.providers.http import build_client

        return build_client(service, policy, transport=self.http_transport, on_wait=self._show_wait)

    def _show_wait(self, wait: RetryWait | None) -> None:
        """The HTTP policy pauses before a retry: say so on a terminal (silent elsewhere)."""
        self.io.waiting(None if wait is None else retry_wait_text(wait))

    def settings(self, **flags: Any) -> Settings:
        """Load the layered settings, with ``flags`` (dotted keys) on top."""
        from platformctl.config import load_settings

        settings = load_settings(config_file=self.config_file, flags=flags, env=self.env)
        from platformctl import yamlcache

        yamlcache.use_folder(settings.home / "cache" / "yaml")  # parsed files, by their text
        for file, key in settings.ignored:
            if (file, key) not in self._warned:  # settings may be loaded more than once
                self._warned.add((file, key))
                self.io.warn(
                    f"ignoring {key} from {file}: that file is not trusted "
                    "(run 'platformctl config trust' if it is yours)"
                )
        return settings


def retry_wait_text(wait: RetryWait) -> str:
    """``waiting 4 s for GitHub's rate limit (retry 2/5)…``."""
    seconds = f"{wait.seconds:.0f} s" if wait.seconds >= 1 else "under a second"
    why = f"for {wait.service}'s rate limit" if wait.rate_limited else f"after {wait.service}: {wait.reason}"
    return f"waiting {seconds} {why} (retry {wait.attempt}/{wait.max_attempts})…"


def command_context(ctx: typer.Context, *, json: bool = False, no_input: bool = False) -> AppContext:
    """The invocation context, with this command's --json and --no-input applied."""
    state: AppContext = ctx.ensure_object(AppContext)
    state.io.json = state.io.json or json
    state.io.no_input = state.io.no_input or no_input
    return state


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

    state = state or AppContext()
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

    state = state or AppContext()
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

    state = state or AppContext()

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

    state = state or AppContext()
    client = state.http_client(git_host_service(settings, provider, state.env), http_policy(settings))
    return GitHubTrees(client) if provider == "github" else GitLabTrees(client)
