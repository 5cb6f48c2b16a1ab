"""``platformctl config show|init``."""

# Annotations are evaluated when the module is imported, not postponed: typer would otherwise
# compile and evaluate each command's string annotations every time it builds it (cli/app.py).

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from platformctl.cli.context import command_context
from platformctl.cli.groups import group_help
from platformctl.cli.options import JsonOpt

if TYPE_CHECKING:
    from rich.console import Console

    from platformctl.cli.context import AppContext

app = typer.Typer(help=group_help("config"), no_args_is_help=True)


@app.command("show")
def show(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Print the effective settings and where each one came from.

    Example: platformctl config show --json
    """
    state = command_context(ctx, json=json)
    settings = state.settings()
    rows = [
        {"key": key, "value": resolved.value, "source": resolved.source}
        for key, resolved in settings.values.items()
    ]
    paths = [
        {"name": gp.name, **gp.source.model_dump(exclude_none=True), "source": gp.origin}
        for gp in settings.golden_paths.values()
    ]

    def human(out: "Console") -> None:
        from rich.markup import escape
        from rich.table import Table

        table = Table(box=None, pad_edge=False)
        for column in ("setting", "value", "source"):
            table.add_column(column)
        for row in rows:
            value = "[dim]-[/]" if row["value"] is None else escape(str(row["value"]))
            table.add_row(row["key"], value, escape(row["source"]))
        for gp in paths:
            where = gp.get("path") or f"{gp['git']}@{gp.get('ref') or 'HEAD'}"
            trusted = " (trusted)" if gp.get("trusted") else ""
            table.add_row(f"golden_paths.{gp['name']}", escape(where) + trusted, escape(gp["source"]))
        out.print(table)

    ignored = [{"file": file, "key": key} for file, key in settings.ignored]
    state.io.emit(
        {
            "settings": rows,
            "golden_paths": paths,
            "files": [str(f) for f in settings.files],
            "ignored": ignored,
        },
        human,
    )


@app.command("init")
def init(
    ctx: typer.Context,
    path: Annotated[Path, typer.Option("--path", help="Where to write the file", dir_okay=False)] = Path(
        "platformctl.yaml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file")] = False,
    json: JsonOpt = False,
) -> None:
    """Write a commented starter platformctl.yaml.

    Example: platformctl config init
    """
    from platformctl.errors import UsageError
    from platformctl.files import atomic_write_text

    state = command_context(ctx, json=json)
    if path.exists() and not force:
        raise UsageError(f"{path} already exists", hint="pass --force to overwrite it")
    text = STARTER_CONFIG
    if state.io.can_prompt():  # the one setting a new service should not go without
        org = _ask_org(state)
        if org:
            text = text.replace("# org: acme\n", f"org: {org}\n", 1)
    atomic_write_text(path, text)
    # The file is platformctl's own text (and the org just typed), so it is trusted as written:
    # otherwise its `provider` (and `org`) would be ignored by the very next command.
    from platformctl.config_trust import trust as record

    digest = record(path, state.io.env)
    state.io.emit(
        {"path": str(path), "sha256": digest},
        lambda out: out.print(f"wrote {path}", markup=False),
    )


@app.command("trust")
def trust(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="The file to trust (default: the nearest platformctl.yaml)", show_default=False),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Trust a project platformctl.yaml: let it set the provider, org, API URLs and golden paths.

    Until then, a platformctl.yaml found by walking up (it may come from any repository you
    cloned) cannot send your tokens elsewhere or run a golden path's code. Trust covers the
    file's current content: trust it again after it changes.

    Example: platformctl config trust ./platformctl.yaml
    """
    from platformctl.config import find_project_file
    from platformctl.config_trust import trust as record
    from platformctl.errors import UsageError

    state = command_context(ctx, json=json)
    target = path or find_project_file(Path.cwd())
    if target is None:
        raise UsageError(
            "no platformctl.yaml here or in any parent folder", hint="pass the path of the file to trust"
        )
    digest = record(target, state.io.env)
    state.io.emit(
        {"path": str(target.resolve()), "sha256": digest},
        lambda out: out.print(f"trusted {target.resolve()} (sha256 {digest[:12]})", markup=False),
    )


def _ask_org(state: "AppContext") -> str:
    """The organisation, asked on a terminal; empty keeps the commented example."""
    import re

    from platformctl.config_schema import _SLUG

    while True:
        answer = state.io.prompt(
            "Organisation that owns new repositories (GitHub org, GitLab group; Enter to skip)", default=""
        ).strip()
        if not answer or re.fullmatch(_SLUG, answer):
            return answer
        state.io.warn("use letters, digits, '-', '_' and '.' (a GitLab subgroup as group/sub)")


STARTER_CONFIG = """\
# platformctl.yaml: the platform configuration, shared by a team in a repository.
# Every field is optional. Precedence: flags > PLATFORMCTL_* env vars > this file
# > the user file (~/.config/platformctl/config.yaml) > built-in defaults.
# Reference: platformctl docs configuration

# Where `new service` creates repositories: local (embedded, no account), github or gitlab.
provider: local

# Organisation (GitHub), group path (GitLab) or folder (local) that owns new repositories.
# org: acme

# Default owner team of new services (Backstage group), and default golden path.
# owner: team-payments
golden_path: python-service

# Platform home: local repositories and state. Default: ~/.local/share/platformctl
# home: /srv/platform

# github:
#   api_url: https://api.github.com        # GitHub Enterprise Server: https://HOST/api/v3
#   api_version: "2022-11-28"
# gitlab:
#   url: https://gitlab.com                # self-managed: https://gitlab.example.com
# backstage:
#   url: https://backstage.example.com     # enables catalog registration
# http:                                    # retries of GitHub, GitLab and Backstage requests
#   max_attempts: 5
#   max_wait: 300                          # seconds one command may spend waiting

# Extra golden paths, next to the bundled ones. Copier tasks and extensions run only
# for sources marked trusted.
# golden_paths:
#   internal-api:
#     path: ./golden-paths/internal-api     # relative to this file
#   data-pipeline:
#     git: https://git.example.com/platform/data-pipeline-template.git
#     ref: v2.1.0
#     trusted: false

# Environment classes: defaults for the environments of each class (see 'platformctl docs environments').
# environments:
#   staging:
#     providers: [local]
#     variables: {LOG_LEVEL: info}
#   production:
#     production: true                      # `env down` needs --yes without a terminal
#     protection: {wait_timer: 10, reviewers: [{team: platform}], branches: protected}
#   preview:
#     ttl: 3d                               # ephemeral: `env reap` deletes it when expired
"""
