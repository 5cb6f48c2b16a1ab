"""``assess delivery --provider github|gitlab``: reading the repositories, many at a time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Repositories read at once (one client, its connections shared). GitHub allows up to 100
# concurrent requests before its secondary limits apply; 16 keeps far below that while the
# latency of one repository's requests overlaps with the others'.
CONCURRENCY = 16


@dataclass(frozen=True)
class ForgeRead:
    """What to read of each repository."""

    environment: str
    window: Any
    incident_label: str = "incident"
    deploy_workflow: str | None = None
    status_context: str | None = None


def from_forge(
    state: Any,
    provider: str | None,
    repos: list[str],
    org: str | None,
    read: ForgeRead,
) -> tuple[Any, list[str]]:
    """Events of each repository, ``CONCURRENCY`` at a time, and the sources' names."""
    from concurrent.futures import ThreadPoolExecutor

    from platformctl.cli.builders import git_host_service, http_policy
    from platformctl.delivery.events import EventSet
    from platformctl.delivery.store import load_cache, save_cache

    settings = state.settings(provider=provider) if provider else state.settings()
    host = check_forge(provider or settings.provider, repos, org, read)
    service = git_host_service(settings, host, state.env)
    client = state.http_client(service, http_policy(settings))
    cache_file = cache_path(settings.home, host, service.base_url)
    # A part per forge (kept from when one file held both; the file is per API now).
    cached = {
        k: v for k, v in load_cache(cache_file).items() if k in ("github", "gitlab") and isinstance(v, dict)
    }
    source, trees = _source(host, client, read, cached.setdefault(host, {}))
    loaded = EventSet()
    try:
        if org:
            repos = [*repos, *(r.slug for r in trees.repositories(org))]
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            for one in pool.map(lambda slug: read_one(source, host, slug, read), repos):
                loaded.extend(one)
    finally:
        client.close()
    save_cache(cache_file, cached)
    return loaded, [f"{host}:{slug}" for slug in repos]


def cache_path(home: Path, host: str, api_url: str) -> Path:
    """Where the answers of one forge's API are kept between runs: under the platform home
    (never in the working directory), one file per API so two servers' repositories never mix."""
    import hashlib

    key = hashlib.sha256(api_url.encode()).hexdigest()[:12]
    return home / "cache" / "delivery" / f"{host}-{key}.json"


def _source(host: str, client: Any, read: ForgeRead, cache: dict[str, Any]) -> tuple[Any, Any]:
    """The delivery source of ``host`` and its organisation listing, on one client."""
    if host == "github":
        from platformctl.providers.github.deployments import GitHubDeliverySource
        from platformctl.providers.repo_trees import GitHubTrees

        source = GitHubDeliverySource(
            client,
            incident_label=read.incident_label,
            deploy_workflow=read.deploy_workflow,
            status_context=read.status_context,
            cache=cache,
        )
        return source, GitHubTrees(client)
    from platformctl.providers.gitlab.deployments import GitLabDeliverySource
    from platformctl.providers.repo_trees import GitLabTrees

    return GitLabDeliverySource(client, until=read.window.until, cache=cache), GitLabTrees(client)


def read_one(source: Any, host: str, slug: str, read: ForgeRead) -> Any:
    """One repository's events; an answer the source cannot read is the forge's error (exit 1),
    never a traceback, nor a usage error (exit 2) for a malformed time it sent."""
    from platformctl.errors import ProviderError, UsageError

    label = {"github": "GitHub", "gitlab": "GitLab"}[host]
    hint = f"re-run with --debug to see the request; if {label} keeps answering so, leave {slug} out"
    try:
        return source.events(slug, read.environment, read.window.since)
    except UsageError as exc:
        raise ProviderError(f"{label} answered for {slug}: {exc.message}", hint=hint, provider=host) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        what = f"{type(exc).__name__}: {exc}"[:200]
        raise ProviderError(
            f"{label} sent an answer for {slug} that platformctl cannot read ({what})",
            hint=hint,
            provider=host,
        ) from None


def check_forge(host: str, repos: list[str], org: str | None, read: ForgeRead) -> str:
    """The forge to read, after checking the flags that name what to read there."""
    from platformctl.errors import UsageError

    deploy_workflow = read.deploy_workflow

    if host not in ("github", "gitlab"):
        raise UsageError(
            f"--repo and --org need a forge, not {host!r}",
            hint="pass --provider github or gitlab, or --events FILE (see 'platformctl docs delivery')",
        )
    if not repos and not org:
        raise UsageError(
            f"--provider {host} needs --repo OWNER/NAME or --org ORG", hint="name what to measure"
        )
    for slug in repos:
        parts = slug.split("/")
        if len(parts) < 2 or not all(parts) or (host == "github" and len(parts) != 2):
            raise UsageError(f"--repo {slug!r}: expected OWNER/NAME", hint="e.g. --repo acme/payments")
    if deploy_workflow is not None and host != "github":
        raise UsageError(
            "--deploy-workflow reads GitHub Actions runs",
            hint="pass it with --provider github (GitLab records its deployments itself)",
        )
    if read.status_context is not None and (host != "github" or not read.status_context.strip()):
        raise UsageError(
            f"--status-context {read.status_context!r}: a GitHub commit status context",
            hint="pass a context name such as smoke-test, with --provider github",
        )
    if deploy_workflow is not None and (not deploy_workflow.strip() or "/" in deploy_workflow):
        raise UsageError(
            f"--deploy-workflow {deploy_workflow!r}: expected a workflow file name or id",
            hint="e.g. --deploy-workflow deploy.yml (the file under .github/workflows/)",
        )
    return host
