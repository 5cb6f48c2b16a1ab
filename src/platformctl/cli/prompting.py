"""Asking golden-path questions on the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from platformctl.cli.io import IO
    from platformctl.scaffold.answers import Asker
    from platformctl.scaffold.catalog import Question


def question_prompter(io: IO) -> Asker | None:
    """A prompt for one question at a time, or None when prompting is not allowed."""
    if not io.can_prompt():
        return None

    def ask(question: Question, default: Any, error: str | None) -> str:
        from rich.markup import escape

        if error:
            io.error(error)
        label = escape(question.help or question.name)
        choices = [str(c) for c in question.choice_values() or []] or None
        return io.prompt(
            f"{label} [dim]({escape(question.name)})[/]",
            default=None if default is None else str(default),
            choices=choices,
            password=question.secret,
        )

    return ask
