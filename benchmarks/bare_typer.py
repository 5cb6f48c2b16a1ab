"""The baseline: a bare typer app with a root option and one subcommand, in the same interpreter.

``--bare-options N`` (first on the command line) gives ``new service`` N extra string options,
so a command can be compared with a bare one that parses as many parameters.
"""

import sys

import typer

OPTIONS = 0
if len(sys.argv) > 2 and sys.argv[1] == "--bare-options":
    OPTIONS = int(sys.argv[2])
    del sys.argv[1:3]

app = typer.Typer(add_completion=False)
sub = typer.Typer()
app.add_typer(sub, name="new")


@app.callback()
def root(debug: bool = typer.Option(False, "--debug", help="Show tracebacks")) -> None:
    """A bare app."""


def service(name: str, **options: str) -> None:
    """Create a service."""
    typer.echo(name)


def _with_options(func, count: int):  # type: ignore[no-untyped-def]
    import inspect

    params = [inspect.Parameter("name", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str)]
    params += [
        inspect.Parameter(
            f"option{i}",
            inspect.Parameter.KEYWORD_ONLY,
            default=typer.Option(None, f"--option{i}", help="An option"),
            annotation=str | None,
        )
        for i in range(count)
    ]
    func.__signature__ = inspect.Signature(params)
    return func


sub.command("service")(_with_options(service, OPTIONS))

if __name__ == "__main__":
    app()
