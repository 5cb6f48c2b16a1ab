"""Fixtures of the maturity tests: the GitHub and GitLab fakes (organisation scans)."""

from tests.fakes.fixtures import github, gitlab  # noqa: F401
