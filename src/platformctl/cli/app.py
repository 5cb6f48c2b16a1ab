"""The root command, its global options, and ``run``: where every error meets the funnel.

Only typer and the standard library are imported here: every command imports its domain
code inside its body, so ``platformctl --help`` stays fast.
"""

# No ``from __future__ import annotations`` here nor in the command modules: typer reads a
# command's parameters from its annotations each time it builds the command, and postponed
# (string) annotations it compiles and evaluates there, four times per parameter, where
# evaluated ones cost nothing more; the names only type checkers import are quoted instead.

import functools
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from platformctl import __version__
from platformctl.cli.context import AppContext
from platformctl.cli.groups import GROUPS, group_help
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
    """Every command group and command on the root app (help, completion, anything unknown)."""
    for name in GROUPS:
        app.add_typer(_group(name), name=name)
    app.registered_commands.extend(_root_commands())


def _root_commands() -> list[typer.models.CommandInfo]:
    """The root's own commands (not groups): ``completion`` and ``docs``."""
    from platformctl.cli import completion, docs_cmd

    holder = typer.Typer()
    holder.command("completion")(completion.completion)
    holder.command("docs")(docs_cmd.docs)
    return holder.registered_commands


def _group(name: str) -> typer.Typer:
    """The typer app of command group ``name``, its module imported now."""
    import importlib

    module, attribute, _ = GROUPS[name]
    group: typer.Typer = getattr(importlib.import_module(f"platformctl.cli.{module}"), attribute)
    if name == "assess" and not any(c.name == "delivery" for c in group.registered_commands):
        from platformctl.cli import delivery_cmd

        group.command("delivery")(delivery_cmd.assess_delivery)
    return group


def _root_for(args: list[str]) -> typer.Typer:
    """The root app with only the group ``args`` names, when they name one, and in it only the
    command they name, when they name one: typer builds every registered command's parameters
    before parsing, most of a quick command's start-up."""
    import copy

    name = _named_group(args)
    if name is None and not _root_help(args):
        return _full_root()
    narrowed = copy.copy(app)  # the same callback and settings, its own lists of commands
    narrowed.registered_groups = []
    narrowed.registered_commands = [] if name else _root_commands()
    for group in [name] if name else list(GROUPS):
        # The root's help lists each group's name and help, nothing deeper: a stand-in for the
        # group, its help from the table, and no group module imported.
        sub = _group(group) if name else typer.Typer(help=group_help(group), no_args_is_help=True)
        if name:
            sub = _only_command(sub, args[_first_word(args) + 1 :])
        narrowed.add_typer(sub, name=group)
    return narrowed


def _only_command(group: typer.Typer, rest: list[str]) -> typer.Typer:
    """``group`` with only the command ``rest`` starts with, when it names one exactly; else the
    whole group (its help, and an unknown command's error, list every command)."""
    import copy

    chosen = [c for c in group.registered_commands if rest and c.name == rest[0]]
    if not chosen or (chosen == group.registered_commands and not group.registered_groups):
        return group  # nothing to leave out
    narrowed = copy.copy(group)
    narrowed.registered_commands, narrowed.registered_groups = chosen, []
    return narrowed


def _full_root() -> typer.Typer:
    """The root app with every group and command (completion, unknown commands, --version)."""
    if not app.registered_groups:
        _register()
    return app


def _root_help(args: list[str]) -> bool:
    """Whether ``args`` ask for the root's help only (nothing but global options and --help)."""
    rest = [a for a in args if a not in GLOBAL_FLAGS]
    return not rest or rest in (["--help"], ["-h"])


def _named_group(args: list[str]) -> str | None:
    """The command group the first word of ``args`` names (global options skipped), or None."""
    index = _first_word(args)
    return args[index] if index < len(args) and args[index] in GROUPS else None


def _first_word(args: list[str]) -> int:
    """Where the first word of ``args`` that is not a global option is (``len(args)``: none)."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in GLOBAL_VALUED:
            index += 2
        elif arg in GLOBAL_FLAGS or arg.partition("=")[0] in GLOBAL_VALUED:
            index += 1
        else:
            return index
    return len(args)


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
    from platformctl import logsetup

    logsetup.configure(functools.partial(_configure_logging, state.debug))


def _configure_logging(debug: bool) -> None:
    """Our log records on stderr (``cli/logs.py``), applied once a module that logs is loaded."""
    from platformctl.cli.logs import configure_logging

    configure_logging(debug)


def run(argv: Sequence[str] | None = None, *, context: AppContext | None = None) -> int:
    """Run the CLI on ``argv`` and return the exit code, printing any error once.

    This is the single place where errors become exit codes (``platformctl docs exit-codes``).
    ``context`` replaces the invocation's environment, streams, clock, HTTP transport or
    provider builders (tests run commands in-process with it); by default the process's own.
    """
    # Secrets remembered for redaction belong to one invocation, and so does the latest server
    # answer; neither module holds any before it is loaded, and a quick run loads neither.
    redact = sys.modules.get("platformctl.redact")
    if redact is not None:
        redact.forget_secrets()
    answers = sys.modules.get("platformctl.providers.answers")
    if answers is not None:
        answers.forget()
    state = context or AppContext()
    state.debug = state.debug or env_flag(state.env, "PLATFORMCTL_DEBUG")
    if state.env.get("_PLATFORMCTL_COMPLETE"):  # the shell asks for completions (cli/completion.py)
        from platformctl.cli.completion import prepare

        prepare()
    args = hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    from platformctl import yamlcache

    # The platform home's cache of parsed files is named by its settings; a dry run adds nothing.
    yamlcache.reset(read_only="--dry-run" in (args[: args.index("--")] if "--" in args else args))
    try:
        return _invoke(state, _command_for(state, args), args)
    finally:
        state.io.stop_progress()
        yamlcache.reset()


def _command_for(state: AppContext, args: list[str]) -> Any:
    """The click command tree these ``args`` run, its help made plain and its flags spelled."""
    from typer.main import get_command

    from platformctl.cli.flagnames import Spelling
    from platformctl.cli.helptext import plain_help

    command = get_command(_full_root() if state.env.get("_PLATFORMCTL_COMPLETE") else _root_for(args))
    plain_help(command)
    # The domain's messages name inputs, not flags: spelled for the command these args run.
    state.io.spell = Spelling(
        command, args, valued=GLOBAL_VALUED, full_root=lambda: get_command(_full_root())
    )
    return command


def _invoke(state: AppContext, command: Any, args: list[str]) -> int:
    """Run ``command`` on ``args``; every failure becomes one message and its exit code."""
    try:
        result = command.main(args=args, prog_name="platformctl", standalone_mode=False, obj=state)
    except PlatformctlError as exc:
        from platformctl.cli import failures  # the error funnel, loaded only when it is needed

        if not (isinstance(exc, CheckFailed) and exc.reported):
            failures.fail(state, args, exc.message, exc.hint, int(exc.exit_code), exc.details)
        return failures.debug_traceback(state, int(exc.exit_code))
    except (KeyboardInterrupt, typer.Abort):
        result = ExitCode.INTERRUPTED
        state.io.stop_progress()
    except Exception as exc:  # the last resort: no traceback unless asked
        from platformctl.cli import failures

        return failures.unexpected(state, exc, command, args)
    if result == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into Exit(130) before we see it
        from platformctl.cli import failures

        state.io.err.print()
        failures.fail(state, args, "interrupted", None, ExitCode.INTERRUPTED)
    return result if isinstance(result, int) else ExitCode.OK


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
