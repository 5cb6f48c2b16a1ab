"""Any command runs in-process with an injected context: environment, streams, clock, transport.

``run(argv, context=AppContext(...))`` is the seam (gh's Factory and ``runF``): nothing below
reads ``os.environ``, ``sys.std*`` or the wall clock once a context supplies them, and the WSGI
fakes answer through ``httpx.WSGITransport`` with no loopback server in between.
"""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import httpx

from platformctl.cli.app import run
from platformctl.cli.context import AppContext, Builders
from platformctl.cli.io import IO
from tests.environments.conftest import write_service
from tests.environments.hosts import GITHUB_ENVIRONMENTS, SECRET, github_envs  # noqa: F401
from tests.fakes.fixtures import FAST_HTTP, GITHUB_TOKEN, github, github_url  # noqa: F401

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Streams:
    """The three streams of one in-process invocation."""

    def __init__(self) -> None:
        self.stdin, self.stdout, self.stderr = io.StringIO(""), io.StringIO(), io.StringIO()


def _context(env: dict[str, str], streams: Streams, **extra: object) -> AppContext:
    console = IO(env=env, stdin=streams.stdin, stdout=streams.stdout, stderr=streams.stderr)
    return AppContext(io=console, **extra)  # type: ignore[arg-type]


def test_env_up_on_github_in_process_against_the_wsgi_fake(github_envs, github, tmp_path, capfd):  # noqa: F811
    folder = write_service(
        tmp_path / "svc",
        environments=GITHUB_ENVIRONMENTS,
        repository="{provider: github, slug: acme/payments, url: https://github.test/acme/payments}",
    )
    # The secret and the token live only in the injected environment, never in os.environ.
    assert "TEST_DB_PASSWORD" not in os.environ and "GH_TOKEN" not in os.environ
    env = {
        **os.environ,
        **FAST_HTTP,
        "PLATFORMCTL_HOME": str(tmp_path / "home"),
        "PLATFORMCTL_GITHUB_API_URL": "http://github.test",
        "GH_TOKEN": GITHUB_TOKEN,
        "TEST_DB_PASSWORD": SECRET,
    }
    streams = Streams()
    context = _context(env, streams, http_transport=httpx.WSGITransport(app=github))
    code = run(["env", "up", "staging", "--json", "--service-dir", str(folder)], context=context)
    assert code == 0, streams.stderr.getvalue()
    document = json.loads(streams.stdout.getvalue())
    assert (document["writes"], document["changed"]) == (7, True)
    assert github.requests()[:2] == [
        "GET /repos/acme/payments/environments/staging",
        "GET /repos/acme/payments",
    ]
    assert github_envs.environment("acme/payments", "staging").wait_timer == 5
    captured = capfd.readouterr()  # nothing went to the process's own streams
    assert (captured.out, SECRET in captured.err) == ("", False)
    assert SECRET not in streams.stdout.getvalue() + streams.stderr.getvalue()


def test_the_clock_of_the_context_decides_expiry(tmp_path):
    folder = write_service(tmp_path / "svc", environments='  "pr-*": {class: preview}\n')
    env = {**os.environ, "PLATFORMCTL_HOME": str(tmp_path / "home")}
    up, listed = Streams(), Streams()
    code = run(
        ["env", "up", "pr-7", "--ttl", "3d", "--service-dir", str(folder)],
        context=_context(env, up, clock=lambda: NOON),
    )
    assert code == 0, up.stderr.getvalue()
    code = run(["env", "list", "--json", "--service-dir", str(folder)], context=_context(env, listed))
    assert code == 0, listed.stderr.getvalue()
    found = {e["name"]: e for e in json.loads(listed.stdout.getvalue())["environments"]}
    assert found["pr-7"]["expires_at"].startswith("2026-03-04T12:00:00")


def test_a_replaced_builder_hands_the_command_another_host(tmp_path):
    """A test double for the repository host: the dry run asks it, and nothing else."""
    from platformctl.providers.local.repositories import LocalRepositories

    asked: list[str] = []

    def host(state: AppContext, settings: object, provider: str) -> LocalRepositories:
        asked.append(provider)
        return LocalRepositories(Path(env["PLATFORMCTL_HOME"]))

    env = {**os.environ, "PLATFORMCTL_HOME": str(tmp_path / "home")}
    streams = Streams()
    context = _context(env, streams, builders=Builders(repository_host=host))
    os.chdir(tmp_path)
    code = run(["new", "service", "billing", "--dry-run", "--no-input", "--json"], context=context)
    assert code == 0, streams.stderr.getvalue()
    assert asked == ["local"]
    assert json.loads(streams.stdout.getvalue())["dry_run"] is True
    assert not (tmp_path / "billing").exists()
