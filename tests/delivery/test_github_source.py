"""``assess delivery --provider github``: the same figures as the events file, from the GitHub fake."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.delivery import scenarios
from tests.delivery.helpers import at, shift, write_events
from tests.fakes.base import Fault
from tests.fakes.fixtures import GITHUB_TOKEN, github  # noqa: F401
from tests.fakes.github import ALL_PERMISSIONS, GitHubFake
from tests.fakes.github_deployments import GitHubDeliveries, commit, sha_of
from tests.fakes.server import serve

SLUG = "acme/api"
WINDOW = ("--since", "2026-03-01", "--until", "2026-03-31")
READS = {"deployments": "read", "pull_requests": "read", "issues": "read"}


@pytest.fixture
def deliveries(github: GitHubFake) -> Iterator[tuple[GitHubDeliveries, str]]:  # noqa: F811
    github.add_token(GITHUB_TOKEN, "octo", permissions={**ALL_PERMISSIONS, **READS})
    with serve(github) as url:
        yield GitHubDeliveries(github), url


def _before_the_window(d: GitHubDeliveries) -> None:
    """A deployment in February: the base of the first comparison, outside the window."""
    base = d.push(SLUG, commit("c0", at("2026-02-10", 8)))
    d.deploy(SLUG, base, at("2026-02-10", 9), at("2026-02-10", 10))


def _incidents_and_revert(d: GitHubDeliveries) -> None:
    """scenarios.incidents_and_revert on GitHub: d4 is a hotfix pull request (squashed), d7 a revert."""
    _before_the_window(d)
    ids = {}
    for n in range(1, 11):
        when = at(f"2026-03-{n + 1:02d}")
        original = commit(f"c{n}", shift(when, -6))
        if n in (4, 7):
            squash = commit(f"q{n}", shift(when, -1), f"Squashed #{n}0")
            title, labels = ('Revert "c6"', ()) if n == 7 else ("Fix checkout", ("hotfix",))
            d.merge_pull(SLUG, n * 10, [original], squash["sha"], shift(when, -1), title=title, labels=labels)
            sha = d.push(SLUG, squash)
        else:
            sha = d.push(SLUG, original)
        ids[n] = d.deploy(SLUG, sha, shift(when, -0.1), when)
    d3 = at("2026-03-04")
    d.issue(SLUG, 1, "Checkout errors", f"Started after deployment {ids[3]}.", shift(d3, 1), shift(d3, 3))
    d.issue(SLUG, 2, "Slow pages", f"Bisected to {sha_of('c6')[:7]}.", shift(at("2026-03-07"), 2), None)
    d.issue(SLUG, 3, "A feature idea", f"Not an incident ({ids[5]}).", shift(d3, 1), None, labels=("idea",))


def _several_commits(d: GitHubDeliveries) -> None:
    """scenarios.several_commits on GitHub: #7 rebased (three new SHAs), #8 squashed."""
    _before_the_window(d)
    d1, d2 = at("2026-03-10"), at("2026-03-11")
    originals = [commit("c1", shift(d1, -24)), commit("c2", shift(d1, -6)), commit("c3", shift(d1, -1))]
    rebased = [{**c, "sha": sha_of("rebased-" + str(c["sha"]))} for c in originals]
    d.merge_pull(SLUG, 7, originals, rebased[-1]["sha"], shift(d1, -0.5))
    d.deploy(SLUG, d.push(SLUG, *rebased), shift(d1, -0.1), d1)
    squash = commit("q8", shift(d2, -0.5), "Squashed #8")
    d.merge_pull(SLUG, 8, [commit("c4", shift(d2, -12))], squash["sha"], shift(d2, -0.5))
    d.deploy(SLUG, d.push(SLUG, squash), shift(d2, -0.1), d2)


