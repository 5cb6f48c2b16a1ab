"""Delivery history on a :class:`GitLabFake`: main branch commits, environment deployments,
merged merge requests and incidents (issue type ``incident``), as GitLab's REST API v4 lists them.

``GET /projects/:id/dora/metrics`` (Ultimate only) answers 403 unless :meth:`GitLabDeliveries.offer_dora`
gave the project its figures; its parameters are checked as GitLab documents them (``metric``
one of four, ``start_date``/``end_date`` ISO dates, ``interval`` all/monthly/daily,
``environment_tiers[]`` tiers) and a departure is a violation answered 400. Listings answer
with an ``ETag`` and 304 to a matching ``If-None-Match``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.fakes.base import Request, Response
from tests.fakes.github_deployments import conditional
from tests.fakes.listings import page

if TYPE_CHECKING:
    from tests.fakes.gitlab import GitLabFake

NOT_FOUND = {"message": "404 Not Found"}


@dataclass
class Project:
    """One project's main branch (oldest first), deployments (newest first), MRs and incidents."""

    commits: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    merge_requests: list[dict[str, Any]] = field(default_factory=list)
    mr_commits: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)
    dora: dict[str, float | None] | None = None  # GitLab's own figures (Ultimate), by metric
    dora_asked: list[dict[str, str]] = field(default_factory=list)


def from_github_commit(c: dict[str, Any]) -> dict[str, Any]:
    """GitLab's commit shape for a commit built with tests.fakes.github_deployments.commit."""
    date = c["commit"]["author"]["date"]
    message = c["commit"]["message"]
    return {
        "id": c["sha"],
        "short_id": c["sha"][:8],
        "title": message,
        "message": message,
        "authored_date": date,
        "committed_date": date,
        "created_at": date,
    }


