"""GitHub without Deployments (``--deploy-workflow``) and deployments whose statuses fail then succeed.

Each scenario's figures are computed by hand in its docstring, and the same history written as
an events file gives the same roll-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.delivery.helpers import at, shift, write_events
from tests.fakes.fixtures import GITHUB_TOKEN, github  # noqa: F401
from tests.fakes.github import ALL_PERMISSIONS, GitHubFake
from tests.fakes.github_deployments import GitHubDeliveries, commit, sha_of
from tests.fakes.listings import count
from tests.fakes.server import serve

WINDOW = ("--since", "2026-03-01", "--until", "2026-03-31")
READS = {"deployments": "read", "pull_requests": "read", "issues": "read", "actions": "read"}


@pytest.fixture
def deliveries(github: GitHubFake) -> Iterator[tuple[GitHubDeliveries, dict[str, str]]]:  # noqa: F811
    github.add_token(GITHUB_TOKEN, "octo", permissions={**ALL_PERMISSIONS, **READS})
    with serve(github) as url:
        yield GitHubDeliveries(github), {"PLATFORMCTL_GITHUB_API_URL": url, "GITHUB_TOKEN": GITHUB_TOKEN}


def _github(cli: Any, env: dict[str, str], slug: str, *extra: str) -> dict[str, Any]:
    result = cli(
        "assess", "delivery", "--provider", "github", "--repo", slug, *WINDOW, *extra, "--json", env=env
    )
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = result.json()
    return document


def _from_file(cli: Any, tmp_path: Path, records: list[dict[str, Any]]) -> dict[str, Any]:
    events = write_events(tmp_path / "events.jsonl", records)
    result = cli("assess", "delivery", "--events", str(events), *WINDOW, "--json")
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = result.json()
    return document


def _workflow_history(d: GitHubDeliveries) -> None:
    """acme/web records no Deployments; its ``deploy.yml`` runs ship main.

    Before the window: a successful run of c0 (the base). Then, each run finishing at 12:00:
    03-02 success of c1 (committed 06:00: lead 6 h); 03-03 failure of c2 (committed 03-03 08:00);
    03-04 success of c3 (committed 10:00), shipping c2 (28 h) and c3 (2 h); 03-05 a cancelled
    run (deployed nothing). Attempts 3, failed 1: change fail rate 33.33 %; the failure is
    restored by the next successful run 24 h later; lead samples 6, 28, 2: median 6 h, p90 28 h.
    """
    slug = "acme/web"
    c0 = d.push(slug, commit("w0", at("2026-02-10", 8)))
    d.run(slug, "deploy.yml", c0, at("2026-02-10", 9), at("2026-02-10", 10), "success")
    runs = [
        ("2026-03-02", "w1", 6, "success"),
        ("2026-03-03", "w2", 8, "failure"),
        ("2026-03-04", "w3", 10, "success"),
    ]
    for day, name, hour, conclusion in runs:
        sha = d.push(slug, commit(name, at(day, hour)))
        d.run(slug, "deploy.yml", sha, shift(at(day), -0.2), at(day), conclusion)
    d.run(slug, "deploy.yml", sha, at("2026-03-05", 11), at("2026-03-05", 12), "cancelled")
    d.run(slug, "ci.yml", sha, at("2026-03-05", 11), at("2026-03-05", 12), "failure")


def test_runs_of_the_deploy_workflow_stand_for_missing_deployments(
    cli: Any,
    tmp_path: Path,
    deliveries: Any,
    github: GitHubFake,  # noqa: F811
) -> None:
    d, env = deliveries
    _workflow_history(d)
    document = _github(cli, env, "acme/web", "--deploy-workflow", "deploy.yml")
    overall = document["overall"]
    assert (
        overall["deployment_frequency"]["deployments"],
        overall["deployment_frequency"]["successful"],
    ) == (3, 2)
    assert overall["change_fail_rate"]["percent"] == 33.33
    assert (overall["recovery_time"]["median_hours"], overall["recovery_time"]["by_next_deployment"]) == (
        24.0,
        1,
    )
    lead = overall["change_lead_time"]
    assert (lead["changes"], lead["median_hours"], lead["p90_hours"]) == (3, 6.0, 28.0)
    assert count(github, "/actions/workflows/deploy.yml/runs") == 1
    assert count(github, "/actions/workflows/ci.yml/runs") == 0
    day = lambda n, hour: at(f"2026-03-0{n}", hour)  # noqa: E731
    records = [
        {
            "type": "deployment",
            "service": "web",
            "sha": "w1",
            "at": day(2, 12),
            "changes": [{"sha": "w1", "committed_at": day(2, 6)}],
        },
        {"type": "deployment", "service": "web", "sha": "w2", "at": day(3, 12), "status": "failure"},
        {
            "type": "deployment",
            "service": "web",
            "sha": "w3",
            "at": day(4, 12),
            "changes": [{"sha": "w2", "committed_at": day(3, 8)}, {"sha": "w3", "committed_at": day(4, 10)}],
        },
    ]
    assert _from_file(cli, tmp_path, records)["overall"] == overall


def test_without_the_flag_a_repository_without_deployments_has_none(cli: Any, deliveries: Any) -> None:
    d, env = deliveries
    _workflow_history(d)
    document = _github(cli, env, "acme/web")
    assert document["services"] == {}


def test_a_repository_with_deployments_ignores_the_workflow(
    cli: Any,
    deliveries: Any,
    github: GitHubFake,  # noqa: F811
) -> None:
    d, env = deliveries
    _workflow_history(d)
    sha = sha_of("w3")
    d.deploy("acme/web", sha, at("2026-03-06", 11), at("2026-03-06", 12))
    document = _github(cli, env, "acme/web", "--deploy-workflow", "deploy.yml")
    assert document["overall"]["deployment_frequency"]["deployments"] == 1
    assert count(github, "/actions/workflows/") == 0


def _retried_history(d: GitHubDeliveries) -> None:
    """acme/api: statuses that fail, then succeed.

    Base in February. d1 03-02 12:00 success, c1 committed 06:00 (lead 6 h). d2 fails at
    03-03 12:00 and its retry succeeds at 14:00, shipping c2 (committed 06:00: lead 8 h, to the
    success). d3 succeeds 03-04 12:00 (c3 committed 09:00: 3 h), then fails at 15:00 and
    recovers at 16:00 (a failure after its success: an incident resolved at 16:00).
    Attempts 4 (d1, d2's failed attempt, d2, d3); failing 2: 50 %. Recovery: d2's attempt 2 h
    (the success that followed), d3 4 h (its incident's resolution, from its deployment time):
    median 3 h. Lead 6, 8, 3: median 6 h. Successful deployments 3.
    """
    slug = "acme/api"
    base = d.push(slug, commit("a0", at("2026-02-10", 8)))
    d.deploy(slug, base, at("2026-02-10", 9), at("2026-02-10", 10))
    d.deploy(
        slug, d.push(slug, commit("a1", at("2026-03-02", 6))), at("2026-03-02", 11), at("2026-03-02", 12)
    )
    d2 = d.deploy(
        slug,
        d.push(slug, commit("a2", at("2026-03-03", 6))),
        at("2026-03-03", 11),
        at("2026-03-03", 12),
        "failure",
    )
    d.status(slug, d2, "in_progress", at("2026-03-03", 13))
    d.status(slug, d2, "success", at("2026-03-03", 14))
    d3 = d.deploy(
        slug, d.push(slug, commit("a3", at("2026-03-04", 9))), at("2026-03-04", 11), at("2026-03-04", 12)
    )
    d.status(slug, d3, "error", at("2026-03-04", 15))
    d.status(slug, d3, "failure", at("2026-03-04", 15, 30))
    d.status(slug, d3, "success", at("2026-03-04", 16))


def test_failed_statuses_followed_by_a_success_are_failures_with_recovery(
    cli: Any, tmp_path: Path, deliveries: Any
) -> None:
    d, env = deliveries
    _retried_history(d)
    overall = _github(cli, env, "acme/api")["overall"]
    assert overall["change_fail_rate"]["percent"] == 50.0
    recovery = overall["recovery_time"]
    assert (recovery["median_hours"], recovery["by_incident"], recovery["by_next_deployment"]) == (3.0, 1, 1)
    assert overall["change_lead_time"]["median_hours"] == 6.0
    assert (
        overall["deployment_frequency"]["deployments"],
        overall["deployment_frequency"]["successful"],
    ) == (4, 3)
    day = lambda n, hour: at(f"2026-03-0{n}", hour)  # noqa: E731
    records = [
        {
            "type": "deployment",
            "service": "api",
            "sha": "a1",
            "at": day(2, 12),
            "id": "1",
            "changes": [{"sha": "a1", "committed_at": day(2, 6)}],
        },
        {
            "type": "deployment",
            "service": "api",
            "sha": "a2",
            "at": day(3, 12),
            "id": "2.1",
            "status": "failure",
        },
        {
            "type": "deployment",
            "service": "api",
            "sha": "a2",
            "at": day(3, 14),
            "id": "2",
            "changes": [{"sha": "a2", "committed_at": day(3, 6)}],
        },
        {
            "type": "deployment",
            "service": "api",
            "sha": "a3",
            "at": day(4, 12),
            "id": "3",
            "changes": [{"sha": "a3", "committed_at": day(4, 9)}],
        },
        {
            "type": "incident",
            "id": "X",
            "service": "api",
            "started_at": day(4, 15),
            "resolved_at": day(4, 16),
            "deployment": "3",
        },
    ]
    assert _from_file(cli, tmp_path, records)["overall"] == overall


def _smoke_tested(d: GitHubDeliveries) -> None:
    """acme/api: a ``smoke`` commit status on each deployed commit.

    d1 03-02 12:00 (c1 6 h before), smoke success. d2 03-03 12:00 (c2 6 h), smoke failure at
    12:30. d3 03-04 12:00 (c3 6 h), smoke success at 12:20. With ``--status-context smoke``:
    an incident of d2 from 03-03 12:30, resolved at 03-04 12:20; change fail rate 1/3 = 33.33 %;
    recovery from d2's deployment to the resolution, 24 h 20 min = 24.33 h, by incident.
    Without the flag: no failure.
    """
    slug = "acme/api"
    base = d.push(slug, commit("s0", at("2026-02-10", 8)))
    d.deploy(slug, base, at("2026-02-10", 9), at("2026-02-10", 10))
    for n, (state, minute) in enumerate((("success", 10), ("failure", 30), ("success", 20)), start=1):
        day = f"2026-03-0{n + 1}"
        sha = d.push(slug, commit(f"s{n}", at(day, 6)))
        d.deploy(slug, sha, at(day, 11), at(day, 12))
        d.commit_status(slug, sha, "smoke", state, at(day, 12, minute))
        d.commit_status(slug, sha, "lint", "failure", at(day, 5))  # another context: not read


def test_a_failed_status_context_then_a_success_is_an_incident_with_recovery(
    cli: Any,
    tmp_path: Path,
    deliveries: Any,
    github: GitHubFake,  # noqa: F811
) -> None:
    d, env = deliveries
    _smoke_tested(d)
    without = _github(cli, env, "acme/api")["overall"]
    assert without["change_fail_rate"]["failed"] == 0
    overall = _github(cli, env, "acme/api", "--status-context", "smoke")["overall"]
    assert overall["change_fail_rate"]["percent"] == 33.33
    recovery = overall["recovery_time"]
    assert (recovery["median_hours"], recovery["by_incident"]) == (24.33, 1)
    assert len([e for e in github.log if e.path.endswith("/status")]) == 3
    day = lambda n, hour, minute=0: at(f"2026-03-0{n}", hour, minute)  # noqa: E731
    records: list[dict[str, Any]] = [
        {
            "type": "deployment",
            "service": "api",
            "sha": f"s{n - 1}",
            "id": f"d{n - 1}",
            "at": day(n, 12),
            "changes": [{"sha": f"s{n - 1}", "committed_at": day(n, 6)}],
        }
        for n in (2, 3, 4)
    ]
    records.append(
        {
            "type": "incident",
            "id": "smoke",
            "service": "api",
            "started_at": day(3, 12, 30),
            "resolved_at": day(4, 12, 20),
            "deployment": "d2",
        }
    )
    assert _from_file(cli, tmp_path, records)["overall"] == overall
    github.log.clear()
    _github(cli, env, "acme/api", "--status-context", "smoke")
    assert not [e for e in github.log if e.path.endswith("/status")]  # kept once success or failure


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--provider", "gitlab", "--repo", "acme/api", "--deploy-workflow", "deploy.yml"), "GitHub Actions"),
        (
            ("--provider", "github", "--repo", "acme/api", "--deploy-workflow", "a/b.yml"),
            "workflow file name",
        ),
        (("--events", "{events}", "--deploy-workflow", "deploy.yml"), "reads GitHub"),
        (("--events", "{events}", "--status-context", "smoke"), "reads GitHub"),
        (
            ("--provider", "gitlab", "--repo", "acme/api", "--status-context", "smoke"),
            "commit status context",
        ),
    ],
)
def test_a_misplaced_deploy_workflow_is_refused(
    cli: Any, tmp_path: Path, args: tuple[str, ...], needle: str
) -> None:
    events = write_events(tmp_path / "x.jsonl", [])
    args = tuple(a.replace("{events}", str(events)) for a in args)
    result = cli("assess", "delivery", *args, env={"GITHUB_TOKEN": GITHUB_TOKEN, "GITLAB_TOKEN": "x"})
    assert result.exit_code == 2, result.stderr
    assert needle in result.stderr
    assert "hint:" in result.stderr
