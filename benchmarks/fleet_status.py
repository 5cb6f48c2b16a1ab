"""`fleet status` over an organisation: 500 repositories, a fake GitHub with 20 ms latency.

    python benchmarks/fleet_status.py [--repos 500] [--latency 0.02] [--in-process]

docs/performance.md: bounded concurrency for reads, conditional requests (ETag) on re-scan, 500
repositories in under 5 s. The shared GitHub fake (every request checked against the OpenAPI
description) serves on a loopback port from a process of its own, as a real GitHub is not in
the client's interpreter (in one process, fake and client threads queue for one GIL: that
measured the fake, not platformctl); what is timed is the real command line,
``platformctl fleet status --provider github --org acme --json``, start-up included. Nine in
ten repositories hold a `platform.yaml` (python-service, three versions); every service has an
update pull request. Reports wall time, requests per repository and the share answered 304,
first scan and re-scan. ``--in-process`` times ``discover()`` against an in-process fake
instead (the former way, for comparison).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.fixtures import GITHUB_TOKEN
from tests.fakes.github import GitHubFake, Repo
from tests.fakes.github_pulls import GitHubPulls
from tests.fakes.listings import InFlight
from tests.fakes.server import serve

STATS = "/_bench/stats"

DESCRIPTOR = """\
apiVersion: platformctl/v1
name: {name}
owner: team-{team}
golden_path:
  name: python-service
  version: {version}
  source: bundled
  pristine_commit: '{sha}'
  answers: {{service_name: {name}}}
repository: {{provider: github, slug: acme/{name}, url: 'https://github.test/acme/{name}'}}
environments:
  staging: {{class: staging}}
"""


def build(fake: GitHubFake, pulls: GitHubPulls, repos: int) -> None:
    """``repos`` repositories; nine in ten are services, each with an open update pull request."""
    for i in range(repos):
        name = f"svc-{i:04d}"
        repo = Repo(next(fake.ids), "acme", name)
        fake.repos[("acme", name)] = repo
        if i % 10 == 9:
            continue
        version = ("0.9.0", "0.9.5", "1.0.0")[i % 3]
        text = DESCRIPTOR.format(name=name, team=i % 7, version=version, sha=f"{i:040x}")
        pulls.files[(repo.full_name, "platform.yaml")] = text
        pulls.pulls[repo.full_name] = [
            {
                "number": 1,
                "state": "open",
                "title": "Update golden path python-service",
                "body": "",
                "draft": i % 4 == 0,
                "labels": [{"name": "platformctl"}],
                "head": {"ref": "platformctl/update-python-service-1.0.0", "sha": "0" * 40},
                "base": {"ref": "main"},
                "merged_at": None,
                "html_url": f"https://github.test/acme/{name}/pull/1",
            }
        ]


class Stats:
    """WSGI middleware: ``GET /_bench/stats`` answers what the fake saw since the last ask."""

    def __init__(self, fake: GitHubFake, app: InFlight) -> None:
        self.fake, self.app = fake, app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ.get("PATH_INFO") != STATS:
            return self.app(environ, start_response)
        statuses = [e.status for e in self.fake.log if e.kind == "api"]
        usage = resource.getrusage(resource.RUSAGE_SELF)
        seen = {"statuses": statuses, "most": self.app.most, "violations": self.fake.violations}
        body = json.dumps({**seen, "cpu": usage.ru_utime + usage.ru_stime})
        self.fake.log.clear()
        self.app.most = 0
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body.encode()]


def make_fake(repos: int, latency: float) -> tuple[GitHubFake, InFlight]:
    """The organisation ``acme`` on a GitHub fake, behind ``latency`` seconds per request."""
    fake = GitHubFake(Path(tempfile.mkdtemp(prefix="platformctl-bench-git-")))
    fake.add_token(GITHUB_TOKEN, "octo")
    fake.add_org("acme")
    build(fake, GitHubPulls(fake), repos)
    return fake, InFlight(fake, delay=latency)


def serve_fake(repos: int, latency: float) -> None:
    """The child's side: serve the fake, print its URL, stop when stdin closes."""
    fake, app = make_fake(repos, latency)
    with serve(Stats(fake, app), keep_alive=True) as url:
        print(url, flush=True)
        sys.stdin.read()


