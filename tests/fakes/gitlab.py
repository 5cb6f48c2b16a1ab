"""A stateful fake of GitLab's REST API v4 and git hosting, written from GitLab's API docs.

GitLab's OpenAPI description cannot be vendored (size, licence: see research), so this fake
checks requests itself: known routes only, known body fields only (an unknown one is a
recorded violation and a 400), ids either numeric or URL-encoded full paths. Answers carry
GitLab's error shapes and ``RateLimit-*`` headers. ``auto_protect`` mimics gitlab.com, which
protects the default branch on first push (Maintainers push and merge). Projects'
``http_url_to_repo`` point at real bare repositories served through ``git http-backend``.
Add routes with ``add_route`` like any fake (see tests.fakes.base); they get the same checks.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.fakes.base import Answer, FakeApp, Request, Response
from tests.fakes.githttp import GIT_PATH, GitHttpBackend, basic_credentials, is_push

FIELDS = {
    ("POST", "/api/v4/projects"): {
        "name",
        "path",
        "namespace_id",
        "description",
        "visibility",
        "topics",
        "initialize_with_readme",
        "default_branch",
    },
    ("PUT", "/api/v4/projects/{id}"): {"topics", "description", "visibility", "default_branch"},
    ("POST", "/api/v4/projects/{id}/protected_branches"): {
        "name",
        "push_access_level",
        "merge_access_level",
        "unprotect_access_level",
        "allow_force_push",
        "code_owner_approval_required",
    },
}
LEVELS = {0: "No access", 30: "Developers + Maintainers", 40: "Maintainers", 60: "Admins"}


@dataclass
class Project:
    """A project's state."""

    id: int
    namespace: dict[str, Any]
    name: str
    path: str
    visibility: str = "private"
    description: str | None = None
    topics: list[str] = field(default_factory=list)
    default_branch: str = "main"
    protected: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def full_path(self) -> str:
        return f"{self.namespace['full_path']}/{self.path}"


