"""Finding a GitLab environment's project, and stopping an environment before deleting it.

GitLab deletes only stopped environments, and stopping runs the project's ``on_stop`` jobs: an
environment can stay ``stopping`` for a while, so the wait is bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from platformctl.errors import ProviderError
from platformctl.providers.http import HttpClient


@dataclass(frozen=True)
class Stopping:
    """How to wait for an environment that is stopping: the clock, and for how long at most."""

    sleep: Callable[[float], None]
    clock: Callable[[], float]
    timeout: float


def project_id(http: HttpClient, project_path: str, provider: str) -> int:
    """The numeric id of the project at ``project_path``.

    Raises:
        ProviderError: no such project (or the token cannot see it).
    """
    response = http.request(
        "GET", f"/projects/{quote(project_path, safe='')}", allow={404}, action=f"read project {project_path}"
    )
    if response.status_code == 404:
        raise ProviderError(
            f"project {project_path} (repository.slug in platform.yaml) is not at GitLab",
            provider=provider,
            status=404,
            hint="create it with 'platformctl new service', or check the slug and that the token "
            "can see the project",
        )
    return int(response.json()["id"])


def stop_and_delete(
    http: HttpClient, base: str, name: str, environment: dict[str, Any], wait: Stopping
) -> int:
    """Stop environment ``name`` (at API path ``base``) unless stopped, wait, delete; the writes."""
    writes = 0
    if environment.get("state") != "stopped":
        environment = http.request("POST", f"{base}/stop", action=f"stop environment {name}").json()
        writes += 1
    deadline, delay = wait.clock() + wait.timeout, 0.2
    while environment.get("state") == "stopping":  # on_stop jobs of the project's CI are running
        if wait.clock() >= deadline:
            raise ProviderError(
                f"environment {name} is still stopping after {wait.timeout:.0f}s",
                provider="gitlab",
                hint="see its stop job in GitLab; run the command again",
            )
        wait.sleep(delay)
        delay = min(delay * 2, 2.0)
        environment = http.request("GET", base, action=f"read environment {name}").json()
    http.request("DELETE", base, allow={404}, action=f"delete environment {name}")
    return writes + 1
