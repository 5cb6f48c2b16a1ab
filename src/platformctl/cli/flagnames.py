"""Flag names: where the domain's inputs get their command-line spelling.

The domain names an input by its meaning, ``errors.option("org")``, which leaves a placeholder
in the text; :class:`Spelling` turns each placeholder into the flag of the running command whose
parameter has that name (``--org``), or into a plain phrase when the command has no such flag.
``cli/io.py`` applies it to everything it displays and to every ``--json`` document, and
``cli/failures.py`` to the ``error:``/``hint:`` lines, so a placeholder never reaches the output.

The placeholder is bracketed by a control character: a value shown in a message is repr()'d or
escaped first, so it cannot make one (and if a raw value did, the worst it could do is read as a
flag's name).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from platformctl.errors import OPTION_MARK, in_words, option
from platformctl.errors import OPTION_PLACEHOLDER as _PLACEHOLDER

# Inputs whose command parameter has another name (a Python keyword, or a word taken there).
PARAMETERS: Mapping[str, str] = {"set": "set_", "class": "env_class"}


class Spelling:
    """Spells the placeholders of a text for the command ``args`` run, under ``root``.

    ``full_root`` gives the whole command tree, for placeholders naming another command (the
    root a quick command runs under holds its own group only).
    """

    def __init__(
        self,
        root: Any,
        args: Sequence[str] = (),
        *,
        valued: Collection[str] = (),
        full_root: Callable[[], Any] | None = None,
    ) -> None:
        self.command = find_command(root, args, valued=valued)
        self._full_root = full_root or (lambda: root)
        self._full: Any = None  # the whole tree, built on the first placeholder that needs it

    def __call__(self, text: str) -> str:
        """``text`` with every placeholder replaced by its flag (or phrase)."""
        if OPTION_MARK not in text:
            return text
        return _PLACEHOLDER.sub(self._spell, text)

    def _spell(self, match: re.Match[str]) -> str:
        path, name = match.group(1), match.group(2)
        if path and self._full is None:
            self._full = self._full_root()
        command = find_command(self._full, path.split()) if path else self.command
        return flag_of(command, name) or plain_phrase(name)


def unspelled(text: str) -> str:
    """The spelling before a command is known: every placeholder as a plain phrase."""
    return in_words(text)


def find_command(root: Any, args: Sequence[str], *, valued: Collection[str] = ()) -> Any:
    """The (sub)command the words of ``args`` lead to from ``root``; options are skipped, and
    the value after each option in ``valued`` (the root's ``--config FILE``)."""
    command, index = root, 0
    while index < len(args) and hasattr(command, "commands"):
        arg = args[index]
        index += 1
        if arg in valued:
            index += 1
        elif not arg.startswith("-"):
            sub = command.commands.get(arg)
            if sub is None:
                break
            command = sub
    return command


def flag_of(command: Any, name: str) -> str | None:
    """The long flag of ``command``'s option for input ``name`` (``--answers-file``), or None."""
    wanted = {name, PARAMETERS.get(name, name)}
    for param in getattr(command, "params", ()):
        if param.name in wanted and getattr(param, "param_type_name", "") == "option":
            flags = [flag for flag in param.opts if flag.startswith("--")]
            return flags[0] if flags else str(param.opts[0])
    return None


def plain_phrase(name: str) -> str:
    """An input a command has no flag for, said in words (``answers file``)."""
    return in_words(option(name))


def spell_all(value: Any, spell: Callable[[str], str]) -> Any:
    """``value`` (a JSON-ready document) with ``spell`` applied to every string in it."""
    if isinstance(value, str):
        return spell(value)
    if isinstance(value, Mapping):
        return {key: spell_all(item, spell) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [spell_all(item, spell) for item in value]
    return value
