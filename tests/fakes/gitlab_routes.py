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

    def get_user(request: Request) -> Response:
        return Response(200, {"id": 1, "username": request.environ["fake.login"]})

    def get_group(request: Request) -> Response:
        ident = request.params["id"]
        group = next((g for g in fake.groups.values() if str(g["id"]) == ident), None) \
            or fake.groups.get(ident.lower())
        if group is None:
            return Response(404, {"message": "404 Group Not Found"})
        return Response(200, group)

    def get_project(request: Request) -> Response:
        return Response(200, project_json(fake.project_or_404(request), fake.web_url(request)))

    def create_project(request: Request) -> Response:
        body = request.json() or {}
        if not body.get("name") and not body.get("path"):
            return Response(400, {"error": "name, path are missing, at least one parameter must be provided"})
        group = next((g for g in fake.groups.values() if g["id"] == body.get("namespace_id")), None)
        if group is None:
            return Response(404, {"message": "404 Namespace Not Found"})
        if body.get("visibility", "private") not in VISIBILITIES:
            return Response(400, {"error": "visibility does not have a valid value"})
        path = body.get("path") or body["name"]
        full = f"{group['full_path']}/{path}"
        if full.lower() in fake.projects:
            return Response(400, {"message": {"name": ["has already been taken"],
                                              "path": ["has already been taken"],
                                              "project_namespace.name": ["has already been taken"]}})
        namespace = {"id": group["id"], "name": group["name"], "path": group["path"], "kind": "group",
                     "full_path": group["full_path"]}
        project = Project(next(fake.ids), namespace, body.get("name") or path, path,
                          body.get("visibility", "private"), body.get("description"),
                          list(body.get("topics") or []))
        fake.projects[full.lower()] = project
        fake.git.create(project.full_path, project.default_branch)
        return Response(201, project_json(project, fake.web_url(request)))

    def update_project(request: Request) -> Response:
        project = fake.project_or_404(request)
        body = request.json() or {}
        if "topics" in body:
            project.topics = list(body["topics"])
        if "description" in body:
            project.description = body["description"]
        return Response(200, project_json(project, fake.web_url(request)))

    def get_protected(request: Request) -> Response:
        project = fake.project_or_404(request)
        found = project.protected.get(request.params["name"])
        if found is None:
            return Response(404, {"message": "404 Not found"})
        return Response(200, found)

    def protect(request: Request) -> Response:
        project = fake.project_or_404(request)
        body = request.json() or {}
        name = body.get("name")
        if not name:
            return Response(400, {"error": "name is missing"})
        if name in project.protected:
            return Response(409, {"message": f"Protected branch '{name}' already exists"})
        levels = [body.get("push_access_level", 40), body.get("merge_access_level", 40)]
        if any(level not in (0, 30, 40, 60) for level in levels):
            return Response(400, {"error": "push_access_level does not have a valid value"})
        project.protected[name] = protected_json(next(fake.ids), name, levels[0], levels[1],
                                                 bool(body.get("allow_force_push", False)))
        return Response(201, project.protected[name])

    def unprotect(request: Request) -> Response:
        project = fake.project_or_404(request)
        if project.protected.pop(request.params["name"], None) is None:
            return Response(404, {"message": "404 Not found"})
        return Response(204, None)

    fake.add_route("GET", "/api/v4/user", get_user)
    fake.add_route("GET", "/api/v4/groups/{id}", get_group)
    fake.add_route("GET", "/api/v4/projects/{id}", get_project)
    fake.add_route("POST", "/api/v4/projects", create_project)
    fake.add_route("PUT", "/api/v4/projects/{id}", update_project)
    fake.add_route("GET", "/api/v4/projects/{id}/protected_branches/{name}", get_protected)
    fake.add_route("POST", "/api/v4/projects/{id}/protected_branches", protect)
    fake.add_route("DELETE", "/api/v4/projects/{id}/protected_branches/{name}", unprotect)
