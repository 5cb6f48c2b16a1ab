"""A server answer that is valid JSON of the wrong shape is one clean provider error, never a bug.

For each command, a first run against the fakes records every GET it reads; then, for each of
those endpoints in turn, the fake answers that one request with a mutated copy of its real
answer (a list where an object is expected, a string, ``null`` items, nested objects where
strings belong, numbers for strings, keys missing) and the command runs again. Each run must
end with exit 0 (the shape did not matter to what the command reads), exit 3 (`env status` saw
it as drift), exit 2 (a `null` id read as "no such team") or exit 1, with exactly one
``error:`` line, a ``hint:`` line, no traceback and no "report it as a bug". Swapping the whole
document's kind (object/list/string) must always be exit 1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.environments.conftest import write_service
from tests.environments.hosts import GITHUB_ENVIRONMENTS, GITLAB_ENVIRONMENTS, SECRET
from tests.fakes.base import Fault
from tests.fakes.fixtures import BACKSTAGE_TOKEN, FAST_HTTP, GITHUB_TOKEN, GITLAB_TOKEN
from tests.helpers import build_golden_path, configure_golden_path


def _deep(value: Any, leaf: Callable[[Any], Any]) -> Any:
    if isinstance(value, dict):
        return {k: _deep(v, leaf) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep(v, leaf) for v in value]
    return leaf(value)


MUTATIONS: dict[str, Callable[[Any], Any]] = {
    "kind-swapped": lambda b: [b] if isinstance(b, dict) else {"items": b},
    "a-string": lambda b: "unexpected",
    "null-items": lambda b: [None, *b] if isinstance(b, list) else dict.fromkeys(b),
    "nested-objects": lambda b: _deep(b, lambda v: {"nested": v} if isinstance(v, str) else v),
    "numbers-for-strings": lambda b: _deep(b, lambda v: 5 if isinstance(v, str) else v),
    "keys-missing": lambda b: {} if isinstance(b, dict) else [{} for _ in b] or [{}],
}
ALWAYS_AN_ERROR = {"kind-swapped", "a-string"}


def mutations(*fast: str) -> list[Any]:
    """Every mutation, those not in ``fast`` marked slow: the fast loop keeps one whole-document
    and one deep mutation per command (chosen so that it still tries all six across the file);
    the full suite tries every mutation everywhere."""
    assert set(fast) <= set(MUTATIONS)
    return [m if m in fast else pytest.param(m, marks=pytest.mark.slow) for m in sorted(MUTATIONS)]


def assert_clean(result, mutation: str, endpoint: str) -> None:
    where = f"{mutation} of GET {endpoint}:\n{result.stderr}"
    assert "report it as a bug" not in result.stderr and "Traceback" not in result.stderr, where
    # a file's raw content is not a JSON document: its content is the loader's to judge
    if mutation in ALWAYS_AN_ERROR and "/contents/" not in endpoint and "/files/" not in endpoint:
        assert result.exit_code == 1, where
    # 3: `env status` saw the mutation as drift; 2: a provider read it as "no such team"
    assert result.exit_code in (0, 1, 2, 3), where
    if result.exit_code != 0:
        lines = result.stderr.splitlines()
        errors = [line for line in lines if line.startswith("error:")]
        assert len(errors) == 1, where
        assert any(line.startswith("hint:") for line in lines), where


def _mutator(mutation: str) -> Callable[[Any], Any]:
    """The mutation, for JSON documents only (a file's raw bytes are left as they are)."""
    return lambda body: MUTATIONS[mutation](body) if isinstance(body, dict | list) else body


def _escaped(path: str) -> str:
    return path.replace("[", "[[]").replace("*", "[*]").replace("?", "[?]")


def every_read_mutated(run: Callable[[], Any], fakes: Any, mutation: str) -> int:
    """Run once, then once per GET endpoint read (of each fake) with that answer mutated; the
    number of runs that failed (cleanly)."""
    fakes = fakes if isinstance(fakes, list | tuple) else [fakes]
    starts = [len(fake.log) for fake in fakes]
    first = run()
    assert first.exit_code == 0, first.stderr
    reads = [
        (fake, endpoint)
        for fake, start in zip(fakes, starts, strict=True)
        for endpoint in dict.fromkeys(
            e.path for e in fake.log[start:] if e.method == "GET" and e.kind == "api" and e.status == 200
        )
    ]
    assert reads
    failures = mutated = 0
    for fake, endpoint in reads:
        fault = fake.inject(Fault("GET", _escaped(endpoint), after=True, rewrite=_mutator(mutation)))
        result = run()
        fake.faults.remove(fault)
        if not fault.arrived.is_set():  # not read again (a cache of finished deployments)
            continue
        mutated += 1
        assert_clean(result, mutation, endpoint)
        failures += result.exit_code == 1
    assert mutated, "no mutated answer was read"
    return failures


@pytest.fixture
def in_service(cli, tmp_path, monkeypatch):
    """``run(environments, repository, env, *args)``: the CLI in-process in a service checkout."""
    monkeypatch.setenv("PLATFORMCTL_HOME", str(tmp_path / "platform-home"))
    monkeypatch.setenv("TEST_DB_PASSWORD", SECRET)

    def make(environments: str, repository: str, env: dict[str, str]) -> Callable[..., Any]:
        folder = write_service(
            tmp_path / "work" / "payments", environments=environments, repository=repository
        )
        monkeypatch.chdir(folder)
        return lambda *args: cli(*args, env={**FAST_HTTP, **env})

    return make


COMMANDS = [("env", "up", "staging"), ("env", "status", "staging")]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: "-".join(c[:2]))
@pytest.mark.parametrize("mutation", mutations("kind-swapped", "null-items"))
def test_github_answers_of_the_wrong_shape(in_service, github, github_url, github_envs, mutation, command):
    run = in_service(
        GITHUB_ENVIRONMENTS,
        "{provider: github, slug: acme/payments, url: https://github.test/acme/payments}",
        {"PLATFORMCTL_GITHUB_API_URL": github_url, "GH_TOKEN": GITHUB_TOKEN},
    )
    assert run("env", "up", "staging").exit_code == 0
    failures = every_read_mutated(lambda: run(*command), github, mutation)
    assert failures or mutation not in ALWAYS_AN_ERROR


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: "-".join(c[:2]))
@pytest.mark.parametrize("mutation", mutations("a-string", "keys-missing"))
def test_gitlab_answers_of_the_wrong_shape(in_service, gitlab, gitlab_url, gitlab_envs, mutation, command):
    run = in_service(
        GITLAB_ENVIRONMENTS,
        "{provider: gitlab, slug: acme/payments, url: https://gitlab.test/acme/payments}",
        {"PLATFORMCTL_GITLAB_URL": gitlab_url, "GITLAB_TOKEN": GITLAB_TOKEN},
    )
    assert run("env", "up", "staging").exit_code == 0
    failures = every_read_mutated(lambda: run(*command), gitlab, mutation)
    assert failures or mutation not in ALWAYS_AN_ERROR


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: "-".join(c[:2]))
@pytest.mark.parametrize("mutation", mutations("kind-swapped", "nested-objects"))
def test_kubernetes_answers_of_the_wrong_shape(cli, kube, mutation, command):
    write_service(Path.cwd(), providers="kubernetes")
    assert cli("env", "up", "staging").exit_code == 0
    start = len(kube.requests)
    assert cli(*command).exit_code == 0
    reads = list(dict.fromkeys(p for m, p, _ in kube.requests[start:] if m == "GET"))
    assert reads
    for path in reads:
        before = len(kube.requests)
        kube.rewrites[("GET", path)] = MUTATIONS[mutation]
        result = cli(*command)
        if ("GET", path) in kube.rewrites:  # not read this time (or not found): nothing to check
            del kube.rewrites[("GET", path)]
            assert ("GET", path) not in [
                (m, p) for m, p, _ in kube.requests[before:]
            ] or result.exit_code == 0
        assert_clean(result, mutation, path)


