"""A stateful fake of GitHub's REST API and git hosting, checked against GitHub's OpenAPI description.

Every API request is validated against ``tests/specs/github/api.github.com.subset.json``
(path, method, query types, body with unknown fields rejected) before it reaches a handler,
or against ``ghes-3.19.subset.json`` when it came through ``/api/v3``: the fake answers a
GitHub Enterprise Server base URL (``http://HOST/api/v3``, git at ``http://HOST/OWNER/REPO.git``,
``Link`` pages under the prefix) as well as a GitHub.com one;
a departure is answered like GitHub (422 ``Invalid request``) and recorded in
:attr:`GitHubFake.violations`, which the fixtures require to be empty. Answers carry GitHub's
error shapes, ``x-ratelimit-*`` headers and ``Link`` pagination. Tokens have fine-grained
permissions (or classic scopes); a missing one is a 403 naming it in
``X-Accepted-GitHub-Permissions``. A repository's ``clone_url`` points at a real bare
repository this fake serves through ``git http-backend``.

Knobs: :attr:`lag` (a new repository answers 404 to that many requests after its creation),
:attr:`rulesets_available` (False: the rulesets API is missing, as on older GHES), org
``plan="free"`` (no rulesets or protection on private repositories), and :meth:`inject`
faults (:meth:`secondary_limit`, :meth:`burst`, connection resets).

Routes live in a table; see :mod:`tests.fakes.base` for adding your own and
:mod:`tests.fakes.github_routes` for the repository ones. Give a route its permission with
``add_route(method, template, handler, permission="environments=write")``.
"""

from __future__ import annotations

import functools
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakes.base import Answer, FakeApp, Fault, Request, Response
from tests.fakes.githttp import GIT_PATH, GitHttpBackend, basic_credentials, is_push
from tests.fakes.openapi import OpenApiDescription

SPEC = Path(__file__).resolve().parent.parent / "specs" / "github" / "api.github.com.subset.json"
GHES_SPEC = SPEC.with_name("ghes-3.19.subset.json")
GHES_PREFIX = "/api/v3"
DOCS = "https://docs.github.com/rest"
ALL_PERMISSIONS = {
    "administration": "write",
    "contents": "write",
    "metadata": "read",
    "members": "read",
    "environments": "write",
    "secrets": "write",
    "variables": "write",
    "actions": "write",
    "pull_requests": "write",
    "issues": "write",
    "statuses": "read",
    "checks": "read",
}


@functools.cache
def description(ghes: bool = False) -> OpenApiDescription:
    """The OpenAPI description (GitHub.com's, or GHES 3.19's), loaded once per process."""
    return OpenApiDescription(GHES_SPEC if ghes else SPEC)


@dataclass
class TokenInfo:
    """Who a token is and what it may do: fine-grained ``permissions`` or classic ``scopes``."""

    login: str
    permissions: dict[str, str] | None = None
    scopes: list[str] | None = None

    def allows(self, needed: str) -> bool:
        """Whether the token grants ``needed`` (``name=level`` pairs, comma = all of them)."""
        if self.permissions is None:
            return True  # classic tokens are checked by scope
        for pair in filter(None, (p.strip() for p in needed.split(","))):
            name, _, level = pair.partition("=")
            have = self.permissions.get(name)
            if have is None or (level == "write" and have != "write"):
                return False
        return True


@dataclass
class Org:
    """An organisation, its plan and teams."""

    login: str
    plan: str = "team"
    teams: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Repo:
    """A repository's state."""

    id: int
    owner: str
    name: str
    visibility: str = "private"
    description: str | None = None
    topics: list[str] = field(default_factory=list)
    default_branch: str = "main"
    owner_type: str = "Organization"
    teams: dict[str, str] = field(default_factory=dict)
    rulesets: dict[int, dict[str, Any]] = field(default_factory=dict)
    protection: dict[str, dict[str, Any]] = field(default_factory=dict)
    archived: bool = False
    hidden: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def private(self) -> bool:
        return self.visibility != "public"