def _both(
    cli: Any, tmp_path: Path, url: str, records: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    env = {"PLATFORMCTL_GITHUB_API_URL": url, "GITHUB_TOKEN": GITHUB_TOKEN}
    result = cli("assess", "delivery", "--provider", "github", "--repo", SLUG, *WINDOW, "--json", env=env)
    assert result.exit_code == 0, result.stderr
    assert GITHUB_TOKEN not in result.stdout + result.stderr
    events = write_events(tmp_path / "events.jsonl", records)
    from_file = cli("assess", "delivery", "--events", str(events), *WINDOW, "--json")
    return result.json()["overall"], from_file.json()["overall"]


def test_incidents_and_a_revert_from_github_equal_the_events_file(
    cli: Any, tmp_path: Path, deliveries: Any
) -> None:
    d, url = deliveries
    _incidents_and_revert(d)
    from_github, from_file = _both(cli, tmp_path, url, scenarios.incidents_and_revert())
    assert from_github == from_file
    assert from_github["change_fail_rate"]["percent"] == 20.0
    assert from_github["recovery_time"]["median_hours"] == 13.5
    assert from_github["rework_rate"]["rework"] == 2


def test_squash_and_rebase_merges_map_to_the_pull_requests_commits(
    cli: Any, tmp_path: Path, deliveries: Any
) -> None:
    d, url = deliveries
    _several_commits(d)
    from_github, from_file = _both(cli, tmp_path, url, scenarios.several_commits())
    assert from_github["change_lead_time"] == from_file["change_lead_time"]
    assert (
        from_github["change_lead_time"]["median_hours"],
        from_github["change_lead_time"]["p90_hours"],
    ) == (9.0, 24.0)


def test_an_unknown_source_is_refused_with_a_hint(cli: Any) -> None:
    result = cli("assess", "delivery", "--provider", "jenkins", "--repo", "acme/api")
    assert result.exit_code == 2
    assert "hint:" in result.stderr


def test_a_re_run_asks_only_the_three_listings(cli: Any, deliveries: Any, github: GitHubFake) -> None:  # noqa: F811
    d, url = deliveries
    _incidents_and_revert(d)
    env = {"PLATFORMCTL_GITHUB_API_URL": url, "GITHUB_TOKEN": GITHUB_TOKEN}
    args = ("assess", "delivery", "--provider", "github", "--repo", SLUG, *WINDOW, "--json")
    first = cli(*args, env=env)
    first_requests = len(github.log)
    compares = [e for e in github.log if "/compare/" in e.path]
    github.log.clear()
    again = cli(*args, env=env)
    assert again.exit_code == 0, again.stderr
    assert again.json()["overall"] == first.json()["overall"]
    # 1 deployments + 10 statuses + 1 comparison (all ten at once) + 1 pulls + 2 pull commits
    # (both squashed) + 1 issues the first time
    assert first_requests == 16
    assert len(compares) == 1
    # The re-run: the three listings, each asked with If-None-Match and answered 304.
    assert sorted((e.path.rsplit("/", 1)[1], e.status) for e in github.log) == [
        ("deployments", 304),
        ("issues", 304),
        ("pulls", 304),
    ]


def test_a_true_merge_needs_no_request_for_its_pull_requests_commits(
    cli: Any,
    deliveries: Any,
    github: GitHubFake,  # noqa: F811
) -> None:
    """#9 merged with a merge commit M (parents c0 and f2): its commits f1 (24 h before the
    deployment of M at 03-10 12:00) and f2 (6 h) are in the comparison already, M itself is not
    a change. Then c2 (committed 2 h before its deployment on 03-11). Samples 24, 6, 2: median
    6 h, p90 24 h, from one comparison and no pull request commits."""
    d, url = deliveries
    _before_the_window(d)
    d1, d2 = at("2026-03-10"), at("2026-03-11")
    c0 = sha_of("c0")
    f1 = {**commit("f1", shift(d1, -24)), "parents": [{"sha": c0, "url": ""}]}
    f2 = {**commit("f2", shift(d1, -6)), "parents": [{"sha": f1["sha"], "url": ""}]}
    merge = {
        **commit("m9", shift(d1, -1), "Merge pull request #9"),
        "parents": [{"sha": c0, "url": ""}, {"sha": f2["sha"], "url": ""}],
    }
    d.merge_pull(SLUG, 9, [f1, f2], merge["sha"], shift(d1, -1))
    d.deploy(SLUG, d.push(SLUG, f1, f2, merge), shift(d1, -0.1), d1)
    d.deploy(SLUG, d.push(SLUG, commit("c2", shift(d2, -2))), shift(d2, -0.1), d2)
    env = {"PLATFORMCTL_GITHUB_API_URL": url, "GITHUB_TOKEN": GITHUB_TOKEN}
    result = cli("assess", "delivery", "--provider", "github", "--repo", SLUG, *WINDOW, "--json", env=env)
    assert result.exit_code == 0, result.stderr
    lead = result.json()["overall"]["change_lead_time"]
    assert (lead["changes"], lead["median_hours"], lead["p90_hours"]) == (3, 6.0, 24.0)
    paths = [e.path for e in github.log]
    assert len([p for p in paths if "/compare/" in p]) == 1
    assert not [p for p in paths if p.endswith("/commits") and "/pulls/" in p]


def test_a_re_run_after_a_new_deployment_asks_only_for_it(
    cli: Any,
    deliveries: Any,
    github: GitHubFake,  # noqa: F811
) -> None:
    """steady: d1 (03-02, c1 6 h). Then d2 (03-03 12:00, c2 committed 4 h before) is deployed:
    the re-run gets a 200 for the deployments, 304s for pulls and issues, asks d2's statuses and
    one comparison (d1...d2) and nothing of d1. Lead samples 6 and 4: median 5 h."""
    d, url = deliveries
    _before_the_window(d)
    d.deploy(SLUG, d.push(SLUG, commit("c1", at("2026-03-02", 6))), at("2026-03-02", 11), at("2026-03-02"))
    env = {"PLATFORMCTL_GITHUB_API_URL": url, "GITHUB_TOKEN": GITHUB_TOKEN}
    args = ("assess", "delivery", "--provider", "github", "--repo", SLUG, *WINDOW, "--json")
    assert cli(*args, env=env).exit_code == 0
    d2 = d.deploy(
        SLUG, d.push(SLUG, commit("c2", at("2026-03-03", 8))), at("2026-03-03", 11), at("2026-03-03")
    )
    github.log.clear()
    again = cli(*args, env=env)
    assert again.exit_code == 0, again.stderr
    asked = sorted((e.path.split(f"/repos/{SLUG}/", 1)[1], e.status) for e in github.log)
    assert asked == [
        (f"compare/{sha_of('c1')}...{sha_of('c2')}", 200),
        ("deployments", 200),
        (f"deployments/{d2}/statuses", 200),
        ("issues", 304),
        ("pulls", 304),
    ]
    lead = again.json()["overall"]["change_lead_time"]
    assert (lead["changes"], lead["median_hours"]) == (2, 5.0)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("*/compare/*", {"commits": [{"sha": "x"}]}),  # a commit without its commit object
        ("*/deployments", [{"id": 1, "sha": "x", "created_at": "yesterday"}]),  # not a time
    ],
)
def test_a_malformed_answer_is_one_error_and_a_hint(
    cli: Any,
    deliveries: Any,
    github: GitHubFake,  # noqa: F811
    path: str,
    body: Any,
) -> None:
    d, url = deliveries
    _incidents_and_revert(d)
    github.inject(Fault(method="GET", path=path, status=200, body=body))
    env = {"PLATFORMCTL_GITHUB_API_URL": url, "GITHUB_TOKEN": GITHUB_TOKEN}
    result = cli("assess", "delivery", "--provider", "github", "--repo", SLUG, *WINDOW, env=env)
    assert result.exit_code == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: GitHub") and SLUG in lines[0]
    assert lines[1].startswith("hint: ")
    assert "Traceback" not in result.stderr


