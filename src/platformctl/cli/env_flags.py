"""Parsing of the `env` command flags into domain values; every error names its flag."""

from __future__ import annotations

import re

from platformctl.contracts.environment_fields import ENVIRONMENT_PROVIDERS, SecretSource, parse_ttl
from platformctl.errors import UsageError

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_ttl_flag(value: str | None) -> str | None:
    """Check ``--ttl`` (e.g. ``3d``) and return it unchanged."""
    if value is None:
        return None
    try:
        parse_ttl(value)
    except ValueError as exc:
        raise UsageError(
            f"--ttl: {exc}",
            hint="a whole number and a unit: s (seconds), m (minutes), h (hours), d (days) or w "
            "(weeks), e.g. --ttl 90s, 30m, 12h, 3d or 2w",
        ) from None
    return value


def parse_variables(items: list[str]) -> dict[str, str]:
    """``--var KEY=VALUE`` pairs."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not _KEY.fullmatch(key):
            raise UsageError(
                f"--var {key!r}: expected KEY=VALUE, KEY of letters, digits and _",
                hint="e.g. --var LOG_LEVEL=debug",
            )
        if key in out:
            raise UsageError(
                f"--var {key} is given twice ({out[key]!r} and {value!r})",
                hint=f"pass --var {key}=VALUE once",
            )
        out[key] = value
    return out


def parse_secrets(items: list[str]) -> dict[str, SecretSource]:
    """``--secret NAME=env:VAR|file:PATH|stdin``: where a value comes from, never the value."""
    out: dict[str, SecretSource] = {}
    for item in items:
        name, _, source = item.partition("=")
        kind, _, arg = source.partition(":")
        if not _KEY.fullmatch(name) or kind not in ("env", "file", "stdin") or (kind != "stdin") != bool(arg):
            # Never echo what follows '=': it might be a value typed by mistake.
            raise UsageError(
                f"--secret {name!r}: expected NAME=env:VAR, NAME=file:PATH or NAME=stdin",
                hint="secret values never go on the command line",
            )
        if kind == "env" and not _KEY.fullmatch(arg):
            raise UsageError(
                f"--secret {name}: env:VAR needs a variable name",
                hint="e.g. --secret DB_PASSWORD=env:DB_PASSWORD",
            )
        if kind == "env":
            out[name] = SecretSource(env=arg)
        elif kind == "file":
            out[name] = SecretSource(file=arg)
        else:
            out[name] = SecretSource(stdin=True)
    return out


def parse_providers(items: list[str]) -> tuple[str, ...]:
    """``--provider`` names, checked."""
    for item in items:
        if item not in ENVIRONMENT_PROVIDERS:
            raise UsageError(
                f"--provider {item!r}: unknown provider",
                hint=f"use one of: {', '.join(ENVIRONMENT_PROVIDERS)}",
            )
    return tuple(dict.fromkeys(items))
