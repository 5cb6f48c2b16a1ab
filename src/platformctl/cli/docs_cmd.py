"""``platformctl docs [TOPIC]``: the documentation that ships inside platformctl.

Help texts and hints say ``platformctl docs TOPIC`` rather than a path of the repository, so
they resolve for whoever installed the wheel: the pages travel in it as ``platformctl/docs``
(pyproject.toml); in a checkout they are read from the repository's ``docs/``.
"""

# Annotations are evaluated when the module is imported, not postponed: typer would otherwise
# compile and evaluate each command's string annotations every time it builds it (cli/app.py).

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from platformctl.cli.context import command_context

if TYPE_CHECKING:
    from rich.console import Console


def docs_root() -> Path:
    """The folder of the documentation pages: inside the wheel, or the checkout when developing."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "docs"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "docs"


def topics(root: Path | None = None) -> dict[str, Path]:
    """Every topic (a page's file name without ``.md``) and its page, sorted by name."""
    folder = root or docs_root()
    return {page.stem: page for page in sorted(folder.glob("*.md"))}


def _complete(incomplete: str) -> list[str]:
    return [name for name in topics() if name.startswith(incomplete)]


def docs(
    ctx: typer.Context,
    topic: Annotated[
        str | None,
        typer.Argument(
            metavar="TOPIC", help="A topic, e.g. exit-codes (default: list them)", autocompletion=_complete
        ),
    ] = None,
    path: Annotated[bool, typer.Option("--path", help="Print where the page is instead of the page")] = False,
) -> None:
    """Read the documentation that ships with platformctl: no network, no repository needed.

    Without TOPIC it lists the topics. On a terminal the page is rendered; in a pipe it is the
    plain Markdown text.

    Example: platformctl docs exit-codes
    """
    state = command_context(ctx)
    pages = topics()
    if topic is None:
        if path:
            state.io.stdout.write(f"{docs_root()}\n")
            return
        state.io.emit({}, lambda out: _render_topics(out, pages))
        return
    page = pages.get(topic.removesuffix(".md").removeprefix("docs/"))
    if page is None:
        from platformctl.errors import UsageError

        raise UsageError(
            f"no documentation topic {topic!r}",
            hint=f"the topics are: {', '.join(pages) or 'none (the docs are not installed)'}",
        )
    if path:
        state.io.stdout.write(f"{page}\n")
        return
    text = page.read_text(encoding="utf-8")
    if state.io.out.is_terminal:
        from rich.markdown import Markdown

        state.io.out.print(Markdown(text))
    else:
        state.io.stdout.write(text if text.endswith("\n") else text + "\n")


def _render_topics(out: "Console", pages: dict[str, Path]) -> None:
    from rich.markup import escape

    width = max((len(name) for name in pages), default=0)
    out.print("Topics (read one with 'platformctl docs TOPIC'):")
    for name, page in pages.items():
        out.print(f"  {escape(name.ljust(width))}  {escape(_title(page))}")


def _title(page: Path) -> str:
    """The page's first heading, without its ``#``."""
    with page.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                return line.lstrip("#").strip()
    return ""
