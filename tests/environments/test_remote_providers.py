"""The GitHub and GitLab environment providers in-process (fakes on loopback): edges of their contracts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from platformctl.contracts.environment_fields import Protection, Reviewer
from platformctl.contracts.environments import EnvironmentSpec, SecretValue
from platformctl.environments.apply import apply_plan
from platformctl.environments.plan import plan_environment
from platformctl.environments.secrets import fingerprint
from platformctl.errors import ConfigError, ProviderError
from platformctl.providers.github.environments import GitHubEnvironments
from platformctl.providers.github.secret_state import SecretFingerprints
from platformctl.providers.gitlab.environments import GitLabEnvironments
from platformctl.providers.http import HttpClient, RetryPolicy, github_service, gitlab_service
from platformctl.providers.remote_environments import decode_marker, encode_marker, marker_fields
from platformctl.providers.tokens import Token
from tests.fakes.base import Fault
from tests.fakes.clock import FakeClock
from tests.fakes.fixtures import GITHUB_TOKEN, GITLAB_TOKEN

NOW = datetime(2026, 1, 1, tzinfo=UTC)
KEY = b"k" * 32
ENV = "/repos/acme/payments/environments/staging"


def github_provider(url, home):
    service = github_service(url, "2022-11-28", Token(GITHUB_TOKEN, "GH_TOKEN"))
    http = HttpClient(service, RetryPolicy(backoff=0.01), clock=FakeClock())
    scope = f"{url}/repos/acme/payments"
    return GitHubEnvironments(http, "acme/payments", SecretFingerprints(home), scope=scope)


def gitlab_provider(url, **kwargs):
    service = gitlab_service(url, Token(GITLAB_TOKEN, "GITLAB_TOKEN"))
    http = HttpClient(service, RetryPolicy(backoff=0.01), clock=FakeClock())
    return GitLabEnvironments(http, "acme/payments", lambda *a: fingerprint(KEY, *a), **kwargs)


def spec_of(provider, variables=None, secrets=None, **fields):
    values = {
        name: SecretValue(name, fingerprint(KEY, "payments", "staging", name, value), value)
        for name, value in (secrets or {}).items()
    }
    return EnvironmentSpec(
        service="payments",
        name="staging",
        environment_class="staging",
        providers=(provider,),
        variables=variables or {},
        secrets=values,
        **fields,
    )


def converge(spec, provider):
    plan = plan_environment(spec, {provider.name: provider}, NOW)
    return plan, apply_plan(plan, {provider.name: provider})


def test_github_folds_names_to_upper_case_and_still_converges(github, github_envs, github_url, tmp_path):
    spec = spec_of("github", {"log_level": "info"}, {"db_password": "s3cret-value"})
    _, applied = converge(spec, github_provider(github_url, tmp_path))
    assert applied.total_writes == 4  # environment, record, variable, secret
    env = github_envs.environment("acme/payments", "staging")
    assert set(env.variables) == {"LOG_LEVEL", "PLATFORMCTL_ENVIRONMENT"}
    assert set(env.secrets) == {"DB_PASSWORD"}
    plan, _ = converge(spec, github_provider(github_url, tmp_path))
    assert not plan.has_changes


def test_github_pages_through_many_variables(github, github_envs, github_url, tmp_path):
    variables = {f"VAR_{i:02d}": str(i) for i in range(35)}
    converge(spec_of("github", variables), github_provider(github_url, tmp_path))
    before = len(github.requests())
    plan, _ = converge(spec_of("github", variables), github_provider(github_url, tmp_path))
    assert not plan.has_changes
    assert github.requests()[before:].count(f"GET {ENV}/variables") == 2  # 30 per page


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"GITHUB_SHA": "x"}, "GitHub refuses names starting with GITHUB_"),
        ({"PLATFORMCTL_ENVIRONMENT": "x"}, "is reserved for platformctl's own record"),
        ({"Region": "a", "REGION": "b"}, "Region and REGION are the same name at GitHub"),
    ],
)
def test_github_names_it_would_refuse_fail_before_any_request(
    github, github_envs, github_url, tmp_path, variables, message
):
    with pytest.raises(ConfigError, match=message):
        converge(spec_of("github", variables), github_provider(github_url, tmp_path))
    assert github.requests() == []


def test_a_github_without_prevent_self_review_is_named(github, github_envs, github_url, tmp_path):
    refusal = {"message": 'Invalid input: "prevent_self_review" is not a permitted key.'}
    github.inject(Fault("PUT", ENV, 422, refusal))
    spec = spec_of("github", protection=Protection(prevent_self_review=True))
    with pytest.raises(ProviderError, match="this GitHub version does not know it") as caught:
        converge(spec, github_provider(github_url, tmp_path))
    assert "remove protection.prevent_self_review" in caught.value.hint


def test_a_fresh_machine_sets_github_secrets_once_more(github, github_envs, github_url, tmp_path):
    spec = spec_of("github", secrets={"DB_PASSWORD": "s3cret-value"})
    converge(spec, github_provider(github_url, tmp_path / "one"))
    plan, applied = converge(spec, github_provider(github_url, tmp_path / "two"))  # no local record there
    assert [(c.kind, c.action) for c in plan.pending] == [("secret", "update")]
    assert applied.total_writes == 1
    assert not converge(spec, github_provider(github_url, tmp_path / "two"))[0].has_changes


def test_only_settings_the_spec_names_are_sent(github, github_envs, github_url, tmp_path):
    spec = spec_of("github", protection=Protection(branches="protected"))
    converge(spec, github_provider(github_url, tmp_path))
    puts = [entry.body for entry in github.log if entry.method == "PUT" and entry.path == ENV]
    policy = {"protected_branches": True, "custom_branch_policies": False}
    assert puts == [{"deployment_branch_policy": policy}]
    env = github_envs.environment("acme/payments", "staging")
    env.wait_timer = 30  # set by someone in the web interface: not the spec's business
    assert not converge(spec, github_provider(github_url, tmp_path))[0].has_changes


def test_gitlab_create_race_reads_the_environment_instead_of_failing(gitlab, gitlab_envs, gitlab_url):
    provider = gitlab_provider(gitlab_url)
    spec = spec_of("gitlab", {"A": "1"})
    plan = plan_environment(spec, {"gitlab": provider}, NOW)
    project = gitlab.projects["acme/payments"]
    made = {
        "id": 1,
        "name": "staging",
        "state": "available",
        "tier": "other",
        "slug": "staging",
        "created_at": "t",
        "updated_at": "t",
    }
    gitlab_envs.environments[project.id] = [made]
    apply_plan(plan, {"gitlab": provider})
    assert gitlab_envs.environment(project, "staging")["tier"] == "staging"  # made by someone, tier set
    assert not plan_environment(spec, {"gitlab": gitlab_provider(gitlab_url)}, NOW).has_changes


def test_gitlab_stop_that_never_ends_is_reported(gitlab, gitlab_envs, gitlab_url):
    converge(spec_of("gitlab", {"A": "1"}), gitlab_provider(gitlab_url))
    gitlab_envs.stopping_reads = 10**6
    ticks = iter(range(10**6))
    provider = gitlab_provider(
        gitlab_url, sleep=lambda _: None, clock=lambda: float(next(ticks)), stop_timeout=5
    )
    with pytest.raises(ProviderError, match="environment staging is still stopping after 5s"):
        provider.destroy("payments", "staging")


def test_gitlab_reviewer_that_does_not_exist_fails_before_any_write(gitlab, gitlab_envs, gitlab_url):
    spec = spec_of("gitlab", protection=Protection(reviewers=[Reviewer(user="nobody")]))
    with pytest.raises(ConfigError, match="reviewer user nobody does not exist at GitLab"):
        converge(spec, gitlab_provider(gitlab_url))
    assert gitlab.writes() == []


def test_marker_round_trip_and_garbage():
    spec = spec_of("github", {"B": "1", "A": "2"}, ttl="3d", expires_at=NOW)
    text = encode_marker("payments", marker_fields(spec))
    assert json.loads(text) == {
        "service": "payments",
        "class": "staging",
        "ttl": "3d",
        "secrets": [],
        "expires_at": "2026-01-01T00:00:00+00:00",
        "variables": ["A", "B"],
    }
    assert decode_marker(text) == {"service": "payments", **marker_fields(spec)}
    for garbage in (None, "", "not json", "[1]", '{"class": "x"}'):
        assert decode_marker(garbage) is None


def test_descriptor_repository_elsewhere_is_a_config_error(cli, platform_home):
    from pathlib import Path

    from tests.environments.conftest import write_service
    from tests.environments.hosts import GITHUB_ENVIRONMENTS

    write_service(Path.cwd(), environments=GITHUB_ENVIRONMENTS)
    result = cli("env", "up", "staging")
    assert result.exit_code == 2
    assert (
        "error: environments at github live in the service's repository, but platform.yaml says its "
        "repository is at local" in result.stderr
    )


def test_a_secret_set_before_a_failure_stays_known(github, github_envs, github_url, tmp_path):
    first = spec_of("github", {"A": "1", "B": "2"}, {"S": "first-value"})
    converge(first, github_provider(github_url, tmp_path))
    github.inject(Fault("DELETE", f"{ENV}/variables/B", 422, {"message": "Validation Failed"}))
    rotated = spec_of("github", {"A": "1"}, {"S": "second-value"})
    with pytest.raises(ProviderError, match="delete variable B"):
        converge(rotated, github_provider(github_url, tmp_path))
    assert github_envs.open_secret("acme/payments", "staging", "S") == "second-value"
    plan, applied = converge(rotated, github_provider(github_url, tmp_path))
    assert [(c.kind, c.name, c.action) for c in plan.pending] == [
        ("environment", "staging", "update"),
        ("variable", "B", "delete"),
    ]  # the secret is not set again
    assert applied.total_writes == 2
