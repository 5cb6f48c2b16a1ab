"""The GitLab fake's routes: user, groups, projects, protected branches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.fakes.base import Request, Response
from tests.fakes.gitlab import Project, project_json, protected_json

if TYPE_CHECKING:
    from tests.fakes.gitlab import GitLabFake

VISIBILITIES = ("private", "internal", "public")


def add_project_routes(fake: GitLabFake) -> None:
    """Register every route on ``fake``."""
    ProjectRoutes(fake).register()


class ProjectRoutes:
    """Handlers of the GitLab routes, over the fake's state."""

    def __init__(self, fake: GitLabFake) -> None:
        self.fake = fake

    def register(self) -> None:
        """Put the routes in the fake's table."""
        self.fake.add_route("GET", "/api/v4/user", self.get_user)
        self.fake.add_route("GET", "/api/v4/groups/{id}", self.get_group)
        self.fake.add_route("GET", "/api/v4/projects/{id}", self.get_project)
        self.fake.add_route("POST", "/api/v4/projects", self.create_project)
        self.fake.add_route("PUT", "/api/v4/projects/{id}", self.update_project)
        self.fake.add_route("GET", "/api/v4/projects/{id}/protected_branches/{name}", self.get_protected)
        self.fake.add_route("POST", "/api/v4/projects/{id}/protected_branches", self.protect)
        self.fake.add_route("DELETE", "/api/v4/projects/{id}/protected_branches/{name}", self.unprotect)

    def get_user(self, request: Request) -> Response:
        return Response(200, {"id": 1, "username": request.environ["fake.login"]})

    def get_group(self, request: Request) -> Response:
        ident = request.params["id"]
        group = next(
            (g for g in self.fake.groups.values() if str(g["id"]) == ident), None
        ) or self.fake.groups.get(ident.lower())
        if group is None:
            return Response(404, {"message": "404 Group Not Found"})
        return Response(200, group)

    def get_project(self, request: Request) -> Response:
        return Response(200, project_json(self.fake.project_or_404(request), self.fake.web_url(request)))

    def create_project(self, request: Request) -> Response:
        body = request.json() or {}
        if not body.get("name") and not body.get("path"):
            return Response(400, {"error": "name, path are missing, at least one parameter must be provided"})
        group = next((g for g in self.fake.groups.values() if g["id"] == body.get("namespace_id")), None)
        if group is None:
            return Response(404, {"message": "404 Namespace Not Found"})
        if body.get("visibility", "private") not in VISIBILITIES:
            return Response(400, {"error": "visibility does not have a valid value"})
        path = body.get("path") or body["name"]
        full = f"{group['full_path']}/{path}"
        if full.lower() in self.fake.projects:
            return Response(
                400,
                {
                    "message": {
                        "name": ["has already been taken"],
                        "path": ["has already been taken"],
                        "project_namespace.name": ["has already been taken"],
                    }
                },
            )
        namespace = {
            "id": group["id"],
            "name": group["name"],
            "path": group["path"],
            "kind": "group",
            "full_path": group["full_path"],
        }
        project = Project(
            next(self.fake.ids),
            namespace,
            body.get("name") or path,
            path,
            body.get("visibility", "private"),
            body.get("description"),
            list(body.get("topics") or []),
        )
        self.fake.projects[full.lower()] = project
        self.fake.git.create(project.full_path, project.default_branch)
        return Response(201, project_json(project, self.fake.web_url(request)))

    def update_project(self, request: Request) -> Response:
        project = self.fake.project_or_404(request)
        body = request.json() or {}
        if "topics" in body:
            project.topics = list(body["topics"])
        if "description" in body:
            project.description = body["description"]
        return Response(200, project_json(project, self.fake.web_url(request)))

    def get_protected(self, request: Request) -> Response:
        project = self.fake.project_or_404(request)
        found = project.protected.get(request.params["name"])
        if found is None:
            return Response(404, {"message": "404 Not found"})
        return Response(200, found)

    def protect(self, request: Request) -> Response:
        project = self.fake.project_or_404(request)
        body = request.json() or {}
        name = body.get("name")
        if not name:
            return Response(400, {"error": "name is missing"})
        if name in project.protected:
            return Response(409, {"message": f"Protected branch '{name}' already exists"})
        levels = [body.get("push_access_level", 40), body.get("merge_access_level", 40)]
        if any(level not in (0, 30, 40, 60) for level in levels):
            return Response(400, {"error": "push_access_level does not have a valid value"})
        project.protected[name] = protected_json(
            next(self.fake.ids), name, levels[0], levels[1], bool(body.get("allow_force_push", False))
        )
        return Response(201, project.protected[name])

    def unprotect(self, request: Request) -> Response:
        project = self.fake.project_or_404(request)
        if project.protected.pop(request.params["name"], None) is None:
            return Response(404, {"message": "404 Not found"})
        return Response(204, None)
