"""The baseline: a bare typer app with one command group, in the same interpreter."""

import typer

app = typer.Typer(add_completion=False)
sub = typer.Typer()
app.add_typer(sub, name="new")


@sub.command()
def service(name: str) -> None:
    """Create a service."""
    typer.echo(name)


if __name__ == "__main__":
    app()
