"""Error types shared by every layer, each carrying its exit code and a hint.

Domain code raises these; the CLI turns them into one ``error:`` line, one
``hint:`` line and the exit code (see ``docs/exit-codes.md``). Standard library only.
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Any

# Brackets an input's name in a message (see option()): a control character, which no value
# shown in a message can carry raw (displayed values are escaped or repr()'d first).
OPTION_MARK = "\x1f"


def option(name: str, *, command: str = "") -> str:
    """A placeholder for the flag that gives input ``name``; the CLI spells it when it shows the text.

    The domain names its inputs by their meaning (``option("org")``, ``option("answers_file")``);
    ``cli/flagnames.py`` turns the placeholder into the running command's flag (``--org``), or
    into the flag of ``command`` (``"update service"``) when the text is about another command.
    """
    return f"{OPTION_MARK}{command + ':' if command else ''}{name}{OPTION_MARK}"


# One placeholder: an optional command path ("update service:") and the input's name.
OPTION_PLACEHOLDER = re.compile(f"{OPTION_MARK}(?:([a-z][a-z -]*):)?([a-z][a-z0-9_]*){OPTION_MARK}")


def in_words(text: str) -> str:
    """``text`` with every option placeholder said as a plain phrase (``answers file``).

    For text that leaves platformctl without a command to spell it for: a journal line, a
    record read later by another command or another tool.
    """
    if OPTION_MARK not in text:
        return text
    return OPTION_PLACEHOLDER.sub(lambda m: m.group(2).replace("_", " "), text)


class ExitCode(IntEnum):
    """Process exit statuses. They are API: change them only additively."""

    OK = 0
    ERROR = 1
    USAGE = 2
    CHECK_FAILED = 3
    AUTH = 4
    INTERRUPTED = 130


class PlatformctlError(Exception):
    """A failure the user can act on: a message, an optional hint, an exit code."""

    exit_code: ExitCode = ExitCode.ERROR
    # Machine-readable facts for the --json error document (e.g. what an apply did before failing).
    details: dict[str, Any] | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(PlatformctlError):
    """Bad flags, arguments, names or answers: exit 2."""

    exit_code = ExitCode.USAGE


class ConfigError(UsageError):
    """An invalid configuration or descriptor file: exit 2."""


class InputRequired(UsageError):
    """A value is missing and prompting is not allowed: exit 2, naming the flag."""


class CheckFailed(PlatformctlError):
    """The command worked and the answer is "no" (drift, score under threshold): exit 3.

    ``reported``: the result already printed says so (``check service``), so the CLI adds no
    ``error:`` line; the message is then only for logs and callers in Python.
    """

    exit_code = ExitCode.CHECK_FAILED

    def __init__(self, message: str, *, hint: str | None = None, reported: bool = False) -> None:
        super().__init__(message, hint=hint)
        self.reported = reported


class AuthError(PlatformctlError):
    """Missing or insufficient credentials: exit 4."""

    exit_code = ExitCode.AUTH


class ProviderError(PlatformctlError):
    """A provider (git host, cluster, local store) refused or failed a request: exit 1."""

    def __init__(
        self, message: str, *, hint: str | None = None, provider: str = "", status: int | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.provider = provider
        self.status = status


class ForeignRepository(ProviderError):
    """The repository at the host has history that is not this service's: exit 1, nothing changed there."""


class TemplateError(PlatformctlError):
    """A golden path could not be loaded or rendered: exit 1."""
