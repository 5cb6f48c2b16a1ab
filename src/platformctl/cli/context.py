"""The per-invocation context handed to every command through ``ctx.obj`` (gh's Factory).

:class:`AppContext` owns everything a command reaches outside itself: the environment, the
streams (through :class:`~platformctl.cli.io.IO`), the clock, the HTTP transport and the
builders of every provider. ``platformctl.cli.app.run(argv, context=...)`` takes one, so a
test runs any command in-process with its own streams, a fixed clock and the WSGI fakes
(``AppContext(http_transport=httpx.WSGITransport(app=fake))``) or replaced builders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from platformctl.cli.io import IO

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType

    import httpx

    from platformctl.config import Settings
    from platformctl.contracts.environments import EnvironmentProvider
    from platformctl.contracts.repositories import CatalogRegistrar, RepositoryHost
    from platformctl.providers.http import HttpClient, RetryPolicy, RetryWait, Service
    from platformctl.providers.repo_trees import GitHubTrees, GitLabTrees


def _now() -> datetime:
    return datetime.now(UTC)


def _builders() -> ModuleType:
    """The module that builds providers, loaded when a command first needs one."""
    from platformctl.cli import builders

    return builders


@dataclass
class Builders:
    """How each kind of provider is built; replace one to hand a command a fake or a double."""

    repository_host: Callable[[AppContext, Settings, str], RepositoryHost] = field(
        default=lambda state, settings, provider: _builders().repository_host(settings, provider, state)
    )
    catalog_registrar: Callable[[AppContext, Settings], CatalogRegistrar | None] = field(
        default=lambda state, settings: _builders().catalog_registrar(settings, state)
    )
    repository_trees: Callable[[AppContext, Settings, str], GitHubTrees | GitLabTrees] = field(
        default=lambda state, settings, provider: _builders().repository_trees(settings, provider, state)
    )
    environment_providers: Callable[..., dict[str, EnvironmentProvider]] = field(
        default=lambda state, settings, names, *args, **kwargs: _builders().environment_providers(
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
