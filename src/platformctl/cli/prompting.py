"""Asking golden-path questions on the terminal: an intro, a counter, ``b`` to go back, a summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from platformctl.cli.io import IO
    from platformctl.scaffold.answers import Asker
    from platformctl.scaffold.catalog import Question


class QuestionPrompter:
    """Asks one question at a time (see ``platformctl.scaffold.answers.Asker``) and remembers
    whether it asked anything, so the caller can show a summary and ask for confirmation."""

    def __init__(self, io: IO, subject: str = "") -> None:
        self.io = io
        self.subject = subject
        self.asked = False

    def __call__(self, question: Question, default: Any, error: str | None, position: tuple[int, int]) -> str:
        """Ask ``question``; ``b`` (from the second question on) goes back."""
        from rich.markup import escape

        from platformctl.scaffold.answers import BACK

        number, total = position
        if not self.asked:
            self.asked = True
            about = f" for {escape(self.subject)}" if self.subject else ""
            self.io.err.print(
                f"{total} question{'s' * (total != 1)}{about}: Enter keeps the default, "
                "b goes back, Ctrl-C stops (nothing is written before the end)"
            )
        if error:
            self.io.err.print(f"[yellow]not accepted[/]: {escape(error)}; try again")
        choices = [str(c) for c in question.choice_values() or []] or None
        label = (
            f"[dim]({number}/{total})[/] {escape(question.help or question.name)} · {escape(question.name)}"
        )
        answer = self.io.prompt(
            label,
            default=None if default is None else str(default),
            choices=[*choices, "b"] if choices and number > 1 else choices,
            password=question.secret,
        )
        return BACK if answer.strip() == "b" and number > 1 else answer

    def confirm(self, title: str, rows: list[tuple[str, str]]) -> bool:
        """Show the answers and ask whether to go on (only after something was asked)."""
        from rich.markup import escape

        self.io.err.print()
        self.io.err.print(f"[bold]{escape(title)}[/]")
        width = max((len(name) for name, _ in rows), default=0)
        for name, value in rows:
            self.io.err.print(f"  {escape(name.ljust(width))}  {escape(value)}")
        answer = self.io.prompt("Go ahead?", default="y", choices=["y", "n"])
        return answer.strip().lower() == "y"


def question_prompter(io: IO, subject: str = "") -> Asker | None:
    """A prompt for one question at a time, or None when prompting is not allowed."""
    if not io.can_prompt():
        return None
    return QuestionPrompter(io, subject)
