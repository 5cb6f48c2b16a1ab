"""The one rule for names, and its one wording.

Service, environment and golden-path names become folder names, Kubernetes namespaces,
repository names and URL paths, so all follow the same rule: a lower-case DNS label.
Standard library only (it is used before any command imports anything heavy).
"""

from __future__ import annotations

import re

from platformctl.errors import UsageError

NAME_PATTERN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
NAME_MAX = 63
NAME_RULE = "a-z, 0-9 and '-', starting and ending with a letter or digit, at most 63 characters"
_EXAMPLES = {"service": "payments-api", "environment": "staging or pr-123", "golden path": "python-service"}


def is_name(value: str) -> bool:
    """Whether ``value`` follows the rule."""
    return len(value) <= NAME_MAX and NAME_PATTERN.fullmatch(value) is not None


def check_name(kind: str, value: str, *, hint: str | None = None) -> None:
    """Raise the one ``invalid KIND name`` error unless ``value`` follows the rule.

    Raises:
        UsageError: with the rule in the message and an example (or ``hint``) as the hint.
    """
    if is_name(value):
        return
    shown = repr(value) if len(value) <= 300 else repr(value[:280] + "…")  # never a 10 MB line
    raise UsageError(
        f"invalid {kind} name {shown}: use a lower-case DNS label ({NAME_RULE})",
        hint=hint or f"for example: {_EXAMPLES.get(kind, 'payments-api')}",
    )
