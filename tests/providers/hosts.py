"""Providers wired to the fakes in-process, on a clock that never really sleeps."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

from platformctl.providers.backstage.catalog import BackstageCatalog
from platformctl.providers.github.repositories import GitHubRepositories, web_url_from_api
from platformctl.providers.gitlab.repositories import GitLabRepositories
from platformctl.providers.gitpush import GitCredentials, GitRemote
from platformctl.providers.http import (
    HttpClient,
    RetryPolicy,
    backstage_service,
    github_service,
    gitlab_service,
)
from platformctl.providers.tokens import Token
from tests.fakes.clock import FakeClock
from tests.fakes.fixtures import BACKSTAGE_TOKEN, GITHUB_TOKEN, GITLAB_TOKEN


def github_host(
    url: str,
    token: str | None = GITHUB_TOKEN,
    clock: FakeClock | None = None,
    policy: RetryPolicy | None = None,
) -> GitHubRepositories:
    clock = clock or FakeClock()
    policy = policy or RetryPolicy(write_interval=1.0)
    secret = Token(token, "GH_TOKEN") if token else None
    service = github_service(url, "2022-11-28", secret)
    git = GitRemote(
        "GitHub",
        GitCredentials("x-access-token", secret, "the permission contents: write"),
        policy,
        clock,
        token_hint=service.token_hint,
    )
    return GitHubRepositories(HttpClient(service, policy, clock=clock), git, web_url_from_api(url))


def gitlab_host(
    url: str, token: str | None = GITLAB_TOKEN, clock: FakeClock | None = None
) -> GitLabRepositories:
    clock = clock or FakeClock()
    secret = Token(token, "GITLAB_TOKEN") if token else None
    service = gitlab_service(url, secret)
    credentials = GitCredentials("oauth2", secret, "the scope write_repository")
    git = GitRemote("GitLab", credentials, RetryPolicy(), clock, token_hint=service.token_hint)
    return GitLabRepositories(HttpClient(service, RetryPolicy(), clock=clock), git, url)


def backstage_catalog(url: str, token: str | None = BACKSTAGE_TOKEN) -> BackstageCatalog:
    service = backstage_service(url, Token(token, "BACKSTAGE_TOKEN") if token else None)
    return BackstageCatalog(HttpClient(service, RetryPolicy(), clock=FakeClock()))


def checkout(path: Path, name: str = "payments", extra: str = "") -> Path:
    """A service checkout: a git repository on main with a catalog file, one commit."""
    path.mkdir(parents=True)
    (path / "catalog-info.yaml").write_text(
        textwrap.dedent(f"""\
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: {name}
        spec:
          type: service
          lifecycle: experimental
          owner: team-payments
        """)
    )
    (path / "README.md").write_text(f"# {name}\n{extra}")
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@x", "commit", "-q", "-m", "first"],
    ):
        subprocess.run(["git", "-C", str(path), *args], check=True)
    return path


def head(path: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
