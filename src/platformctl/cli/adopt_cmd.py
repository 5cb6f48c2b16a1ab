"""``platformctl adopt service``: bring an existing repository under a golden path."""

# Annotations are evaluated when the module is imported, not postponed: typer would otherwise
# compile and evaluate each command's string annotations every time it builds it (cli/app.py).

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from platformctl.cli.context import command_context
from platformctl.cli.groups import group_help
from platformctl.cli.options import DryRunOpt, JsonOpt, NoInputOpt
from platformctl.cli.prompting import question_prompter

if TYPE_CHECKING:
    from rich.console import Console

    from platformctl.authoring.adopt import AdoptResult

app = typer.Typer(help=group_help("adopt"), no_args_is_help=True)


@app.command("service")
def adopt_service(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(help="The service's git checkout (default: here)", show_default=False)
    ] = Path("."),
    golden_path: Annotated[str, typer.Option("--golden-path", "-g", help="Golden path to adopt")] = "",
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", metavar="KEY=VALUE", help="Answer a question (repeatable); wins over inferred answers"
        ),
    ] = None,
    dry_run: DryRunOpt = False,
    no_input: NoInputOpt = False,
    json: JsonOpt = False,
) -> None:
    """Record a golden-path baseline for an existing repository so 'update service' works on it.

    Answers are inferred (name and owner from catalog-info.yaml or CODEOWNERS, the port from
    manifests), then asked or taken from --set. --dry-run shows the per-file difference only.

    Example: platformctl adopt service ./billing --golden-path python-service --dry-run
    """
    from platformctl.authoring.adopt import adopt_service as adopt
    from platformctl.errors import UsageError
    from platformctl.scaffold.answers import parse_set_options
    from platformctl.scaffold.catalog import get_golden_path
    from platformctl.scratch import temporary_dir

    state = command_context(ctx, json=json, no_input=no_input)
    if not golden_path:
        raise UsageError("adopt service needs --golden-path NAME", hint="see 'platformctl golden-path list'")
    sets = parse_set_options(set_ or [])
    settings = state.settings()
    gp = get_golden_path(settings, golden_path)
    root = path.absolute()
    with temporary_dir(settings.home, "adopt") as scratch:
        result = adopt(root, gp, sets=sets, ask=question_prompter(state.io), scratch=scratch, dry_run=dry_run)
    state.io.emit(_document(result), lambda out: _render(out, result))


def _document(result: "AdoptResult") -> dict[str, object]:
    return {
        "root": str(result.root),
        "name": result.name,
        "golden_path": result.golden_path,
        "version": result.version,
        "inferred": result.inferred,
        "files": result.files,
        "dry_run": result.dry_run,
        "diffs": result.diffs,
        "pristine_commit": result.pristine_commit,
        "baseline_commit": result.baseline_commit,
    }


def _diff_style(line: str) -> str | None:
    """Colour of one diff line (dim headers, green for the repository, red for the golden path)."""
    if line.startswith(("+++", "---", "@@")):
        return "dim"
    return {"+": "green", "-": "red"}.get(line[:1])


def _render(out: "Console", result: "AdoptResult") -> None:
    from rich.markup import escape

    for key, value in result.inferred.items():
        out.print(f"inferred {escape(key)} = {escape(value)}")
    labels = (
        ("changed", "~", "differs from the golden path"),
        ("added", "+", "only in the repository"),
        ("removed", "-", "in the golden path, not in the repository"),
    )
    for kind, mark, label in labels:
        for name in result.files.get(kind, []):
            out.print(f"  {mark} {escape(name)} [dim]({label})[/]")
            for line in result.diffs.get(name, "").splitlines():
                out.print(f"      {escape(line)}", style=_diff_style(line))
    head = f"{escape(result.name)} on {escape(result.golden_path)} {escape(result.version)}"
    if result.dry_run:
        out.print(f"dry run: would adopt {head}; nothing was recorded")
    else:
        out.print(
            f"[green]adopted[/] {head}: baseline {str(result.baseline_commit)[:12]}, platform.yaml written"
        )
        out.print("later golden-path versions arrive with 'platformctl update service'")
