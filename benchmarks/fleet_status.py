"""`fleet status` over an organisation: 500 repositories, a fake GitHub with 20 ms latency.

    python benchmarks/fleet_status.py [--repos 500] [--latency 0.02]

docs/performance.md: bounded concurrency for reads, conditional requests (ETag) on re-scan, 500
repositories in under 5 s. The shared GitHub fake (every request checked against the OpenAPI
description) serves on a loopback port; discovery goes through the real provider, HTTP policy
and descriptor loader. Nine in ten repositories hold a `platform.yaml` (python-service, three
versions); every service has an update pull request. Reports wall time, requests per
repository and the share answered 304, first scan and re-scan.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from platformctl.config import load_settings
from platformctl.fleet.discovery import discover
from platformctl.providers.github.pulls import GitHubChangeRequests
from platformctl.providers.gitpush import GitCredentials, GitRemote
from platformctl.providers.http import build_client, github_service
from platformctl.providers.tokens import Token
from tests.fakes.fixtures import GITHUB_TOKEN
from tests.fakes.github import GitHubFake, Repo
from tests.fakes.github_pulls import GitHubPulls
from tests.fakes.listings import InFlight
from tests.fakes.server import serve

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args()
    fake = GitHubFake(Path(tempfile.mkdtemp(prefix="platformctl-bench-git-")))
    fake.add_token(GITHUB_TOKEN, "octo")
    fake.add_org("acme")
    pulls = GitHubPulls(fake)
    build(fake, pulls, args.repos)
    app = InFlight(fake, delay=args.latency)
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
            answers = [e.status for e in fake.log if e.kind == "api"]
            print(
                f"{label:<10} {took:6.2f} s  {len(answers):4d} requests "
                f"({len(answers) / args.repos:.2f} per repository)  "
                f"304: {answers.count(304) / len(answers):.1%}  max in flight {app.most}  "
                f"services {len(found.services)}"
            )
    assert fake.violations == [], fake.violations


if __name__ == "__main__":
    main()