def report(
    label: str,
    took: float,
    statuses: list[int],
    repos: int,
    most: int,
    services: int,
    cpu: float | None = None,
) -> None:
    """One line of the benchmark's table."""
    cpu_text = f" ({cpu:.2f} s cpu)" if cpu is not None else ""
    print(
        f"{label:<10} {took:6.2f} s{cpu_text}  {len(statuses):4d} requests "
        f"({len(statuses) / repos:.2f} per repository)  "
        f"304: {statuses.count(304) / max(len(statuses), 1):.1%}  max in flight {most}  "
        f"services {services}",
        flush=True,
    )


def scan_cli(repos: int, latency: float) -> None:
    """Two runs of the real command line against the fake served by a child process."""
    import httpx

    home = Path(tempfile.mkdtemp(prefix="platformctl-bench-home-"))
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--repos", str(repos), "--latency", str(latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    url = child.stdout.readline().strip()
    env = {
        **os.environ,
        "PLATFORMCTL_HOME": str(home / "platform"),
        "HOME": str(home),
        "CI": "true",
        "PLATFORMCTL_GITHUB_API_URL": url,
        "GH_TOKEN": GITHUB_TOKEN,
    }
    cmd = [sys.executable, "-m", "platformctl", "fleet", "status", "--provider", "github", "--org", "acme"]
    used = 0.0
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    try:
        for label in ("first scan", "re-scan"):
            fake_used = httpx.get(url + STATS).json()["cpu"]  # and forget the previous run
            start = time.perf_counter()
            proc = subprocess.run(
                [*cmd, "--json"], env=env, cwd=home, capture_output=True, text=True, check=False
            )
            took = time.perf_counter() - start
            cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu_s, used = cpu.ru_utime + cpu.ru_stime - used, cpu.ru_utime + cpu.ru_stime
            assert proc.returncode == 0, proc.stderr
            seen = httpx.get(url + STATS).json()
            fake_cpu, fake_used = seen["cpu"] - fake_used, seen["cpu"]
            assert seen["violations"] == [], seen["violations"]
            services = len(json.loads(proc.stdout)["services"])
            report(label, took, seen["statuses"], repos, seen["most"], services, cpu_s)
            print(f"{'':<10} the fake used {fake_cpu:.2f} s cpu", flush=True)
    finally:
        child.stdin.close()
        child.wait(timeout=30)


def scan_in_process(repos: int, latency: float) -> None:
    """``discover()`` against a fake in this interpreter (client and fake share the GIL)."""
    from platformctl.config import load_settings
    from platformctl.fleet.discovery import discover
    from platformctl.providers.github.pulls import GitHubChangeRequests
    from platformctl.providers.gitpush import GitCredentials, GitRemote
    from platformctl.providers.http import build_client, github_service
    from platformctl.providers.tokens import Token

    fake, app = make_fake(repos, latency)
    home = Path(tempfile.mkdtemp(prefix="platformctl-bench-home-"))
    settings = load_settings(flags={"home": str(home)}, env={}, cwd=home)
    with serve(app) as url:
        token = Token(GITHUB_TOKEN, "bench")
        git = GitRemote("GitHub", GitCredentials("x-access-token", token, "contents: write"))
        for label in ("first scan", "re-scan"):
            fake.log.clear()
            app.most = 0
            host = GitHubChangeRequests(
                build_client(github_service(url, "2022-11-28", token)), git, url, home / "cache"
            )
            start = time.perf_counter()
            found = discover(host, "acme", settings)
            took = time.perf_counter() - start
            statuses = [e.status for e in fake.log if e.kind == "api"]
            report(label, took, statuses, repos, app.most, len(found.services))
    assert fake.violations == [], fake.violations


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repos", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--in-process", action="store_true", help="time discover() with an in-process fake")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the child's side
    args = parser.parse_args()
    if args.serve:
        serve_fake(args.repos, args.latency)
    elif args.in_process:
        scan_in_process(args.repos, args.latency)
    else:
        scan_cli(args.repos, args.latency)


if __name__ == "__main__":
    main()
