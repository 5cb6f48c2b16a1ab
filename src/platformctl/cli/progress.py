"""A spinner on stderr while a slow step runs (rendering, pushing, waiting on a retry, scanning),
and a progress bar while a command works through many items (``fleet update``'s services).

Only for a person at a terminal: never in CI, never with ``--json``, never when stderr is a
pipe or a file. The step lines themselves are printed as before; the spinner or bar below them
says what is running now and disappears before anything else is printed or asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


class Spinner:
    """One rich status line at a time, on the stderr console."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._status: Any = None

    def show(self, message: str) -> None:
        """Spin beside ``message`` (already escaped) until the next step or ``stop``."""
        self.stop()
        self._status = self._console.status(message, spinner="dots")
        self._status.start()

    def stop(self) -> None:
        """Remove the spinner line; harmless when none is shown."""
        if self._status is not None:
            self._status.stop()
            self._status = None


class Bar:
    """A progress bar on the stderr console: how many of the items are done, and for how long.

    Transient: it disappears when stopped, before the result is printed. Step lines printed
    while it runs appear above it (rich keeps a live display at the bottom).
    """

    def __init__(self, console: Console, label: str) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._label = label
        self._task: Any = None

    def update(self, done: int, total: int) -> None:
        """Show ``done`` of ``total``."""
        if self._task is None:
            self._progress.start()
            self._task = self._progress.add_task(self._label, total=total)
        self._progress.update(self._task, completed=done, total=total)

    def stop(self) -> None:
        """Remove the bar; harmless when it never showed."""
        if self._task is not None:
            self._progress.stop()
            self._task = None
