"""The ``github`` environment provider: deployment environments of the service's repository.

One GitHub environment per platformctl environment, in the repository named by the service
descriptor (``repository.slug``). platformctl keeps its own record in the environment variable
``PLATFORMCTL_ENVIRONMENT`` (see :mod:`platformctl.providers.remote_environments`); protection
is the environment's own settings plus branch name patterns; variables are environment
variables; secrets are environment secrets sealed for the environment's public key, known
afterwards only by the keyed hash recorded locally (:mod:`platformctl.providers.github.secret_state`).
GitHub folds variable and secret names to upper case: names are compared without case.

Every run reads first (environment, variables, secrets, branch patterns) and writes only what
differs; the requests, in order, are listed in docs/environments.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from platformctl.contracts.environments import (
    EnvironmentSpec,
    EnvironmentSummary,
    Observed,
    Resource,
    ResourceChange,
)
from platformctl.errors import PlatformctlError, ProviderError
from platformctl.providers.github import env_rules as rules
from platformctl.providers.github import env_values as values
from platformctl.providers.github.env_secrets import EnvironmentSecrets, environment_path
from platformctl.providers.github.secret_state import SecretFingerprints
from platformctl.providers.http import HttpClient
from platformctl.providers.remote_environments import (
    ENVIRONMENT,
    MARKER,
    PROTECTION,
    PROTECTION_NAME,
    check_names,
    check_owner,
    decode_marker,
    encode_marker,
    marker_fields,
    marker_writes,
    meta_of,
    plan_fields,
    summary_of,
)


@dataclass
class _Seen:
    """What the last read found of one environment (for the apply that follows)."""

    exists: bool = False
    marker: dict[str, Any] | None = None
    policies: dict[str, int] = field(default_factory=dict)
    variables: set[str] = field(default_factory=set)


class GitHubEnvironments:
    """Environments of one GitHub repository."""

    name = "github"

    def __init__(self, http: HttpClient, slug: str, fingerprints: SecretFingerprints, *, scope: str) -> None:
        self.http = http
        self.slug = slug
        self.owner = slug.split("/", 1)[0]
        self.fingerprints = fingerprints
        self.scope = scope
        self._seen: dict[str, _Seen] = {}
        self._private: bool | None = None
        self._reviewer_ids: dict[tuple[str, str], int] = {}
        self.secrets = EnvironmentSecrets(http, slug, fingerprints, scope=scope)

    def _path(self, environment: str, rest: str = "") -> str:
        return environment_path(self.slug, environment, rest)

    # -- reading -----------------------------------------------------------------------------
    def read(self, spec: EnvironmentSpec) -> Observed:
        """The environment, its protection, and the variables and secrets platformctl manages."""
        check_names(spec, "GitHub", upper=True, reserved_prefix="GITHUB_")
        name = spec.name
        response = self.http.request(
            "GET", self._path(name), allow={404}, action=f"read environment {name} of {self.slug}"
        )
        if response.status_code == 404:
            self._check_repository()
            self._seen[name] = _Seen()
            return Observed()
        environment = response.json()
        variables = values.list_variables(self.http, self.slug, name)
        marker = decode_marker(variables.pop(MARKER, None))
        check_owner(marker, spec.service, f"GitHub environment {name} of {self.slug}", self.name)
        secrets = values.list_secret_dates(self.http, self.slug, name)
        policies = rules.branch_policies(self.http, self.slug, name) if rules.is_custom(environment) else {}
        self._seen[name] = _Seen(True, marker, policies, set(variables))
        resources = [Resource(ENVIRONMENT, name, plan_fields(marker))]
        protection = rules.observed_protection(environment, list(policies))
        if spec.protection is not None or protection != rules.DEFAULTS:
            resources.append(Resource(PROTECTION, PROTECTION_NAME, protection))
        recorded = self.fingerprints.get(self.scope, spec.name)
        resources += values.value_resources(spec, marker, variables, secrets, recorded)
        meta = meta_of(marker, environment.get("created_at")) if marker else None
        return Observed(resources=resources, meta=meta, state="ready")

    def desired(self, spec: EnvironmentSpec, observed: Observed) -> list[Resource]:
        """The record, the protection (settings the spec names over GitHub's), variables, secrets."""
        out = [Resource(ENVIRONMENT, spec.name, marker_fields(spec))]
        current = next((dict(r.fields) for r in observed.resources if r.kind == PROTECTION), None)
        wanted = rules.user_set(spec.protection)
        if wanted or current is not None:
            fields = {**(current or {}), **wanted}
            if fields != current and "reviewers" in wanted:  # ids only to write; unknown names fail now
                self._reviewer_ids.update(rules.resolve_reviewers(self.http, self.owner, spec.protection))
            out.append(Resource(PROTECTION, PROTECTION_NAME, fields))
        out += [Resource("variable", k, {"value": v}) for k, v in spec.variables.items()]
        out += [
            Resource("secret", s.name, {"fingerprint": s.fingerprint}, secret=True)
            for s in spec.secrets.values()
        ]
        return out

    def list_environments(self, service: str) -> list[EnvironmentSummary]:
        """The repository's environments whose record names ``service``."""
        out = []
        for environment in self.http.paginate(
            f"/repos/{self.slug}/environments",
            key="environments",
            action=f"list the environments of {self.slug}",
        ):
            marker = self._marker(environment["name"])
            self._seen[environment["name"]] = _Seen(True, marker)
            if marker is not None and marker["service"] == service:
                out.append(
                    summary_of(
                        self.name,
                        service,
                        environment["name"],
                        marker,
                        "ready",
                        environment.get("created_at"),
                    )
                )
        return out

    def _marker(self, environment: str) -> dict[str, Any] | None:
        response = self.http.request(
            "GET",
            self._path(environment, f"/variables/{MARKER}"),
            allow={404},
            action=f"read platformctl's record of environment {environment}",
        )
        return None if response.status_code == 404 else decode_marker(response.json().get("value"))

    def _check_repository(self) -> None:
        if self._private is not None:
            return
        response = self.http.request(
            "GET", f"/repos/{self.slug}", action=f"read repository {self.slug}", allow={404}
        )
        if response.status_code == 404:
            raise ProviderError(
                f"repository {self.slug} (repository.slug in platform.yaml) is not at GitHub",
                hint="create it with 'platformctl new service', or check the slug and that "
                "the token can see the repository",
                provider=self.name,
                status=404,
            )
        self._private = bool(response.json().get("private"))

    # -- writing -------------------------------------------------------------------------------
    def apply(self, spec: EnvironmentSpec, changes: Sequence[ResourceChange]) -> int:
        """Environment and protection, record, branch patterns, values, deletions, record again."""
        seen = self._seen.get(spec.name) or _Seen()
        pending = {(c.kind, c.name): c for c in changes}
        writes = self._environment(spec, seen, pending.get((PROTECTION, PROTECTION_NAME)))
        interim, final = marker_writes(changes)
        if interim is not None:
            writes += self._write_marker(spec, interim, exists=seen.marker is not None)
        written: list[str] = []
        try:
            writes += self._write_values(spec, seen, changes, written)
        except PlatformctlError:
            with contextlib.suppress(PlatformctlError):  # what was set stays known; the first error wins
                self.secrets.record(spec, written)
            raise
        if final is not None:
            writes += self._write_marker(spec, final, exists=True)
        self.secrets.record(spec, written)
        return writes

    def _write_values(
        self, spec: EnvironmentSpec, seen: _Seen, changes: Sequence[ResourceChange], written: list[str]
    ) -> int:
        """Set variables and secrets, then delete the removed ones; ``written`` gets each secret set."""
        writes = 0
        for change in changes:
            if change.kind == "variable" and change.action in ("create", "update"):
                writes += self._set_variable(
                    spec.name,
                    change.name,
                    spec.variables[change.name],
                    exists=change.name.upper() in seen.variables,
                )
            elif change.kind == "secret" and change.action in ("create", "update"):
                writes += self.secrets.put(spec, change.name)
                written.append(change.name)
        for change in changes:
            if change.action == "delete" and change.kind in ("variable", "secret"):
                kind = "variables" if change.kind == "variable" else "secrets"
                self.http.request(
                    "DELETE",
                    self._path(spec.name, f"/{kind}/{quote(change.name)}"),
                    allow={404},
                    action=f"delete {change.kind} {change.name} of {spec.name}",
                )
                writes += 1
                if change.kind == "secret":
                    self.fingerprints.forget(self.scope, spec.name, [change.name])
        return writes

    def _environment(self, spec: EnvironmentSpec, seen: _Seen, protection: ResourceChange | None) -> int:
        body = None
        if protection is not None and protection.action in ("create", "update"):
            body = rules.environment_body(spec.protection, self._reviewer_ids)
        if seen.exists and body is None:
            return 0
        rules.put_environment(self.http, self.slug, spec.name, body or {}, self._private)
        writes = 1
        branches = rules.user_set(spec.protection).get("branches")
        if body is not None and isinstance(branches, list):
            writes += rules.sync_branch_policies(self.http, self.slug, spec.name, branches, seen.policies)
        return writes

    def _write_marker(self, spec: EnvironmentSpec, fields: dict[str, Any], *, exists: bool) -> int:
        return self._set_variable(spec.name, MARKER, encode_marker(spec.service, fields), exists=exists)

    def _set_variable(self, environment: str, name: str, value: str, *, exists: bool) -> int:
        """``POST`` a new variable (``PATCH`` on 409), ``PATCH`` an existing one (``POST`` on 404)."""
        base, body = self._path(environment, "/variables"), {"name": name, "value": value}
        action = f"set variable {name} of environment {environment}"
        first = ("PATCH", f"{base}/{quote(name)}", 404) if exists else ("POST", base, 409)
        response = self.http.request(first[0], first[1], json=body, action=action, allow={first[2]})
        if response.status_code != first[2]:
            return 1
        again = ("POST", base) if exists else ("PATCH", f"{base}/{quote(name)}")
        self.http.request(again[0], again[1], json=body, action=action)
        return 2

    def destroy(self, service: str, name: str) -> int:
        """``DELETE`` the environment (its variables, secrets and patterns go with it)."""
        seen = self._seen.get(name)  # read moments ago by the removal plan or the listing
        if seen is None:
            response = self.http.request(
                "GET", self._path(name), allow={404}, action=f"read environment {name} of {self.slug}"
            )
            found = response.status_code == 200
            seen = _Seen(found, self._marker(name) if found else None)
        if not seen.exists:
            return 0
        marker = seen.marker
        if marker is None:
            raise ProviderError(
                f"GitHub environment {name} of {self.slug} was not made by platformctl; leaving it as it is",
                provider=self.name,
                hint="delete it in the repository's settings if it should go",
            )
        check_owner(marker, service, f"GitHub environment {name} of {self.slug}", self.name)
        self.http.request("DELETE", self._path(name), allow={404}, action=f"delete environment {name}")
        self.fingerprints.forget(self.scope, name)
        return 1
