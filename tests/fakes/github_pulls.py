"""Pull requests on the GitHub fake: what ``fleet status`` and ``fleet update`` use.

Routes added from outside the fake (see :mod:`tests.fakes.base`), each checked against the
OpenAPI description like every GitHub route: the organisation listing, file contents (from the
real bare repository, or from :attr:`GitHubPulls.files` for benchmarks without git), pull
requests (list with ``ETag``/304, create with GitHub's 422s, update, close), issue labels and
comments, and the combined commit status. Branches are real: they come from pushes over HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from typing import Any

from tests.fakes.base import Request, Response
from tests.fakes.github import GitHubFake, error
from tests.fakes.github_routes import repository_json
from tests.fakes.listings import page


class GitHubPulls:
    """Pull-request state beside a :class:`GitHubFake`."""

    def __init__(self, fake: GitHubFake) -> None:
        self.fake = fake
        self.pulls: dict[str, list[dict[str, Any]]] = {}  # full name → pulls
        self.comments: dict[tuple[str, int], list[str]] = {}
        self.files: dict[tuple[str, str], str] = {}  # (full name, path) → text, instead of git
        self.pushed_at: dict[str, str] = {}
        self.statuses: dict[str, str] = {}  # head sha → combined state of commit statuses
        self.check_runs: dict[str, list[dict[str, Any]]] = {}  # head sha → check runs
        repo = "/repos/{owner}/{repo}"
        fake.add_route("GET", "/orgs/{org}/repos", self.list_repos, "metadata=read")
        fake.add_route("GET", f"{repo}/contents/{{path}}", self.contents, "contents=read")
        fake.add_route("GET", f"{repo}/pulls", self.list_pulls, "pull_requests=read")
        fake.add_route("POST", f"{repo}/pulls", self.create_pull, "pull_requests=write")
        fake.add_route("PATCH", f"{repo}/pulls/{{pull_number}}", self.update_pull, "pull_requests=write")
        fake.add_route("PUT", f"{repo}/issues/{{issue_number}}/labels", self.set_labels, "issues=write")
        fake.add_route("POST", f"{repo}/issues/{{issue_number}}/comments", self.comment, "issues=write")
        fake.add_route("GET", f"{repo}/commits/{{ref}}/status", self.status, "statuses=read")
        fake.add_route("GET", f"{repo}/commits/{{ref}}/check-runs", self.checks, "checks=read")

    # -- helpers ---------------------------------------------------------------------------
    def _repo(self, request: Request) -> Any:
        repo = self.fake.repo(request.params["owner"], request.params["repo"])
        if repo is None:
            raise _answer(error(404, "Not Found"))
        return repo

    def _git(self, full_name: str, *args: str) -> subprocess.CompletedProcess[bytes]:
        bare = self.fake.git.bare(full_name)
        return subprocess.run(["git", f"--git-dir={bare}", *args], capture_output=True, check=False)

    def _pull(self, request: Request) -> dict[str, Any]:
        repo = self._repo(request)
        number = int(request.params.get("pull_number") or request.params["issue_number"])
        for pull in self.pulls.get(repo.full_name, []):
            if pull["number"] == number:
                return pull
        raise _answer(error(404, "Not Found"))

    # -- routes ----------------------------------------------------------------------------
    def list_repos(self, request: Request) -> Response:
        org = request.params["org"].lower()
        if org not in self.fake.orgs:
            return error(404, "Not Found")
        base = self.fake.base_url(request)
        items = [
            {**repository_json(r, base), "pushed_at": self.pushed_at.get(r.full_name, "2026-01-01T00:00:00Z")}
            for r in self.fake.repos.values()
            if r.owner.lower() == org
        ]
        return page(request, sorted(items, key=lambda r: r["name"]), base)

    def contents(self, request: Request) -> Response:
        repo = self._repo(request)
        path, ref = request.params["path"], request.arg("ref") or repo.default_branch
        text = self.files.get((repo.full_name, path))
        if text is None:
            proc = self._git(repo.full_name, "cat-file", "blob", f"{ref}:{path}")
            if proc.returncode != 0:
                return error(404, "Not Found")
            raw = proc.stdout
        else:
            raw = text.encode()
        sha = hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest()  # noqa: S324  (git's object id)
        etag = f'"{sha}"'
        if request.headers.get("if-none-match") == etag:
            return Response(304, None, {"ETag": etag})
        body = {
            "type": "file",
            "encoding": "base64",
            "size": len(raw),
            "name": path,
            "path": path,
            "sha": sha,
        }
        body["content"] = base64.b64encode(raw).decode()
        return Response(200, body, {"ETag": etag})

    def list_pulls(self, request: Request) -> Response:
        repo = self._repo(request)
        state = request.arg("state") or "open"
        items = [p for p in self.pulls.get(repo.full_name, []) if state == "all" or p["state"] == state]
        etag = '"' + hashlib.sha256(json.dumps(items, sort_keys=True).encode()).hexdigest() + '"'
        if request.headers.get("if-none-match") == etag:
            return Response(304, None, {"ETag": etag})
        answer = page(request, items, self.fake.base_url(request))
        answer.headers["ETag"] = etag
        return answer

    def create_pull(self, request: Request) -> Response:
        repo = self._repo(request)
        body = request.json()
        head, base = body["head"], body["base"]
        sha = (
            self._git(repo.full_name, "rev-parse", "--verify", "--quiet", f"refs/heads/{head}")
            .stdout.decode()
            .strip()
        )
        if not sha:
            return error(
                422, "Validation Failed", [{"resource": "PullRequest", "field": "head", "code": "invalid"}]
            )
        pulls = self.pulls.setdefault(repo.full_name, [])
        if any(p["head"]["ref"] == head and p["state"] == "open" for p in pulls):
            message = f"A pull request already exists for {repo.owner}:{head}."
            return error(
                422, "Validation Failed", [{"resource": "PullRequest", "code": "custom", "message": message}]
            )
        number = len(pulls) + 1
        pull = {
            "number": number,
            "state": "open",
            "title": body.get("title", ""),
            "body": body.get("body") or "",
            "draft": bool(body.get("draft")),
            "labels": [],
            "head": {"ref": head, "sha": sha},
            "base": {"ref": base},
            "merged_at": None,
            "html_url": f"{self.fake.base_url(request)}/{repo.full_name}/pull/{number}",
        }
        pulls.append(pull)
        return Response(201, pull)

    def update_pull(self, request: Request) -> Response:
        pull = self._pull(request)
        body = request.json()
        for key in ("title", "body", "state"):
            if key in body:
                pull[key] = body[key]
        return Response(200, pull)

    def set_labels(self, request: Request) -> Response:
        pull = self._pull(request)
        pull["labels"] = [{"name": name} for name in request.json().get("labels", [])]
        return Response(200, pull["labels"])

    def comment(self, request: Request) -> Response:
        repo, pull = self._repo(request), self._pull(request)
        self.comments.setdefault((repo.full_name, pull["number"]), []).append(request.json()["body"])
        return Response(201, {"id": len(self.comments), "body": request.json()["body"]})

    def status(self, request: Request) -> Response:
        self._repo(request)
        sha = request.params["ref"]
        state = self.statuses.get(sha)
        statuses = [{"state": state, "context": "ci"}] if state else []
        body = {"state": state or "pending", "statuses": statuses, "total_count": len(statuses), "sha": sha}
        return _tagged(request, body)

    def checks(self, request: Request) -> Response:
        self._repo(request)
        runs = self.check_runs.get(request.params["ref"], [])
        return _tagged(request, {"total_count": len(runs), "check_runs": runs})


def _tagged(request: Request, body: Any) -> Response:
    """A read with an ``ETag``; ``If-None-Match`` on the same content answers 304."""
    etag = '"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest() + '"'
    if request.headers.get("if-none-match") == etag:
        return Response(304, None, {"ETag": etag})
    return Response(200, body, {"ETag": etag})


def _answer(response: Response) -> Exception:
    from tests.fakes.base import Answer

    return Answer(response)
