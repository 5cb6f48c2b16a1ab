"""``platformctl config show|init``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from platformctl.cli.context import command_context
from platformctl.cli.options import JsonOpt

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(help="Show or create the platform configuration.", no_args_is_help=True)


@app.command("show")
def show(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Print the effective settings and where each one came from."""
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

    def human(out: Console) -> None:
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

    state.io.emit(
        {"settings": rows, "golden_paths": paths, "files": [str(f) for f in settings.files]}, human
    )


@app.command("init")
def init(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Option("--path", help="Where to write the file", dir_okay=False)
    ] = Path("platformctl.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file")] = False,
    json: JsonOpt = False,
) -> None:
    """Write a commented starter platformctl.yaml."""
    from platformctl.config import STARTER_CONFIG
    from platformctl.errors import UsageError
    from platformctl.files import atomic_write_text

    state = command_context(ctx, json=json)
    if path.exists() and not force:
        raise UsageError(f"{path} already exists", hint="pass --force to overwrite it")
    atomic_write_text(path, STARTER_CONFIG)
    state.io.emit({"path": str(path)}, lambda out: out.print(f"wrote {path}", markup=False))
