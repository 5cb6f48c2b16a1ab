"""The root command, its global options, and the one funnel from errors to exit codes.

Only typer and the standard library are imported here: every command imports its domain
code inside its body, so ``platformctl --help`` stays fast.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from platformctl import __version__
from platformctl.cli.context import AppContext
from platformctl.cli.io import env_flag
from platformctl.errors import CheckFailed, ExitCode, PlatformctlError

app = typer.Typer(
    name="platformctl",
    help="Golden paths, environments and maturity for your internal developer platform.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _register() -> None:
    from platformctl.cli import (
        assess_cmd,
        completion,
        config_cmd,
        delivery_cmd,
        env_cmd,
        fleet_cmd,
        golden_path_cmd,
        new_cmd,
        service_cmd,
    )

    app.add_typer(new_cmd.app, name="new")
    app.add_typer(service_cmd.check_app, name="check")
    app.add_typer(service_cmd.update_app, name="update")
    app.add_typer(golden_path_cmd.app, name="golden-path")
    app.add_typer(config_cmd.app, name="config")
    app.add_typer(env_cmd.app, name="env")
    app.add_typer(assess_cmd.app, name="assess")
    app.add_typer(fleet_cmd.app, name="fleet")
    app.command("completion")(completion.completion)
    assess_cmd.app.command("delivery")(delivery_cmd.assess_delivery)
    app.add_typer(delivery_cmd.app, name="delivery")
    from platformctl.cli import adopt_cmd

    app.add_typer(adopt_cmd.app, name="adopt")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"platformctl {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Platform config file [env var: PLATFORMCTL_CONFIG]",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt [env var: PLATFORMCTL_NO_INPUT]")
    ] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colours [env var: NO_COLOR]")] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks [env var: PLATFORMCTL_DEBUG]")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version")
    ] = False,
) -> None:
    """Golden paths, environments and maturity for your internal developer platform."""
    state: AppContext = ctx.ensure_object(AppContext)
    state.io = state.io.with_flags(no_input=no_input, no_color=no_color)
    state.config_file = config
    state.debug = debug or state.debug
    from platformctl.cli.logs import configure_logging

    configure_logging(state.debug)


def run(argv: Sequence[str] | None = None, *, context: AppContext | None = None) -> int:
    """Run the CLI on ``argv`` and return the exit code, printing any error once.

    This is the single place where errors become exit codes (``docs/exit-codes.md``).
    ``context`` replaces the invocation's environment, streams, clock, HTTP transport or
    provider builders (tests run commands in-process with it); by default the process's own.
    """
    from typer.main import get_command

    if not app.registered_groups:
        _register()
    from platformctl.cli.helptext import plain_help
    from platformctl.redact import forget_secrets

    forget_secrets()  # secrets remembered for redaction belong to one invocation
    state = context or AppContext()
    state.debug = state.debug or env_flag(state.env, "PLATFORMCTL_DEBUG")
    if state.env.get("_PLATFORMCTL_COMPLETE"):  # the shell asks for completions (cli/completion.py)
        from platformctl.cli.completion import prepare

        prepare()
    command = get_command(app)
    plain_help(command)
    args = hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    try:
        result = command.main(
            args=args,
            prog_name="platformctl",
            standalone_mode=False,
            obj=state,
        )
    except PlatformctlError as exc:
        if not (isinstance(exc, CheckFailed) and exc.reported):
            _fail(state, args, exc.message, exc.hint, int(exc.exit_code), exc.details)
        return _debug_traceback(state, int(exc.exit_code))
    except (KeyboardInterrupt, typer.Abort):
        state.io.stop_progress()
        state.io.err.print()
        _fail(state, args, "interrupted", None, ExitCode.INTERRUPTED)
        return ExitCode.INTERRUPTED
    except Exception as exc:  # the last resort: no traceback unless asked
        return _unexpected(state, exc, command, args)
    finally:
        state.io.stop_progress()
    if result == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into Exit(130) before we see it
        state.io.err.print()
        _fail(state, args, "interrupted", None, ExitCode.INTERRUPTED)
    return result if isinstance(result, int) else ExitCode.OK


def _fail(
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
    message, hint = _redact(message), _redact(hint) if hint else None
    state.io.error(message, hint)
    if "--json" in (args[: args.index("--")] if "--" in args else args):
        state.io.json = True
    state.io.emit_error(message, hint, code, details)


GLOBAL_FLAGS = frozenset({"--debug", "--no-input", "--no-color"})
GLOBAL_VALUED = frozenset({"--config"})


def hoist_global_options(args: list[str]) -> list[str]:
    """Global options given after the subcommand (``new service x --debug``), moved before it,
    where click parses them: users of gh and kubectl put them anywhere. ``--`` ends the search."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        if arg in GLOBAL_FLAGS:
            front.append(arg)
        elif arg in GLOBAL_VALUED and index + 1 < len(args):
            front.extend(args[index : index + 2])
            index += 1
        elif arg.partition("=")[0] in GLOBAL_VALUED:
            front.append(arg)
        else:
            rest.append(arg)
        index += 1
    return [*front, *rest]


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


def _unexpected(state: AppContext, exc: Exception, root: Any, args: list[str]) -> int:
    # typer vendors click as typer._click and raises these classes; the click package is not a
    # dependency of typer (nor of platformctl), and its classes would never match.
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

    if isinstance(exc, NoArgsIsHelpError):  # the help is already printed: no empty "error:" line
        return ExitCode.USAGE
    if isinstance(exc, UsageError):
        # Some parser errors (an option missing its value) carry no context: find the command.
        command = exc.ctx.command_path if exc.ctx else _command_path(root, args)
        message = plain_usage_message(exc.format_message())
        _fail(state, args, message, f"run '{command} --help' for usage", ExitCode.USAGE)
        return ExitCode.USAGE
    if isinstance(exc, ClickException):
        _fail(state, args, exc.format_message(), None, exc.exit_code)
        return exc.exit_code
    if isinstance(exc, OSError) and exc.errno == errno.EPIPE:  # the reader went away
        return ExitCode.ERROR
    if isinstance(exc, OSError):  # the file system said no: name the path, not a bug
        where = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f)
        _fail(
            state,
            args,
            f"{where}: {exc.strerror}" if where and exc.strerror else str(exc),
            "check that the path exists and that you may read or write it there",
            ExitCode.ERROR,
        )
        return _debug_traceback(state, ExitCode.ERROR)
    _fail(
        state,
        args,
        f"unexpected {type(exc).__name__}: {exc}",
        "re-run with --debug for the traceback and report it as a bug",
        ExitCode.ERROR,
    )
    return _debug_traceback(state, ExitCode.ERROR)


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


def _debug_traceback(state: AppContext, code: int) -> int:
    """With --debug, the traceback of the error being handled: plain (no local variables) and
    with every known secret blanked, like every other line platformctl prints."""
    if state.debug:
        import traceback

        from platformctl.textsafe import escape_controls

        state.io.stderr.write(escape_controls(_redact(traceback.format_exc()), keep="\n"))
    return code


def _redact(text: str) -> str:
    """Tokens and secret values blanked out (providers/tokens.py: standard library only)."""
    from platformctl.redact import redact as blank

    return blank(text)
