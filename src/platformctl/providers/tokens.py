"""Access tokens: read from the environment only, never printed.

A :class:`Token` holds the secret; its ``repr``/``str`` name only where it came from. Every
token read here is remembered by :mod:`platformctl.redact`, which blanks it out of log lines,
error messages and git output. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from platformctl.redact import REDACTED, remember_secret

# Environment variables per service, first set wins (DESIGN.md §2). Never a flag: argv is
# visible to every user of the machine.
TOKEN_VARIABLES: dict[str, tuple[str, ...]] = {
    "github": ("PLATFORMCTL_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"),
    "gitlab": ("GITLAB_TOKEN",),
    "backstage": ("BACKSTAGE_TOKEN",),
}

# Credentials of CI runners and of platformctl itself: never a secret source of a service.
CREDENTIAL_VARIABLES = frozenset(
    {
        *(name for names in TOKEN_VARIABLES.values() for name in names),
        "PLATFORMCTL_SECRETS_KEY",
        "ACTIONS_RUNTIME_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "CI_JOB_TOKEN",
        "CI_JOB_JWT",
        "CI_JOB_JWT_V2",
        "CI_REGISTRY_PASSWORD",
        "CI_DEPLOY_PASSWORD",
    }
)


def is_credential_variable(name: str) -> bool:
    """Whether ``name`` holds one of the credentials above (any ``PLATFORMCTL_*`` variable too)."""
    return name.upper() in CREDENTIAL_VARIABLES or name.upper().startswith("PLATFORMCTL_")


class Token:
    """A secret credential that never shows itself: use :meth:`reveal` only to send it."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str) -> None:
        if not value:
            raise ValueError("empty token")
        self._value = value
        self.source = source
        remember_secret(value)

    def reveal(self) -> str:
        """The secret itself, for an Authorization header or a git environment variable."""
        return self._value

    def __repr__(self) -> str:
        return f"Token(from {self.source}, {REDACTED})"

    __str__ = __repr__

    def __reduce__(self) -> str:  # pragma: no cover - pickling would write the secret out
        raise TypeError("tokens are not picklable")


def token_from_env(service: str, env: Mapping[str, str]) -> Token | None:
    """The token of ``service`` (github, gitlab, backstage) from the first variable set."""
    for name in TOKEN_VARIABLES[service]:
        value = env.get(name, "").strip()
        if value:
            return Token(value, name)
    return None


def token_variables(service: str) -> Sequence[str]:
    """The variables :func:`token_from_env` reads for ``service``, in order."""
    return TOKEN_VARIABLES[service]
