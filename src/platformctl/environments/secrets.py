"""Secret values: read from env vars, files or stdin (never argv), known afterwards only by HMAC.

Providers cannot give a secret's value back (GitHub seals it, the local store never keeps it),
so a keyed hash tells whether a value changed. The key is 32 random bytes in a 0600 file in the
platform home, or ``PLATFORMCTL_SECRETS_KEY`` when several machines (CI runners) must agree.
The hash covers service, environment and secret name, so equal values do not look equal.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets as _random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformctl.contracts.environment_fields import SecretSource
from platformctl.contracts.environments import SecretValue
from platformctl.errors import ConfigError, InputRequired, UsageError, option

KEY_ENV = "PLATFORMCTL_SECRETS_KEY"
KEY_FILE = Path("state") / "secrets.key"


def load_key(home: Path, env: Mapping[str, str]) -> bytes:
    """The HMAC key: from ``PLATFORMCTL_SECRETS_KEY``, else the key file (created 0600 on first use)."""
    if env.get(KEY_ENV):
        return env[KEY_ENV].encode()
    path = home / KEY_FILE
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    except (OSError, ValueError):
        raise ConfigError(
            f"the secrets key file {path} is unreadable",
            hint="delete it to start over: every secret will be set again once",
        ) from None
    from platformctl.files import atomic_write_text

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, _random.token_hex(32) + "\n", mode=0o600)
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def fingerprint(key: bytes, service: str, environment: str, name: str, value: str) -> str:
    """The keyed hash of one secret value in one environment."""
    message = "\0".join((service, environment, name, value)).encode()
    return "hmac-sha256:" + hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass
class SecretReader:
    """Reads each secret from its source once per invocation.

    With ``required=False`` (status, down) a missing value is not an error: the secret is then
    compared by presence only (an empty fingerprint).
    """

    env: Mapping[str, str]
    base_dir: Path
    key: bytes
    stdin: Any = None
    required: bool = True
    _stdin_used_by: str | None = field(default=None, init=False)

    def read(
        self,
        service: str,
        environment: str,
        name: str,
        source: SecretSource | None,
        *,
        from_flag: bool = False,
    ) -> SecretValue:
        """The secret's value and fingerprint.

        A source from ``platform.yaml`` (``from_flag`` False) is untrusted input: it arrives in
        pull requests. Its ``file:`` must stay inside the service directory; no source may name
        a credential variable (see :func:`check_source`).

        Raises:
            InputRequired: the source gives no value (only when values are required).
            UsageError: two secrets want stdin; a source that is refused (exit 2).
        """
        source = source or SecretSource(env=name)
        check_source(name, source, self.env, self.base_dir, from_flag=from_flag)
        value = self._value(name, source)
        if value is None:
            return SecretValue(name=name, fingerprint="")
        from platformctl.redact import remember_secret

        remember_secret(value)  # blanked from any error text or log line from now on
        return SecretValue(
            name=name, fingerprint=fingerprint(self.key, service, environment, name, value), value=value
        )

    def _value(self, name: str, source: SecretSource) -> str | None:
        if source.env:
            value = self.env.get(source.env)
            if not value:
                return self._missing(
                    name,
                    f"environment variable {source.env} is not set or empty",
                    f"export {source.env}=… first, or use {option('secret')} {name}=file:PATH",
                )
            return value
        if source.file:
            path = Path(os.path.expanduser(source.file))
            path = path if path.is_absolute() else self.base_dir / path
            path = path.resolve()  # a link inside the service was checked where it leads
            try:
                return path.read_text(encoding="utf-8").removesuffix("\n")
            except OSError as exc:
                return self._missing(
                    name,
                    f"cannot read {path}: {exc.strerror}",
                    "create the file (mode 0600) or change the secret's source",
                )
        return self._from_stdin(name)

    def _from_stdin(self, name: str) -> str | None:
        if self._stdin_used_by not in (None, name):
            raise UsageError(
                f"secrets {self._stdin_used_by} and {name} both read stdin",
                hint="give one of them an env or file source",
            )
        if self.stdin is None or getattr(self.stdin, "isatty", lambda: False)():
            return self._missing(
                name,
                "its value comes from stdin and nothing was piped in",
                f'pipe the value in: printf %s "$VALUE" | platformctl env up … ({name})',
            )
        self._stdin_used_by = name
        value = self.stdin.read().removesuffix("\n")
        self.stdin = _Replay(value)
        return value or self._missing(name, "stdin was empty", "pipe a non-empty value")

    def _missing(self, name: str, why: str, hint: str) -> str | None:
        if self.required:
            raise InputRequired(f"secret {name}: {why}", hint=hint)
        return None  # not required: the plan compares this secret by presence only


def check_source(
    name: str, source: SecretSource, env: Mapping[str, str], base_dir: Path, *, from_flag: bool
) -> None:
    """Refuse a source that would publish a credential or a file from outside the service.

    Raises:
        UsageError: naming the secret and its source (exit 2).
    """
    from platformctl.credentials import CREDENTIAL_VARIABLES, is_credential_variable

    where = option("secret") if from_flag else f"secrets.{name} in platform.yaml"
    if source.env:
        twin = next(
            (v for v in sorted(CREDENTIAL_VARIABLES) if env.get(v) and env.get(v) == env.get(source.env)),
            None,
        )
        if is_credential_variable(source.env) or twin:
            what = (
                source.env if twin in (None, source.env) else f"{source.env} (it holds the value of {twin})"
            )
            raise UsageError(
                f"secret {name}: {where} reads the environment variable {what}, "
                "a credential of platformctl or of the CI runner",
                hint="give the secret its own variable: tokens and PLATFORMCTL_SECRETS_KEY are never "
                "published",
            )
    if source.file and not from_flag:
        root = base_dir.resolve()
        raw = Path(source.file)
        resolved = (
            (root / raw).resolve() if not raw.is_absolute() and not source.file.startswith("~") else None
        )
        if resolved is None or not resolved.is_relative_to(root):
            raise UsageError(
                f"secret {name}: {where} names the file {source.file!r}, which is outside the "
                "service directory (links are followed)",
                hint=f"platform.yaml may name files inside the service only; for another file pass "
                f"{option('secret')} {name}=file:PATH",
            )


class _Replay:
    """Stdin once read, kept for a second look by the same secret."""

    def __init__(self, value: str) -> None:
        self.value = value

    def read(self) -> str:
        return self.value

    def isatty(self) -> bool:
        return False