@pytest.mark.parametrize("forge", ["github", "gitlab"])
@pytest.mark.parametrize("mutation", mutations("a-string", "numbers-for-strings"))
def test_new_service_answers_of_the_wrong_shape(
    cli, request, tmp_path, backstage, backstage_url, forge, mutation
):
    from tests.providers.scenario import use_tiny_golden_path

    fake, url = request.getfixturevalue(forge), request.getfixturevalue(f"{forge}_url")
    env = {
        **FAST_HTTP,
        **use_tiny_golden_path(tmp_path),
        "PLATFORMCTL_BACKSTAGE_URL": backstage_url,
        "BACKSTAGE_TOKEN": BACKSTAGE_TOKEN,
    }
    if forge == "github":
        env |= {"PLATFORMCTL_GITHUB_API_URL": url, "GH_TOKEN": GITHUB_TOKEN}
        args = ("--provider", "github", "--org", "acme", "--team", "platform")
    else:
        env |= {"PLATFORMCTL_GITLAB_URL": url, "GITLAB_TOKEN": GITLAB_TOKEN}
        args = ("--provider", "gitlab", "--org", "acme/sub")
    run = lambda: cli("new", "service", "payments", *args, "--no-input", env=env)  # noqa: E731
    assert run().exit_code == 0  # created; every later run reads, then finds nothing to do
    failures = every_read_mutated(run, [fake, backstage], mutation)
    assert failures or mutation not in ALWAYS_AN_ERROR


@pytest.mark.parametrize(
    ("rewrite", "what"),
    [
        (lambda b: {k: v for k, v in b.items() if k != "clone_url"}, "'clone_url' missing"),
        (lambda b: [b], "a list where an object"),
        (lambda b: "acme/payments", "a string where an object"),
    ],
    ids=["missing-key", "list", "string"],
)
def test_the_error_names_the_endpoint_and_what_was_wrong(cli, tmp_path, github, github_url, rewrite, what):
    from tests.providers.scenario import use_tiny_golden_path

    env = {**FAST_HTTP, **use_tiny_golden_path(tmp_path), "PLATFORMCTL_GITHUB_API_URL": github_url}
    env["GH_TOKEN"] = GITHUB_TOKEN
    args = ("new", "service", "payments", "--provider", "github", "--org", "acme", "--no-input")
    assert cli(*args, env=env).exit_code == 0
    github.inject(Fault("GET", "/repos/acme/payments", after=True, rewrite=rewrite))
    result = cli(*args, env=env)
    assert result.exit_code == 1, result.stderr
    [error] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert error.startswith("error: GitHub answered GET /repos/acme/payments with an unexpected document: ")
    assert what in error, error
    assert "hint: the answer does not have the shape of the GitHub API" in result.stderr


