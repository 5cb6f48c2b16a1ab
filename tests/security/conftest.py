"""Fixtures of the security tests: the fakes of tests/fakes."""

from tests.environments.conftest import kube, platform_home  # noqa: F401
from tests.environments.hosts import github_envs, gitlab_envs  # noqa: F401
from tests.fakes.fixtures import backstage, backstage_url, github, github_url, gitlab, gitlab_url  # noqa: F401
