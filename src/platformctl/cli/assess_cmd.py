"""``platformctl assess maturity``."""

# Annotations are evaluated when the module is imported, not postponed: typer would otherwise
# compile and evaluate each command's string annotations every time it builds it (cli/app.py).

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from platformctl.cli.context import command_context
from platformctl.cli.groups import group_help
from platformctl.cli.options import JsonOpt, NoInputOpt

if TYPE_CHECKING:
    from collections.abc import Callable

    from platformctl.cli.context import AppContext
    from platformctl.cli.io import IO

app = typer.Typer(help=group_help("assess"), no_args_is_help=True)

_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".json": "json"}


class ReportFormat(StrEnum):
    """Report file formats."""

    markdown = "markdown"
    json = "json"
    html = "html"


@app.command("maturity")
def maturity(
    ctx: typer.Context,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            dir_okay=False,
            help="Answers file (YAML or JSON); on a terminal, open questions are asked and saved to it",
        ),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option("--model", help="Maturity model file (default: the built-in model)", dir_okay=False),
    ] = None,
    detect: Annotated[
        list[Path] | None,
        typer.Option(
            "--detect",
            metavar="PATH",
            file_okay=False,
            help="Scan a checkout (or a folder of checkouts) for evidence (repeatable)",
        ),
    ] = None,
    org: Annotated[
        str | None,
        typer.Option("--org", help="Also scan every repository of this GitHub organisation or GitLab group"),
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider",
            help="Host of --org: github or gitlab (default: provider in the platform config)",
        ),
    ] = None,
    delivery: Annotated[
        Path | None,
        typer.Option(
            "--delivery",
            dir_okay=False,
            help="A saved 'assess delivery --json' report: measured values answer or cap the DORA questions",
        ),
    ] = None,
    allow_unknown: Annotated[
        bool, typer.Option("--allow-unknown", help="Score questions missing from --answers as unknown")
    ] = False,
    review: Annotated[
        bool, typer.Option("--review", help="Ask every question again, current answers pre-filled")
    ] = False,
    save_answers: Annotated[
        Path | None,
        typer.Option(
            "--save-answers",
            dir_okay=False,
            help=(
                "Write the answers here (default on a terminal: the --answers file,"
                " else maturity-answers.yaml)"
            ),
        ),
    ] = None,
    report_format: Annotated[
        ReportFormat | None,
        typer.Option("--format", help="Report format for --output (or for stdout without it)"),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report to this file (format from --format or the suffix)",
            dir_okay=False,
        ),
    ] = None,
    save: Annotated[bool, typer.Option("--save", help="Append this result to the history file")] = False,
    history: Annotated[
        Path,
        typer.Option(
            "--history",
            help="History file (JSON lines)",
            dir_okay=False,
        ),
    ] = Path(".platformctl/maturity-history.jsonl"),
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under", min=0, max=100, help="Exit 3 when the score is under SCORE", metavar="SCORE"
        ),
    ] = None,
    fail_under_level: Annotated[
        int | None,
        typer.Option(
            "--fail-under-level", min=1, help="Exit 3 when the level is under this one", metavar="1..4"
        ),
    ] = None,
    no_input: NoInputOpt = False,
    json: JsonOpt = False,
) -> None:
    """Score the platform's maturity from a questionnaire and evidence; recommend next steps.

    Example: platformctl assess maturity --answers maturity-answers.yaml --detect . --fail-under 50

    Exit codes: 0 done, 3 under --fail-under or --fail-under-level, 2 bad flags or answers,
    1 a file could not be written, 130 the questionnaire was quit.
    """
    from platformctl.cli import assess_view
    from platformctl.maturity.document import build_document
    from platformctl.maturity.service import MaturityRequest, assess_maturity

    state = command_context(ctx, json=json, no_input=no_input)
    fmt = _report_format(report_format, output, state.io.json)
    if fail_under_level is not None:  # every flag is checked before anything is written
        from platformctl.maturity.model import load_model

        _check_level_flag(load_model(model).levels[-1].id, fail_under_level)
    request = MaturityRequest(
        model_file=model,
        answers_file=answers,
        detect_paths=tuple(detect or ()),
        org=org,
        delivery_file=delivery,
        scan_cache=history.parent / "maturity-scan-cache.json",
        allow_unknown=allow_unknown,
        review=review,
        save_answers_to=save_answers,
        history_file=history,
        save_history=False,  # appended below, once the report is sure to be printed
        answered_by=_user(),
    )
    source = _tree_source(state, org, provider)
    ask = assess_view.make_asker(state.io) if state.io.can_prompt() else None
    run = assess_maturity(request, ask=ask, progress=state.io.step, tree_source=source)
    save_failure = _save_history(run) if save else None
    from platformctl.cli.flagnames import spell_all

    # Notes name inputs by placeholder (cli/flagnames.py): spelled once, for every format.
    document = spell_all(build_document(run), state.io.spell)
    if run.history.skipped_lines:
        state.io.warn(f"{history}: skipped unreadable lines {run.history.skipped_lines}")
    if fmt and output is None:  # the report itself is the result on stdout
        _write_stdout(state, _report(fmt, document, state.io.spell))
    elif fmt and output is not None:
        _write_report(state.io, output, _report(fmt, document, state.io.spell))
        if state.io.json:
            state.io.emit(document, lambda out: None)
        else:  # the file is the report: one line says where, the terminal report is not repeated
            from rich.markup import escape

            state.io.out.print(f"Wrote the {fmt} report to {escape(str(output))}")
    else:
        state.io.emit(document, lambda out: assess_view.render(out, document))
    _publish_to_actions(state.io, document)
    if save_failure is not None:
        raise save_failure
    _check_thresholds(run, fail_under, fail_under_level)


