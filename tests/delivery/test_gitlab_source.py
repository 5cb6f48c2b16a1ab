"""``assess delivery --provider gitlab``: the same figures as the events file, from the GitLab fake."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.delivery import scenarios
from tests.delivery.helpers import at, shift, write_events
from tests.fakes.fixtures import GITLAB_TOKEN, gitlab  # noqa: F401
from tests.fakes.github_deployments import commit, sha_of
from tests.fakes.gitlab import GitLabFake
from tests.fakes.gitlab_deployments import GitLabDeliveries
from tests.fakes.server import serve

PATH = "acme/sub/api"
WINDOW = ("--since", "2026-03-01", "--until", "2026-03-31")


@pytest.fixture
def deliveries(gitlab: GitLabFake) -> Iterator[tuple[GitLabDeliveries, str]]:  # noqa: F811
    with serve(gitlab) as url:
        yield GitLabDeliveries(gitlab), url


def _before_the_window(d: GitLabDeliveries) -> None:
    base = d.push(PATH, commit("c0", at("2026-02-10", 8)))
    d.deploy(PATH, base, at("2026-02-10", 9), at("2026-02-10", 10))


def _incidents_and_revert(d: GitLabDeliveries) -> None:
    """scenarios.incidents_and_revert on GitLab: !40 a squashed hotfix, !70 a squashed revert."""
    _before_the_window(d)
    ids = {}
    for n in range(1, 11):
        when = at(f"2026-03-{n + 1:02d}")
        original = commit(f"c{n}", shift(when, -6))
        if n in (4, 7):
            squash = commit(f"q{n}", shift(when, -1), f"Squashed !{n}0")
            title, labels = ('Revert "c6"', ()) if n == 7 else ("Fix checkout", ("hotfix",))
            d.merge(
                PATH,
                n * 10,
                [original],
                squash["sha"],
                shift(when, -1),
                squash=True,
                title=title,
                labels=labels,
            )
            sha = d.push(PATH, squash)
        else:
            sha = d.push(PATH, original)
        ids[n] = d.deploy(PATH, sha, shift(when, -0.1), when)
    d3 = at("2026-03-04")
    d.incident(PATH, 1, "Checkout errors", f"Started after deployment {ids[3]}.", shift(d3, 1), shift(d3, 3))
    d.incident(PATH, 2, "Slow pages", f"Bisected to {sha_of('c6')[:8]}.", shift(at("2026-03-07"), 2), None)


def _several_commits(d: GitLabDeliveries) -> None:
    """scenarios.several_commits on GitLab: !7 rebased (three new SHAs), !8 squashed."""
    _before_the_window(d)
    d1, d2 = at("2026-03-10"), at("2026-03-11")
    originals = [commit("c1", shift(d1, -24)), commit("c2", shift(d1, -6)), commit("c3", shift(d1, -1))]
    rebased = [{**c, "sha": sha_of("rebased-" + str(c["sha"]))} for c in originals]
    d.merge(PATH, 7, originals, rebased[-1]["sha"], shift(d1, -0.5), squash=False)
    d.deploy(PATH, d.push(PATH, *rebased), shift(d1, -0.1), d1)
    squash = commit("q8", shift(d2, -0.5), "Squashed !8")
    d.merge(PATH, 8, [commit("c4", shift(d2, -12))], squash["sha"], shift(d2, -0.5), squash=True)
    d.deploy(PATH, d.push(PATH, squash), shift(d2, -0.1), d2)


def _both(
    cli: Any, tmp_path: Path, url: str, records: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    env = {"PLATFORMCTL_GITLAB_URL": url, "GITLAB_TOKEN": GITLAB_TOKEN}
    result = cli("assess", "delivery", "--provider", "gitlab", "--repo", PATH, *WINDOW, "--json", env=env)
    assert result.exit_code == 0, result.stderr
    assert GITLAB_TOKEN not in result.stdout + result.stderr
    events = write_events(tmp_path / "events.jsonl", records)
    from_file = cli("assess", "delivery", "--events", str(events), *WINDOW, "--json")
    return result.json()["overall"], from_file.json()["overall"]


def test_incidents_and_a_revert_from_gitlab_equal_the_events_file(
    cli: Any, tmp_path: Path, deliveries: Any
) -> None:
    d, url = deliveries
    _incidents_and_revert(d)
    from_gitlab, from_file = _both(cli, tmp_path, url, scenarios.incidents_and_revert())
    assert from_gitlab == from_file
    assert from_gitlab["change_fail_rate"]["percent"] == 20.0
    assert from_gitlab["rework_rate"]["rework"] == 2


def test_squash_and_rebase_merges_from_gitlab(cli: Any, tmp_path: Path, deliveries: Any) -> None:
    d, url = deliveries
    _several_commits(d)
    from_gitlab, from_file = _both(cli, tmp_path, url, scenarios.several_commits())
    assert from_gitlab["change_lead_time"] == from_file["change_lead_time"]
    assert from_gitlab["change_lead_time"]["median_hours"] == 9.0


def test_a_re_run_asks_the_listings_and_gets_304s(cli: Any, deliveries: Any, gitlab: GitLabFake) -> None:  # noqa: F811
    d, url = deliveries
    _incidents_and_revert(d)
    env = {"PLATFORMCTL_GITLAB_URL": url, "GITLAB_TOKEN": GITLAB_TOKEN}
    args = ("assess", "delivery", "--provider", "gitlab", "--repo", PATH, *WINDOW, "--json")
    first = cli(*args, env=env)
    assert first.exit_code == 0, first.stderr
    compares = [e for e in gitlab.log if "/repository/compare" in e.path]
    assert len(compares) == 10
    gitlab.log.clear()
    again = cli(*args, env=env)
    assert again.exit_code == 0, again.stderr
    assert again.json()["overall"] == first.json()["overall"]
    # The three listings answer 304; no comparison is asked again; the DORA API says 403 once.
    assert sorted((e.path.rsplit("/", 1)[1], e.status) for e in gitlab.log) == [
        ("deployments", 304),
        ("issues", 304),
        ("merge_requests", 304),
        ("metrics", 403),
    ]
