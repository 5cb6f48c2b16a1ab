"""Variables and secrets of a GitHub environment as read: listed, then as the resources a plan
compares. GitHub folds their names to upper case, so they are keyed upper case and shown as the
spec or platformctl's record spells them; a secret is known only by the fingerprint recorded
when it was set (:mod:`platformctl.providers.github.secret_state`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from platformctl.contracts.environments import EnvironmentSpec, Resource
from platformctl.providers.github.env_secrets import environment_path
from platformctl.providers.github.secret_state import Recorded
from platformctl.providers.http import HttpClient
from platformctl.providers.remote_environments import managed


def list_variables(http: HttpClient, slug: str, name: str) -> dict[str, str]:
    """``{NAME: value}`` of every variable of environment ``name`` (platformctl's record too)."""
    # GitHub pages environment variables by 30 at most.
    return _listed(http, slug, name, "variables", "value", per_page=30)


def list_secret_dates(http: HttpClient, slug: str, name: str) -> dict[str, str]:
    """``{NAME: updated_at}`` of every secret of environment ``name``."""
    return _listed(http, slug, name, "secrets", "updated_at")


def _listed(
    http: HttpClient, slug: str, name: str, kind: str, field: str, per_page: int = 100
) -> dict[str, str]:
    """``{NAME: item[field]}`` of every item of the environment's ``kind`` listing."""
    items = http.paginate(
        environment_path(slug, name, f"/{kind}"),
        key=kind,
        per_page=per_page,
        action=f"list the {kind} of environment {name}",
    )
    return {item["name"].upper(): item[field] for item in items}


def value_resources(
    spec: EnvironmentSpec,
    marker: dict[str, Any] | None,
    variables: dict[str, str],
    secrets: dict[str, str],
    recorded: Mapping[str, Recorded],
) -> list[Resource]:
    """The variables and secrets platformctl manages, as read; ``recorded``: fingerprints set."""
    listed = [*(marker or {}).get("variables", []), *(marker or {}).get("secrets", [])]
    spelled = {n.upper(): n for n in [*listed, *spec.variables, *spec.secrets]}
    wanted_vars = {n.upper() for n in managed(marker, spec, "variables")}
    wanted_secrets = {n.upper() for n in managed(marker, spec, "secrets")}
    out = [Resource("variable", spelled[k], {"value": v}) for k, v in variables.items() if k in wanted_vars]
    for key, updated_at in secrets.items():
        if key in wanted_secrets:
            rec = recorded.get(spelled[key])
            # Set by someone else since (another time): the value is unknown, so set it again.
            known = rec.fingerprint if rec is not None and rec.updated_at == updated_at else None
            out.append(Resource("secret", spelled[key], {"fingerprint": known}, secret=True))
    return out
