"""GitLab projects: create in a group, push, topics, protected default branch.

Projects are addressed by their URL-encoded full path (``acme%2Fsub%2Fpayments``); creating
one needs the group's numeric id, read by path. "Protected" means nobody pushes directly
(every change goes through a merge request), Maintainers merge, no force push. GitLab
protects a new project's default branch on first push with its own defaults; those are read
and replaced (unprotect, protect: the Free tier cannot change access levels in place).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from platformctl.contracts.repositories import Repository, RepositorySpec, StepResult
from platformctl.errors import InputRequired, ProviderError
from platformctl.providers.gitpush import GitRemote, publish, remote_branch_head
from platformctl.providers.http import HttpClient
from platformctl.providers.httperrors import server_message, translate

NO_ONE, DEVELOPER, MAINTAINER = 0, 30, 40


def _id(path: str) -> str:
    return quote(path, safe="")


class GitLabRepositories:
    """Projects in a GitLab group (gitlab.com or self-managed)."""

    name = "gitlab"

    def __init__(self, http: HttpClient, git: GitRemote, web_url: str) -> None:
        self.http = http
        self.git = git
        self.web_url = web_url.rstrip("/")
        self._created: set[str] = set()
        self._projects: dict[str, dict[str, Any]] = {}

    def check_access(self, spec: RepositorySpec) -> None:
        """No token, no project: say so before the service is rendered."""
        self.http.require_token(f"create project {spec.slug}")

    def default_owner(self, *, read: bool = True) -> str:
        """GitLab projects go into a group that must be named."""
        raise InputRequired(
            "GitLab needs the group to create the project in",
            hint="pass --org GROUP/SUBGROUP (or set org in platformctl.yaml)",
        )

    def locate(self, spec: RepositorySpec) -> Repository:
        """The project's page and clone URL (no request)."""
        url = f"{self.web_url}/{spec.slug}"
        return Repository(slug=spec.slug, url=url, clone_url=f"{url}.git")

    def file_url(self, spec: RepositorySpec, branch: str, path: str) -> str | None:
        """The blob URL Backstage reads a file of the project from."""
        return f"{self.web_url}/{spec.slug}/-/blob/{quote(branch)}/{quote(path)}"

    def plan(self, spec: RepositorySpec, branch: str) -> list[str]:
        """The requests of a first run, in order."""
        project = f"/api/v4/projects/{_id(spec.slug)}"
        body = {**self._create_body(spec), "namespace_id": "ID"}
        steps = [
            f"GET {project} (read; 404 means create)",
            f"GET /api/v4/groups/{_id(spec.org)} (the group's numeric id)",
            f"POST /api/v4/projects {json.dumps(body, sort_keys=True)}",
            f"git push {branch} to {self.locate(spec).clone_url} (after git ls-remote when the "
            "project already existed)",
            f"GET /api/v4/projects/ID/protected_branches/{branch}",
            f"DELETE /api/v4/projects/ID/protected_branches/{branch} (only if GitLab's own "
            "protection differs)",
            f"POST /api/v4/projects/ID/protected_branches "
            f"{json.dumps(_protection_body(branch), sort_keys=True)} (unless already so)",
        ]
        if spec.topics:
            steps.insert(
                4,
                'PUT /api/v4/projects/ID {"topics": [...]} (only when the project already '
                "existed without these topics)",
            )
        return [f"gitlab: {s}" for s in steps]

    def ensure_repository(self, spec: RepositorySpec) -> StepResult:
        """``GET`` the project; else find the group's id and ``POST`` the project."""
        existing = self._read(spec, retry_not_found=False)
        if existing is not None:
            return StepResult("create repository", changed=False, detail=f"exists: {existing['web_url']}")
        group = self.http.request("GET", f"/groups/{_id(spec.org)}", action=f"read group {spec.org}").json()
        action = f"create project {spec.slug}"
        body = {**self._create_body(spec), "namespace_id": group["id"]}
        response = self.http.request("POST", "/projects", json=body, action=action, allow={400, 409})
        if response.status_code in (400, 409):
            if "has already been taken" not in server_message(response) and response.status_code == 400:
                raise translate("GitLab", action, response, self.http.service.token_hint)
            found = self._read(spec, retry_not_found=True)
            if found is None:
                raise ProviderError(
                    f"GitLab says {spec.slug} is taken but cannot read it",
                    provider="gitlab",
                    hint="check that the token can see that project",
                )
            return StepResult("create repository", changed=False, detail=f"exists: {found['web_url']}")
        self._created.add(spec.slug)
        self._projects[spec.slug] = response.json()
        return StepResult("create repository", changed=True, detail=self._projects[spec.slug]["web_url"])

    def push(self, spec: RepositorySpec, workdir: Path, branch: str) -> StepResult:
        """Push over HTTPS to the project's ``http_url_to_repo``."""
        project = self._project(spec)
        return publish(
            self.git,
            spec,
            workdir,
            branch,
            project["http_url_to_repo"],
            known_empty=spec.slug in self._created,
            origin=self.web_url,
        )

    def published_head(self, spec: RepositorySpec, branch: str) -> str | None:
        """``GET`` the project, then ``git ls-remote`` its clone URL (only on the web URL's host)."""
        project = self._read(spec, retry_not_found=False)
        if project is None:
            return None
        return remote_branch_head(self.git, project["http_url_to_repo"], branch, origin=self.web_url)

    def configure(self, spec: RepositorySpec) -> StepResult:
        """Add missing topics (sent with the create already, so only older projects need it)."""
        project = self._project(spec)
        wanted = sorted({t.strip() for t in spec.topics if t.strip()})
        current = list(project.get("topics") or [])
        if not wanted or set(wanted) <= set(current):
            return StepResult("configure repository", changed=False, detail="topics already set")
        self.http.request(
            "PUT",
            f"/projects/{project['id']}",
            json={"topics": sorted({*current, *wanted})},
            action=f"set the topics of {spec.slug}",
        )
        return StepResult("configure repository", changed=True, detail="topics")

    def protect_branch(self, spec: RepositorySpec, branch: str) -> StepResult:
        """Protect ``branch``: no direct push, Maintainers merge, no force push."""
        project = self._project(spec)
        path = f"/projects/{project['id']}/protected_branches"
        current = self.http.request(
            "GET", f"{path}/{_id(branch)}", action=f"read the protection of {branch}", allow={404}
        )
        if current.status_code == 200:
            if _protects(current.json()):
                return StepResult("protect branch", changed=False, detail=f"{branch} protected")
            self.http.request(
                "DELETE",
                f"{path}/{_id(branch)}",
                allow={404},
                action=f"replace GitLab's default protection of {branch}",
            )
        response = self.http.request(
            "POST",
            path,
            json=_protection_body(branch),
            allow={409},
            action=f"protect {branch} of {spec.slug}",
        )
        if response.status_code == 409:  # protected meanwhile by someone else: read again next run
            return StepResult("protect branch", changed=False, detail=f"{branch} already protected")
        return StepResult("protect branch", changed=True, detail=f"{branch} protected")

    def _read(self, spec: RepositorySpec, *, retry_not_found: bool) -> dict[str, Any] | None:
        response = self.http.request(
            "GET",
            f"/projects/{_id(spec.slug)}",
            action=f"read project {spec.slug}",
            allow={404},
            retry_not_found=retry_not_found,
        )
        if response.status_code == 404:
            return None
        project: dict[str, Any] = response.json()
        if str(project.get("path_with_namespace", "")).lower() != spec.slug.lower():
            raise ProviderError(
                f"{spec.slug} now leads to {project.get('path_with_namespace')} (moved or "
                "renamed): it is not this service's project",
                provider="gitlab",
                hint="choose another service name or --org",
            )
        self._projects[spec.slug] = project
        return project

    def _project(self, spec: RepositorySpec) -> dict[str, Any]:
        project = self._projects.get(spec.slug) or self._read(spec, retry_not_found=False)
        if project is None:
            raise ProviderError(
                f"{spec.slug} does not exist at GitLab",
                provider="gitlab",
                hint="re-run the command: it creates the project first",
            )
        return project

    @staticmethod
    def _create_body(spec: RepositorySpec) -> dict[str, Any]:
        body: dict[str, Any] = {"name": spec.name, "path": spec.name, "visibility": spec.visibility}
        if spec.description:
            body["description"] = spec.description
        if spec.topics:
            body["topics"] = sorted({t.strip() for t in spec.topics if t.strip()})
        return body


def _protection_body(branch: str) -> dict[str, Any]:
    return {
        "name": branch,
        "push_access_level": NO_ONE,
        "merge_access_level": MAINTAINER,
        "allow_force_push": False,
    }


def _protects(protected: dict[str, Any]) -> bool:
    push = [level.get("access_level") for level in protected.get("push_access_levels") or []]
    merge = [level.get("access_level") for level in protected.get("merge_access_levels") or []]
    return (
        not protected.get("allow_force_push")
        and bool(push)
        and all(p == NO_ONE for p in push)
        and bool(merge)
        and all(m in (DEVELOPER, MAINTAINER) for m in merge)
    )
