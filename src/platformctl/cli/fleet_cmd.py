"""``platformctl fleet status`` and ``fleet update``: every service of an organisation, and rollouts."""

# Annotations are evaluated when the module is imported, not postponed: typer would otherwise
# compile and evaluate each command's string annotations every time it builds it (cli/app.py).

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from platformctl.cli.context import command_context
from platformctl.cli.groups import group_help
from platformctl.cli.options import DryRunOpt, JsonOpt

if TYPE_CHECKING:
    from rich.console import Console

    from platformctl.cli.context import AppContext
    from platformctl.config import Settings
    from platformctl.contracts.change_requests import ChangeRequestHost
    from platformctl.fleet.campaign import CampaignResult
    from platformctl.fleet.discovery import FleetStatus
    from platformctl.fleet.rollout import Rollout

app = typer.Typer(help=group_help("fleet"), no_args_is_help=True)

OrgOpt = Annotated[str | None, typer.Option("--org", help="Organisation or group [config: org]")]
ProviderOpt = Annotated[
    str | None, typer.Option("--provider", help="local, github or gitlab [config: provider]")
]
FORMATS = ("table", "markdown", "html")


@app.command("status")
def status(
    ctx: typer.Context,
    org: OrgOpt = None,
    provider: ProviderOpt = None,
    golden_path: Annotated[
        str | None, typer.Option("--golden-path", "-g", help="Only services of this golden path")
    ] = None,
    campaign: Annotated[
        str | None, typer.Option("--campaign", metavar="NAME-VERSION", help="The rollout of one campaign")
    ] = None,
    journal: Annotated[
        list[Path] | None,
        typer.Option(
            "--journal",
            help="Also read this campaign journal (from another shard; repeatable)",
            dir_okay=False,
        ),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, markdown or html")] = "table",
    checks: Annotated[
        bool, typer.Option("--checks", help="Also read the checks of open update pull requests (GitHub)")
    ] = False,
    fail_if_behind: Annotated[
        int | None,
        typer.Option(
            "--fail-if-behind", min=1, metavar="N", help="Exit 3 when a service is N or more releases behind"
        ),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Report every service's golden path, version, owner and update pull request, with a summary.

    Example: platformctl fleet status --org acme --provider github --format html > fleet.html

    Exit codes: 0 reported, 3 a service is further behind than --fail-if-behind, 2 bad flags.
    """
    state = command_context(ctx, json=json)
    if output_format not in FORMATS:
        from platformctl.errors import UsageError

        raise UsageError(f"invalid --format {output_format!r}", hint="use table, markdown or html")
    settings = state.settings(provider=provider, org=org)
    host, where = _host(state, settings)
    if checks and hasattr(host, "read_checks"):
        host.read_checks = True
    if campaign is not None:
        _campaign_status(state, host, where, settings, campaign, journal or [])
        return
    from platformctl.fleet.discovery import discover

    found = discover(host, where, settings, golden_path=golden_path)
    _emit_status(state, found, output_format)
    if fail_if_behind is not None and found.most_behind() >= fail_if_behind:
        state.io.error(
            f"a service is {found.most_behind()} release(s) behind (threshold {fail_if_behind})",
            "run 'platformctl fleet update --golden-path NAME' to open update pull requests",
        )
        raise typer.Exit(3)


@app.command("update")
def update(
    ctx: typer.Context,
    golden_path: Annotated[str, typer.Option("--golden-path", "-g", help="The golden path to roll out")],
    to: Annotated[
        str | None, typer.Option("--to", help="Target version (default: the newest available)")
    ] = None,
    org: OrgOpt = None,
    provider: ProviderOpt = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Write to at most N services in this run")
    ] = None,
    shard: Annotated[
        str, typer.Option("--shard", metavar="I/N", help="Only this shard of the fleet (by name)")
    ] = "1/1",
    check: Annotated[
        str | None,
        typer.Option("--check", metavar="CMD", help="Run CMD in each merged checkout; failing = failed"),
    ] = None,
    max_per_minute: Annotated[
        float | None,
        typer.Option("--max-prs-per-minute", min=0.01, help="Open at most this many pull requests a minute"),
    ] = None,
    dry_run: DryRunOpt = False,
    json: JsonOpt = False,
) -> None:
    """Open (or refresh) an update pull request for every service behind on a golden path.

    Example: platformctl fleet update --golden-path python-service --org acme --shard 1/4

    Exit codes: 0 converged, 3 a merge conflicted or a --check failed, 1 errors, 2 bad flags.
    """
    from platformctl.fleet.campaign import Options, Shard, outcome_document, run_campaign

    state = command_context(ctx, json=json)
    options = Options(
        to=to,
        limit=limit,
        dry_run=dry_run,
        shard=Shard.parse(shard),
        check=check,
        max_per_minute=max_per_minute,
    )
    settings = state.settings(provider=provider, org=org)
    host, where = _host(state, settings)

    def bar(done: int, total: int) -> None:
        state.io.count(done, total, f"{golden_path} services")

    result = run_campaign(host, where, settings, golden_path, options, progress=state.io.step, counter=bar)
    state.io.emit(outcome_document(result), lambda out: _render_campaign(out, result))
    if state.io.in_github_actions:
        from platformctl.cli import gha

        counts = ", ".join(f"{n} {s}" for s, n in result.counts().items()) or "nothing to do"
        gha.publish(
            {"campaign": result.campaign.name},
            f"### Campaign `{result.campaign.name}`\n\n{counts}",
            state.io.env,
        )
    failed = [o for o in result.outcomes if o.state == "failed"]
    if any(o.state == "failed" and not o.number for o in failed):
        state.io.error(
            f"{len(failed)} service(s) failed", "see the table above; run the campaign again to resume"
        )
        raise typer.Exit(1)
    if failed or any(o.conflicts for o in result.outcomes):
        raise typer.Exit(3)


def _host(state: "AppContext", settings: "Settings") -> "tuple[ChangeRequestHost, str]":
    """The forge to work on and the organisation there (empty: the whole local forge)."""
    from platformctl.errors import UsageError

    provider, org = settings.provider, settings.org or ""
    if provider == "local":
        from platformctl.providers.local.change_requests import LocalChangeRequests

        return LocalChangeRequests(settings.home), org
    if provider not in ("github", "gitlab"):
        raise UsageError(f"unknown provider {provider!r}", hint="use local, github or gitlab")
    if not org:
        raise UsageError(
            f"fleet commands at {provider} need an organisation", hint="pass --org ORG (or set org)"
        )
    from platformctl.cli.builders import git_host_service, http_policy
    from platformctl.providers.gitpush import GitCredentials, GitRemote

    service, policy = git_host_service(settings, provider, state.env), http_policy(settings)
    client, cache = state.http_client(service, policy), settings.home / "cache" / "fleet"
    if provider == "gitlab":
        from platformctl.providers.gitlab.merge_requests import GitLabChangeRequests

        credentials = GitCredentials("oauth2", service.token, "the scope write_repository")
        git = GitRemote("GitLab", credentials, policy, token_hint=service.token_hint)
        return GitLabChangeRequests(client, git, settings.gitlab_url, cache), org
    from platformctl.providers.github.pulls import GitHubChangeRequests
    from platformctl.providers.github.repositories import web_url_from_api

    credentials = GitCredentials("x-access-token", service.token, "the permission contents: write")
    git = GitRemote("GitHub", credentials, policy, token_hint=service.token_hint)
    return GitHubChangeRequests(client, git, web_url_from_api(service.base_url), cache), org


def _emit_status(state: "AppContext", found: "FleetStatus", output_format: str) -> None:
    from dataclasses import asdict

    from platformctl.fleet import report

    document: dict[str, Any] = {"org": found.org, "provider": found.provider, "summary": found.summary()}
    document["services"] = [asdict(s) for s in found.services]
    if state.io.json:
        state.io.emit(document, lambda out: None)
    elif output_format == "markdown":
        state.io.out.file.write(state.io.spell(report.markdown(found)))
    elif output_format == "html":
        state.io.out.file.write(state.io.spell(report.html_report(found)))
    else:
        _render_table(state.io.out, found)
    if state.io.in_github_actions:
        from platformctl.cli import gha

        summary = found.summary()
        gha.publish(
            {"services": str(summary["services"]), "behind": str(summary["behind"])},
            report.markdown(found),
            state.io.env,
        )


def _render_table(out: "Console", found: "FleetStatus") -> None:
    from rich.table import Table
    from rich.text import Text

    from platformctl.fleet import report

    table = Table(*report.COLUMNS, box=None, pad_edge=False)
    for service in found.services:
        table.add_row(*(Text(_printable(c)) for c in report.row_cells(service)))
    if found.services:
        out.print(table)
    else:
        out.print("no services found (no repository holds a platform.yaml)", markup=False)
    for line in report.summary_lines(found):
        out.print(_printable(line), markup=False, highlight=False)


def _printable(text: str) -> str:
    """Control characters from repositories shown as escapes, never interpreted."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _campaign_status(
    state: "AppContext",
    host: "ChangeRequestHost",
    where: str,
    settings: "Settings",
    name: str,
    journals: list[Path],
) -> None:
    from platformctl.fleet.journal import Campaign
    from platformctl.fleet.rollout import campaign_status

    rollout = campaign_status(host, where, settings, Campaign.parse(name), journals)
    state.io.emit(rollout.document(), lambda out: _render_rollout(out, rollout))


def _render_rollout(out: "Console", rollout: "Rollout") -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table("repository", "version", "state", "pull request", "detail", box=None, pad_edge=False)
    for row in rollout.rows:
        cells = [
            row.repository,
            row.version or "",
            row.state,
            f"#{row.number}" if row.number else "",
            row.detail,
        ]
        table.add_row(*(Text(_printable(c)) for c in cells))
    out.print(f"campaign {rollout.campaign.name} (branch {rollout.campaign.branch})", markup=False)
    out.print(table)
    out.print(", ".join(f"{n} {s}" for s, n in rollout.counts().items()), markup=False)


def _render_campaign(out: "Console", result: "CampaignResult") -> None:
    from rich.table import Table
    from rich.text import Text

    verb = "would roll out" if result.dry_run else "rolled out"
    out.print(f"campaign {result.campaign.name}: {verb} on branch {result.campaign.branch}", markup=False)
    table = Table(
        "repository", "from", "state", "pull request", "conflicts", "detail", box=None, pad_edge=False
    )
    for o in result.outcomes:
        cells: list[Any] = [o.repository, o.from_version or "", o.state, f"#{o.number}" if o.number else ""]
        cells += [
            ", ".join(o.conflicts),
            o.detail + (f" (closed #{', #'.join(map(str, o.superseded))})" if o.superseded else ""),
        ]
        table.add_row(*(Text(_printable(str(c))) for c in cells))
    if result.outcomes:
        out.print(table)
    counts = ", ".join(f"{n} {s}" for s, n in result.counts().items())
    out.print(counts or "no service of this golden path is behind: nothing to do", markup=False)
