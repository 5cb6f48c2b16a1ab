"""Organisation listings on the GitHub and GitLab fakes: what ``assess maturity --org`` reads.

Routes added to a fake from outside it (see :mod:`tests.fakes.base`): GitHub's
``GET /orgs/{org}/repos`` and ``GET /repos/{owner}/{repo}/git/trees/{tree_sha}`` (checked
against the OpenAPI description like every GitHub route; ``If-None-Match`` answers 304), and
GitLab's ``GET /api/v4/groups/{id}/projects`` and ``GET /api/v4/projects/{id}/repository/tree``.
Both paginate with ``Link``. The repositories listed hold files by name only, with no git
repository behind them, so hundreds cost nothing to set up. :class:`InFlight` wraps a fake to
add latency and count concurrent requests outside the fake's lock.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tests.fakes.base import Answer, Request, Response
from tests.fakes.github import GitHubFake, Repo, error
from tests.fakes.github_routes import repository_json
from tests.fakes.gitlab import GitLabFake, Project, project_json


@dataclass
class Listed:
    """What a listing shows of one repository: its files and when it was last pushed."""

    files: list[str]
    pushed_at: str = "2025-01-01T00:00:00Z"
    fork: bool = False
    archived: bool = False
    default_branch: str = "main"

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256("\n".join(self.files).encode()).hexdigest() + '"'

    def tree(self) -> list[dict[str, str]]:
        """Blobs and the folders they are in, as both hosts list them."""
        folders = sorted({p.rsplit("/", 1)[0] for p in self.files if "/" in p})
        blobs = [{"path": p, "type": "blob"} for p in self.files]
        return blobs + [{"path": d, "type": "tree"} for d in folders]


def page(request: Request, items: list[Any], base_url: str) -> Response:
    """One page of ``items`` (``per_page``, ``page``) with a ``Link: rel="next"`` while more remain."""
    per_page, number = min(int(request.arg("per_page") or 30), 100), int(request.arg("page") or 1)
    chunk = items[(number - 1) * per_page : number * per_page]
    headers = {}
    if number * per_page < len(items):
        query = {k: v[0] for k, v in request.query.items()} | {"page": str(number + 1)}
        headers["Link"] = f'<{base_url}{request.raw_path}?{urlencode(query)}>; rel="next"'
    return Response(200, chunk, headers)


class GitHubListings:
    """Organisation repositories and their trees on a :class:`GitHubFake`."""

    def __init__(self, fake: GitHubFake, org: str = "acme") -> None:
        self.fake, self.org = fake, org
        self.repos: dict[str, Listed] = {}
        fake.add_route("GET", "/orgs/{org}/repos", self.list_repos, "metadata=read")
        fake.add_route("GET", "/repos/{owner}/{repo}/git/trees/{tree_sha}", self.tree, "contents=read")

    def add(self, name: str, files: Iterable[str], **fields: Any) -> Listed:
        """A repository of the organisation holding ``files``."""
        listed = self.repos[name] = Listed(list(files), **fields)
        repo = Repo(
            next(self.fake.ids),
            self.org,
            name,
            archived=listed.archived,
            default_branch=listed.default_branch,
        )
        self.fake.repos[(self.org.lower(), name.lower())] = repo
        return listed

    def list_repos(self, request: Request) -> Response:
        if request.params["org"].lower() not in self.fake.orgs:
            return error(404, "Not Found")
        base = self.fake.base_url(request)
        items = [
            {
                **repository_json(self.fake.repo(self.org, name), base),
                "fork": listed.fork,
                "pushed_at": listed.pushed_at,
                "size": 10 if listed.files else 0,
            }
            for name, listed in self.repos.items()
        ]
        return page(request, items, base)

    def tree(self, request: Request) -> Response:
        listed = self.repos.get(request.params["repo"])
        if listed is None or request.params["owner"].lower() != self.org.lower():
            return error(404, "Not Found")
        if not listed.files:
            return error(409, "Git Repository is empty.")
        if request.params["tree_sha"] != listed.default_branch:
            return error(404, "Not Found")
        if request.headers.get("if-none-match") == listed.etag:
            return Response(304, None, {"ETag": listed.etag})
        return Response(
            200,
            {"sha": "0" * 40, "url": "", "tree": listed.tree(), "truncated": False},
            {"ETag": listed.etag},
        )


class GitLabListings:
    """Group projects and their repository trees on a :class:`GitLabFake`."""

    def __init__(self, fake: GitLabFake, group: str = "acme") -> None:
        self.fake, self.group = fake, fake.groups[group]
        self.projects: dict[str, Listed] = {}
        fake.add_route("GET", "/api/v4/groups/{id}/projects", self.list_projects)
        fake.add_route("GET", "/api/v4/projects/{id}/repository/tree", self.tree)

    def add(self, name: str, files: Iterable[str], **fields: Any) -> Listed:
        """A project of the group holding ``files``."""
        listed = self.projects[name] = Listed(list(files), **fields)
        project = Project(next(self.fake.ids), self.group, name, name, default_branch=listed.default_branch)
        self.fake.projects[project.full_path.lower()] = project
        return listed

    def list_projects(self, request: Request) -> Response:
        ident = request.params["id"]
        if ident not in (self.group["full_path"], str(self.group["id"])):
            return Response(404, {"message": "404 Group Not Found"})
        base = self.fake.web_url(request)
        items = [
            self._json(name, listed, base)
            for name, listed in self.projects.items()
            if not (listed.archived and request.arg("archived") == "false")
        ]
        return page(request, items, base)

    def tree(self, request: Request) -> Response:
        project = self.fake.project_or_404(request)
        listed = self.projects[project.name]
        if request.arg("recursive") != "true" or request.arg("ref") != listed.default_branch:
            raise Answer(Response(400, {"message": "this fake lists recursive trees of the default branch"}))
        return page(request, listed.tree(), self.fake.web_url(request))

    def _json(self, name: str, listed: Listed, base: str) -> dict[str, Any]:
        project = self.fake.project(f"{self.group['full_path']}/{name}")
        return {
            **project_json(project, base),
            "archived": listed.archived,
            "empty_repo": not listed.files,
            "default_branch": listed.default_branch if listed.files else None,
            "last_activity_at": listed.pushed_at,
        }


class InFlight:
    """WSGI middleware: ``delay`` seconds per request, and the most requests in flight at once.

    It runs outside the fake's lock, so it sees the client's concurrency, not the fake's.
    """

    def __init__(self, app: Callable[..., Any], delay: float = 0.0) -> None:
        self.app, self.delay = app, delay
        self.now = self.most = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            if self.delay:
                time.sleep(self.delay)
            return list(self.app(environ, start_response))
        finally:
            with self._lock:
                self.now -= 1


def count(fake: GitHubFake | GitLabFake, needle: str, status: int | None = None) -> int:
    """How many logged API requests have ``needle`` in their path (and answered ``status``)."""
    return sum(1 for e in fake.log if e.kind == "api" and needle in e.path and status in (None, e.status))
