"""The GitLab fake's environments, protected environments, CI/CD variables and users.

Plugged into :class:`tests.fakes.gitlab.GitLabFake` through its route table; the fields each
write may carry are added to the fake's field check (an unknown field is a violation)::

    envs = add_environment_routes(gitlab)
    envs.premium = False          # protected environments answer 403, as on GitLab Free

Behaviour from GitLab's API docs (research/providers.md §3): environments are found with
``?name=``; only a stopped environment can be deleted (403 otherwise); ``stop`` answers the
environment (``stopping`` for ``stopping_reads`` reads when the project has stop jobs);
variables are keyed by (key, environment_scope): a second one of the same pair is
"has already been taken", and a request naming a key without ``filter[environment_scope]``
uses the only variable of that key or, when there are several, is refused with 409 asking for
the filter. Masked values must have 8+ characters and no whitespace (400 otherwise).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.fakes.base import Answer, Request, Response
from tests.fakes.gitlab import FIELDS

if TYPE_CHECKING:
    from tests.fakes.gitlab import GitLabFake, Project

P = "/api/v4/projects/{id}"
VARIABLE_FIELDS = {
    "key",
    "value",
    "environment_scope",
    "masked",
    "protected",
    "raw",
    "variable_type",
    "description",
    "masked_and_hidden",
}
ENVIRONMENT_FIELDS = {
    ("POST", f"{P}/environments"): {"name", "external_url", "tier", "description"},
    ("PUT", f"{P}/environments/{{environment_id}}"): {"external_url", "tier", "description"},
    ("POST", f"{P}/environments/{{environment_id}}/stop"): {"force"},
    ("POST", f"{P}/variables"): VARIABLE_FIELDS,
    ("PUT", f"{P}/variables/{{key}}"): VARIABLE_FIELDS - {"key"},
    ("POST", f"{P}/protected_environments"): {
        "name",
        "deploy_access_levels",
        "approval_rules",
        "required_approval_count",
    },
    ("PUT", f"{P}/protected_environments/{{name}}"): {
        "deploy_access_levels",
        "approval_rules",
        "required_approval_count",
    },
}
TIERS = ("production", "staging", "testing", "development", "other")
SCOPE = "filter[environment_scope]"
_KEY = re.compile(r"^[A-Za-z0-9_]{1,255}$")
_MASKABLE = re.compile(r"^\S{8,}$")
STAMP = "2026-01-01T00:00:00.000Z"


def add_environment_routes(fake: GitLabFake) -> EnvironmentRoutes:
    """Register the routes on ``fake`` and their fields in its check; return their state."""
    FIELDS.update(ENVIRONMENT_FIELDS)
    routes = EnvironmentRoutes(fake)
    routes.register()
    return routes


class EnvironmentRoutes:
    """Handlers and state of the environment routes."""

    def __init__(self, fake: GitLabFake) -> None:
        self.fake = fake
        self.environments: dict[int, list[dict[str, Any]]] = {}
        self.variables: dict[int, list[dict[str, Any]]] = {}
        self.protected: dict[int, dict[str, dict[str, Any]]] = {}
        self.users: dict[str, int] = {}
        self.premium = True
        self.stopping_reads = 0

    def register(self) -> None:
        """Put the routes in the fake's table."""
        add = self.fake.add_route
        add("GET", "/api/v4/users", self.find_users)
        add("GET", f"{P}/environments", self.list_environments)
        add("POST", f"{P}/environments", self.create_environment)
        one = f"{P}/environments/{{environment_id}}"
        add("GET", one, self.get_environment)
        add("PUT", one, self.update_environment)
        add("POST", f"{one}/stop", self.stop_environment)
        add("DELETE", one, self.delete_environment)
        add("GET", f"{P}/variables", self.list_variables)
        add("POST", f"{P}/variables", self.create_variable)
        add("GET", f"{P}/variables/{{key}}", self.get_variable)
        add("PUT", f"{P}/variables/{{key}}", self.update_variable)
        add("DELETE", f"{P}/variables/{{key}}", self.delete_variable)
        add("GET", f"{P}/protected_environments", self.list_protected)
        add("POST", f"{P}/protected_environments", self.protect)
        add("GET", f"{P}/protected_environments/{{name}}", self.get_protected)
        add("PUT", f"{P}/protected_environments/{{name}}", self.update_protected)
        add("DELETE", f"{P}/protected_environments/{{name}}", self.unprotect)

    # -- helpers for tests -------------------------------------------------------------------------
    def environment(self, project: Project, name: str) -> dict[str, Any] | None:
        """An environment by name, or None."""
        return next((e for e in self.environments.get(project.id, []) if e["name"] == name), None)

    def variable(self, project: Project, key: str, scope: str) -> dict[str, Any] | None:
        """A variable by key and scope, or None."""
        return next(
            (
                v
                for v in self.variables.get(project.id, [])
                if v["key"] == key and v["environment_scope"] == scope
            ),
            None,
        )

    def add_variable(self, project: Project, key: str, value: str, scope: str = "*", **flags: Any) -> None:
        """A variable made by someone else."""
        self.variables.setdefault(project.id, []).append(_variable(key, value, scope, flags))

    # -- users ---------------------------------------------------------------------------------------
    def find_users(self, request: Request) -> Response:
        name = request.arg("username")
        return Response(
            200, [{"id": self.users[name], "username": name, "state": "active"}] if name in self.users else []
        )

    # -- environments ----------------------------------------------------------------------------------
    def list_environments(self, request: Request) -> Response:
        project = self.fake.project_or_404(request)
        found = self.environments.get(project.id, [])
        if request.arg("name") is not None:
            found = [e for e in found if e["name"] == request.arg("name")]
        return Response(200, [dict(e) for e in found])

    def create_environment(self, request: Request) -> Response:
        project = self.fake.project_or_404(request)
        body = request.json() or {}
        if not body.get("name"):
            return Response(400, {"error": "name is missing"})
        if body.get("tier", "other") not in TIERS:
            return Response(400, {"error": "tier does not have a valid value"})
        envs = self.environments.setdefault(project.id, [])
        if any(e["name"] == body["name"] for e in envs):
            return Response(400, {"message": {"name": ["has already been taken"]}})
        env = {
            "id": next(self.fake.ids),
            "name": body["name"],
            "slug": body["name"],
            "external_url": None,
            "state": "available",
            "tier": body.get("tier", "other"),
            "created_at": STAMP,
            "updated_at": STAMP,
        }
        envs.append(env)
        return Response(201, dict(env))

    def _environment(self, request: Request) -> tuple[Project, dict[str, Any]]:
        project = self.fake.project_or_404(request)
        env = next(
            (
                e
                for e in self.environments.get(project.id, [])
                if str(e["id"]) == request.params["environment_id"]
            ),
            None,
        )
        if env is None:
            raise Answer(Response(404, {"message": "404 Environment Not Found"}))
        return project, env

    def get_environment(self, request: Request) -> Response:
        env = self._environment(request)[1]
        if env["state"] == "stopping":
            self.stopping_reads -= 1
            if self.stopping_reads <= 0:
                env["state"] = "stopped"
        return Response(200, dict(env))

    def update_environment(self, request: Request) -> Response:
        env = self._environment(request)[1]
        body = request.json() or {}
        if "tier" in body:
            if body["tier"] not in TIERS:
                return Response(400, {"error": "tier does not have a valid value"})
            env["tier"] = body["tier"]
        return Response(200, dict(env))

    def stop_environment(self, request: Request) -> Response:
        env = self._environment(request)[1]
        if env["state"] == "available":
            env["state"] = "stopping" if self.stopping_reads > 0 else "stopped"
        return Response(200, dict(env))

    def delete_environment(self, request: Request) -> Response:
        project, env = self._environment(request)
        if env["state"] != "stopped":
            return Response(403, {"message": "403 Forbidden"})
        self.environments[project.id].remove(env)
        return Response(204, None)

    # -- variables -----------------------------------------------------------------------------------
    def list_variables(self, request: Request) -> Response:
        project = self.fake.project_or_404(request)
        per_page = min(int(request.arg("per_page") or 20), 100)
        page = int(request.arg("page") or 1)
        items = self.variables.get(project.id, [])
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {"X-Page": str(page), "X-Per-Page": str(per_page), "X-Total": str(len(items))}
        if page * per_page < len(items):
            url = f"{self.fake.web_url(request)}{request.raw_path}?per_page={per_page}&page={page + 1}"
            headers["Link"] = f'<{url}>; rel="next"'
            headers["X-Next-Page"] = str(page + 1)
        return Response(200, [_public(v) for v in chunk], headers)

    def create_variable(self, request: Request) -> Response:
        project = self.fake.project_or_404(request)
        body = request.json() or {}
        key, scope = body.get("key", ""), body.get("environment_scope", "*")
        if not _KEY.match(key) or "value" not in body:
            return Response(400, {"message": {"key": ["can contain only letters, digits and '_'."]}})
        if self.variable(project, key, scope) is not None:
            return Response(400, {"message": {"key": [f"({key}) has already been taken"]}})
        if body.get("masked") and not _MASKABLE.match(body["value"]):
            return Response(400, {"message": {"value": ["is invalid"]}})
        flags = {k: body[k] for k in ("masked", "protected", "raw", "description") if k in body}
        variable = _variable(key, body["value"], scope, flags)
        self.variables.setdefault(project.id, []).append(variable)
        return Response(201, _public(variable))

    def _one_variable(self, request: Request) -> tuple[Project, dict[str, Any]]:
        """The variable a key (and scope filter) names; GitLab's rules when several share a key."""
        project = self.fake.project_or_404(request)
        key, scope = request.params["key"], request.arg(SCOPE)
        found = [
            v
            for v in self.variables.get(project.id, [])
            if v["key"] == key and (scope is None or v["environment_scope"] == scope)
        ]
        if not found:
            raise Answer(Response(404, {"message": "404 Variable Not Found"}))
        if len(found) > 1:
            raise Answer(
                Response(
                    409,
                    {
                        "message": "There are multiple variables with provided parameters. "
                        "Please use 'filter[environment_scope]'"
                    },
                )
            )
        return project, found[0]

    def get_variable(self, request: Request) -> Response:
        return Response(200, _public(self._one_variable(request)[1]))

    def update_variable(self, request: Request) -> Response:
        variable = self._one_variable(request)[1]
        body = request.json() or {}
        masked = body.get("masked", variable["masked"])
        value = body.get("value", variable["value"])
        if masked and not _MASKABLE.match(value):
            return Response(400, {"message": {"value": ["is invalid"]}})
        for key in ("value", "masked", "protected", "raw", "description", "environment_scope"):
            if key in body:
                variable[key] = body[key]
        return Response(200, _public(variable))

    def delete_variable(self, request: Request) -> Response:
        project, variable = self._one_variable(request)
        self.variables[project.id].remove(variable)
        return Response(204, None)

    # -- protected environments ------------------------------------------------------------------------
    def _licensed(self, request: Request) -> Project:
        project = self.fake.project_or_404(request)
        if not self.premium:
            raise Answer(Response(403, {"message": "403 Forbidden"}))
        return project

    def list_protected(self, request: Request) -> Response:
        project = self._licensed(request)
        return Response(200, list(self.protected.get(project.id, {}).values()))

    def get_protected(self, request: Request) -> Response:
        project = self._licensed(request)
        found = self.protected.get(project.id, {}).get(request.params["name"])
        return Response(200, found) if found else Response(404, {"message": "404 Not found"})

    def protect(self, request: Request) -> Response:
        project = self._licensed(request)
        body = request.json() or {}
        mine = self.protected.setdefault(project.id, {})
        if not body.get("name") or not body.get("deploy_access_levels"):
            return Response(400, {"error": "deploy_access_levels is missing"})
        if body["name"] in mine:
            return Response(409, {"message": "Protected environment already exists"})
        mine[body["name"]] = {
            "name": body["name"],
            "deploy_access_levels": [
                {"id": next(self.fake.ids), **self._access(level)} for level in body["deploy_access_levels"]
            ],
            "required_approval_count": 0,
            "approval_rules": [],
        }
        self._add_rules(mine[body["name"]], body.get("approval_rules") or [])
        return Response(201, mine[body["name"]])

    def update_protected(self, request: Request) -> Response:
        project = self._licensed(request)
        found = self.protected.get(project.id, {}).get(request.params["name"])
        if found is None:
            return Response(404, {"message": "404 Not found"})
        body = request.json() or {}
        drop = {r["id"] for r in body.get("approval_rules") or [] if r.get("_destroy")}
        unknown = drop - {r["id"] for r in found["approval_rules"]}
        if unknown:
            return Response(400, {"message": f"approval rule {sorted(unknown)[0]} does not exist"})
        found["approval_rules"] = [r for r in found["approval_rules"] if r["id"] not in drop]
        self._add_rules(found, [r for r in body.get("approval_rules") or [] if not r.get("_destroy")])
        return Response(200, found)

    def unprotect(self, request: Request) -> Response:
        project = self._licensed(request)
        if self.protected.get(project.id, {}).pop(request.params["name"], None) is None:
            return Response(404, {"message": "404 Not found"})
        return Response(204, None)

    def _add_rules(self, protected: dict[str, Any], rules: list[dict[str, Any]]) -> None:
        for rule in rules:
            protected["approval_rules"].append(
                {
                    "id": next(self.fake.ids),
                    **self._access(rule),
                    "required_approvals": rule.get("required_approvals", 1),
                    "group_inheritance_type": 0,
                }
            )

    @staticmethod
    def _access(entry: dict[str, Any]) -> dict[str, Any]:
        level = entry.get("access_level")
        return {
            "access_level": level,
            "access_level_description": {40: "Maintainers"}.get(level, "someone"),
            "user_id": entry.get("user_id"),
            "group_id": entry.get("group_id"),
        }


def _variable(key: str, value: str, scope: str, flags: dict[str, Any]) -> dict[str, Any]:
    return {
        "variable_type": "env_var",
        "key": key,
        "value": value,
        "environment_scope": scope,
        "masked": bool(flags.get("masked")),
        "protected": bool(flags.get("protected")),
        "raw": bool(flags.get("raw")),
        "hidden": False,
        "description": flags.get("description"),
    }


def _public(variable: dict[str, Any]) -> dict[str, Any]:
    return dict(variable)
