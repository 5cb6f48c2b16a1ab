"""Fixtures of the security tests: the fakes of tests/fakes."""

from tests.fakes.fixtures import github, github_url, gitlab, gitlab_url  # noqa: F401
