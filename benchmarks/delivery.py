"""`assess delivery --provider github` over an organisation: 200 repositories x 20 deployments, 20 ms latency.

    python benchmarks/delivery.py [--repos 200] [--deployments 20] [--latency 0.02] [--concurrency 8]

The shared GitHub fake (every request checked against the OpenAPI subset) serves on a loopback
port; the read goes through the real provider, HTTP policy and metrics, as the command does.
Every fifth deployment ships a squash-merged pull request (one more request each). Reports wall
time, requests, requests per repository and the most in flight: first run, then a re-run from
the cache of finished deployments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from platformctl.cli.delivery_forge import CONCURRENCY
from platformctl.contracts.delivery_events import EventSet
from platformctl.delivery.report import build_document
from platformctl.delivery.window import make_window
from platformctl.providers.github.deployments import GitHubDeliverySource
from platformctl.providers.http import build_client, github_service
from platformctl.providers.tokens import Token
from tests.fakes.fixtures import GITHUB_TOKEN
from tests.fakes.github import ALL_PERMISSIONS, GitHubFake
from tests.fakes.github_deployments import GitHubDeliveries, commit
from tests.fakes.listings import InFlight
from tests.fakes.server import serve

END = dt.datetime(2026, 3, 31, tzinfo=dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _populate(d: GitHubDeliveries, repos: int, deployments: int) -> list[str]:
    slugs = []
    for r in range(repos):
        slug = f"acme/svc-{r:03d}"
        slugs.append(slug)
        for n in range(deployments + 1):  # one before the window: the first comparison's base
            when = END - dt.timedelta(days=92) + dt.timedelta(hours=n * 90 * 24 / deployments + r % 24)
            original = commit(f"{slug}-{n}", _stamp(when - dt.timedelta(hours=5)))
            sha = original["sha"]
            if n % 5 == 4:
                squash = commit(f"{slug}-{n}-squash", _stamp(when - dt.timedelta(hours=1)), "Squashed")
                d.merge_pull(slug, n, [original], squash["sha"], _stamp(when - dt.timedelta(hours=1)))
                original, sha = squash, squash["sha"]
            d.push(slug, original)
            d.deploy(slug, sha, _stamp(when - dt.timedelta(minutes=5)), _stamp(when))
    return slugs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--deployments", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    args = parser.parse_args()
    fake = GitHubFake(Path(tempfile.mkdtemp(prefix="platformctl-bench-git-")))
    fake.add_token(
        GITHUB_TOKEN,
        "octo",
        {**ALL_PERMISSIONS, "deployments": "read", "pull_requests": "read", "issues": "read"},
    )
    fake.add_org("acme")
    slugs = _populate(GitHubDeliveries(fake), args.repos, args.deployments)
    window = make_window("90d", "2026-03-30", END)
    app = InFlight(fake, delay=args.latency)
    cache: dict[str, object] = {}
    with serve(app, keep_alive=True) as url:
        client = build_client(github_service(url, "2022-11-28", Token(GITHUB_TOKEN, "bench")))
        for label in ("first run", "re-run"):
            fake.log.clear()
            app.most = 0
            start = time.perf_counter()
            source = GitHubDeliverySource(client, cache=cache)
            events = EventSet()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                since = [window.since] * len(slugs)
                for one in pool.map(source.events, slugs, ["production"] * len(slugs), since):
                    events.extend(one)
            doc = build_document(events, window, "production", ["github"])
            took = time.perf_counter() - start
            print(
                f"{label:<9} {took:6.2f} s  {len(fake.log):5d} requests "
                f"({len(fake.log) / args.repos:.1f} per repository)  max in flight {app.most}  "
                f"{doc['overall']['deployment_frequency']['deployments']} deployments, "
                f"{doc['overall']['change_lead_time']['changes']} changes"
            )
        client.close()
    assert fake.violations == [], fake.violations[:3]


if __name__ == "__main__":
    main()
