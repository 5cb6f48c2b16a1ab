"""The GitHub fake's repository routes: users, repositories, topics, teams, rulesets, protection.

Also the example of adding routes to the fake from another module (see tests.fakes.base).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.fakes.base import Answer, Request, Response
from tests.fakes.github import DOCS, Repo, error

if TYPE_CHECKING:
    from tests.fakes.github import GitHubFake

UPGRADE = "Upgrade to GitHub Pro or make this repository public to enable this feature."
PERMISSIONS = ("pull", "triage", "push", "maintain", "admin")
ROLE_NAMES = {"pull": "read", "push": "write"}
_TOPIC = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
STAMP = "2026-01-01T00:00:00Z"


def add_repository_routes(fake: GitHubFake) -> None:
    """Register every repository route on ``fake``."""
    RepositoryRoutes(fake).register()


class RepositoryRoutes:
    """Handlers of the repository routes, over the fake's state."""

    def __init__(self, fake: GitHubFake) -> None:
        self.fake = fake

    def register(self) -> None:
        """Put the routes in the fake's table, each with the permission it needs."""
        owner_repo = "/repos/{owner}/{repo}"
        self.fake.add_route("GET", "/user", self.get_user)
        self.fake.add_route("GET", "/rate_limit", self.rate_limit)
        self.fake.add_route("POST", "/orgs/{org}/repos", self.create_in_org, "administration=write")
        self.fake.add_route("POST", "/user/repos", self.create_for_user, "administration=write")
        self.fake.add_route("GET", owner_repo, self.get_repo, "metadata=read")
        self.fake.add_route("GET", f"{owner_repo}/topics", self.get_topics, "metadata=read")
        self.fake.add_route("PUT", f"{owner_repo}/topics", self.put_topics, "administration=write")
        team_repo = "/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}"
        self.fake.add_route("GET", team_repo, self.get_team_repo, "members=read")
        self.fake.add_route("PUT", team_repo, self.put_team_repo, "administration=write,members=read")
        self.fake.add_route("GET", f"{owner_repo}/rulesets", self.list_rulesets, "metadata=read")
        self.fake.add_route("POST", f"{owner_repo}/rulesets", self.create_ruleset, "administration=write")
        ruleset = f"{owner_repo}/rulesets/{{ruleset_id}}"
        self.fake.add_route("GET", ruleset, self.get_ruleset, "metadata=read")
        self.fake.add_route("PUT", ruleset, self.put_ruleset, "administration=write")
        self.fake.add_route("DELETE", ruleset, self.delete_ruleset, "administration=write")
        protection = f"{owner_repo}/branches/{{branch}}/protection"
        self.fake.add_route("GET", protection, self.get_protection, "administration=read")
        self.fake.add_route("PUT", protection, self.put_protection, "administration=write")

    def create_for_user(self, request: Request) -> Response:
        return self.create(request, request.environ["fake.login"], "User")

    def repo_of(self, request: Request) -> Repo:
        repo = self.fake.repo(request.params["owner"], request.params["repo"])
        if repo is None:
            raise Answer(error(404, "Not Found"))
        return repo

    def plan_gate(self, repo: Repo) -> None:
        org = self.fake.orgs.get(repo.owner.lower())
        plan = org.plan if org else self.fake.users.get(repo.owner, "free")
        if repo.private and plan == "free":
            raise Answer(error(403, UPGRADE))

    def get_user(self, request: Request) -> Response:
        login = request.environ["fake.login"]
        return Response(
            200,
            {"login": login, "id": 1, "type": "User", "html_url": f"{self.fake.base_url(request)}/{login}"},
        )

    def create(self, request: Request, owner: str, owner_type: str) -> Response:
        body = request.json()
        if self.fake.repo(owner, body["name"]) is not None:
            clash = {
                "resource": "Repository",
                "code": "custom",
                "field": "name",
                "message": "name already exists on this account",
            }
            return error(422, "Repository creation failed.", [clash])
        visibility = body.get("visibility") or ("private" if body.get("private") else "public")
        repo = Repo(
            next(self.fake.ids),
            owner,
            body["name"],
            visibility,
            body.get("description"),
            owner_type=owner_type,
        )
        self.fake.repos[(owner.lower(), repo.name.lower())] = repo
        self.fake.git.create(repo.full_name)
        repo.hidden = self.fake.lag
        return Response(
            201,
            repository_json(repo, self.fake.base_url(request)),
            {"Location": f"{self.fake.base_url(request)}/repos/{repo.full_name}"},
        )

    def create_in_org(self, request: Request) -> Response:
        org = self.fake.orgs.get(request.params["org"].lower())
        if org is None:
            return error(404, "Not Found")
        return self.create(request, org.login, "Organization")

    def get_repo(self, request: Request) -> Response:
        return Response(200, repository_json(self.repo_of(request), self.fake.base_url(request)))

    def get_topics(self, request: Request) -> Response:
        return Response(200, {"names": self.repo_of(request).topics})

    def put_topics(self, request: Request) -> Response:
        repo = self.repo_of(request)
        names = [n.lower() for n in request.json()["names"]]
        bad = [n for n in names if not _TOPIC.match(n)]
        if bad:
            message = f"Topics must start with a lowercase letter or number: {bad[0]}"
            return Response(
                422, {"message": "Validation Failed", "documentation_url": DOCS, "errors": [message]}
            )
        repo.topics = sorted(set(names))
        return Response(200, {"names": repo.topics})

    def team_of(self, request: Request) -> dict[str, Any]:
        org = self.fake.orgs.get(request.params["org"].lower())
        team = org.teams.get(request.params["team_slug"]) if org else None
        if team is None:
            raise Answer(error(404, "Not Found"))
        return team

    def get_team_repo(self, request: Request) -> Response:
        team, repo = self.team_of(request), self.repo_of(request)
        permission = repo.teams.get(team["slug"])
        if permission is None:
            return Response(404, None)
        if "application/vnd.github.v3.repository+json" not in request.headers.get("accept", ""):
            return Response(204, None)
        levels = PERMISSIONS[: PERMISSIONS.index(permission) + 1] if permission in PERMISSIONS else ("pull",)
        return Response(
            200,
            {
                **repository_json(repo, self.fake.base_url(request)),
                "role_name": ROLE_NAMES.get(permission, permission),
                "permissions": {p: p in levels for p in PERMISSIONS},
            },
        )

    def put_team_repo(self, request: Request) -> Response:
        team, repo = self.team_of(request), self.repo_of(request)
        if repo.owner.lower() != request.params["org"].lower():
            problem = {
                "resource": "TeamRepository",
                "code": "custom",
                "message": "Repository must be owned by the organization",
            }
            return error(422, "Validation Failed", [problem])
        permission = (request.json() or {}).get("permission", "pull")
        if permission not in PERMISSIONS:
            return error(
                422,
                "Validation Failed",
                [{"resource": "TeamRepository", "code": "invalid", "field": "permission"}],
            )
        repo.teams[team["slug"]] = permission
        return Response(204, None)

    def rulesets_of(self, request: Request) -> Repo:
        repo = self.repo_of(request)
        if not self.fake.rulesets_available:
            raise Answer(error(404, "Not Found"))
        return repo

    def list_rulesets(self, request: Request) -> Response:
        repo = self.rulesets_of(request)
        per_page = min(int(request.arg("per_page") or 30), 100)
        page = int(request.arg("page") or 1)
        items = sorted(repo.rulesets.values(), key=lambda r: r["id"])
        chunk = items[(page - 1) * per_page : page * per_page]
        summary = [{k: v for k, v in r.items() if k not in ("rules", "conditions")} for r in chunk]
        last = max(1, -(-len(items) // per_page))
        headers = {}
        if page < last:
            base = f"{self.fake.base_url(request)}/repositories/{repo.id}/rulesets?per_page={per_page}"
            headers["Link"] = f'<{base}&page={page + 1}>; rel="next", <{base}&page={last}>; rel="last"'
        return Response(200, summary, headers)

    def create_ruleset(self, request: Request) -> Response:
        repo = self.rulesets_of(request)
        self.plan_gate(repo)
        body = request.json()
        if any(r["name"] == body["name"] for r in repo.rulesets.values()):
            return Response(
                422,
                {
                    "message": "Validation Failed",
                    "errors": ["Name must be unique"],
                    "documentation_url": DOCS,
                    "status": "422",
                },
            )
        ruleset = stored_ruleset(next(self.fake.ids), repo, body, self.fake.base_url(request))
        repo.rulesets[ruleset["id"]] = ruleset
        return Response(201, ruleset)

    def ruleset_of(self, request: Request) -> tuple[Repo, dict[str, Any]]:
        repo = self.rulesets_of(request)
        ruleset = repo.rulesets.get(int(request.params["ruleset_id"]))
        if ruleset is None:
            raise Answer(error(404, "Not Found"))
        return repo, ruleset

    def get_ruleset(self, request: Request) -> Response:
        return Response(200, self.ruleset_of(request)[1])

    def put_ruleset(self, request: Request) -> Response:
        repo, ruleset = self.ruleset_of(request)
        self.plan_gate(repo)
        merged = {**ruleset, **request.json()}
        updated = stored_ruleset(ruleset["id"], repo, merged, self.fake.base_url(request))
        repo.rulesets[ruleset["id"]] = updated
        return Response(200, updated)

    def delete_ruleset(self, request: Request) -> Response:
        repo, ruleset = self.ruleset_of(request)
        del repo.rulesets[ruleset["id"]]
        return Response(204, None)

    def branch_of(self, request: Request) -> tuple[Repo, str]:
        repo, branch = self.repo_of(request), request.params["branch"]
        if self.fake.git.head(repo.full_name, branch) is None:
            raise Answer(error(404, "Branch not found"))
        return repo, branch

    def get_protection(self, request: Request) -> Response:
        repo, branch = self.branch_of(request)
        if branch not in repo.protection:
            return error(404, "Branch not protected")
        return Response(200, repo.protection[branch])

    def put_protection(self, request: Request) -> Response:
        repo, branch = self.branch_of(request)
        self.plan_gate(repo)
        body = request.json()
        url = f"{self.fake.base_url(request)}/repos/{repo.full_name}/branches/{branch}/protection"
        stored: dict[str, Any] = {
            "url": url,
            "enforce_admins": {"url": url + "/enforce_admins", "enabled": bool(body["enforce_admins"])},
            "allow_force_pushes": {"enabled": bool(body.get("allow_force_pushes"))},
            "allow_deletions": {"enabled": bool(body.get("allow_deletions"))},
        }
        if body["required_pull_request_reviews"] is not None:
            stored["required_pull_request_reviews"] = {
                "url": url + "/required_pull_request_reviews",
                "dismiss_stale_reviews": False,
                "require_code_owner_reviews": False,
                **body["required_pull_request_reviews"],
            }
        if body["required_status_checks"] is not None:
            stored["required_status_checks"] = {**body["required_status_checks"], "checks": []}
        repo.protection[branch] = stored
        return Response(200, stored)

    def rate_limit(self, request: Request) -> Response:
        core = {
            "limit": 5000,
            "remaining": self.fake.remaining,
            "used": 5000 - self.fake.remaining,
            "reset": self.fake.reset_at,
        }
        return Response(200, {"resources": {"core": core}, "rate": core})


def repository_json(repo: Repo, base: str) -> dict[str, Any]:
    """The full-repository shape, the fields a client may read."""
    html = f"{base}/{repo.full_name}"
    return {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": {"login": repo.owner, "id": 1, "type": repo.owner_type, "html_url": f"{base}/{repo.owner}"},
        "private": repo.private,
        "visibility": repo.visibility,
        "description": repo.description,
        "fork": False,
        "url": f"{base}/repos/{repo.full_name}",
        "html_url": html,
        "clone_url": f"{html}.git",
        "git_url": f"git://{base.split('://')[1]}/{repo.full_name}.git",
        "ssh_url": f"git@{base.split('://')[1]}:{repo.full_name}.git",
        "default_branch": repo.default_branch,
        "topics": list(repo.topics),
        "archived": repo.archived,
        "disabled": False,
        "is_template": False,
        "has_issues": True,
        "has_projects": True,
        "has_wiki": True,
        "has_discussions": False,
        "created_at": STAMP,
        "updated_at": STAMP,
        "pushed_at": STAMP,
        "permissions": {"admin": True, "maintain": True, "push": True, "triage": True, "pull": True},
    }


def stored_ruleset(ruleset_id: int, repo: Repo, body: dict[str, Any], base: str) -> dict[str, Any]:
    """A ruleset as GitHub keeps and returns it (defaults filled in, as GitHub does)."""
    rules = []
    for rule in body.get("rules") or []:
        if rule.get("type") == "pull_request":
            defaults = {"allowed_merge_methods": ["merge", "squash", "rebase"]}
            rules.append({**rule, "parameters": {**defaults, **rule.get("parameters", {})}})
        else:
            rules.append(rule)
    return {
        "id": ruleset_id,
        "name": body["name"],
        "target": body.get("target", "branch"),
        "source_type": "Repository",
        "source": repo.full_name,
        "enforcement": body["enforcement"],
        "bypass_actors": body.get("bypass_actors") or [],
        "current_user_can_bypass": "never",
        "node_id": f"RRS_{ruleset_id}",
        "conditions": body.get("conditions") or {},
        "rules": rules,
        "_links": {"self": {"href": f"{base}/repos/{repo.full_name}/rulesets/{ruleset_id}"}},
        "created_at": STAMP,
        "updated_at": STAMP,
    }
