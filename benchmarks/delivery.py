"""`assess delivery --provider github` over an organisation: 200 repositories x 20 deployments, 20 ms latency.

    python benchmarks/delivery.py [--repos 200] [--deployments 20] [--latency 0.02]
                                  [--concurrency 16] [--repeats 2] [--no-keep-alive]

The shared GitHub fake (every request checked against the OpenAPI subset) serves on a loopback
port, many requests at once (a thread per connection; the 20 ms latency is slept outside the
fake's lock) and, like a real forge, keeps connections alive; the read goes through the real
provider, HTTP policy and metrics, as the command does, and loads and saves the cache file.
Every fifth deployment ships a squash-merged pull request (one more request each). Reports wall
time, requests, requests per repository and the most in flight: first run, then a re-run from
the cache (finished deployments, and the listings' ETags: the re-run's answers are 304s).
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
from platformctl.delivery.store import load_cache, save_cache
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


def measure(args: argparse.Namespace) -> list[tuple[str, float, int]]:
    """One repeat: a fresh fake, a first run and a re-run, each timed with loading and saving
    the cache file as the command does (wall time, and the process's CPU time: the client's
    and the fake's, which share one interpreter). Returns (label, seconds, requests) per run."""
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
    cache_file = Path(tempfile.mkdtemp(prefix="platformctl-bench-cache-")) / "delivery-cache.json"
    out = []
    with serve(app, keep_alive=not args.no_keep_alive) as url:
        client = build_client(github_service(url, "2022-11-28", Token(GITHUB_TOKEN, "bench")))
        for label in ("first run", "re-run"):
            fake.log.clear()
            app.most = 0
            start, cpu = time.perf_counter(), time.process_time()
            source = GitHubDeliverySource(client, cache=load_cache(cache_file))
            events = EventSet()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                since = [window.since] * len(slugs)
                for one in pool.map(source.events, slugs, ["production"] * len(slugs), since):
                    events.extend(one)
            save_cache(cache_file, source.cache)
            doc = build_document(events, window, "production", ["github"])
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
            print(
                f"{label:<9} {took:6.2f} s ({cpu:5.2f} s cpu, client and fake)  {len(fake.log):5d} requests "
                f"({len(fake.log) / args.repos:.1f} per repository)  max in flight {app.most}  "
                f"{doc['overall']['deployment_frequency']['deployments']} deployments, "
                f"{doc['overall']['change_lead_time']['changes']} changes",
                flush=True,
            )
            out.append((label, took, len(fake.log)))
        client.close()
    assert fake.violations == [], fake.violations[:3]
    return out


def parser() -> argparse.ArgumentParser:
    """The benchmark's flags (benchmarks/run.py uses the defaults)."""
    flags = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    flags.add_argument("--repos", type=int, default=200)
    flags.add_argument("--deployments", type=int, default=20)
    flags.add_argument("--latency", type=float, default=0.02)
    flags.add_argument("--concurrency", type=int, default=CONCURRENCY)
    flags.add_argument("--repeats", type=int, default=2)
    flags.add_argument("--no-keep-alive", action="store_true", help="one request per connection")
    return flags


def main() -> None:
    args = parser().parse_args()
    for n in range(args.repeats):
        print(f"repeat {n + 1}")
        measure(args)


if __name__ == "__main__":
    main()
