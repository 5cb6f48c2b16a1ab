"""Small stateful fakes of the GitHub and GitLab endpoints an organisation scan reads.

Plain WSGI apps: in-process through ``httpx.WSGITransport`` or on a loopback port. They
paginate with ``Link`` headers, answer ``If-None-Match`` with 304, refuse requests without a
token (401) and count what they were asked, including how many requests were in flight at once.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, unquote


@dataclass
class FakeRepo:
    name: str
    files: list[str]
    pushed_at: str = "2025-01-01T00:00:00Z"
    default_branch: str = "main"
    archived: bool = False
    fork: bool = False

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256("\n".join(self.files).encode()).hexdigest() + '"'


@dataclass
class _Host:
    repos: dict[str, FakeRepo] = field(default_factory=dict)
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    delay: float = 0.0
    inflight: int = 0
    max_inflight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, repo: FakeRepo) -> FakeRepo:
        self.repos[repo.name] = repo
        return repo

    def count(self, needle: str, status: int | None = None) -> int:
        return sum(
            1 for _, path, code in self.requests if needle in path and (status is None or code == status)
        )

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with self.lock:
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
        try:
            if self.delay:
                time.sleep(self.delay)
            status, headers, body = self._answer(environ)
        finally:
            with self.lock:
                self.inflight -= 1
        self.requests.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], status))
        start_response(f"{status} X", [("Content-Type", "application/json"), *headers])
        return [json.dumps(body).encode()] if body is not None else [b""]

    def _answer(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], Any]:
        if not environ.get("HTTP_AUTHORIZATION", "").startswith("Bearer "):
            return 401, [], {"message": "Requires authentication"}
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        return self.route(environ, unquote(environ["PATH_INFO"]), query)

    def route(self, environ: dict[str, Any], path: str, query: dict[str, str]) -> tuple[int, list, Any]:
        raise NotImplementedError

    @staticmethod
    def page(environ: dict[str, Any], items: list[Any], query: dict[str, str]) -> tuple[int, list, Any]:
        per_page, number = int(query.get("per_page", 30)), int(query.get("page", 1))
        chunk = items[(number - 1) * per_page : number * per_page]
        headers = []
        if number * per_page < len(items):
            nxt = {**query, "page": str(number + 1)}
            url = f"http://{environ['HTTP_HOST']}{quote(environ['PATH_INFO'])}?" + "&".join(
                f"{k}={v}" for k, v in nxt.items()
            )
            headers.append(("Link", f'<{url}>; rel="next"'))
        return 200, headers, chunk


class FakeGitHub(_Host):
    """``GET /orgs/{org}/repos`` and ``GET /repos/{owner}/{repo}/git/trees/{ref}?recursive=1``."""

    def __init__(self, org: str = "acme") -> None:
        super().__init__()
        self.org = org

    def route(self, environ: dict[str, Any], path: str, query: dict[str, str]) -> tuple[int, list, Any]:
        parts = path.strip("/").split("/")
        if parts[:1] == ["orgs"] and parts[2:] == ["repos"] and parts[1] == self.org:
            items = [
                {
                    "full_name": f"{self.org}/{r.name}",
                    "default_branch": r.default_branch,
                    "pushed_at": r.pushed_at,
                    "archived": r.archived,
                    "fork": r.fork,
                    "size": 10 if r.files else 0,
                }
                for r in self.repos.values()
            ]
            return self.page(environ, items, query)
        if parts[:1] == ["repos"] and parts[3:5] == ["git", "trees"] and parts[2] in self.repos:
            return self.tree(environ, self.repos[parts[2]])
        return 404, [], {"message": "Not Found"}

    @staticmethod
    def tree(environ: dict[str, Any], repo: FakeRepo) -> tuple[int, list, Any]:
        if not repo.files:
            return 409, [], {"message": "Git Repository is empty."}
        if environ.get("HTTP_IF_NONE_MATCH") == repo.etag:
            return 304, [("ETag", repo.etag)], None
        dirs = sorted({p.rsplit("/", 1)[0] for p in repo.files if "/" in p})
        tree = [{"path": p, "type": "blob"} for p in repo.files] + [{"path": d, "type": "tree"} for d in dirs]
        return 200, [("ETag", repo.etag)], {"sha": "abc", "tree": tree, "truncated": False}


class FakeGitLab(_Host):
    """``GET /api/v4/groups/{id}/projects`` and ``GET /api/v4/projects/{id}/repository/tree``."""

    def __init__(self, group: str = "acme") -> None:
        super().__init__()
        self.group = group

    def route(self, environ: dict[str, Any], path: str, query: dict[str, str]) -> tuple[int, list, Any]:
        parts = path.strip("/").split("/")
        names = list(self.repos)
        if parts[:3] == ["api", "v4", "groups"] and parts[4:] == ["projects"]:
            if parts[3] != self.group or query.get("include_subgroups") != "true":
                return 404, [], {"message": "404 Group Not Found"}
            items = [
                {
                    "id": i + 1,
                    "path_with_namespace": f"{self.group}/{r.name}",
                    "default_branch": r.default_branch if r.files else None,
                    "empty_repo": not r.files,
                    "last_activity_at": r.pushed_at,
                    "archived": r.archived,
                }
                for i, r in enumerate(self.repos.values())
                if not r.archived
            ]
            return self.page(environ, items, query)
        if parts[:3] == ["api", "v4", "projects"] and parts[4:] == ["repository", "tree"]:
            repo = self.repos[names[int(parts[3]) - 1]]
            if query.get("recursive") != "true" or query.get("ref") != repo.default_branch:
                return 400, [], {"message": "bad query"}
            dirs = sorted({p.rsplit("/", 1)[0] for p in repo.files if "/" in p})
            items = [{"path": p, "type": "blob"} for p in repo.files] + [
                {"path": d, "type": "tree"} for d in dirs
            ]
            return self.page(environ, items, query)
        return 404, [], {"message": "404 Not Found"}
