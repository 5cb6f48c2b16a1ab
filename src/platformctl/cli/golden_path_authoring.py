"""``platformctl golden-path lint|test|new``: commands for the authors of golden paths."""

# Annotations are evaluated when the module is imported, not postponed: typer would otherwise
# compile and evaluate each command's string annotations every time it builds it (cli/app.py).

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from platformctl.cli.context import command_context
from platformctl.cli.options import JsonOpt

if TYPE_CHECKING:
    from rich.console import Console

    from platformctl.authoring.findings import Check
    from platformctl.authoring.testing import FixtureResult
    from platformctl.cli.context import AppContext
    from platformctl.scaffold.catalog import GoldenPath

TargetArg = Annotated[
    str, typer.Argument(help="Folder of a golden path (default: the current folder), or a golden path name")
]


def _resolve(state: "AppContext", target: str) -> "tuple[Path, GoldenPath | None]":
    """The folder of ``target`` (a path or a catalog name) and, for a name, the loaded golden path."""
    from platformctl.errors import UsageError
    from platformctl.scaffold.catalog import COPIER_FILE, get_golden_path

    folder = Path(target)
    if (folder / COPIER_FILE).is_file():
        return folder.resolve(), None
    if "/" in target or target in (".", "..") or folder.exists():
        raise UsageError(
            f"{target}: no {COPIER_FILE} here, so this is not a golden path folder",
            hint="pass the folder that holds copier.yml and golden-path.yaml, or a golden path name",
        )
    gp = get_golden_path(state.settings(), target)
    return gp.path, gp


def _load(state: "AppContext", target: str, *, trust: bool = False) -> "GoldenPath":
    import dataclasses

    from platformctl.scaffold.catalog import load_golden_path

    folder, gp = _resolve(state, target)
    # A folder given on the command line is the author's work in progress: it renders untrusted
    # unless the author says --trust (copier tasks and extensions of their own golden path).
    loaded = gp or load_golden_path(folder, origin=str(folder), trusted=False)
    return dataclasses.replace(loaded, trusted=True) if trust else loaded


def _print_checks(out: "Console", checks: "list[Check]", indent: str = "") -> None:
    from rich.markup import escape

    for check in checks:
        mark = "[green]ok[/]  " if check.ok else "[red]FAIL[/]"
        note = f" [dim]({escape(check.note)})[/]" if check.note else ""
        out.print(f"{indent}{mark} {escape(check.check)}: {escape(check.target)}{note}")
        for error in check.errors:
            out.print(f"{indent}       [red]-[/] {escape(error)}")


def lint(ctx: typer.Context, target: TargetArg = ".", json: JsonOpt = False) -> None:
    """Lint a golden path: metadata, questions, defaults, changelog, copier settings, version bump.

    Example: platformctl golden-path lint ./golden_paths/python-service

    Exit codes: 0 clean, 3 findings, 2 not a golden path or bad flags.
    """
    from platformctl.authoring.lint import lint_golden_path
    from platformctl.errors import CheckFailed

    state = command_context(ctx, json=json)
    folder, _ = _resolve(state, target)
    checks = lint_golden_path(folder)
    failed = [c for c in checks if not c.ok]
    state.io.emit(
        {"golden_path": str(folder), "ok": not failed, "checks": [c.as_dict() for c in checks]},
        lambda out: _print_checks(out, checks),
    )
    if failed:
        count = sum(len(c.errors) for c in failed)
        raise CheckFailed(f"{count} lint finding(s) in {folder.name}", hint="fix the findings listed above")


AnswersDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--answers-dir", help="Folder of answers fixtures (default: tests/answers in the golden path)"
    ),
]
KustomizeOpt = Annotated[
    str,
    typer.Option(
        "--kustomize",
        help="Overlay builder: auto (kubectl when on PATH), kubectl, or builtin (a Python subset)",
    ),
]
TrustOpt = Annotated[
    bool,
    typer.Option(
        "--trust", help="Let this golden path run its copier tasks and extensions (only if you trust it)"
    ),
]
RunTestsOpt = Annotated[
    bool, typer.Option("--run-tests", help="Also run the golden path's test_command in each render")
]


def _builder(choice: str) -> str:
    import shutil

    from platformctl.authoring import kustomize
    from platformctl.errors import UsageError

    if choice not in kustomize.BUILDERS:
        raise UsageError(
            f"--kustomize {choice!r}: not a builder", hint=f"use one of: {', '.join(kustomize.BUILDERS)}"
        )
    builder = kustomize.builder_name(choice)
    if builder == "kubectl" and not shutil.which("kubectl"):
        raise UsageError(
            "--kustomize kubectl: kubectl is not on PATH", hint="install kubectl or use --kustomize builtin"
        )
    return builder


def _print_results(out: "Console", gp: "GoldenPath", builder: str, results: "list[FixtureResult]") -> None:
    from rich.markup import escape

    out.print(f"[bold]{escape(gp.name)}[/] {escape(gp.version)} (kustomize: {builder})")
    for result in results:
        status = "[green]pass[/]" if result.ok else "[red]FAIL[/]"
        out.print(f"{status} {escape(result.name)} [dim]{result.seconds:.1f}s[/]")
        _print_checks(out, result.checks, indent="  ")
        if result.tests is None:
            continue
        mark = "[green]ok[/]  " if result.tests["ok"] else "[red]FAIL[/]"
        command, seconds = escape(str(result.tests["command"])), result.tests["seconds"]
        out.print(f"  {mark} own tests: {command} [dim]{seconds:.1f}s[/]")
        if not result.tests["ok"]:
            for line in str(result.tests["output"]).splitlines():
                out.print(f"       {escape(line)}")


