"""`assess delivery --provider github` over an organisation: 200 repositories x 20 deployments, 20 ms latency.

    python benchmarks/delivery.py [--repos 200] [--deployments 20] [--latency 0.02]
                                  [--concurrency 16] [--repeats 2] [--no-keep-alive] [--same-process]

The shared GitHub fake (every request checked against the OpenAPI subset) serves on a loopback
port from a forked process (``--same-process``: from a thread of this one), many requests at
once (a thread per connection; the 20 ms latency is slept outside the fake's lock) and, like a
real forge, keeps connections alive (``--no-keep-alive``: one request per connection); the read
goes through the real provider, HTTP policy and metrics, as the command does, and loads and
saves the cache file.
Every fifth deployment ships a squash-merged pull request (one more request each). Reports wall
time, requests, requests per repository and the most in flight: first run, then a re-run from
the cache (finished deployments, and the listings' ETags: the re-run's answers are 304s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

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


class Control:
    """The fake behind ``InFlight``, plus ``/__bench__/stats`` and ``/__bench__/clear`` for the
    benchmark itself (answered here, never by the fake: they are not GitHub's)."""

    def __init__(self, fake: GitHubFake, app: InFlight) -> None:
        self.fake, self.app = fake, app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/__bench__/clear":
            self.fake.log.clear()
            self.app.most = 0
        if path.startswith("/__bench__/"):
            stats = {
                "requests": len(self.fake.log),
                "most": self.app.most,
                "violations": self.fake.violations[:3],
            }
            body = json.dumps(stats).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return self.app(environ, start_response)


def _serve_apart(conn: Any, app: Control, keep_alive: bool) -> None:
    """In the forked child: serve until the parent says stop."""
    with serve(app, keep_alive=keep_alive) as url:
        conn.send(url)
        conn.recv()


def measure(args: argparse.Namespace) -> list[tuple[str, float, int]]:
    """One repeat: a fresh fake, a first run and a re-run, each timed with loading and saving
    the cache file as the command does. The fake serves from a forked process (a forge's CPU is
    not the client's; ``--same-process`` serves it from a thread of this one, sharing its
    interpreter). Wall time, and this process's CPU time. Returns (label, seconds, requests)."""
    fake = GitHubFake(Path(tempfile.mkdtemp(prefix="platformctl-bench-git-")))
    fake.add_token(
        GITHUB_TOKEN,
        "octo",
        {**ALL_PERMISSIONS, "deployments": "read", "pull_requests": "read", "issues": "read"},
    )
    fake.add_org("acme")
    slugs = _populate(GitHubDeliveries(fake), args.repos, args.deployments)
    window = make_window("90d", "2026-03-30", END)
    app = Control(fake, InFlight(fake, delay=args.latency))
    cache_file = Path(tempfile.mkdtemp(prefix="platformctl-bench-cache-")) / "delivery-cache.json"
    with _served(app, args) as url:
        client = build_client(github_service(url, "2022-11-28", Token(GITHUB_TOKEN, "bench")))
        out = [
            _one_run(label, client, url, slugs, window, cache_file, args) for label in ("first run", "re-run")
        ]
        client.close()
        violations = httpx.get(f"{url}/__bench__/stats").json()["violations"]
    assert violations == [], violations
    return out


@contextmanager
def _served(app: Control, args: argparse.Namespace) -> Iterator[str]:
    if args.same_process:
        with serve(app, keep_alive=not args.no_keep_alive) as url:
            yield url
        return
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    process = context.Process(target=_serve_apart, args=(child, app, not args.no_keep_alive), daemon=True)
    process.start()
    try:
        yield parent.recv()
    finally:
        parent.send("stop")
        process.join(10)


def _one_run(
    label: str,
    client: Any,
    url: str,
    slugs: list[str],
    window: Any,
    cache_file: Path,
    args: argparse.Namespace,
) -> tuple[str, float, int]:
    httpx.get(f"{url}/__bench__/clear")
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
    stats = httpx.get(f"{url}/__bench__/stats").json()
    where = "client and fake" if args.same_process else "client"
    print(
        f"{label:<9} {took:6.2f} s ({cpu:5.2f} s cpu, {where})  {stats['requests']:5d} requests "
        f"({stats['requests'] / args.repos:.1f} per repository)  max in flight {stats['most']}  "
        f"{doc['overall']['deployment_frequency']['deployments']} deployments, "
        f"{doc['overall']['change_lead_time']['changes']} changes",
        flush=True,
    )
    return label, took, int(stats["requests"])


def parser() -> argparse.ArgumentParser:
    """The benchmark's flags (benchmarks/run.py uses the defaults)."""
    flags = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    flags.add_argument("--repos", type=int, default=200)
    flags.add_argument("--deployments", type=int, default=20)
    flags.add_argument("--latency", type=float, default=0.02)
    flags.add_argument("--concurrency", type=int, default=CONCURRENCY)
    flags.add_argument("--repeats", type=int, default=2)
    flags.add_argument("--no-keep-alive", action="store_true", help="one request per connection")
    flags.add_argument("--same-process", action="store_true", help="serve the fake from this process")
    return flags


def main() -> None:
    args = parser().parse_args()
    for n in range(args.repeats):
        print(f"repeat {n + 1}")
        measure(args)


if __name__ == "__main__":
    main()