def _save_history(run: Any) -> Exception | None:
    """Append the run to its history file; a refusal is returned (exit 1 after the report)."""
    from platformctl.errors import PlatformctlError
    from platformctl.maturity.history import append_history

    try:
        append_history(run.history, run.current)
    except OSError as exc:
        where = exc.filename or run.history.path
        return PlatformctlError(
            f"{where}: {exc.strerror or exc}: the result was not appended to the history "
            f"{run.history.path} (the report above is complete)",
            hint="choose a writable --history FILE, or fix the folder's permissions",
        )
    run.history_saved = True
    return None


def _tree_source(state: Any, org: str | None, provider: str | None) -> Any:
    if org is None:
        return None
    settings = state.settings(provider=provider, org=org)
    return state.repository_trees(settings, settings.provider)


def _report_format(fmt: ReportFormat | None, output: Path | None, json: bool) -> str | None:
    from platformctl.errors import UsageError

    if fmt is None and output is not None:
        inferred = _SUFFIXES.get(output.suffix.lower())
        if inferred is None:
            raise UsageError(
                f"cannot tell the report format from {output.name!r}",
                hint="pass --format markdown, json or html",
            )
        return inferred
    if fmt is not None and output is None and json:
        raise UsageError(
            "--json prints the JSON document on stdout; --format then needs --output FILE",
            hint="add --output FILE, or drop --format",
        )
    return fmt.value if fmt else None


def _report(fmt: str, document: dict[str, Any], spell: "Callable[[str], str]") -> str:
    if fmt == "html":
        from platformctl.maturity.report_html import render_html

        return spell(render_html(document))  # its trend text names the save flag
    if fmt == "markdown":
        from platformctl.maturity.report_markdown import render_markdown

        return render_markdown(document)
    from platformctl.cli.io import json_document

    return json_document(document)


def _write_report(io: "IO", path: Path, text: str) -> None:
    from platformctl.errors import PlatformctlError
    from platformctl.files import atomic_write_text

    try:
        atomic_write_text(path, text)
    except OSError as exc:  # the file system said no: exit 1 (docs/exit-codes.md), not a usage error
        raise PlatformctlError(
            f"cannot write report {path}: {exc.strerror}", hint="choose another --output"
        ) from None


def _write_stdout(state: "AppContext", text: str) -> None:

    from platformctl.textsafe import escape_controls

    text = escape_controls(text, keep="\n\t")  # the report's own lines only: no ESC, CR, bidi
    state.io.stdout.write(text if text.endswith("\n") else text + "\n")
    state.io.stdout.flush()


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def _publish_to_actions(io: "IO", document: dict[str, Any]) -> None:
    if not io.in_github_actions:
        return
    from platformctl.cli import gha
    from platformctl.maturity.report_markdown import render_markdown

    level = document["level"]
    gha.publish(
        {
            "score": f"{document['score']:.1f}",
            "level": str(level["level"]),
            "level_name": level["name"],
            "band": str(document["band"]["level"]),
        },
        render_markdown(document, summary=True, top=5),
        io.env,
    )


def _check_level_flag(top: int, fail_under_level: int | None) -> None:
    from platformctl.errors import UsageError

    if fail_under_level is not None and fail_under_level > top:
        raise UsageError(
            f"--fail-under-level {fail_under_level}: the model has levels 1 to {top}",
            hint=f"pass a level from 1 to {top}",
        )


def _check_thresholds(run: Any, fail_under: float | None, fail_under_level: int | None) -> None:
    from platformctl.errors import CheckFailed
    from platformctl.maturity.scoring import threshold_failures

    reasons = threshold_failures(run.assessment, fail_under=fail_under, fail_under_level=fail_under_level)
    if reasons:
        raise CheckFailed("; ".join(reasons), hint="the report above lists the failing gates and next steps")
