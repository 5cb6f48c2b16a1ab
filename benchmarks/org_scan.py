"""Organisation scan for `assess maturity --org`: 500 repositories, a fake GitHub with 20 ms latency.

    python benchmarks/org_scan.py [--repos 500] [--latency 0.02] [--concurrency 8]

docs/performance.md asks for bounded concurrency on reads and conditional requests on re-scan. The
shared GitHub fake (every request checked against the OpenAPI description) serves on a loopback
port (real HTTP); the scan goes through the real provider and HTTP policy. Reports wall time,
requests and the most requests in flight, first scan and re-scan.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from platformctl.maturity.org_scan import scan_org
from platformctl.providers.http import build_client, github_service
from platformctl.providers.repo_trees import GitHubTrees
from platformctl.providers.tokens import Token
from tests.fakes.fixtures import GITHUB_TOKEN
from tests.fakes.github import GitHubFake
from tests.fakes.listings import GitHubListings, InFlight, count
from tests.fakes.server import serve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    fake = GitHubFake(Path(tempfile.mkdtemp(prefix="platformctl-bench-git-")))
    fake.add_token(GITHUB_TOKEN, "octo")
    fake.add_org("acme")
    listings = GitHubListings(fake)
    for i in range(args.repos):
        listings.add(f"svc-{i:04d}", ["README.md", ".github/workflows/ci.yml", f"src/m{i}.py"])
    app = InFlight(fake, delay=args.latency)
    cache = Path(tempfile.mkdtemp(prefix="platformctl-bench-")) / "cache.json"
    with serve(app) as url:
        service = github_service(url, "2022-11-28", Token(GITHUB_TOKEN, "bench"))
        for label in ("first scan", "re-scan"):
            fake.log.clear()
            app.most = 0
            start = time.perf_counter()
            scan = scan_org(GitHubTrees(build_client(service)), "acme", cache, concurrency=args.concurrency)
            took = time.perf_counter() - start
            print(
                f"{label:<10} {took:6.2f} s  {len(fake.log):4d} requests "
                f"({count(fake, '/git/trees/')} trees)  max in flight {app.most}  "
                f"fetched {scan.fetched}, unchanged {scan.reused}"
            )
    assert fake.violations == [], fake.violations


if __name__ == "__main__":
    main()
