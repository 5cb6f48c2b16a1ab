"""``platformctl golden-path list|show``."""

# Annotations are evaluated when the module is imported, not postponed: typer would otherwise
# compile and evaluate each command's string annotations every time it builds it (cli/app.py).

from typing import TYPE_CHECKING, Annotated, Any

import typer

from platformctl.cli.completion import golden_paths as complete_golden_paths
from platformctl.cli.context import command_context
from platformctl.cli.groups import group_help
from platformctl.cli.options import JsonOpt

if TYPE_CHECKING:
    from rich.console import Console

    from platformctl.scaffold.catalog import GoldenPath
    from platformctl.scaffold.defaults import DefaultPreview

app = typer.Typer(help=group_help("golden-path"), no_args_is_help=True)


def _summary(gp: "GoldenPath") -> dict[str, Any]:
    return {
        "name": gp.name,
        "version": gp.version,
        "description": gp.description,
        "origin": gp.origin,
        "trusted": gp.trusted,
    }


def _questions(gp: "GoldenPath", defaults: "dict[str, DefaultPreview]") -> list[dict[str, Any]]:
    rows = []
    for q in gp.questions:
        if not q.asked:
            continue
        preview = defaults.get(q.name)
        shown = preview if preview is not None and not q.secret else None  # a secret's default is never shown
        rows.append(
            {
                "name": q.name,
                "type": q.type,
                "help": q.help,
                # The default new service would use; a template that needs an answer stays as written.
                "default": (shown.value if shown.known else shown.template) if shown is not None else None,
                "choices": q.choice_values(),
                "required": preview is None,
                "secret": q.secret,
                "computed_from": list(shown.computed_from) if shown is not None else [],
                "default_template": shown.template if shown is not None else None,
            }
        )
    return rows


def _shown_default(q: dict[str, Any], preview: "DefaultPreview | None") -> str:
    from rich.markup import escape

    if q["name"] == "service_name":
        return "the NAME argument"
    if preview is None:
        return "[red]required[/]"
    if q["secret"]:
        return "[dim](secret)[/]"
    shown = escape(str(preview.value))
    if preview.computed_from:
        shown += f" [dim](computed from {', '.join(preview.computed_from)})[/]"
    return shown


# The width the five-column table of `golden-path show` needs for the bundled golden paths.
WIDE_ENOUGH = 160


def _print_vertically(out: "Console", rows: list[tuple[str, str, str, str, str]]) -> None:
    """Questions listed one after the other, each line wrapping instead of being cut."""
    for name, kind, default, allowed, help_text in rows:
        out.print(f"[bold]{name}[/] ({kind})  {help_text}")
        out.print(f"  default: {default}")
        if allowed:
            out.print(f"  allowed: {allowed}")


@app.command("list")
def list_(ctx: typer.Context, json: JsonOpt = False) -> None:
    """List bundled and configured golden paths.

    Example: platformctl golden-path list --json
    """
    from platformctl.scaffold.catalog import list_golden_paths

    state = command_context(ctx, json=json)
    paths = list_golden_paths(state.settings())

    def human(out: "Console") -> None:
        from rich.markup import escape
        from rich.table import Table

        table = Table(box=None, pad_edge=False)
        for column in ("name", "version", "description", "source"):
            table.add_column(column)
        for gp in paths:
            table.add_row(
                gp.name,
                gp.version,
                escape(gp.description),
                escape(gp.origin) + ("" if gp.trusted else " (untrusted)"),
            )
        out.print(table)

    state.io.emit({"golden_paths": [_summary(gp) for gp in paths]}, human)


@app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Golden path name", autocompletion=complete_golden_paths)],
    versions: Annotated[
        bool, typer.Option("--versions", help="List the versions (git tags) and their changelog entries")
    ] = False,
    since: Annotated[
        str | None, typer.Option("--since", help="With --versions: only versions newer than this one")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Show a golden path: version, description and questions with defaults and allowed values.

    Example: platformctl golden-path show python-service
    """
    from platformctl.scaffold.catalog import get_golden_path
    from platformctl.scaffold.defaults import defaults_from_settings, preview_defaults

    state = command_context(ctx, json=json)
    settings = state.settings()
    gp = get_golden_path(settings, name)
    if versions or since:
        from platformctl.cli.golden_path_authoring import show_versions

        show_versions(state, gp, since)
        return
    given = {key: value for key, (value, _) in defaults_from_settings(gp, settings).items()}
    defaults = preview_defaults(gp, given)
    questions = _questions(gp, defaults)

    def human(out: "Console") -> None:
        from rich.markup import escape
        from rich.table import Table

        out.print(f"[bold]{gp.name}[/] {gp.version} — {escape(gp.description)}")
        out.print(f"source: {escape(gp.origin)}{'' if gp.trusted else ' (untrusted: copier tasks refused)'}")
        rows = [
            (
                escape(q["name"]),
                escape(q["type"]),
                _shown_default(q, defaults.get(q["name"])),
                escape(", ".join(str(c) for c in q["choices"]) if q["choices"] else ""),
                escape(q["help"]),
            )
            for q in questions
        ]
        if out.width < WIDE_ENOUGH:  # a table would cut the defaults: one question per block
            _print_vertically(out, rows)
        else:
            table = Table(box=None, pad_edge=False, title=None)
            for column in ("question", "type", "default", "allowed", "help"):
                table.add_column(column)
            for row in rows:
                table.add_row(*row)
            out.print(table)
        out.print(
            f"set answers with: platformctl new service NAME --golden-path {gp.name} --set QUESTION=VALUE"
        )

    state.io.emit(
        {**_summary(gp), "questions": questions, "environments": sorted(gp.metadata.environments)}, human
    )


def _register_authoring() -> None:
    from platformctl.cli import golden_path_authoring

    golden_path_authoring.register(app)


_register_authoring()