class GitLabDeliveries:
    """The delivery routes and their state on ``fake``."""

    def __init__(self, fake: GitLabFake) -> None:
        self.fake = fake
        self.projects: dict[str, Project] = {}
        self.ids = iter(range(7000, 10**6))
        base = "/api/v4/projects/{id}"
        fake.add_route("GET", f"{base}/deployments", self.list_deployments)
        fake.add_route("GET", f"{base}/repository/compare", self.compare)
        fake.add_route("GET", f"{base}/repository/commits/{{sha}}", self.get_commit)
        fake.add_route("GET", f"{base}/merge_requests", self.list_mrs)
        fake.add_route("GET", f"{base}/merge_requests/{{iid}}/commits", self.list_mr_commits)
        fake.add_route("GET", f"{base}/issues", self.list_issues)
        fake.add_route("GET", f"{base}/dora/metrics", self.dora_metrics)

    # -- set-up ---------------------------------------------------------------------------------
    def project(self, path: str) -> Project:
        """The project at ``path`` (created empty)."""
        return self.projects.setdefault(path, Project())

    def push(self, path: str, *commits: dict[str, Any]) -> str:
        """Append commits (GitHub-shaped builders are converted) to main; the last SHA."""
        converted = [from_github_commit(c) if "commit" in c else c for c in commits]
        self.project(path).commits.extend(converted)
        return str(converted[-1]["id"])

    def deploy(
        self,
        path: str,
        sha: str,
        created: str,
        finished: str,
        status: str = "success",
        environment: str = "production",
    ) -> int:
        """A finished deployment of ``sha``."""
        number = next(self.ids)
        self.project(path).deployments.insert(
            0,
            {
                "id": number,
                "iid": number - 7000,
                "ref": "main",
                "sha": sha,
                "status": status,
                "created_at": created,
                "updated_at": finished,
                "finished_at": finished,
                "environment": {"name": environment},
            },
        )
        return number

    def merge(
        self,
        path: str,
        iid: int,
        originals: list[dict[str, Any]],
        landed: str,
        merged_at: str,
        *,
        squash: bool,
        title: str = "A change",
        labels: tuple[str, ...] = (),
    ) -> None:
        """A merged merge request; ``landed`` is its squash commit or merge commit."""
        self.project(path).merge_requests.insert(
            0,
            {
                "iid": iid,
                "title": title,
                "state": "merged",
                "labels": list(labels),
                "merged_at": merged_at,
                "updated_at": merged_at,
                "squash": squash,
                "squash_commit_sha": landed if squash else None,
                "merge_commit_sha": None if squash else landed,
                "sha": originals[-1]["sha"],
            },
        )
        self.project(path).mr_commits[iid] = [from_github_commit(c) for c in originals]

    def incident(
        self, path: str, iid: int, title: str, description: str, created: str, closed: str | None
    ) -> None:
        """An incident (and, to be skipped by the filter, the same as a plain issue)."""
        self.project(path).issues.insert(
            0,
            {
                "iid": iid,
                "title": title,
                "description": description,
                "created_at": created,
                "closed_at": closed,
                "state": "closed" if closed else "opened",
                "issue_type": "incident",
            },
        )

    def offer_dora(self, path: str, **values: float | None) -> None:
        """Serve GitLab's DORA API for ``path`` with these ``interval=all`` values, by metric."""
        self.project(path).dora = dict(values)

    # -- routes ---------------------------------------------------------------------------------
    def dora_metrics(self, request: Request) -> Response:
        project = self._project(request)
        if project is None:
            return Response(404, NOT_FOUND)
        problems = _dora_problems(request)
        if problems:
            self.fake.violations.append("GET dora/metrics: " + "; ".join(problems))
            return Response(400, {"message": "; ".join(problems)})
        if project.dora is None:
            return Response(403, {"message": "403 Forbidden"})
        asked = {k: v[0] for k, v in request.query.items()}
        project.dora_asked.append(asked)
        return Response(200, [{"date": None, "value": project.dora.get(asked["metric"])}])

    def _project(self, request: Request) -> Project | None:
        return self.projects.get(request.params["id"])

    def _page(self, request: Request, items: list[Any]) -> Response:
        """A page of a listing, with an ``ETag`` (304 to a matching ``If-None-Match``)."""
        return conditional(request, page(request, items, self.fake.web_url(request)))

    def list_deployments(self, request: Request) -> Response:
        project = self._project(request)
        if project is None:
            return Response(404, NOT_FOUND)
        env = request.arg("environment")
        return self._page(
            request, [d for d in project.deployments if env in (None, d["environment"]["name"])]
        )

    def _index(self, project: Project, sha: str | None) -> int | None:
        return next((n for n, c in enumerate(project.commits) if c["id"] == sha), None)

    def compare(self, request: Request) -> Response:
        project = self._project(request)
        start = self._index(project, request.arg("from")) if project else None
        end = self._index(project, request.arg("to")) if project else None
        if project is None or start is None or end is None:
            return Response(404, NOT_FOUND)
        commits = project.commits[start + 1 : end + 1]
        return Response(200, {"commit": commits[-1] if commits else None, "commits": commits, "diffs": []})

    def get_commit(self, request: Request) -> Response:
        project = self._project(request)
        at = self._index(project, request.params["sha"]) if project else None
        if project is None or at is None:
            return Response(404, NOT_FOUND)
        return Response(200, project.commits[at])

    def list_mrs(self, request: Request) -> Response:
        project = self._project(request)
        if project is None:
            return Response(404, NOT_FOUND)
        state = request.arg("state")
        return self._page(request, [m for m in project.merge_requests if state in (None, m["state"])])

    def list_mr_commits(self, request: Request) -> Response:
        project = self._project(request)
        found = project.mr_commits.get(int(request.params["iid"])) if project else None
        if found is None:
            return Response(404, NOT_FOUND)
        return self._page(request, list(reversed(found)))  # GitLab lists them newest first

    def list_issues(self, request: Request) -> Response:
        project = self._project(request)
        if project is None:
            return Response(404, NOT_FOUND)
        kind = request.arg("issue_type")
        return self._page(request, [i for i in project.issues if kind in (None, i["issue_type"])])


DORA_METRICS = (
    "deployment_frequency",
    "lead_time_for_changes",
    "time_to_restore_service",
    "change_failure_rate",
)
TIERS = ("production", "staging", "testing", "development", "other")


def _dora_problems(request: Request) -> list[str]:
    """How a DORA metrics request departs from GitLab's documented parameters."""
    import datetime as dt

    problems = []
    known = {"metric", "start_date", "end_date", "interval", "environment_tiers[]"}
    problems += [f"unknown parameter {name!r}" for name in request.query if name not in known]
    if request.arg("metric") not in DORA_METRICS:
        problems.append(f"metric {request.arg('metric')!r} is not one of {', '.join(DORA_METRICS)}")
    for name in ("start_date", "end_date"):
        value = request.arg(name)
        try:
            if value is not None:
                dt.date.fromisoformat(value)
        except ValueError:
            problems.append(f"{name} {value!r} is not an ISO 8601 date")
    if request.arg("interval") not in (None, "all", "monthly", "daily"):
        problems.append(f"interval {request.arg('interval')!r} is not all, monthly or daily")
    problems += [
        f"tier {t!r} is not a tier" for t in request.query.get("environment_tiers[]", []) if t not in TIERS
    ]
    return problems
