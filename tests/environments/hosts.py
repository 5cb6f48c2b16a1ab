"""GitHub and GitLab as environment providers: the fakes with environment routes, a service, the CLI env.

``github_envs`` / ``gitlab_envs`` are the fakes' environment state (served on loopback);
``github_service`` / ``gitlab_service`` write a service checkout whose repository is at that
host; ``run_github`` / ``run_gitlab`` run the real CLI (in-process) inside it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result
from tests.fakes.fixtures import GITHUB_TOKEN, GITLAB_TOKEN
from tests.fakes.github_environments import EnvironmentRoutes as GitHubEnvironmentRoutes
from tests.fakes.github_environments import add_environment_routes as add_github_environments
from tests.fakes.gitlab_environments import EnvironmentRoutes as GitLabEnvironmentRoutes
from tests.fakes.gitlab_environments import add_environment_routes as add_gitlab_environments

SECRET = "correct-horse-battery-staple"

GITHUB_ENVIRONMENTS = """\
  staging:
    class: staging
    providers: [github]
    variables: {LOG_LEVEL: info, REGION: eu-west-1}
    secrets:
      DB_PASSWORD: {env: TEST_DB_PASSWORD}
    protection:
      wait_timer: 5
      prevent_self_review: true
      reviewers: [{team: platform}, {user: alice}]
      branches: [main, release/*]
  production: {class: production, providers: [github]}
  "pr-*": {class: preview, providers: [github]}
"""

GITLAB_ENVIRONMENTS = """\
  staging:
    class: staging
    providers: [gitlab]
    variables: {LOG_LEVEL: info, REGION: eu-west-1}
    secrets:
      DB_PASSWORD: {env: TEST_DB_PASSWORD}
    protection:
      wait_timer: 5
      reviewers: [{team: platform}, {user: alice}]
  production: {class: production, providers: [gitlab]}
  "pr-*": {class: preview, providers: [gitlab]}
"""


@pytest.fixture
def github_envs(github, github_url) -> GitHubEnvironmentRoutes:
    """The GitHub fake with environments, a public repository acme/payments and a user alice."""
    routes = add_github_environments(github)
    github.add_repo("acme", "payments", visibility="public")
    routes.people["alice"] = 4242
    return routes


@pytest.fixture
def gitlab_envs(gitlab, gitlab_url) -> GitLabEnvironmentRoutes:
    """The GitLab fake with environments, a project acme/payments, a group acme/platform, user alice."""
    routes = add_gitlab_environments(gitlab)
    gitlab.add_group("acme/platform")
    from tests.fakes.gitlab import Project

    group = gitlab.groups["acme"]
    namespace = {k: group[k] for k in ("id", "name", "path", "kind", "full_path")}
    gitlab.projects["acme/payments"] = Project(next(gitlab.ids), namespace, "payments", "payments")
    routes.users["alice"] = 4242
    return routes


class Runner:
    """``run(*args, **extra_env)``: the real CLI in the service folder, run in-process through
    ``run(argv, context=...)`` with its own environment and streams (no interpreter to start:
    these scenarios are about the providers, not the process). The fakes still answer on
    loopback. Log records go to ``sys.stderr``, so it is the invocation's stderr meanwhile."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env

    def __call__(self, *args: str, **more: str) -> Result:
        from platformctl.cli.app import run
        from platformctl.cli.context import AppContext
        from platformctl.cli.io import IO

        stdout, stderr = io.StringIO(), io.StringIO()
        env = {**os.environ, **self.env, **more}
        console = IO(env=env, stdin=io.StringIO(""), stdout=stdout, stderr=stderr)
        here = Path.cwd()
        os.chdir(self.folder)
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                code = run(list(args), context=AppContext(io=console))
        finally:
            os.chdir(here)
        return Result(int(code), stdout.getvalue(), stderr.getvalue())


@pytest.fixture
def run_github(github_envs, github_url, fast_http_env, platform_home, tmp_path, monkeypatch):
    """Run ``platformctl`` in a service whose repository is acme/payments at the GitHub fake."""
    from tests.environments.conftest import write_service

    monkeypatch.setenv("TEST_DB_PASSWORD", SECRET)
    folder = write_service(
        tmp_path / "work" / "payments",
        environments=GITHUB_ENVIRONMENTS,
        repository="{provider: github, slug: acme/payments, url: https://github.test/acme/payments}",
    )
    env = {**fast_http_env, "PLATFORMCTL_GITHUB_API_URL": github_url, "GH_TOKEN": GITHUB_TOKEN}
    return Runner(folder, env)


@pytest.fixture
def run_gitlab(gitlab_envs, gitlab_url, fast_http_env, platform_home, tmp_path, monkeypatch):
    """Run ``platformctl`` in a service whose repository is acme/payments at the GitLab fake."""
    from tests.environments.conftest import write_service

    monkeypatch.setenv("TEST_DB_PASSWORD", SECRET)
    folder = write_service(
        tmp_path / "work" / "payments",
        environments=GITLAB_ENVIRONMENTS,
        repository="{provider: gitlab, slug: acme/payments, url: https://gitlab.test/acme/payments}",
    )
    env = {**fast_http_env, "PLATFORMCTL_GITLAB_URL": gitlab_url, "GITLAB_TOKEN": GITLAB_TOKEN}
    return Runner(folder, env)


def everything_logged(fake: Any) -> str:
    """Every request body the fake received, as one text (to look for leaked values)."""
    return "\n".join(json.dumps(entry.body) for entry in fake.log if entry.body is not None)


def pending(result: Result) -> list[tuple[str, str, str]]:
    """(kind, name, action) of the changes of a --json plan that write something."""
    return [
        (c["kind"], c["name"], c["action"]) for c in result.json()["changes"] if c["action"] != "unchanged"
    ]


def environ(*names: str) -> dict[str, str]:
    """The named variables of this process's environment."""
    return {n: os.environ[n] for n in names}