def test_an_organisation_is_read_repository_by_repository(
    cli: Any,
    deliveries: Any,
    github: GitHubFake,  # noqa: F811
) -> None:
    """--org acme lists api and web (an archived one left out); api ships c1 (6 h), web w1 (2 h):
    two services, pooled median 4 h."""
    from tests.fakes.listings import GitHubListings

    d, url = deliveries
    github.add_org("acme")
    listings = GitHubListings(github)
    for name in ("api", "web", "old"):
        listings.add(name, ["README.md"], archived=name == "old")
    for slug, name, hours in (("acme/api", "c1", 6), ("acme/web", "w1", 2)):
        base = d.push(slug, commit(f"{slug}-0", at("2026-02-10", 8)))
        d.deploy(slug, base, at("2026-02-10", 9), at("2026-02-10", 10))
        d.deploy(
            slug,
            d.push(slug, commit(name, at("2026-03-02", 12 - hours))),
            at("2026-03-02", 11),
            at("2026-03-02"),
        )
    env = {"PLATFORMCTL_GITHUB_API_URL": url, "GITHUB_TOKEN": GITHUB_TOKEN}
    result = cli("assess", "delivery", "--provider", "github", "--org", "acme", *WINDOW, "--json", env=env)
    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert sorted(document["services"]) == ["api", "web"]
    assert document["sources"] == ["github:acme/api", "github:acme/web"]
    assert document["overall"]["change_lead_time"]["median_hours"] == 4.0
