"""Pytest fixtures for the fakes. Import the ones you need into your conftest.py::

    from tests.fakes.fixtures import github, github_url  # noqa: F401

``github``/``gitlab``/``backstage`` are fresh fakes (with a token, an ``acme`` organisation or
group); ``*_url`` serve them on a loopback port. The fakes' ``violations`` must be empty at
the end of a test: a request that departs from the API description fails the test.
``fast_http_env`` shortens the HTTP policy's waits for subprocess runs of the CLI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.backstage import BackstageFake
from tests.fakes.github import GitHubFake
from tests.fakes.gitlab import GitLabFake
from tests.fakes.server import serve

GITHUB_TOKEN = "ghp_" + "Fake0Token1For2Tests3" * 2
GITLAB_TOKEN = "glpat-" + "Fake0Token1For2Tests"
BACKSTAGE_TOKEN = "backstage-" + "static-token-for-tests"

FAST_HTTP = {
    "PLATFORMCTL_HTTP_BACKOFF": "0.01",
    "PLATFORMCTL_HTTP_RATE_LIMIT_WAIT": "0.05",
    "PLATFORMCTL_HTTP_WRITE_INTERVAL": "0",
    "PLATFORMCTL_HTTP_MAX_WAIT": "30",
}


def _no_violations(fake: GitHubFake | GitLabFake | BackstageFake) -> None:
    assert fake.violations == [], "requests departed from the API description:\n" + "\n".join(fake.violations)


@pytest.fixture
def github(tmp_path: Path) -> Iterator[GitHubFake]:
    """A GitHub fake with the token GITHUB_TOKEN of user ``octo`` and org ``acme`` (team ``platform``)."""
    fake = GitHubFake(tmp_path / "github-git")
    fake.add_token(GITHUB_TOKEN, "octo")
    fake.add_org("acme", teams=("platform",))
    yield fake
    _no_violations(fake)


@pytest.fixture
def github_url(github: GitHubFake) -> Iterator[str]:
    """The GitHub fake on a loopback port."""
    with serve(github) as url:
        yield url


@pytest.fixture
def gitlab(tmp_path: Path) -> Iterator[GitLabFake]:
    """A GitLab fake with the token GITLAB_TOKEN of user ``octo`` and groups ``acme``, ``acme/sub``."""
    fake = GitLabFake(tmp_path / "gitlab-git")
    fake.add_token(GITLAB_TOKEN, "octo")
    fake.add_group("acme")
    fake.add_group("acme/sub")
    yield fake
    _no_violations(fake)


@pytest.fixture
def gitlab_url(gitlab: GitLabFake) -> Iterator[str]:
    """The GitLab fake on a loopback port."""
    with serve(gitlab) as url:
        yield url


@pytest.fixture
def backstage(github: GitHubFake, gitlab: GitLabFake) -> Iterator[BackstageFake]:
    """A Backstage fake that reads catalog files from the GitHub and GitLab fakes' repositories."""
    fake = BackstageFake(token=BACKSTAGE_TOKEN, readers=[github.git, gitlab.git])
    yield fake
    _no_violations(fake)


@pytest.fixture
def backstage_url(backstage: BackstageFake) -> Iterator[str]:
    """The Backstage fake on a loopback port."""
    with serve(backstage) as url:
        yield url


@pytest.fixture
def fast_http_env() -> dict[str, str]:
    """Environment for CLI subprocesses: the HTTP policy's waits shortened for tests."""
    return dict(FAST_HTTP)
