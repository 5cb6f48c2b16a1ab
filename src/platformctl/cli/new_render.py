"""What ``new service`` prints and publishes once it has a result: the same for a run that
decided and for one answered from its record (:mod:`platformctl.cli.new_recorded`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from platformctl.cli.context import AppContext
    from platformctl.cli.io import IO


def emit(state: AppContext, document: Mapping[str, Any], shown: Mapping[str, str]) -> None:
    """Publish (inside GitHub Actions) and print a result: ``document`` is the ``--json``
    document, ``shown`` what the text shows besides it (``golden_path``, ``path``)."""
    publish_to_actions(state.io, document, shown)
    state.io.emit(document, lambda out: render_result(out, document, shown))


def render_result(out: Console, document: Mapping[str, Any], shown: Mapping[str, str]) -> None:
    """The text of a result."""
    from platformctl.cli.plain import escape

    repository = document["repository"]
    out.print(
        f"[bold green]{verb(document)}[/] service [bold]{document['service']}[/] from {shown['golden_path']}"
    )
    out.print(f"  path        {escape(shown['path'])}")
    out.print(f"  repository  {escape(repository['slug'])} ({repository['provider']})")
    out.print(f"  clone       git clone {escape(repository['clone_url'])}")
    out.print(f"  pristine    {document['pristine_commit'][:12]}")
    out.print()
    out.print("Next:")
    for command in document["next_steps"]:
        out.print(f"  {escape(command)}")


def verb(document: Mapping[str, Any]) -> str:
    """``Created``, ``Finished`` or ``Already created:``."""
    if not document["resumed"]:
        return "Created"
    return "Finished" if document["changed"] else "Already created:"


def publish_to_actions(io: IO, document: Mapping[str, Any], shown: Mapping[str, str]) -> None:
    """The step outputs and the job summary of a result, inside GitHub Actions only."""
    if not io.in_github_actions:
        return
    from platformctl.cli import gha

    url, service = document["repository"]["url"], document["service"]
    gha.publish(
        {
            "repo_url": url,
            "clone_url": document["repository"]["clone_url"],
            "path": document["path"],
            "service": service,
        },
        f"### Service `{service}` {verb(document).lower().rstrip(':')}\n\n| | |\n|---|---|\n"
        f"| golden path | {shown['golden_path']} |\n"
        f"| repository | {url} |\n| path | `{document['path']}` |",
        io.env,
    )