class GitLabFake(FakeApp):
    """GitLab's projects, groups and protected branches, plus smart-HTTP git."""

    label = "GitLab"

    def __init__(self, git_root: Path) -> None:
        super().__init__()
        self.git = GitHttpBackend(git_root)
        self.tokens: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, Project] = {}
        self.ids = itertools.count(100)
        self.auto_protect = True
        from tests.fakes.gitlab_routes import add_project_routes

        add_project_routes(self)

    def add_token(self, token: str, username: str, scopes: tuple[str, ...] = ("api",)) -> None:
        """A personal access token."""
        self.tokens[token] = {"username": username, "scopes": list(scopes)}

    def add_group(self, full_path: str) -> dict[str, Any]:
        """A group (parents must exist first)."""
        name = full_path.rsplit("/", 1)[-1]
        group = {"id": next(self.ids), "name": name, "path": name, "full_path": full_path, "kind": "group"}
        self.groups[full_path.lower()] = group
        return group

    def project(self, id_or_path: str) -> Project | None:
        """A project by numeric id or full path."""
        if id_or_path.isdigit():
            return next((p for p in self.projects.values() if p.id == int(id_or_path)), None)
        return self.projects.get(id_or_path.lower())

    def dispatch(self, request: Request) -> Response:
        """Git or API: the token, the route, the fields, then rate-limit headers."""
        git = GIT_PATH.match(request.raw_path)
        if git:
            return self._git(request, git.group("repo"))
        response = self._api(request)
        response.headers.update(
            {
                "RateLimit-Name": "throttle_authenticated_api",
                "RateLimit-Limit": "2000",
                "RateLimit-Observed": str(len(self.log) + 1),
                "RateLimit-Remaining": str(max(0, 2000 - len(self.log) - 1)),
                "RateLimit-Reset": str(int(time.time()) + 60),
                **response.headers,
            }
        )
        return response

    def _api(self, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        bearer = header[7:] if header.lower().startswith("bearer ") else ""
        token = request.headers.get("private-token") or bearer
        info = self.tokens.get(token)
        if info is None:
            return Response(401, {"message": "401 Unauthorized"})
        request.environ["fake.login"] = info["username"]
        route = self.match(request)
        if route is None:
            self.violations.append(f"{request.method} {request.raw_path}: no such route")
            return Response(404, {"error": "404 Not Found"})
        if "api" not in info["scopes"] and request.method != "GET":
            why = "The request requires higher privileges than provided by the access token."
            return Response(
                403,
                {"error": "insufficient_scope", "scope": "api", "error_description": why},
                {
                    "WWW-Authenticate": f'Bearer realm="", error="insufficient_scope", '
                    f'error_description="{why}", scope="api"'
                },
            )
        sent = set((request.json() or {}) if request.body else {})
        unknown = sent - FIELDS.get((route.method, route.template), set())
        if unknown:
            self.violations.append(f"{request.method} {route.template}: unknown fields {sorted(unknown)}")
            return Response(400, {"error": f"{sorted(unknown)[0]} does not have a valid value"})
        return route.handler(request)

    def project_or_404(self, request: Request) -> Project:
        """The project of the ``{id}`` placeholder."""
        project = self.project(request.params["id"])
        if project is None:
            raise Answer(Response(404, {"message": "404 Project Not Found"}))
        return project

    def _git(self, request: Request, path: str) -> Response:
        credentials = basic_credentials(request)
        info = self.tokens.get(credentials[1]) if credentials else None
        if info is None:
            return Response(
                401,
                b"HTTP Basic: Access denied.",
                {"WWW-Authenticate": 'Basic realm="GitLab"', "Content-Type": "text/plain"},
            )
        project = self.projects.get(path.lower())
        if project is None:
            return Response(
                404, b"The project you were looking for could not be found.", {"Content-Type": "text/plain"}
            )
        if is_push(request) and not {"api", "write_repository"} & set(info["scopes"]):
            return Response(
                403, b"You are not allowed to push code to this project.", {"Content-Type": "text/plain"}
            )
        response = self.git.serve(request, project.full_path, info["username"])
        pushed = request.raw_path.endswith("/git-receive-pack")
        if (
            pushed
            and self.auto_protect
            and not project.protected
            and self.git.head(project.full_path, project.default_branch)
        ):
            project.protected[project.default_branch] = protected_json(
                next(self.ids), project.default_branch, 40, 40, False
            )
        return response

    def web_url(self, request: Request) -> str:
        """This fake's URL as the client reached it."""
        env = request.environ
        return f"{env.get('wsgi.url_scheme', 'http')}://{env.get('HTTP_HOST', 'gitlab.test')}"


def project_json(project: Project, base: str) -> dict[str, Any]:
    """The project shape, the fields a client may read."""
    web = f"{base}/{project.full_path}"
    return {
        "id": project.id,
        "name": project.name,
        "path": project.path,
        "path_with_namespace": project.full_path,
        "name_with_namespace": project.full_path.replace("/", " / "),
        "namespace": project.namespace,
        "description": project.description,
        "visibility": project.visibility,
        "topics": list(project.topics),
        "tag_list": list(project.topics),
        "default_branch": project.default_branch,
        "web_url": web,
        "http_url_to_repo": f"{web}.git",
        "ssh_url_to_repo": f"git@{base.split('://')[1]}:{project.full_path}.git",
        "archived": False,
        "empty_repo": False,
        "_links": {"self": f"{base}/api/v4/projects/{project.id}"},
    }


def protected_json(ident: int, name: str, push: int, merge: int, force: bool) -> dict[str, Any]:
    """A protected branch as GitLab returns it."""

    def levels(level: int) -> list[dict[str, Any]]:
        return [
            {
                "id": ident * 10 + level,
                "access_level": level,
                "access_level_description": LEVELS[level],
                "user_id": None,
                "group_id": None,
            }
        ]

    return {
        "id": ident,
        "name": name,
        "push_access_levels": levels(push),
        "merge_access_levels": levels(merge),
        "unprotect_access_levels": levels(40),
        "allow_force_push": force,
        "code_owner_approval_required": False,
    }


def encoded(path: str) -> str:
    """A full path as GitLab ids spell it."""
    return quote(path, safe="")
