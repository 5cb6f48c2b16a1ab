"""Delivery history on a :class:`GitHubFake`: a linear main branch, deployments with statuses,
merged pull requests, workflow runs and issues, served by the routes ``assess delivery
--provider github`` reads.

Requests are checked against the OpenAPI subset like every other route of the fake. Commits
carry their ``parents`` (the previous commit of main); ``compare`` pages its commits when asked
with ``per_page`` or ``page`` and lists at most 250 otherwise, as GitHub does. The listings
answer with an ``ETag`` (a hash of the page) and ``304 Not Modified`` to a matching
``If-None-Match``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.fakes.base import Request, Response
from tests.fakes.github import error
from tests.fakes.listings import page

if TYPE_CHECKING:
    from tests.fakes.github import GitHubFake


def sha_of(name: str) -> str:
    """A stable 40-hex SHA for a readable commit name."""
    return hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()


@dataclass
class History:
    """One repository's main branch (oldest first), deployments, pull requests and issues."""

    commits: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    statuses: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    pulls: list[dict[str, Any]] = field(default_factory=list)
    pull_commits: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    commit_statuses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def conditional(request: Request, response: Response) -> Response:
    """``response`` with an ``ETag``, or ``304 Not Modified`` when the client holds that one."""
    tag = '"' + hashlib.sha256(response.content()).hexdigest()[:32] + '"'
    if request.headers.get("if-none-match") == tag:
        return Response(304, None, {**response.headers, "ETag": tag})
    return Response(response.status, response.body, {**response.headers, "ETag": tag})


def commit(name: str, date: str, message: str = "") -> dict[str, Any]:
    """A commit object as GitHub lists it (author time is what lead time reads)."""
    return {
        "sha": sha_of(name),
        "commit": {"author": {"date": date}, "committer": {"date": date}, "message": message or name},
    }