class GitHubFake(FakeApp):
    """GitHub's REST API (the operations platformctl uses) plus smart-HTTP git."""

    label = "GitHub"

    def __init__(self, git_root: Path) -> None:
        super().__init__()
        self.git = GitHttpBackend(git_root)
        self.tokens: dict[str, TokenInfo] = {}
        self.orgs: dict[str, Org] = {}
        self.users: dict[str, str] = {}  # login → plan
        self.repos: dict[tuple[str, str], Repo] = {}
        self.permissions_of: dict[tuple[str, str], str] = {}
        self.lag = 0
        self.rulesets_available = True
        self.remaining = 5000
        self.reset_at = int(time.time()) + 3600
        self.ids = itertools.count(1000)
        from tests.fakes.github_routes import add_repository_routes

        add_repository_routes(self)

    # -- set-up helpers ------------------------------------------------------------------------
    def add_route(self, method: str, template: str, handler: Any, permission: str | None = None) -> None:
        """A route and the fine-grained permission it needs (``name=read|write``, comma = all)."""
        super().add_route(method, template, handler)
        if permission:
            self.permissions_of[(method, template)] = permission

    def add_token(
        self,
        token: str,
        login: str,
        permissions: dict[str, str] | None = None,
        scopes: list[str] | None = None,
    ) -> None:
        """A token for ``login``: all permissions unless given."""
        self.users.setdefault(login, "free")
        self.tokens[token] = TokenInfo(
            login, dict(ALL_PERMISSIONS) if permissions is None and scopes is None else permissions, scopes
        )

    def add_org(self, login: str, plan: str = "team", teams: tuple[str, ...] = ()) -> Org:
        """An organisation with teams (slugs)."""
        org = Org(login, plan, {t: {"id": next(self.ids), "slug": t, "name": t} for t in teams})
        self.orgs[login.lower()] = org
        return org

    def add_repo(self, owner: str, name: str, **fields: Any) -> Repo:
        """A repository that already exists (with an empty bare repository)."""
        owner_type = "Organization" if owner.lower() in self.orgs else "User"
        repo = Repo(next(self.ids), owner, name, owner_type=owner_type, **fields)
        self.repos[(owner.lower(), name.lower())] = repo
        self.git.create(repo.full_name, repo.default_branch)
        return repo

    def repo(self, owner: str, name: str) -> Repo | None:
        """A repository's state, or None."""
        return self.repos.get((owner.lower(), name.lower()))

    def secondary_limit(
        self, method: str | None, path: str | None, retry_after: int | None = None, times: int = 1
    ) -> Fault:
        """Answer matching requests with GitHub's secondary rate limit 403."""
        headers = {"x-ratelimit-remaining": str(self.remaining)}
        if retry_after is not None:
            headers["retry-after"] = str(retry_after)
        body = {
            "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you "
            "try again.",
            "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api",
        }
        return self.inject(Fault(method, path, 403, body, headers, times=times))

    def burst(
        self, status: int = 502, times: int = 3, method: str | None = None, path: str | None = None
    ) -> Fault:
        """Answer the next ``times`` matching requests with a server error."""
        return self.inject(Fault(method, path, status, {"message": "Server Error"}, times=times))

    # -- dispatch ------------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        """Git or API; the API checks the description, the token, then answers with headers."""
        git = GIT_PATH.match(request.raw_path)
        if git:
            return self._git(request, git.group("repo"))
        ghes = request.raw_path.startswith(GHES_PREFIX + "/")
        if ghes:  # GitHub Enterprise Server: the same API below /api/v3, its own description
            request.raw_path = request.raw_path[len(GHES_PREFIX) :]
            request.environ["fake.ghes"] = True
        self._resolve_repository_id(request)
        self.remaining = max(0, self.remaining - 1)
        response = self._api(request, ghes=ghes)
        if ghes:
            response.headers["x-github-enterprise-version"] = "3.19.0"
        if ghes and "Link" in response.headers:  # the next pages are below the prefix too
            root = self.base_url(request)
            response.headers["Link"] = response.headers["Link"].replace(f"<{root}/", f"<{root}{GHES_PREFIX}/")
        response.headers.update(
            {
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": str(self.remaining),
                "x-ratelimit-used": str(5000 - self.remaining),
                "x-ratelimit-reset": str(self.reset_at),
                "x-ratelimit-resource": "core",
                "x-github-api-version-selected": "2022-11-28",
                **response.headers,
            }
        )
        return response

    def _api(self, request: Request, *, ghes: bool = False) -> Response:
        problems = description(ghes).check(
            request.method, request.raw_path, request.query, _json(request), request.body
        )
        if problems:
            where = GHES_PREFIX + request.raw_path if ghes else request.raw_path
            self.violations.append(f"{request.method} {where}: " + "; ".join(problems))
            return error(422, "Invalid request.\n\n" + "\n".join(problems))
        token = self._token(request)
        route = self.match(request)
        if route is None:
            return self.not_found(request)
        needed = self.permissions_of.get((route.method, route.template))
        if needed and not token.allows(needed):
            return Response(
                403,
                {
                    "message": "Resource not accessible by personal access token",
                    "documentation_url": DOCS,
                    "status": "403",
                },
                {"X-Accepted-GitHub-Permissions": needed},
            )
        scope_error = self._scopes(token, needed)
        if scope_error is not None:
            return scope_error
        self._hide_if_new(request.raw_path)
        return route.handler(request)

    def _token(self, request: Request) -> TokenInfo:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        info = self.tokens.get(value.strip()) if scheme.lower() in ("bearer", "token") else None
        if info is None:
            message = "Bad credentials" if header else "Requires authentication"
            raise Answer(Response(401, {"message": message, "documentation_url": DOCS, "status": "401"}))
        request.environ["fake.login"] = info.login
        return info

    def _scopes(self, token: TokenInfo, needed: str | None) -> Response | None:
        if token.scopes is None or not needed:
            return None
        wanted = "admin:org" if "members" in needed else "repo"
        if wanted in token.scopes:
            return None
        return Response(
            403,
            {"message": "Resource not accessible by integration", "documentation_url": DOCS},
            {"X-Accepted-OAuth-Scopes": wanted, "X-OAuth-Scopes": ", ".join(token.scopes)},
        )

    def _hide_if_new(self, path: str) -> None:
        """Eventual consistency: a just-created repository is not found for a few requests."""
        parts = path.strip("/").split("/")
        key = None
        if parts[0] == "repos" and len(parts) >= 3:
            key = (parts[1].lower(), parts[2].lower())
        elif parts[0] == "orgs" and len(parts) >= 7 and parts[4] == "repos":
            key = (parts[5].lower(), parts[6].lower())
        repo = self.repos.get(key) if key else None
        if repo is not None and repo.hidden > 0:
            repo.hidden -= 1
            raise Answer(error(404, "Not Found"))

    def _resolve_repository_id(self, request: Request) -> None:
        """``/repositories/{id}/…`` (used in Link headers) serves ``/repos/{owner}/{repo}/…``."""
        parts = request.raw_path.split("/", 3)
        if len(parts) >= 3 and parts[1] == "repositories" and parts[2].isdigit():
            repo = next((r for r in self.repos.values() if r.id == int(parts[2])), None)
            if repo is not None:
                request.raw_path = f"/repos/{repo.full_name}" + (f"/{parts[3]}" if len(parts) > 3 else "")

    def _git(self, request: Request, path: str) -> Response:
        credentials = basic_credentials(request)
        info = self.tokens.get(credentials[1]) if credentials else None
        if info is None:
            return Response(
                401,
                b"Invalid username or password.",
                {"WWW-Authenticate": 'Basic realm="GitHub"', "Content-Type": "text/plain"},
            )
        owner, _, name = path.partition("/")
        repo = self.repo(owner, name)
        if repo is None or repo.hidden > 0:
            if repo is not None:
                repo.hidden -= 1
            return Response(404, b"Repository not found.", {"Content-Type": "text/plain"})
        if not info.allows("contents=write" if is_push(request) else "contents=read"):
            return Response(
                403,
                f"Permission to {repo.full_name}.git denied to {info.login}.".encode(),
                {"Content-Type": "text/plain"},
            )
        return self.git.serve(request, repo.full_name, info.login)

    def base_url(self, request: Request) -> str:
        """This fake's URL as the client reached it."""
        env = request.environ
        return f"{env.get('wsgi.url_scheme', 'http')}://{env.get('HTTP_HOST', 'github.test')}"


def error(status: int, message: str, errors: list[Any] | None = None) -> Response:
    """GitHub's error shape (``errors`` only for validation failures)."""
    body: dict[str, Any] = {"message": message, "documentation_url": DOCS, "status": str(status)}
    if errors is not None:
        body["errors"] = errors
    return Response(status, body)


def _json(request: Request) -> Any:
    try:
        return request.json()
    except ValueError:
        raise Answer(error(400, "Problems parsing JSON")) from None
