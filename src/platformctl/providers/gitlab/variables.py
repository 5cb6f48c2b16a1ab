"""GitLab CI/CD variables of one environment scope: set (create or update) and delete.

A project may hold one variable per (key, ``environment_scope``) pair. A request that names a
key without ``filter[environment_scope]`` acts on *any* variable of that key (the one of scope
``*``, say) or, when there are several, is refused ("Please use 'filter[environment_scope]'").
So every request naming a key here carries the filter. Values are sent raw (no ``$``
expansion); secrets are masked and protected.
"""

from __future__ import annotations

from urllib.parse import quote

from platformctl.providers.http import HttpClient
from platformctl.providers.httperrors import server_message, translate

SCOPE = "filter[environment_scope]"


def set_variable(
    http: HttpClient,
    project: int,
    environment: str,
    key: str,
    value: str,
    *,
    exists: bool,
    secret: bool = False,
) -> int:
    """``POST`` a new variable (``PUT`` when taken), ``PUT`` an existing one (``POST`` when gone).

    Returns:
        The number of write requests made.
    """
    base = f"/projects/{project}/variables"
    flags = {"raw": True, **({"masked": True, "protected": True} if secret else {})}
    action = f"set variable {key} of environment {environment}"
    create = {"key": key, "value": value, "environment_scope": environment, **flags}
    writes = 0
    if not exists:
        response = http.request("POST", base, json=create, action=action, allow={400})
        writes += 1
        if response.status_code != 400:
            return writes
        if "taken" not in server_message(response):  # e.g. a value GitLab cannot mask
            raise translate("GitLab", action, response, http.service.token_hint)
    response = http.request(
        "PUT",
        f"{base}/{quote(key)}",
        params={SCOPE: environment},
        json={"value": value, **flags},
        action=action,
        allow={404},
    )
    writes += 1
    if response.status_code == 404:  # deleted meanwhile
        http.request("POST", base, json=create, action=action)
        writes += 1
    return writes


def delete_variable(http: HttpClient, project: int, environment: str, key: str) -> int:
    """Delete the variable ``key`` of the scope (already gone is fine); one write."""
    http.request(
        "DELETE",
        f"/projects/{project}/variables/{quote(key)}",
        params={SCOPE: environment},
        allow={404},
        action=f"delete variable {key} of environment {environment}",
    )
    return 1
