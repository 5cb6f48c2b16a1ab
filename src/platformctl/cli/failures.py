"""From an exception to its ``error:``/``hint:`` lines and exit code: the one error funnel.

``cli.app.run`` catches; this module words what it caught (a usage error in platformctl's
words, a file-system refusal naming the path, a git refusal, the last resort) and prints it
once through the command's IO, redacted and with flag placeholders spelled for the command.
"""

from __future__ import annotations

import errno
from typing import Any

import typer

from platformctl.cli.context import AppContext
from platformctl.errors import ExitCode


def fail(
    state: AppContext,
    args: list[str],
    message: str,
    hint: str | None,
    code: int,
    details: dict[str, Any] | None = None,
) -> None:
    """The ``error:``/``hint:`` lines on stderr and, with ``--json``, the JSON error document.

    ``--json`` counts even when parsing stopped before the command saw it (a bad option).
    """
    spell = state.io.spell  # flag placeholders of domain messages → this command's flags
    message, hint = _redact(spell(message)), _redact(spell(hint)) if hint else None
    state.io.error(message, hint)
    if "--json" in (args[: args.index("--")] if "--" in args else args):
        state.io.json = True
    state.io.emit_error(message, hint, code, details)


# typer checks option values through pydantic; its wording ("Input should be a valid integer,
# unable to parse string as an integer") is said in ours.
_PYDANTIC_SAYS = (
    (r"Value error, ", ""),
    (r"Input should be a valid integer(, [^.\n]*)?", "must be a whole number"),
    (r"Input should be a valid number(, [^.\n]*)?", "must be a number"),
    (r"Input should be a valid boolean(, [^.\n]*)?", "must be true or false"),
    (r"Input should be (greater|less) than or equal to ", r"must be at \1 "),
)


def plain_usage_message(message: str) -> str:
    """A parser error in platformctl's words rather than pydantic's."""
    import re

    for pattern, replacement in _PYDANTIC_SAYS:
        message = re.sub(pattern, replacement, message)
    return message.replace("at greater ", "at least ").replace("at less ", "at most ")


def unexpected(state: AppContext, exc: Exception, root: Any, args: list[str]) -> int:
    # typer 0.29 vendors click as the private typer._click; its parser errors all derive from
    # the public typer.TyperException (exit_code, format_message()), and the usage errors among
    # them (exit code 2) carry the context of the command they are about.
    if isinstance(exc, typer.TyperException):
        if type(exc).__name__ == "NoArgsIsHelpError":
            # The help is already printed: no empty "error:" line. typer itself tells this one
            # apart by its name, without importing it (typer/rich_utils.py).
            return ExitCode.USAGE
        if exc.exit_code == ExitCode.USAGE:
            # Some parser errors (an option missing its value) carry no context: find the command.
            context = getattr(exc, "ctx", None)
            command = context.command_path if context else _command_path(root, args)
            message = plain_usage_message(exc.format_message())
            fail(state, args, message, f"run '{command} --help' for usage", ExitCode.USAGE)
            return ExitCode.USAGE
        fail(state, args, exc.format_message(), None, exc.exit_code)
        return exc.exit_code
    if isinstance(exc, OSError) and exc.errno == errno.EPIPE:  # the reader went away
        return ExitCode.ERROR
    if isinstance(exc, OSError):  # the file system said no: name the path, not a bug
        where = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f)
        fail(
            state,
            args,
            f"{where}: {exc.strerror}" if where and exc.strerror else str(exc),
            "check that the path exists and that you may read or write it there",
            ExitCode.ERROR,
        )
        return debug_traceback(state, ExitCode.ERROR)
    message, hint = _last_resort(exc)
    fail(state, args, message, hint, ExitCode.ERROR)
    return debug_traceback(state, ExitCode.ERROR)


def _last_resort(exc: Exception) -> tuple[str, str]:
    """The ``error:`` and ``hint:`` of an exception no command turned into a PlatformctlError."""
    from platformctl.providers.answers import shape_error_of

    # A wrong-shaped server answer read by a provider: a provider error (exit 1), not a bug.
    if (shape := shape_error_of(exc)) is not None:
        return shape.message, shape.hint or ""
    if (refusal := _git_refusal(exc)) is not None:
        return refusal, _GIT_REFUSAL_HINT
    return (
        f"unexpected {type(exc).__name__}: {exc}",
        "re-run with --debug for the traceback and report it as a bug",
    )


# What git says when the repository's own files are what it refuses (a .gitmodules with
# `update = !command`, a broken config): the repository's problem, not a platformctl bug.
_GIT_CONFIG_REFUSALS = ("fatal: invalid value for", "fatal: bad config", "fatal: bad numeric config")
_GIT_REFUSAL_HINT = (
    "git itself refuses this repository as it is (run 'git status' in it to see the same): "
    "fix what git names, then run the same platformctl command again"
)


def _git_refusal(exc: Exception) -> str | None:
    """``git SUBCOMMAND failed: fatal: …`` for a GitPython error whose git refused a
    repository's configuration; None for every other exception (GitPython is not imported)."""
    if type(exc).__name__ != "GitCommandError" or not type(exc).__module__.startswith("git."):
        return None
    stderr, command = str(getattr(exc, "stderr", "")), getattr(exc, "command", None) or ["git"]
    # GitPython quotes git's stderr as "  stderr: 'fatal: …'": take git's own line back out.
    quoted = stderr.split("stderr: '", 1)[-1].rstrip()
    lines = [line.strip() for line in (quoted[:-1] if quoted.endswith("'") else quoted).splitlines()]
    fatal = next((line for line in lines if line.startswith(_GIT_CONFIG_REFUSALS)), None)
    if fatal is None:
        return None
    subcommand = next((str(a) for a in command[1:] if not str(a).startswith("-")), "")
    return f"git {subcommand} failed: {fatal}"


def _command_path(root: Any, args: list[str]) -> str:
    """``platformctl new service`` for the args ``--config x new service y --set``."""
    names, command = [root.name or "platformctl"], root
    for arg in args:
        sub = getattr(command, "commands", {}).get(arg)
        if sub is not None:
            names.append(arg)
            command = sub
        elif not hasattr(command, "commands"):
            break
    return " ".join(names)


def debug_traceback(state: AppContext, code: int) -> int:
    """With --debug, the traceback of the error being handled: plain (no local variables) and
    with every known secret blanked, like every other line platformctl prints."""
    if state.debug:
        import traceback

        from platformctl.textsafe import escape_controls

        text = state.io.spell(traceback.format_exc())
        state.io.stderr.write(escape_controls(_redact(text), keep="\n"))
    return code


def _redact(text: str) -> str:
    """Tokens and secret values blanked out (providers/tokens.py: standard library only)."""
    from platformctl.redact import redact as blank

    return blank(text)