def test(
    ctx: typer.Context,
    target: TargetArg = ".",
    answers_dir: AnswersDirOpt = None,
    run_tests: RunTestsOpt = False,
    kustomize_with: KustomizeOpt = "auto",
    trust: TrustOpt = False,
    json: JsonOpt = False,
) -> None:
    """Render a golden path once per answers fixture and validate every render.

    --run-tests runs the golden path's test_command, code from the golden path: use it on
    golden paths you trust.

    Example: platformctl golden-path test python-service --run-tests

    Exit codes: 0 every check passed, 3 a check failed, 2 not a golden path or bad flags.
    """
    from platformctl.authoring.testing import fixtures, test_fixture
    from platformctl.authoring.validators import require_extra
    from platformctl.errors import CheckFailed, UsageError
    from platformctl.scratch import temporary_dir

    state = command_context(ctx, json=json)
    builder = _builder(kustomize_with)
    require_extra()
    gp = _load(state, target, trust=trust)
    if answers_dir is not None and not answers_dir.is_dir():
        raise UsageError(f"--answers-dir {answers_dir}: not a folder", hint="pass a folder of answers files")
    results = []
    for index, (name, given) in enumerate(fixtures(gp, answers_dir)):
        state.io.step(f"rendering {gp.name} with {name}")
        with temporary_dir(None, "gp-test") as scratch:
            results.append(
                test_fixture(
                    gp, name, given, scratch / f"render-{index}", run_tests=run_tests, builder=builder
                )
            )
    failed = [r for r in results if not r.ok]

    state.io.emit(
        {
            "golden_path": gp.name,
            "version": gp.version,
            "kustomize": builder,
            "ok": not failed,
            "fixtures": [r.as_dict() for r in results],
        },
        lambda out: _print_results(out, gp, builder, results),
    )
    if failed:
        raise CheckFailed(
            f"{len(failed)} of {len(results)} fixture(s) failed: {', '.join(r.name for r in failed)}",
            hint="the checks above name each file and problem",
        )


def new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Name of the new golden path (a lower-case name)")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder to create (default: ./NAME)")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Create a starter golden path that passes 'golden-path lint' and 'golden-path test'.

    Example: platformctl golden-path new data-pipeline
    """
    from platformctl.authoring.starter import create_starter

    state = command_context(ctx, json=json)
    destination = output if output is not None else Path(name)
    written = create_starter(name, destination)

    def human(out: "Console") -> None:
        from rich.markup import escape

        out.print(f"created golden path [bold]{escape(name)}[/] in {escape(str(destination))}")
        for line in written:
            out.print(f"  {escape(line)}")
        out.print(
            f"next: platformctl golden-path lint {escape(str(destination))} && "
            f"platformctl golden-path test {escape(str(destination))} --run-tests"
        )

    state.io.emit({"name": name, "path": str(destination), "files": written}, human)


def show_versions(state: "AppContext", gp: "GoldenPath", since: str | None) -> None:
    """``golden-path show NAME --versions``: version tags and changelog entries."""
    from platformctl.authoring.versions import as_version, changelog_entries, newest_version, source_versions
    from platformctl.scaffold.pristine import version_key

    settings = state.settings()
    since = as_version(since) if since else None
    if since is not None:
        version_key(since)  # a usage error (exit 2) when it is not a version
    tags: dict[str, str | None] = {v: t for t, v in source_versions(settings, gp)}
    tags.setdefault(gp.version, None)  # a configured branch may be ahead of every tag
    newest = newest_version(settings, gp)
    folder = gp.path
    if newest != gp.version:  # the newest tag's changelog covers every version
        from platformctl.authoring.versions import golden_path_at

        folder = (golden_path_at(settings, gp, newest) or gp).path
    entries = changelog_entries(folder)
    rows: list[dict[str, Any]] = [
        {"version": v, "tag": tags[v], "current": v == gp.version, "changelog": entries.get(v, "")}
        for v in sorted(tags, key=version_key, reverse=True)
        if since is None or version_key(v) > version_key(since)
    ]

    def human(out: "Console") -> None:
        from rich.markup import escape

        out.print(f"[bold]{escape(gp.name)}[/] versions (configured: {escape(gp.version)})")
        for row in rows:
            tag = f" [dim]tag {escape(str(row['tag']))}[/]" if row["tag"] else ""
            out.print(
                f"[bold]{escape(str(row['version']))}[/]{tag}{' (configured)' if row['current'] else ''}"
            )
            for line in str(row["changelog"]).splitlines():
                out.print(f"  {escape(line)}")

    state.io.emit({"name": gp.name, "version": gp.version, "newest": newest, "versions": rows}, human)


def register(app: typer.Typer) -> None:
    """Add the authoring commands to the ``golden-path`` group."""
    app.command("lint")(lint)
    app.command("test")(test)
    app.command("new")(new)
