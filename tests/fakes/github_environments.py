"""The GitHub fake's deployment environments: protection, branch patterns, secrets, variables.

Plugged into :class:`tests.fakes.github.GitHubFake` through its route table (every request is
still checked against the OpenAPI description first)::

    envs = add_environment_routes(github)
    envs.open_secret("acme/payments", "staging", "DB_PASSWORD")   # decrypts with the fake's key

Behaviour as documented by GitHub and observed by others (see research/providers.md §1):
a ``PUT`` of an environment keeps the settings it does not name; reviewers and wait timers on
a private repository need an ``enterprise`` plan (else 422 "billing plan"); variable and
secret names are stored upper case and matched without case; creating an existing variable is
a 409; a branch pattern that exists answers 303 to it; secrets are stored only as the sealed
box the client sent (the fake holds the private key, so tests can open them). Times advance by
one second per write, so ``updated_at`` tells writes apart.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tests.fakes.base import Answer, Request, Response
from tests.fakes.github import error
from tests.fakes.github_env_values import ValueRoutes

if TYPE_CHECKING:
    from tests.fakes.github import GitHubFake, Repo

GATED = "Fail to create protected rule, please ensure billing plan include protected branch gate"
UPGRADE = "Upgrade to GitHub Pro or make this repository public to enable this feature."
ENV = "/repos/{owner}/{repo}/environments/{environment_name}"


@dataclass
class Environment:
    """One deployment environment."""

    id: int
    name: str
    created_at: str
    updated_at: str
    wait_timer: int = 0
    prevent_self_review: bool = False
    reviewers: list[tuple[str, int]] = field(default_factory=list)
    branch_policy: dict[str, bool] | None = None
    policies: dict[int, str] = field(default_factory=dict)
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    variables: dict[str, dict[str, str]] = field(default_factory=dict)


def add_environment_routes(fake: GitHubFake) -> EnvironmentRoutes:
    """Register the environment routes on ``fake``; return their state."""
    routes = EnvironmentRoutes(fake)
    routes.register()
    return routes


class EnvironmentRoutes(ValueRoutes):
    """Handlers and state of the environment routes."""

    def __init__(self, fake: GitHubFake) -> None:
        from nacl.public import PrivateKey

        self.fake = fake
        self.environments: dict[tuple[str, str], Environment] = {}
        self.people: dict[str, int] = {}
        self.private_key = PrivateKey.generate()
        self._clock = itertools.count()

    def register(self) -> None:
        """Put the routes in the fake's table, each with the permission it needs."""
        add = self.fake.add_route
        add("GET", "/users/{username}", self.get_user)
        add("GET", "/orgs/{org}/teams/{team_slug}", self.get_team, "members=read")
        add("GET", "/repos/{owner}/{repo}/environments", self.list_environments, "metadata=read")
        add("GET", ENV, self.get_environment, "metadata=read")
        add("PUT", ENV, self.put_environment, "administration=write")
        add("DELETE", ENV, self.delete_environment, "administration=write")
        policies = f"{ENV}/deployment-branch-policies"
        add("GET", policies, self.list_policies, "metadata=read")
        add("POST", policies, self.create_policy, "administration=write")
        add("GET", f"{policies}/{{branch_policy_id}}", self.get_policy, "metadata=read")
        add("DELETE", f"{policies}/{{branch_policy_id}}", self.delete_policy, "administration=write")
        add("GET", f"{ENV}/secrets/public-key", self.public_key, "secrets=read")
        add("GET", f"{ENV}/secrets", self.list_secrets, "secrets=read")
        add("PUT", f"{ENV}/secrets/{{secret_name}}", self.put_secret, "secrets=write")
        add("DELETE", f"{ENV}/secrets/{{secret_name}}", self.delete_secret, "secrets=write")
        add("GET", f"{ENV}/variables", self.list_variables, "environments=read")
        add("POST", f"{ENV}/variables", self.create_variable, "environments=write")
        add("GET", f"{ENV}/variables/{{name}}", self.get_variable, "environments=read")
        add("PATCH", f"{ENV}/variables/{{name}}", self.update_variable, "environments=write")
        add("DELETE", f"{ENV}/variables/{{name}}", self.delete_variable, "environments=write")

    # -- helpers for tests -----------------------------------------------------------------------
    def environment(self, slug: str, name: str) -> Environment | None:
        """One environment's state, or None."""
        return self.environments.get((slug.lower(), name))

    def open_secret(self, slug: str, environment: str, name: str) -> str:
        """The plaintext of a stored secret, opened with the fake's private key."""
        from nacl.public import SealedBox

        sealed = self.environments[(slug.lower(), environment)].secrets[name.upper()]["encrypted_value"]
        return SealedBox(self.private_key).decrypt(base64.b64decode(sealed)).decode()

    def _now(self) -> str:
        moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=next(self._clock))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _repo(self, request: Request) -> Repo:
        repo = self.fake.repo(request.params["owner"], request.params["repo"])
        if repo is None:
            raise Answer(error(404, "Not Found"))
        return repo

    def _env(self, request: Request) -> Environment:
        repo = self._repo(request)
        env = self.environments.get((repo.full_name.lower(), request.params["environment_name"]))
        if env is None:
            raise Answer(error(404, "Not Found"))
        return env

    def _plan(self, repo: Repo) -> str:
        org = self.fake.orgs.get(repo.owner.lower())
        return org.plan if org else self.fake.users.get(repo.owner, "free")

    # -- people ----------------------------------------------------------------------------------
    def get_user(self, request: Request) -> Response:
        login = request.params["username"]
        if login not in self.people:
            return error(404, "Not Found")
        return Response(200, {"login": login, "id": self.people[login], "type": "User"})

    def get_team(self, request: Request) -> Response:
        org = self.fake.orgs.get(request.params["org"].lower())
        team = org.teams.get(request.params["team_slug"]) if org else None
        if team is None:
            return error(404, "Not Found")
        return Response(200, {**team, "permission": "pull", "privacy": "closed"})

    def _reviewer(self, kind: str, ident: int) -> dict[str, Any]:
        if kind == "User":
            login = next((name for name, i in self.people.items() if i == ident), f"user{ident}")
            return {"type": "User", "reviewer": {"login": login, "id": ident, "type": "User"}}
        teams = [t for org in self.fake.orgs.values() for t in org.teams.values()]
        team = next((t for t in teams if t["id"] == ident), None)
        return {"type": "Team", "reviewer": team or {"id": ident, "slug": f"team{ident}"}}

    # -- environments -------------------------------------------------------------------------------
    def environment_json(self, repo: Repo, env: Environment) -> dict[str, Any]:
        """An environment as GitHub returns it."""
        rules: list[dict[str, Any]] = []
        if env.wait_timer:
            rules.append(
                {"id": env.id * 10 + 1, "node_id": "GA_w", "type": "wait_timer", "wait_timer": env.wait_timer}
            )
        if env.reviewers:
            rules.append(
                {
                    "id": env.id * 10 + 2,
                    "node_id": "GA_r",
                    "type": "required_reviewers",
                    "prevent_self_review": env.prevent_self_review,
                    "reviewers": [self._reviewer(kind, ident) for kind, ident in env.reviewers],
                }
            )
        if env.branch_policy is not None:
            rules.append({"id": env.id * 10 + 3, "node_id": "GA_b", "type": "branch_policy"})
        base = f"https://api.github.test/repos/{repo.full_name}/environments/{env.name}"
        return {
            "id": env.id,
            "node_id": f"EN_{env.id}",
            "name": env.name,
            "url": base,
            "html_url": f"https://github.test/{repo.full_name}/deployments/activity_log",
            "created_at": env.created_at,
            "updated_at": env.updated_at,
            "protection_rules": rules,
            "deployment_branch_policy": env.branch_policy,
        }

    def list_environments(self, request: Request) -> Response:
        repo = self._repo(request)
        found = [e for (slug, _), e in self.environments.items() if slug == repo.full_name.lower()]
        return Response(
            200, {"total_count": len(found), "environments": [self.environment_json(repo, e) for e in found]}
        )

    def get_environment(self, request: Request) -> Response:
        return Response(200, self.environment_json(self._repo(request), self._env(request)))

    def put_environment(self, request: Request) -> Response:
        repo = self._repo(request)
        body = request.json() or {}
        if repo.private and self._plan(repo) == "free":
            return error(403, UPGRADE)
        if repo.private and self._plan(repo) != "enterprise" and ({"wait_timer", "reviewers"} & set(body)):
            return error(422, GATED)
        key = (repo.full_name.lower(), request.params["environment_name"])
        now = self._now()
        env = self.environments.get(key) or Environment(next(self.fake.ids), key[1], now, now)
        if "wait_timer" in body:
            env.wait_timer = int(body["wait_timer"] or 0)
        if "prevent_self_review" in body:
            env.prevent_self_review = bool(body["prevent_self_review"])
        if "reviewers" in body:
            env.reviewers = [(r["type"], int(r["id"])) for r in body["reviewers"] or []]
        if "deployment_branch_policy" in body:
            policy = body["deployment_branch_policy"]
            if policy is not None and policy["protected_branches"] == policy["custom_branch_policies"]:
                return error(
                    422,
                    "Validation Failed",
                    [{"resource": "Environment", "code": "invalid", "field": "deployment_branch_policy"}],
                )
            if not (policy or {}).get("custom_branch_policies"):
                env.policies.clear()
            env.branch_policy = policy
        env.updated_at = now
        self.environments[key] = env
        return Response(200, self.environment_json(repo, env))

    def delete_environment(self, request: Request) -> Response:
        repo, env = self._repo(request), self._env(request)
        del self.environments[(repo.full_name.lower(), env.name)]
        return Response(204, None)

    # -- branch policies ----------------------------------------------------------------------------
    def _custom(self, request: Request) -> Environment:
        env = self._env(request)
        if not (env.branch_policy or {}).get("custom_branch_policies"):
            raise Answer(error(404, "Not Found"))
        return env

    def list_policies(self, request: Request) -> Response:
        env = self._custom(request)
        items = [_policy(i, n) for i, n in env.policies.items()]
        return Response(200, {"total_count": len(items), "branch_policies": items})

    def create_policy(self, request: Request) -> Response:
        env = self._custom(request)
        name = request.json()["name"]
        existing = next((i for i, n in env.policies.items() if n == name), None)
        if existing is not None:
            return Response(303, None, {"Location": f"{request.raw_path}/{existing}"})
        ident = next(self.fake.ids)
        env.policies[ident] = name
        return Response(200, _policy(ident, name))

    def get_policy(self, request: Request) -> Response:
        env = self._custom(request)
        ident = int(request.params["branch_policy_id"])
        if ident not in env.policies:
            return error(404, "Not Found")
        return Response(200, _policy(ident, env.policies[ident]))

    def delete_policy(self, request: Request) -> Response:
        env = self._custom(request)
        if env.policies.pop(int(request.params["branch_policy_id"]), None) is None:
            return error(404, "Not Found")
        return Response(204, None)


def _policy(ident: int, name: str) -> dict[str, Any]:
    return {"id": ident, "node_id": f"DBP_{ident}", "name": name, "type": "branch"}
