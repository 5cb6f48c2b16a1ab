"""``platformctl golden-path list|show``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from platformctl.cli.context import command_context
from platformctl.cli.options import JsonOpt

if TYPE_CHECKING:
    from rich.console import Console

    from platformctl.scaffold.catalog import GoldenPath

app = typer.Typer(help="List and inspect golden paths.", no_args_is_help=True)


def _summary(gp: GoldenPath) -> dict[str, Any]:
    return {"name": gp.name, "version": gp.version, "description": gp.description,
            "origin": gp.origin, "trusted": gp.trusted}


def _questions(gp: GoldenPath) -> list[dict[str, Any]]:
    return [
        {"name": q.name, "type": q.type, "help": q.help, "default": None if q.secret else q.default,
         "choices": q.choice_values(), "required": not q.has_default, "secret": q.secret}
        for q in gp.questions if q.asked
    ]


@app.command("list")
def list_(ctx: typer.Context, json: JsonOpt = False) -> None:
    """List bundled and configured golden paths."""
    from platformctl.scaffold.catalog import list_golden_paths

    state = command_context(ctx, json=json)
    paths = list_golden_paths(state.settings())

    def human(out: Console) -> None:
        from rich.markup import escape
        from rich.table import Table

        table = Table(box=None, pad_edge=False)
        for column in ("name", "version", "description", "source"):
            table.add_column(column)
        for gp in paths:
            table.add_row(gp.name, gp.version, escape(gp.description),
                          escape(gp.origin) + ("" if gp.trusted else " (untrusted)"))
        out.print(table)

    state.io.emit({"golden_paths": [_summary(gp) for gp in paths]}, human)


@app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Golden path name")],
    json: JsonOpt = False,
) -> None:
    """Show a golden path: version, description and questions with defaults and allowed values."""
    from platformctl.scaffold.catalog import get_golden_path

    state = command_context(ctx, json=json)
    gp = get_golden_path(state.settings(), name)
    questions = _questions(gp)

    def human(out: Console) -> None:
        from rich.markup import escape
        from rich.table import Table

        out.print(f"[bold]{gp.name}[/] {gp.version} — {escape(gp.description)}")
        out.print(f"source: {escape(gp.origin)}{'' if gp.trusted else ' (untrusted: copier tasks refused)'}")
        table = Table(box=None, pad_edge=False, title=None)
        for column in ("question", "type", "default", "allowed", "help"):
            table.add_column(column)
        for q in questions:
            default = ("[red]required[/]" if q["required"] else "[dim](secret)[/]" if q["secret"]
                       else escape(str(q["default"])))
            allowed = ", ".join(str(c) for c in q["choices"]) if q["choices"] else ""
            table.add_row(escape(q["name"]), escape(q["type"]), default, escape(allowed), escape(q["help"]))
        out.print(table)
        out.print("\nset answers with: platformctl new service NAME --golden-path "
                  f"{gp.name} --set QUESTION=VALUE")

    state.io.emit({**_summary(gp), "questions": questions,
                   "environments": sorted(gp.metadata.environments)}, human)
