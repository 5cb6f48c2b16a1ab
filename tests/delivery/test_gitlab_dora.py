"""``assess delivery --provider gitlab`` beside GitLab's own DORA API (Ultimate only).

The scenario is scenarios.incidents_and_revert on GitLab, whose figures are computed by hand
there: 10 successful deployments, lead time median 6 h, recovery median 13.5 h, change fail
rate 20 %. GitLab is made to report 10 deployments, a lead time of 3,600 s (it starts at the
merge), 7,200 s to restore and a rate of 0.2: differences 0, +5 h, +11.5 h and 0 points.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.delivery.test_gitlab_source import PATH, WINDOW, _incidents_and_revert
from tests.fakes.fixtures import GITLAB_TOKEN, gitlab  # noqa: F401
from tests.fakes.gitlab import GitLabFake
from tests.fakes.gitlab_deployments import GitLabDeliveries
from tests.fakes.server import serve


@pytest.fixture
def deliveries(gitlab: GitLabFake) -> Iterator[tuple[GitLabDeliveries, dict[str, str]]]:  # noqa: F811
    with serve(gitlab) as url:
        yield GitLabDeliveries(gitlab), {"PLATFORMCTL_GITLAB_URL": url, "GITLAB_TOKEN": GITLAB_TOKEN}


def _assess(cli: Any, env: dict[str, str], *extra: str) -> Any:
    result = cli("assess", "delivery", "--provider", "gitlab", "--repo", PATH, *WINDOW, *extra, env=env)
    assert result.exit_code == 0, result.stderr
    return result


def test_differences_with_gitlabs_dora_api_per_metric(cli: Any, deliveries: Any) -> None:
    d, env = deliveries
    _incidents_and_revert(d)
    d.offer_dora(
        PATH,
        deployment_frequency=10,
        lead_time_for_changes=3600,
        time_to_restore_service=7200,
        change_failure_rate=0.2,
    )
    compared = _assess(cli, env, "--json").json()["gitlab_dora"]["api"]
    assert compared["available"] is True
    differences = {
        k: (v["platformctl"], v["gitlab"], v["difference"]) for k, v in compared["metrics"].items()
    }
    assert differences == {
        "successful_deployments": (10, 10.0, 0.0),
        "lead_time_median_hours": (6.0, 1.0, 5.0),
        "recovery_median_hours": (13.5, 2.0, 11.5),
        "change_fail_rate": (20.0, 20.0, 0.0),
    }
    asked = d.project(PATH).dora_asked
    assert sorted(a["metric"] for a in asked) == [
        "change_failure_rate",
        "deployment_frequency",
        "lead_time_for_changes",
        "time_to_restore_service",
    ]
    assert {(a["start_date"], a["end_date"], a["interval"], a["environment_tiers[]"]) for a in asked} == {
        ("2026-03-01", "2026-03-31", "all", "production")
    }
    table = _assess(cli, env).stdout
    assert "GitLab's DORA API" in table
    assert "lead time from merge 1.0 h (ours 6.0 h, difference +5)" in table
    markdown = _assess(cli, env, "--format", "markdown").stdout
    assert "| GitLab's DORA API | deployments 10 (ours 10, difference +0);" in markdown


def test_without_ultimate_the_api_is_reported_not_available(cli: Any, deliveries: Any) -> None:
    d, env = deliveries
    _incidents_and_revert(d)
    result = _assess(cli, env, "--json")
    compared = result.json()["gitlab_dora"]["api"]
    assert compared["available"] is False
    assert "403" in compared["reason"]
    assert result.json()["overall"]["change_fail_rate"]["percent"] == 20.0
    assert "DORA" not in result.stderr  # silently, in JSON
    assert "not available" in _assess(cli, env).stdout


def test_an_environment_that_is_not_a_tier_is_not_compared(cli: Any, deliveries: Any) -> None:
    d, env = deliveries
    _incidents_and_revert(d)
    d.offer_dora(PATH, deployment_frequency=1)
    compared = _assess(cli, env, "--json", "--environment", "prod-eu").json()["gitlab_dora"]["api"]
    assert compared == {
        "available": False,
        "reason": "GitLab measures environment tiers, and 'prod-eu' is not one",
    }
    assert d.project(PATH).dora_asked == []
