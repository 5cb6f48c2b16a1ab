"""The repository a new service asks for, from flags and settings, validated before any write."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal, cast, get_args

from platformctl.contracts.repositories import RepositorySpec, TeamAccess, Visibility
from platformctl.errors import UsageError, option

PERMISSIONS = ("pull", "triage", "push", "maintain", "admin")
_TOPIC = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
_TEAM = re.compile(r"^[a-z0-9][a-z0-9_.-]*$", re.IGNORECASE)


def repository_spec(
    *,
    provider: str,
    org: str | None,
    name: str,
    default_owner: Callable[[], str],
    description: str = "",
    visibility: str | None = None,
    topics: Sequence[str] = (),
    teams: Sequence[str] = (),
) -> RepositorySpec:
    """Build the :class:`RepositorySpec` for ``new service``.

    ``org`` falls back to ``default_owner()`` (the token's user on GitHub, ``local`` locally).

    Raises:
        UsageError: a bad visibility, topic or team, or teams where they do not apply.
    """
    visibility = visibility or "private"
    if visibility not in get_args(Visibility):
        raise UsageError(f"visibility {visibility!r} is not one of {', '.join(get_args(Visibility))}")
    for topic in topics:
        if not _TOPIC.match(topic):
            raise UsageError(
                f"topic {topic!r} is invalid: use lower-case letters, digits and hyphens "
                "(at most 50, starting with a letter or digit)"
            )
    access = tuple(_team(value) for value in teams)
    if access and provider == "gitlab":
        raise UsageError(
            "teams apply to GitHub organisations",
            hint=f"on GitLab, project members come from the group given with {option('org')}",
        )
    owner_kind: Literal["org", "user"] = "org"
    if not org:
        org = default_owner()
        owner_kind = "user" if provider == "github" else "org"
    if access and owner_kind == "user":
        raise UsageError(
            "teams need an organisation: a user's repository has no teams",
            hint=f"pass {option('org')} ORGANISATION",
        )
    return RepositorySpec(
        org=org,
        name=name,
        description=description,
        visibility=cast(Visibility, visibility),  # checked against Visibility above
        topics=tuple(topics),
        teams=access,
        owner_kind=owner_kind,
    )


def _team(value: str) -> TeamAccess:
    slug, _, permission = value.partition("=")
    permission = permission or "push"
    if not _TEAM.match(slug):
        raise UsageError(f"team {value!r}: {slug!r} is not a team slug (e.g. platform-team)")
    if permission not in PERMISSIONS and not re.fullmatch(r"[A-Za-z0-9 _-]+", permission):
        raise UsageError(
            f"team {value!r}: the permission must be one of {', '.join(PERMISSIONS)} or a custom role name"
        )
    return TeamAccess(slug, permission)
