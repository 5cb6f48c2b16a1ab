"""Merge requests on the GitLab fake: what ``fleet status`` and ``fleet update`` use.

Routes added from outside the fake (see :mod:`tests.fakes.base`), with their body fields
declared in the fake's ``FIELDS`` (an unknown field is a violation): the group's projects,
raw files (``ETag``/304) from the real bare repositories, merge requests (list with
``ETag``/304, create with GitLab's 409 for a second open one on a branch, update, close by
``state_event``) and notes. Branches are real: they come from pushes over HTTP.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from typing import Any

from tests.fakes.base import Answer, Request, Response
from tests.fakes.gitlab import FIELDS, GitLabFake, project_json
from tests.fakes.listings import page

PROJECT = "/api/v4/projects/{id}"
FIELDS[("POST", f"{PROJECT}/merge_requests")] = {
    "source_branch",
    "target_branch",
    "title",
    "description",
    "labels",
    "remove_source_branch",
}
FIELDS[("PUT", f"{PROJECT}/merge_requests/{{merge_request_iid}}")] = {
    "title",
    "description",
    "labels",
    "state_event",
}
FIELDS[("POST", f"{PROJECT}/merge_requests/{{merge_request_iid}}/notes")] = {"body"}


class GitLabMergeRequests:
    """Merge-request state beside a :class:`GitLabFake`."""

    def __init__(self, fake: GitLabFake) -> None:
        self.fake = fake
        self.requests: dict[str, list[dict[str, Any]]] = {}
        self.notes: dict[tuple[str, int], list[str]] = {}
        fake.add_route("GET", "/api/v4/groups/{id}/projects", self.list_projects)
        fake.add_route("GET", f"{PROJECT}/repository/files/{{file_path}}/raw", self.raw_file)
        fake.add_route("GET", f"{PROJECT}/merge_requests", self.list_requests)
        fake.add_route("POST", f"{PROJECT}/merge_requests", self.create)
        fake.add_route("PUT", f"{PROJECT}/merge_requests/{{merge_request_iid}}", self.update)
        fake.add_route("POST", f"{PROJECT}/merge_requests/{{merge_request_iid}}/notes", self.note)

    def _git(self, full_path: str, *args: str) -> subprocess.CompletedProcess[bytes]:
        bare = self.fake.git.bare(full_path)
        return subprocess.run(["git", f"--git-dir={bare}", *args], capture_output=True, check=False)

    def _request(self, request: Request) -> tuple[Any, dict[str, Any]]:
        project = self.fake.project_or_404(request)
        iid = int(request.params["merge_request_iid"])
        for item in self.requests.get(project.full_path, []):
            if item["iid"] == iid:
                return project, item
        raise Answer(Response(404, {"message": "404 Not found"}))

    def list_projects(self, request: Request) -> Response:
        ident = request.params["id"]
        group = next((g for g in self.fake.groups.values() if ident in (g["full_path"], str(g["id"]))), None)
        if group is None:
            return Response(404, {"message": "404 Group Not Found"})
        base = self.fake.web_url(request)
        items = []
        for project in self.fake.projects.values():
            if project.full_path.lower().startswith(group["full_path"].lower() + "/"):
                head = self._git(
                    project.full_path, "rev-parse", "--verify", "--quiet", project.default_branch
                )
                empty = head.returncode != 0
                item = {
                    **project_json(project, base),
                    "empty_repo": empty,
                    "last_activity_at": "2026-01-01T00:00:00Z",
                }
                items.append(item | ({"default_branch": None} if empty else {}))
        return page(request, sorted(items, key=lambda p: p["id"]), base)

    def raw_file(self, request: Request) -> Response:
        project = self.fake.project_or_404(request)
        ref = request.arg("ref") or project.default_branch
        proc = self._git(project.full_path, "cat-file", "blob", f"{ref}:{request.params['file_path']}")
        if proc.returncode != 0:
            return Response(404, {"message": "404 File Not Found"})
        etag = '"' + hashlib.sha256(proc.stdout).hexdigest()[:32] + '"'
        if request.headers.get("if-none-match") == etag:
            return Response(304, None, {"ETag": etag})
        return Response(200, proc.stdout, {"ETag": etag, "Content-Type": "text/plain; charset=utf-8"})

    def list_requests(self, request: Request) -> Response:
        project = self.fake.project_or_404(request)
        state = request.arg("state") or "all"
        items = [m for m in self.requests.get(project.full_path, []) if state == "all" or m["state"] == state]
        etag = 'W/"' + hashlib.sha256(json.dumps(items, sort_keys=True).encode()).hexdigest()[:32] + '"'
        if request.headers.get("if-none-match") == etag:
            return Response(304, None, {"ETag": etag})
        answer = page(request, items, self.fake.web_url(request))
        answer.headers["ETag"] = etag
        return answer

    def create(self, request: Request) -> Response:
        project = self.fake.project_or_404(request)
        body = request.json() or {}
        source = body.get("source_branch", "")
        if self._git(
            project.full_path, "rev-parse", "--verify", "--quiet", f"refs/heads/{source}"
        ).returncode:
            return Response(400, {"message": ["Source branch does not exist"]})
        items = self.requests.setdefault(project.full_path, [])
        if any(m["source_branch"] == source and m["state"] == "opened" for m in items):
            message = f"Another open merge request already exists for this source branch: !{items[-1]['iid']}"
            return Response(409, {"message": [message]})
        iid = len(items) + 1
        title = body.get("title", "")
        item = {
            "id": next(self.fake.ids),
            "iid": iid,
            "state": "opened",
            "title": title,
            "description": body.get("description") or "",
            "draft": title.startswith("Draft:"),
            "labels": [label for label in (body.get("labels") or "").split(",") if label],
            "source_branch": source,
            "target_branch": body.get("target_branch"),
            "web_url": f"{self.fake.web_url(request)}/{project.full_path}/-/merge_requests/{iid}",
        }
        items.append(item)
        return Response(201, item)

    def update(self, request: Request) -> Response:
        _, item = self._request(request)
        body = request.json() or {}
        if "title" in body:
            item["title"], item["draft"] = body["title"], body["title"].startswith("Draft:")
        if "description" in body:
            item["description"] = body["description"]
        if "labels" in body:
            item["labels"] = [label for label in body["labels"].split(",") if label]
        if body.get("state_event") == "close":
            item["state"] = "closed"
        return Response(200, item)

    def note(self, request: Request) -> Response:
        project, item = self._request(request)
        self.notes.setdefault((project.full_path, item["iid"]), []).append(request.json()["body"])
        return Response(201, {"id": next(self.fake.ids), "body": request.json()["body"]})
