"""Fixtures of the provider tests: the fakes, served and not."""

from tests.fakes.fixtures import (  # noqa: F401
    backstage,
    backstage_url,
    fast_http_env,
    github,
    github_url,
    gitlab,
    gitlab_url,
)