@pytest.mark.parametrize("mutation", mutations("kind-swapped", "keys-missing"))
def test_fleet_status_answers_of_the_wrong_shape(cli, tmp_path, monkeypatch, github, github_url, mutation):
    from tests.fakes.github_pulls import GitHubPulls

    GitHubPulls(github)
    monkeypatch.setenv("PLATFORMCTL_HOME", str(tmp_path / "platform-home"))
    env = {**FAST_HTTP, "PLATFORMCTL_GITHUB_API_URL": github_url, "GH_TOKEN": GITHUB_TOKEN}
    configure_golden_path(tmp_path / "work", "tiny", build_golden_path(tmp_path / "gp"))
    org = ("--provider", "github", "--org", "acme")
    assert cli("new", "service", "alpha", "-g", "tiny", "--no-input", *org, env=env).exit_code == 0
    github.add_repo("acme", "docs")  # an empty repository: listed, no service
    homes = iter(range(1000))

    def run():  # a fresh home each time: answers are cached there by ETag
        home = {"PLATFORMCTL_HOME": str(tmp_path / f"home-{next(homes)}")}
        return cli("fleet", "status", *org, "--json", env=env | home)

    failures = every_read_mutated(run, github, mutation)
    assert failures or mutation not in ALWAYS_AN_ERROR


@pytest.mark.parametrize("mutation", mutations("a-string", "null-items"))
def test_assess_delivery_answers_of_the_wrong_shape(cli, tmp_path, github, github_url, mutation):
    from tests.delivery.helpers import at
    from tests.fakes.github import ALL_PERMISSIONS
    from tests.fakes.github_deployments import GitHubDeliveries, commit

    github.add_token(GITHUB_TOKEN, "octo", permissions={**ALL_PERMISSIONS, "deployments": "read"})
    d = GitHubDeliveries(github)
    base = d.push("acme/api", commit("c0", at("2026-02-10", 8)))
    d.deploy("acme/api", base, at("2026-02-10", 9), at("2026-02-10", 10))
    squash = commit("q1", at("2026-03-02", 2), "Squashed #10")
    d.merge_pull("acme/api", 10, [commit("c1", at("2026-03-02", 1))], squash["sha"], at("2026-03-02", 2))
    sha = d.push("acme/api", squash)
    d.deploy("acme/api", sha, at("2026-03-02", 4), at("2026-03-02", 5))
    d.issue("acme/api", 1, "Outage", "after the deployment", at("2026-03-02", 6), at("2026-03-02", 7))
    homes = iter(range(1000))

    def run():  # a fresh home each time: finished deployments are cached there
        env = {"PLATFORMCTL_GITHUB_API_URL": github_url, "GITHUB_TOKEN": GITHUB_TOKEN}
        env["PLATFORMCTL_HOME"] = str(tmp_path / f"home-{next(homes)}")
        window = ("--since", "2026-03-01", "--until", "2026-03-31")
        return cli(
            "assess", "delivery", "--provider", "github", "--repo", "acme/api", *window, "--json", env=env
        )

    failures = every_read_mutated(run, github, mutation)
    assert failures or mutation not in ALWAYS_AN_ERROR


def test_our_own_errors_after_an_answer_are_still_bugs(cli, tmp_path, monkeypatch, github, github_url):
    """Only errors raised while a provider reads an answer become provider errors: one raised by
    the domain after the answers arrived stays an unexpected error to report."""
    import platformctl.fleet.discovery
    from tests.fakes.github_pulls import GitHubPulls

    GitHubPulls(github)

    def broken(*args: Any) -> int:
        raise TypeError("a bug of ours")

    monkeypatch.setattr(platformctl.fleet.discovery, "releases_between", broken)
    monkeypatch.setenv("PLATFORMCTL_HOME", str(tmp_path / "platform-home"))
    env = {**FAST_HTTP, "PLATFORMCTL_GITHUB_API_URL": github_url, "GH_TOKEN": GITHUB_TOKEN}
    configure_golden_path(tmp_path / "work", "tiny", build_golden_path(tmp_path / "gp"))
    org = ("--provider", "github", "--org", "acme")
    assert cli("new", "service", "alpha", "-g", "tiny", "--no-input", *org, env=env).exit_code == 0
    result = cli("fleet", "status", *org, env=env)
    assert result.exit_code == 1
    assert "error: unexpected TypeError: a bug of ours" in result.stderr
    assert "report it as a bug" in result.stderr and "unexpected document" not in result.stderr
