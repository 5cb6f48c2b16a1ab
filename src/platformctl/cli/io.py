"""The terminal of one invocation: stdout for results, stderr for conversation.

Consoles are built per invocation (never at import time) so that tests and pipes capture them.
``--json`` prints exactly one JSON document on stdout; everything else goes to stderr.

Every string a console renders (``print`` arguments, table cells) has its control characters
escaped first (:mod:`platformctl.textsafe`), so a value from a file, a flag or a server can
never start a line, a workflow command or an escape sequence; inside GitHub Actions ``::`` is
broken up as well. A blank line is ``print()``, never a ``"\n"`` inside the text.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO, cast

from platformctl.cli.flagnames import spell_all, unspelled

if TYPE_CHECKING:
    from rich.console import Console

SCHEMA_VERSION = 1
_TRUTHY = {"1", "true", "yes", "on"}


def json_document(document: Mapping[str, Any]) -> str:
    """The text of one ``--json`` document: ``schema_version`` first, then ``document``."""
    import json  # not on the path of --help and of human output

    return json.dumps({"schema_version": SCHEMA_VERSION, **document}, indent=2, default=str) + "\n"


def env_flag(env: Mapping[str, str], name: str) -> bool:
    """Whether an environment variable is set to a true-ish value."""
    return env.get(name, "").strip().lower() in _TRUTHY


class IO:
    """Streams, TTY facts and output helpers shared by every command."""

    def __init__(
        self,
        *,
        no_input: bool = False,
        no_color: bool = False,
        env: Mapping[str, str] | None = None,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        width: int | None = None,
    ) -> None:
        self.env = os.environ if env is None else env
        self.width = width  # None: the terminal's (pipes: wide enough never to cut a line)
        # None: whatever sys.* is when used (CliRunner and pytest swap them per test).
        self._stdin, self._stdout, self._stderr = stdin, stdout, stderr
        self.json = False
        self.no_input = no_input or env_flag(self.env, "PLATFORMCTL_NO_INPUT")
        self.no_color = no_color or bool(self.env.get("NO_COLOR"))
        self._out: Console | None = None
        self._err: Console | None = None
        self.emitted = False  # a result document (or human result) is already on stdout
        self._spinner: Any = None  # cli/progress.py, made on the first step at a terminal
        self._bar: Any = None  # cli/progress.py, made on the first count at a terminal
        self._step = ""  # the message of the step the spinner shows (escaped)
        # Flag names for the domain's placeholders (cli/flagnames.py); run() sets the command's.
        self.spell: Callable[[str], str] = unspelled

    def with_flags(self, *, no_input: bool, no_color: bool) -> IO:
        """A fresh IO on the same environment and streams, with the global flags applied."""
        fresh = IO(
            no_input=no_input or self.no_input,
            no_color=no_color or self.no_color,
            env=self.env,
            stdin=self._stdin,
            stdout=self._stdout,
            stderr=self._stderr,
            width=self.width,
        )
        fresh.spell = self.spell
        return fresh

    # -- streams -----------------------------------------------------------------------
    @property
    def stdin(self) -> TextIO:
        """The standard input of this invocation."""
        return self._stdin or sys.stdin

    @property
    def stdout(self) -> TextIO:
        """The standard output of this invocation (results only)."""
        return self._stdout or sys.stdout

    @property
    def stderr(self) -> TextIO:
        """The standard error of this invocation (messages, progress, prompts)."""
        return self._stderr or sys.stderr

    # -- facts -------------------------------------------------------------------------
    @property
    def in_ci(self) -> bool:
        """True under a CI system (``CI`` set true-ish, as every major CI does)."""
        return env_flag(self.env, "CI")

    @property
    def in_github_actions(self) -> bool:
        """True inside a GitHub Actions job."""
        return self.env.get("GITHUB_ACTIONS") == "true"

    def can_prompt(self) -> bool:
        """Prompt only for a person: stdin and stdout are terminals, not CI, no --no-input."""
        if self.no_input or self.in_ci:
            return False
        return _isatty(self.stdin) and _isatty(self.stdout)

    # -- consoles ------------------------------------------------------------------------
    @property
    def out(self) -> Console:
        """The stdout console (results only)."""
        if self._out is None:
            self._out = self._console(self.stdout)
        return self._out

    @property
    def err(self) -> Console:
        """The stderr console (progress, messages, errors, prompts)."""
        if self._err is None:
            self._err = self._console(self.stderr)
        return self._err

    def _console(self, stream: Any) -> Console:
        from platformctl.cli.plain import PlainConsole, wants_rich

        def rich() -> Console:
            return _safe_console_class()(
                actions=self.in_github_actions,
                spell=lambda text: self.spell(text),  # noqa: PLW0108 (the spelling run() sets later counts too)
                file=stream,
                no_color=self.no_color,
                highlight=False,
                emoji=False,
                soft_wrap=True,
                markup=True,
                width=self.width or (None if _isatty(stream) else 400),  # pipes: never truncate
            )

        if wants_rich(stream):
            return rich()
        # Where rich would print no styles, markup strings are printed without importing it.
        return cast("Console", PlainConsole(stream, self._displayed, rich))

    def _displayed(self, text: str) -> str:
        """What the consoles print of ``text``: controls escaped, ``::`` broken up in Actions."""
        from platformctl.textsafe import escape_controls, neutralize_workflow_commands

        text = escape_controls(self.spell(text))  # flag placeholders first: they are controls
        return neutralize_workflow_commands(text) if self.in_github_actions else text

    # -- output ----------------------------------------------------------------------------
    def emit(self, document: Mapping[str, Any], human: Callable[[Console], None]) -> None:
        """Print the result: one JSON document with ``--json``, else the human rendering."""
        self.emitted = True
        self.stop_progress()
        if self.json:
            text = json_document(document)
            if "\\u001f" in text:  # a flag placeholder (JSON escapes its mark): spelled out
                text = json_document(spell_all(document, self.spell))
            self.stdout.write(text)
            self.stdout.flush()
        else:
            human(self.out)

    def emit_error(
        self, message: str, hint: str | None, exit_code: int, details: Mapping[str, Any] | None = None
    ) -> None:
        """With ``--json`` and no result printed yet: the one JSON error document on stdout."""
        if not self.json or self.emitted:
            return
        error: dict[str, Any] = {"message": message, "hint": hint, "exit_code": exit_code}
        if details:
            error["details"] = dict(details)
        self.emit({"error": error}, lambda out: None)

    def step(self, message: str) -> None:
        """One line of progress (stderr), quiet under --json."""
        from platformctl.cli.plain import escape

        if not self.json:
            if self._spinner is not None:
                self._spinner.stop()
            self.err.print(f"[dim]•[/] {escape(message)}")
            self._step = f"{escape(message)} …"
            if self._bar is None:
                self._spin(self._step)

    def waiting(self, message: str | None) -> None:
        """A transient line while a command waits (a retry's pause), only for a person at a
        terminal; ``None`` when the wait is over (the step's spinner comes back)."""
        from platformctl.cli.plain import escape

        if self.json:
            return
        if message is not None:
            self._spin(escape(message))
        elif self._step and self._bar is None:
            self._spin(self._step)
        elif self._spinner is not None:
            self._spinner.stop()

    def _spin(self, text: str) -> None:
        """Show ``text`` (escaped) beside the spinner: never in CI, never into a pipe or file."""
        if self._live():
            from platformctl.cli.progress import Spinner

            self._spinner = self._spinner or Spinner(self.err)
            self._spinner.show(text)

    def count(self, done: int, total: int, label: str) -> None:
        """A progress bar of ``done`` of ``total`` (stderr, on a terminal only, never in CI or
        under --json); the step lines go on above it."""
        if not self._live():
            return
        from rich.markup import escape

        from platformctl.cli.progress import Bar

        if self._spinner is not None:
            self._spinner.stop()
        self._bar = self._bar or Bar(self.err, escape(label))
        self._bar.update(done, total)

    def _live(self) -> bool:
        """Whether live displays (spinner, bar) may be drawn: a person at a terminal."""
        return not self.json and _isatty(self.stderr) and not self.in_ci

    def stop_progress(self) -> None:
        """Take the spinner and the bar away (before a result, an error or a question)."""
        self._step = ""
        if self._spinner is not None:
            self._spinner.stop()
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def warn(self, message: str) -> None:
        """A warning (stderr)."""
        from platformctl.cli.plain import escape

        self.err.print(f"[yellow]warning:[/] {escape(message)}")

    def error(self, message: str, hint: str | None = None) -> None:
        """The one ``error:`` line and its ``hint:`` (stderr), plus an Actions annotation."""
        from platformctl.cli.plain import escape

        self.stop_progress()
        self.err.print(f"[bold red]error:[/] {escape(message)}")
        if hint:
            self.err.print(f"[cyan]hint:[/] {escape(hint)}")
        if self.in_github_actions:
            from platformctl.cli import gha

            gha.annotate_error(message, stream=self.stderr)

    def prompt(
        self,
        question: str,
        *,
        default: str | None = None,
        choices: Sequence[str] | None = None,
        password: bool = False,
    ) -> str:
        """Ask one question on the terminal (only when ``can_prompt()``); ``password``: no echo."""
        from rich.prompt import Prompt

        from platformctl.textsafe import escape_controls

        # Prompt parses its text itself (not through the console's render_str).
        self.stop_progress()
        kwargs: dict[str, Any] = {"default": default} if default is not None else {}
        return Prompt.ask(
            escape_controls(self.spell(question)),
            console=self.err,
            choices=list(choices) if choices else None,
            show_default=not password,
            password=password,
            **kwargs,
        )


def _safe_console_class() -> Callable[..., Console]:
    """A rich Console that escapes control characters in every string it renders."""
    from rich.console import Console
    from rich.text import Text

    from platformctl.textsafe import escape_controls, neutralize_workflow_commands

    class SafeConsole(Console):
        def __init__(self, *, actions: bool, spell: Callable[[str], str], **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._actions = actions
            self._spell = spell

        def render_str(self, text: str, **kwargs: Any) -> Text:
            text = escape_controls(self._spell(text))  # flag placeholders first: they are controls
            if self._actions:
                text = neutralize_workflow_commands(text)
            return super().render_str(text, **kwargs)

    return SafeConsole


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
