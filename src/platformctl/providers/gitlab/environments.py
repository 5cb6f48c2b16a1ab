"""The ``gitlab`` environment provider: environments of the service's project.

One GitLab environment per platformctl environment, with a deployment tier, in the project
named by the service descriptor (``repository.slug``). Variables and secrets are project CI/CD
variables scoped to the environment (``environment_scope``); secrets are masked and protected.
Every request naming one key carries ``filter[environment_scope]`` (see
:mod:`platformctl.providers.gitlab.variables`). Values are raw (no ``$`` expansion): what
platform.yaml says is what jobs get. Secrets are compared by the keyed hash of the value
GitLab returns, never shown.

platformctl's record (class, TTL, expiry, managed names) is the variable
``PLATFORMCTL_ENVIRONMENT`` of that scope (see :mod:`platformctl.providers.remote_environments`).
``env down`` stops the environment (GitLab deletes only stopped ones), deletes it, then its
protection and variables. The requests, in order, are listed in docs/environments.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from platformctl.contracts.environments import (
    EnvironmentSpec,
    EnvironmentSummary,
    Observed,
    Resource,
    ResourceChange,
)
from platformctl.errors import InputRequired, ProviderError
from platformctl.providers.gitlab import env_rules as rules
from platformctl.providers.gitlab.env_stop import Stopping, project_id, stop_and_delete
from platformctl.providers.gitlab.variables import delete_variable, set_variable
from platformctl.providers.http import HttpClient
from platformctl.providers.httperrors import translate
from platformctl.providers.remote_environments import (
    ENVIRONMENT,
    MARKER,
    PROTECTION,
    PROTECTION_NAME,
    check_names,
    check_owner,
    decode_marker,
    encode_marker,
    managed,
    marker_fields,
    marker_writes,
    meta_of,
    plan_fields,
    sorted_reviewers,
    summary_of,
)
from platformctl.redact import remember_secret

Fingerprint = Callable[[str, str, str, str], str]  # (service, environment, name, value) → keyed hash


@dataclass
class _Seen:
    environment: dict[str, Any] | None = None
    marker: dict[str, Any] | None = None
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    protected: dict[str, Any] | None = None


class GitLabEnvironments:
    """Environments of one GitLab project."""

    name = "gitlab"

    def __init__(
        self,
        http: HttpClient,
        project_path: str,
        fingerprint: Fingerprint,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        stop_timeout: float = 300.0,
    ) -> None:
        self.http = http
        self.project_path = project_path
        self.fingerprint = fingerprint
        self._stopping = Stopping(sleep, clock, stop_timeout)
        self._project: int | None = None
        self._protection: rules.GitLabProtection | None = None
        self._seen: dict[str, _Seen] = {}

    # -- reading -----------------------------------------------------------------------------
    def read(self, spec: EnvironmentSpec) -> Observed:
        """The environment and tier, its protection, and the variables platformctl manages."""
        check_names(spec, "GitLab")
        rules.check_maskable(spec)
        seen = self._read(spec.name)
        where = f"GitLab environment {spec.name} of {self.project_path}"
        check_owner(seen.marker, spec.service, where, self.name)
        protection = self._protection_api()
        if spec.protection is not None and protection.available:
            protection.resolve(spec.protection)
        notes = rules.notes_for(spec.protection, bool(protection.available))
        if seen.environment is None and seen.marker is None:
            return Observed(notes=notes)
        env = seen.environment or {}
        resources = [Resource(ENVIRONMENT, spec.name, {"tier": env.get("tier"), **plan_fields(seen.marker)})]
        if seen.protected is not None:
            resources.append(Resource(PROTECTION, PROTECTION_NAME, protection.fields(seen.protected)))
        resources += self._values(spec, seen)
        meta = meta_of(seen.marker, env.get("created_at")) if seen.marker else None
        return Observed(resources=resources, meta=meta, state=env.get("state", "partial"), notes=notes)

    def _read(self, name: str) -> _Seen:
        project = self._project_id()
        found = self.http.request(
            "GET",
            f"/projects/{project}/environments",
            params={"name": name},
            action=f"find environment {name} of {self.project_path}",
        ).json()
        environment = next((e for e in found if e.get("name") == name), None)
        scoped = {v["key"]: v for v in self._variables() if v.get("environment_scope") == name}
        marker = scoped.pop(MARKER, None)
        seen = _Seen(environment, decode_marker(marker["value"]) if marker else None, scoped)
        seen.protected = self._protection_api().read(name)
        self._seen[name] = seen
        return seen

    def _values(self, spec: EnvironmentSpec, seen: _Seen) -> list[Resource]:
        out = []
        variables, secrets = managed(seen.marker, spec, "variables"), managed(seen.marker, spec, "secrets")
        for key, var in seen.variables.items():
            if key in variables and key not in secrets:
                out.append(Resource("variable", key, {"value": var.get("value")}))
            elif key in secrets:
                value = var.get("value")
                if value is not None:
                    remember_secret(value)
                known = self.fingerprint(spec.service, spec.name, key, value) if value is not None else None
                out.append(
                    Resource(
                        "secret",
                        key,
                        {
                            "fingerprint": known,
                            "masked": bool(var.get("masked")),
                            "protected": bool(var.get("protected")),
                        },
                        secret=True,
                    )
                )
        return out

    def desired(self, spec: EnvironmentSpec, observed: Observed) -> list[Resource]:
        """Environment (tier and record), protection where available, variables, secrets."""
        out = [Resource(ENVIRONMENT, spec.name, {"tier": rules.tier_for(spec), **marker_fields(spec)})]
        current = next((dict(r.fields) for r in observed.resources if r.kind == PROTECTION), None)
        protection = self._protection_api()
        if spec.protection is not None and protection.available:
            reviewers = spec.protection.model_dump(exclude_none=True).get("reviewers")
            fields = (
                {"reviewers": (current or {"reviewers": []})["reviewers"]}
                if reviewers is None
                else {"reviewers": sorted_reviewers(reviewers)}
            )
            out.append(Resource(PROTECTION, PROTECTION_NAME, fields))
        elif current is not None:
            out.append(Resource(PROTECTION, PROTECTION_NAME, current))  # someone else's: kept as it is
        out += [Resource("variable", k, {"value": v}) for k, v in spec.variables.items()]
        out += [
            Resource(
                "secret",
                s.name,
                {"fingerprint": s.fingerprint, "masked": True, "protected": True},
                secret=True,
            )
            for s in spec.secrets.values()
        ]
        return out

    def list_environments(self, service: str) -> list[EnvironmentSummary]:
        """Environments whose record names ``service`` (also half-removed ones, to finish them)."""
        project = self._project_id()
        markers = {
            v["environment_scope"]: decode_marker(v.get("value"))
            for v in self._variables()
            if v.get("key") == MARKER
        }
        environments = {
            e["name"]: e
            for e in self.http.paginate(
                f"/projects/{project}/environments", action=f"list the environments of {self.project_path}"
            )
        }
        out = []
        for name, marker in sorted(markers.items()):
            if marker is not None and marker["service"] == service:
                env = environments.get(name) or {}
                out.append(
                    summary_of(
                        self.name, service, name, marker, env.get("state", "partial"), env.get("created_at")
                    )
                )
        return out

    def _variables(self) -> list[dict[str, Any]]:
        return list(
            self.http.paginate(
                f"/projects/{self._project_id()}/variables",
                action=f"list the CI/CD variables of {self.project_path}",
            )
        )

    def _project_id(self) -> int:
        if self._project is None:
            self._project = project_id(self.http, self.project_path, self.name)
        return self._project

    def _protection_api(self) -> rules.GitLabProtection:
        if self._protection is None:
            self._protection = rules.GitLabProtection(self.http, self._project_id(), self.project_path)
        return self._protection

    # -- writing -------------------------------------------------------------------------------
    def apply(self, spec: EnvironmentSpec, changes: Sequence[ResourceChange]) -> int:
        """Environment, record, protection, values, deletions, record again."""
        seen = self._seen.get(spec.name) or self._read(spec.name)
        writes = self._environment(spec, seen)
        interim, final = marker_writes(changes)
        if interim is not None:
            writes += self._set(
                spec.name, MARKER, encode_marker(spec.service, interim), exists=seen.marker is not None
            )
        for change in changes:
            if change.action not in ("create", "update"):
                continue
            if change.kind == PROTECTION:
                reviewers = list((change.after or {}).get("reviewers") or [])
                if seen.protected is None:
                    self._protection_api().create(spec.name, reviewers)
                else:
                    self._protection_api().update(spec.name, seen.protected, reviewers)
                writes += 1
            elif change.kind in ("variable", "secret"):
                writes += self._set_value(spec, change, exists=change.name in seen.variables)
        for change in changes:
            if change.action == "delete" and change.kind in ("variable", "secret"):
                writes += self._delete_variable(spec.name, change.name)
        if final is not None:
            writes += self._set(spec.name, MARKER, encode_marker(spec.service, final), exists=True)
        return writes

    def _environment(self, spec: EnvironmentSpec, seen: _Seen) -> int:
        tier = rules.tier_for(spec)
        project = self._project_id()
        if seen.environment is None:
            response = self.http.request(
                "POST",
                f"/projects/{project}/environments",
                allow={400},
                json={"name": spec.name, "tier": tier},
                action=f"create environment {spec.name}",
            )
            if response.status_code != 400:
                return 1
            seen.environment = self._read(spec.name).environment  # made meanwhile: read it, then tier
            if seen.environment is None:
                raise translate(
                    "GitLab", f"create environment {spec.name}", response, self.http.service.token_hint
                )
        if seen.environment.get("tier") == tier:
            return 0
        self.http.request(
            "PUT",
            f"/projects/{project}/environments/{seen.environment['id']}",
            json={"tier": tier},
            action=f"set the tier of environment {spec.name}",
        )
        return 1

    def _set_value(self, spec: EnvironmentSpec, change: ResourceChange, *, exists: bool) -> int:
        if change.kind == "variable":
            return self._set(spec.name, change.name, spec.variables[change.name], exists=exists)
        value = spec.secrets[change.name].value
        if value is None:
            raise InputRequired(
                f"secret {change.name} has no value to set", hint="give it a source: env, file or stdin"
            )
        return self._set(spec.name, change.name, value, exists=exists, secret=True)

    def _set(self, environment: str, key: str, value: str, *, exists: bool, secret: bool = False) -> int:
        return set_variable(
            self.http, self._project_id(), environment, key, value, exists=exists, secret=secret
        )

    def _delete_variable(self, environment: str, key: str) -> int:
        return delete_variable(self.http, self._project_id(), environment, key)

    def destroy(self, service: str, name: str) -> int:
        """Stop and delete the environment, then its protection, variables and record."""
        seen = self._seen.get(name) or self._read(name)  # read moments ago by the removal plan
        if seen.environment is None and seen.marker is None:
            return 0
        where = f"GitLab environment {name} of {self.project_path}"
        if seen.marker is None:
            raise ProviderError(
                f"{where} was not made by platformctl; leaving it as it is",
                provider=self.name,
                hint="delete it in the project's Operate > Environments if it should go",
            )
        check_owner(seen.marker, service, where, self.name)
        writes = 0
        if seen.environment:
            base = f"/projects/{self._project_id()}/environments/{seen.environment['id']}"
            writes = stop_and_delete(self.http, base, name, seen.environment, self._stopping)
        if seen.protected is not None:
            self._protection_api().delete(name)
            writes += 1
        names = set(seen.marker["variables"]) | set(seen.marker["secrets"])
        for key in sorted(names & set(seen.variables)):
            writes += self._delete_variable(name, key)
        return writes + self._delete_variable(name, MARKER)