class GitHubDeliveries:
    """The delivery routes and their state on ``fake``."""

    def __init__(self, fake: GitHubFake) -> None:
        self.fake = fake
        self.history: dict[str, History] = {}
        self.ids = iter(range(5000, 10**6))
        owner_repo = "/repos/{owner}/{repo}"
        fake.add_route("GET", f"{owner_repo}/deployments", self.list_deployments, "deployments=read")
        fake.add_route(
            "GET",
            f"{owner_repo}/deployments/{{deployment_id}}/statuses",
            self.list_statuses,
            "deployments=read",
        )
        fake.add_route("GET", f"{owner_repo}/compare/{{basehead}}", self.compare, "contents=read")
        fake.add_route("GET", f"{owner_repo}/commits/{{ref}}", self.get_commit, "contents=read")
        fake.add_route("GET", f"{owner_repo}/commits/{{ref}}/status", self.combined_status, "statuses=read")
        fake.add_route("GET", f"{owner_repo}/pulls", self.list_pulls, "pull_requests=read")
        fake.add_route(
            "GET", f"{owner_repo}/pulls/{{pull_number}}/commits", self.list_pull_commits, "pull_requests=read"
        )
        fake.add_route("GET", f"{owner_repo}/issues", self.list_issues, "issues=read")
        fake.add_route(
            "GET", f"{owner_repo}/actions/workflows/{{workflow_id}}/runs", self.list_runs, "actions=read"
        )

    # -- set-up ---------------------------------------------------------------------------------
    def repo(self, slug: str) -> History:
        """The history of ``slug`` (created empty)."""
        return self.history.setdefault(slug, History())

    def push(self, slug: str, *commits: dict[str, Any]) -> str:
        """Append commits to main (each a child of the one before, unless it names its parents)."""
        history = self.repo(slug)
        for one in commits:
            tip = history.commits[-1]["sha"] if history.commits else None
            history.commits.append({"parents": [{"sha": tip, "url": ""}] if tip else [], **one})
        return str(commits[-1]["sha"])

    def run(self, slug: str, workflow: str, sha: str, created: str, finished: str, conclusion: str) -> int:
        """A completed run of ``workflow`` (a file name such as ``deploy.yml``) on ``sha``."""
        number = next(self.ids)
        self.repo(slug).runs.setdefault(workflow, []).insert(
            0,
            {
                "id": number,
                "name": workflow,
                "head_sha": sha,
                "head_branch": "main",
                "event": "push",
                "status": "completed",
                "conclusion": conclusion,
                "created_at": created,
                "updated_at": finished,
                "path": f".github/workflows/{workflow}",
            },
        )
        return number

    def deploy(
        self,
        slug: str,
        sha: str,
        created: str,
        finished: str,
        state: str = "success",
        environment: str = "production",
    ) -> int:
        """A deployment of ``sha`` and its final status (:meth:`status` adds later ones)."""
        history = self.repo(slug)
        number = next(self.ids)
        history.deployments.insert(
            0,
            {
                "id": number,
                "sha": sha,
                "ref": "main",
                "environment": environment,
                "created_at": created,
                "updated_at": finished,
                "task": "deploy",
            },
        )
        history.statuses[number] = [{"id": next(self.ids), "state": state, "created_at": finished}]
        return number

    def commit_status(self, slug: str, sha: str, context: str, state: str, created: str) -> None:
        """A commit status of ``sha`` (the latest per context counts, as GitHub combines them)."""
        statuses = self.repo(slug).commit_statuses.setdefault(sha, [])
        statuses[:] = [s for s in statuses if s["context"] != context]
        statuses.insert(
            0,
            {
                "id": next(self.ids),
                "context": context,
                "state": state,
                "created_at": created,
                "updated_at": created,
            },
        )

    def status(self, slug: str, deployment: int, state: str, created: str) -> None:
        """A later status of ``deployment`` (``failure`` then ``success``: restored by a retry)."""
        self.repo(slug).statuses[deployment].append(
            {"id": next(self.ids), "state": state, "created_at": created}
        )

    def merge_pull(
        self,
        slug: str,
        number: int,
        originals: list[dict[str, Any]],
        merge_sha: str,
        merged_at: str,
        *,
        title: str = "A change",
        labels: tuple[str, ...] = (),
    ) -> None:
        """A merged pull request with its own commits and the commit that landed on main."""
        history = self.repo(slug)
        history.pulls.insert(
            0,
            {
                "number": number,
                "title": title,
                "state": "closed",
                "merged_at": merged_at,
                "updated_at": merged_at,
                "merge_commit_sha": merge_sha,
                "labels": [{"name": name} for name in labels],
            },
        )
        history.pull_commits[number] = originals

    def issue(
        self,
        slug: str,
        number: int,
        title: str,
        body: str,
        created: str,
        closed: str | None,
        labels: tuple[str, ...] = ("incident",),
    ) -> None:
        """An issue (an incident when labelled so)."""
        self.repo(slug).issues.insert(
            0,
            {
                "number": number,
                "title": title,
                "body": body,
                "created_at": created,
                "closed_at": closed,
                "state": "closed" if closed else "open",
                "labels": [{"name": name} for name in labels],
            },
        )

    # -- routes ---------------------------------------------------------------------------------
    def _history(self, request: Request) -> History | None:
        return self.history.get(f"{request.params['owner']}/{request.params['repo']}")

    def list_deployments(self, request: Request) -> Response:
        history = self._history(request)
        if history is None:
            return error(404, "Not Found")
        env = request.arg("environment")
        items = [d for d in history.deployments if env is None or d["environment"] == env]
        return conditional(request, page(request, items, self.fake.base_url(request)))

    def list_statuses(self, request: Request) -> Response:
        history = self._history(request)
        found = history.statuses.get(int(request.params["deployment_id"])) if history else None
        if found is None:
            return error(404, "Not Found")
        return page(request, list(reversed(found)), self.fake.base_url(request))

    def _index(self, history: History, ref: str) -> int | None:
        return next((n for n, c in enumerate(history.commits) if c["sha"] == ref), None)

    def compare(self, request: Request) -> Response:
        history = self._history(request)
        base, _, head = request.params["basehead"].partition("...")
        start = self._index(history, base) if history else None
        end = self._index(history, head) if history else None
        if history is None or start is None or end is None:
            return error(404, "Not Found")
        shipped = history.commits[start + 1 : end + 1]
        listed = Response(200, shipped[-250:])
        if request.arg("per_page") or request.arg("page"):
            listed = page(request, shipped, self.fake.base_url(request))
        body = {"status": "ahead", "ahead_by": len(shipped), "total_commits": len(shipped)}
        return Response(200, {**body, "commits": listed.body}, listed.headers)

    def get_commit(self, request: Request) -> Response:
        history = self._history(request)
        at = self._index(history, request.params["ref"]) if history else None
        if history is None or at is None:
            return error(404, "Not Found")
        return Response(200, history.commits[at])

    def combined_status(self, request: Request) -> Response:
        history = self._history(request)
        if history is None or self._index(history, request.params["ref"]) is None:
            return error(404, "Not Found")
        statuses = history.commit_statuses.get(request.params["ref"], [])
        states = {s["state"] for s in statuses}
        combined = "failure" if states & {"failure", "error"} else "success" if statuses else "pending"
        body = {"state": combined, "sha": request.params["ref"], "total_count": len(statuses)}
        return Response(200, {**body, "statuses": statuses})

    def list_pulls(self, request: Request) -> Response:
        history = self._history(request)
        if history is None:
            return error(404, "Not Found")
        return conditional(request, page(request, history.pulls, self.fake.base_url(request)))

    def list_pull_commits(self, request: Request) -> Response:
        history = self._history(request)
        found = history.pull_commits.get(int(request.params["pull_number"])) if history else None
        if found is None:
            return error(404, "Not Found")
        return page(request, found, self.fake.base_url(request))

    def list_issues(self, request: Request) -> Response:
        history = self._history(request)
        if history is None:
            return error(404, "Not Found")
        wanted = set(filter(None, (request.arg("labels") or "").split(",")))
        items = [i for i in history.issues if wanted <= {label["name"] for label in i["labels"]}]
        return conditional(request, page(request, items, self.fake.base_url(request)))

    def list_runs(self, request: Request) -> Response:
        history = self._history(request)
        if history is None or request.params["workflow_id"] not in history.runs:
            return error(404, "Not Found")
        runs = history.runs[request.params["workflow_id"]]
        wanted = request.arg("status")
        items = [r for r in runs if wanted in (None, r["status"], r["conclusion"])]
        listed = page(request, items, self.fake.base_url(request))
        listed.body = {"total_count": len(items), "workflow_runs": listed.body}
        return conditional(request, listed)
