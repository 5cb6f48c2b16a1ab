"""GitLab environment details: tiers, masked values, protected environments and their approvers.

A protected environment (GitLab Premium and Ultimate) lets only Maintainers deploy and, with
``approval_rules``, asks the spec's reviewers to approve each deployment (users by username,
teams as groups: a name without ``/`` is a subgroup of the project's top-level group). Where
the API is missing (GitLab Free: 403, Community Edition: 404), the protection is left out with
a note in the plan. GitLab has no per-environment wait timer, self-review switch or branch
policy: those settings are noted, not applied.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from platformctl.contracts.environment_fields import Protection
from platformctl.contracts.environments import EnvironmentSpec
from platformctl.errors import ConfigError
from platformctl.providers.http import HttpClient
from platformctl.providers.remote_environments import sorted_reviewers

TIERS = ("production", "staging", "testing", "development", "other")
MAINTAINER = 40
_MASKABLE = re.compile(r"^\S{8,}$")
_NOT_APPLIED = {
    "wait_timer": "protection.wait_timer has no GitLab equivalent; not applied",
    "prevent_self_review": "protection.prevent_self_review is not a per-environment setting at GitLab; "
    "not applied",
    "branches": "protection.branches: GitLab limits deployments through protected branches, not per "
    "environment; not applied",
}
UNAVAILABLE = "protection not applied: protected environments need GitLab Premium or Ultimate"


def tier_for(spec: EnvironmentSpec) -> str:
    """The deployment tier: the class when it is a tier name, production for production classes."""
    if spec.production:
        return "production"
    if spec.environment_class in TIERS:
        return spec.environment_class
    return "development" if spec.environment_class == "preview" else "other"


def check_maskable(spec: EnvironmentSpec) -> None:
    """Secrets become masked variables; GitLab masks only values of 8+ characters without spaces.

    Raises:
        ConfigError: a value GitLab would refuse to mask (the value itself is never shown).
    """
    for secret in spec.secrets.values():
        if secret.value is not None and not _MASKABLE.match(secret.value):
            raise ConfigError(
                f"secret {secret.name} cannot be masked by GitLab: a masked value needs at "
                "least 8 characters and no spaces or line breaks",
                hint="use a longer value without whitespace (e.g. base64 of the secret)",
            )


def notes_for(protection: Protection | None, available: bool) -> tuple[str, ...]:
    """What of the spec's protection GitLab will not apply."""
    if protection is None:
        return ()
    named = protection.model_dump(exclude_none=True)
    notes = [_NOT_APPLIED[k] for k in ("wait_timer", "prevent_self_review", "branches") if k in named]
    return tuple(notes if available else [UNAVAILABLE, *notes])


class GitLabProtection:
    """The protected environment of one environment of one project."""

    def __init__(self, http: HttpClient, project_id: int, project_path: str) -> None:
        self.http = http
        self.base = f"/projects/{project_id}/protected_environments"
        self.top_group = project_path.split("/", 1)[0]
        self.available: bool | None = None
        self.ids: dict[tuple[str, str], int] = {}

    def read(self, name: str) -> dict[str, Any] | None:
        """The protected environment ``name``, or None (also when the API is unavailable)."""
        response = self.http.request(
            "GET",
            self.base,
            params={"per_page": 100},
            allow={403, 404},
            action="list the protected environments",
        )
        self.available = response.status_code == 200
        if not self.available:
            return None
        return next((p for p in response.json() if p.get("name") == name), None)

    def resolve(self, protection: Protection | None) -> None:
        """Find the ids of the spec's reviewers (users by username, teams as groups).

        Raises:
            ConfigError: a reviewer GitLab does not know.
        """
        for reviewer in sorted_reviewers(
            (protection.model_dump(exclude_none=True) if protection else {}).get("reviewers") or []
        ):
            kind, name = ("team", reviewer["team"]) if "team" in reviewer else ("user", reviewer["user"])
            if (kind, name) in self.ids:
                continue
            if kind == "user":
                found = self.http.request(
                    "GET", "/users", params={"username": name}, action=f"find user {name}"
                ).json()
                ident = found[0]["id"] if found else None
            else:
                path = self.group_path(name)
                response = self.http.request(
                    "GET", f"/groups/{quote(path, safe='')}", allow={404}, action=f"read group {path}"
                )
                ident = response.json()["id"] if response.status_code == 200 else None
            if ident is None:
                raise ConfigError(
                    f"reviewer {kind} {name} does not exist at GitLab (or the token cannot see it)",
                    hint="check protection.reviewers in platform.yaml or the environment class",
                )
            self.ids[(kind, name)] = int(ident)

    def group_path(self, team: str) -> str:
        """A team's group: its full path, or a subgroup of the project's top-level group."""
        return team if "/" in team else f"{self.top_group}/{team}"

    def fields(self, current: Mapping[str, Any]) -> dict[str, Any]:
        """The spec's view of a protected environment: who approves deployments."""
        names = {(kind, ident): name for (kind, name), ident in self.ids.items()}
        reviewers = []
        for rule in current.get("approval_rules") or []:
            if rule.get("user_id"):
                reviewers.append({"user": names.get(("user", rule["user_id"]), f"id {rule['user_id']}")})
            elif rule.get("group_id"):
                reviewers.append({"team": names.get(("team", rule["group_id"]), f"id {rule['group_id']}")})
        return {"reviewers": sorted_reviewers(reviewers)}

    def create(self, name: str, reviewers: list[dict[str, str]]) -> None:
        """Protect ``name``: Maintainers deploy, each reviewer approves."""
        body = {
            "name": name,
            "deploy_access_levels": [{"access_level": MAINTAINER}],
            "approval_rules": [self._rule(r) for r in reviewers],
        }
        self.http.request("POST", self.base, json=body, action=f"protect environment {name}")

    def update(self, name: str, current: Mapping[str, Any], reviewers: list[dict[str, str]]) -> None:
        """Replace the approvers: remove rules of others (``_destroy``), add the missing ones."""
        wanted = {self._owner(self._rule(r)): self._rule(r) for r in reviewers}
        present = {
            self._owner(rule): rule
            for rule in current.get("approval_rules") or []
            if rule.get("user_id") or rule.get("group_id")
        }
        body = {
            "approval_rules": [
                {"id": rule["id"], "_destroy": True} for key, rule in present.items() if key not in wanted
            ]
            + [rule for key, rule in wanted.items() if key not in present]
        }
        self.http.request(
            "PUT",
            f"{self.base}/{quote(name, safe='')}",
            json=body,
            action=f"update the approvers of environment {name}",
        )

    def delete(self, name: str) -> None:
        """Unprotect ``name``."""
        self.http.request(
            "DELETE",
            f"{self.base}/{quote(name, safe='')}",
            allow={404},
            action=f"unprotect environment {name}",
        )

    def _rule(self, reviewer: Mapping[str, str]) -> dict[str, Any]:
        if "team" in reviewer:
            return {"group_id": self.ids[("team", reviewer["team"])], "required_approvals": 1}
        return {"user_id": self.ids[("user", reviewer["user"])], "required_approvals": 1}

    @staticmethod
    def _owner(rule: Mapping[str, Any]) -> tuple[str, int]:
        return ("group", int(rule["group_id"])) if rule.get("group_id") else ("user", int(rule["user_id"]))
