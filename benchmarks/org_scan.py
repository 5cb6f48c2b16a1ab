"""Organisation scan for `assess maturity --org`: 500 repositories, a fake GitHub with 20 ms latency.

    python benchmarks/org_scan.py [--repos 500] [--latency 0.02] [--concurrency 8]

DESIGN.md §8 asks for bounded concurrency on reads and conditional requests on re-scan. The
fake serves on a loopback port (real HTTP); the scan goes through the real provider and HTTP
policy. Reports wall time, requests and the most requests in flight, first scan and re-scan.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from platformctl.maturity.org_scan import scan_org
from platformctl.providers.http import build_client, github_service
from platformctl.providers.repo_trees import GitHubTrees
from platformctl.providers.tokens import Token
from tests.maturity.fake_hosts import FakeGitHub, FakeRepo


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    fake = FakeGitHub()
    for i in range(args.repos):
        fake.add(FakeRepo(f"svc-{i:04d}", ["README.md", ".github/workflows/ci.yml", f"src/m{i}.py"]))
    fake.delay = args.latency
    server = make_server("127.0.0.1", 0, fake, server_class=_Server, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    service = github_service(f"http://127.0.0.1:{server.server_port}", "2022-11-28", Token("x" * 40, "bench"))
    cache = Path(tempfile.mkdtemp(prefix="platformctl-bench-")) / "cache.json"
    for label in ("first scan", "re-scan"):
        fake.requests.clear()
        fake.max_inflight = 0
        start = time.perf_counter()
        scan = scan_org(GitHubTrees(build_client(service)), "acme", cache, concurrency=args.concurrency)
        took = time.perf_counter() - start
        print(f"{label:<10} {took:6.2f} s  {len(fake.requests):4d} requests "
              f"({fake.count('/git/trees/')} trees)  max in flight {fake.max_inflight}  "
              f"fetched {scan.fetched}, unchanged {scan.reused}")
    server.shutdown()


if __name__ == "__main__":
    main()
