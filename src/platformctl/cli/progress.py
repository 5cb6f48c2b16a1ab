"""A spinner on stderr while a slow step runs (rendering, pushing, waiting on a retry, scanning).

Only for a person at a terminal: never in CI, never with ``--json``, never when stderr is a
pipe or a file. The step lines themselves are printed as before; the spinner below them says
what is running now and disappears before anything else is printed or asked.
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
