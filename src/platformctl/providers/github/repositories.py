"""GitHub repositories: create, push, topics, team access, default-branch ruleset.

Every step reads before it writes, except what this very run just created: a repository this
run created has no topics, no team access and no ruleset yet, so those reads are skipped and
its follow-up requests retry a 404 a few times (GitHub is eventually consistent right after a
create). The exact requests, in order, are listed in docs/providers.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from platformctl.contracts.repositories import Repository, RepositorySpec, StepResult, TeamAccess
from platformctl.errors import ProviderError
from platformctl.providers.github.protection import GitHubProtection
from platformctl.providers.gitpush import GitRemote, publish, remote_branch_head
from platformctl.providers.http import HttpClient
from platformctl.providers.httperrors import server_message, translate

TEAM_REPOSITORY = "application/vnd.github.v3.repository+json"
_ROLES = {"pull": "read", "push": "write"}  # permission names the API takes → role names it returns


def web_url_from_api(api_url: str) -> str:
    """``https://api.github.com`` → ``https://github.com``; ``https://H/api/v3`` → ``https://H``."""
    parts = urlsplit(api_url.rstrip("/"))
    host, path = parts.netloc, parts.path
    if path.endswith("/api/v3"):
        path = path[: -len("/api/v3")]
    elif host.startswith("api."):
        host = host[len("api.") :]
    return urlunsplit((parts.scheme, host, path, "", ""))


# The owner of a repository without --org in a --dry-run: the token's login, not looked up.
USER_PLACEHOLDER = "{user}"


class GitHubRepositories:
    """Repositories in a GitHub organisation or a user account."""

    name = "github"

    def __init__(self, http: HttpClient, git: GitRemote, web_url: str) -> None:
        self.http = http
        self.git = git
        self.web_url = web_url.rstrip("/")
        self.protection = GitHubProtection(http)
        self._created: set[str] = set()
        self._repos: dict[str, dict[str, Any]] = {}

    # -- where -----------------------------------------------------------------------------
    def default_owner(self, *, read: bool = True) -> str:
        """The login the token belongs to (``GET /user``), for repositories without ``--org``."""
        if not read:
            return USER_PLACEHOLDER
        return str(self.http.request("GET", "/user", action="read the token's user").json()["login"])

    def check_access(self, spec: RepositorySpec) -> None:
        """No token, no repository: say so before the service is rendered."""
        self.http.require_token(f"create repository {spec.slug}")

    def locate(self, spec: RepositorySpec) -> Repository:
        """The repository's page and clone URL, derived from the API URL (no request)."""
        url = f"{self.web_url}/{spec.slug}"
        return Repository(slug=spec.slug, url=url, clone_url=f"{url}.git")

    def file_url(self, spec: RepositorySpec, branch: str, path: str) -> str | None:
        """The blob URL Backstage reads a file of the repository from."""
        return f"{self.web_url}/{spec.slug}/blob/{quote(branch)}/{quote(path)}"

    def plan(self, spec: RepositorySpec, branch: str) -> list[str]:
        """The requests of a first run, in order; reads marked, writes only where missing."""
        create = f"/orgs/{spec.org}/repos" if spec.owner_kind == "org" else "/user/repos"
        who = ["GET /user (read: the token's login owns the repository)"] if spec.owner_kind == "user" else []
        steps = [
            *who,
            f"GET /repos/{spec.slug} (read; 404 means create)",
            f"POST {create} {json.dumps(self._create_body(spec), sort_keys=True)}",
            f"git push {branch} to {self.locate(spec).clone_url} (after git ls-remote when the "
            "repository already existed)",
        ]
        if spec.topics:
            steps.append(f"PUT /repos/{spec.slug}/topics {json.dumps({'names': _topics(spec.topics)})}")
        for access in spec.teams:
            body = json.dumps({"permission": access.permission})
            steps.append(
                f"PUT {self._team_path(spec, access)} {body} (after a GET when the repository "
                "already existed)"
            )
        return [f"github: {s}" for s in [*steps, *self.protection.plan(spec.slug, branch)]]

    # -- steps -----------------------------------------------------------------------------
    def ensure_repository(self, spec: RepositorySpec) -> StepResult:
        """``GET`` the repository; ``POST`` it when absent. "Already exists" becomes a read."""
        existing = self._read(spec, retry_not_found=False)
        if existing is not None:
            return StepResult("create repository", changed=False, detail=f"exists: {existing['html_url']}")
        path = f"/orgs/{spec.org}/repos" if spec.owner_kind == "org" else "/user/repos"
        action = f"create repository {spec.slug}"
        response = self.http.request("POST", path, json=self._create_body(spec), action=action, allow={422})
        if response.status_code == 422:
            if "already exists" not in server_message(response):
                raise translate("GitHub", action, response, self.http.service.token_hint)
            # A retried POST whose first attempt did land, or a race: read what is there.
            found = self._read(spec, retry_not_found=True)
            if found is None:
                raise ProviderError(
                    f"GitHub says {spec.slug} exists but cannot read it",
                    hint="check that the token can see that repository",
                    provider="github",
                )
            return StepResult("create repository", changed=False, detail=f"exists: {found['html_url']}")
        self._created.add(spec.slug)
        self._repos[spec.slug] = response.json()
        return StepResult("create repository", changed=True, detail=self._repos[spec.slug]["html_url"])

    def push(self, spec: RepositorySpec, workdir: Path, branch: str) -> StepResult:
        """Push over HTTPS to the clone URL GitHub reported, the token passed per command."""
        repo = self._repo(spec)
        return publish(
            self.git,
            spec,
            workdir,
            branch,
            repo["clone_url"],
            known_empty=spec.slug in self._created,
            origin=self.web_url,
        )

    def published_head(self, spec: RepositorySpec, branch: str) -> str | None:
        """``GET`` the repository, then ``git ls-remote`` its clone URL (only on the web URL's host)."""
        repo = self._read(spec, retry_not_found=False)
        if repo is None:
            return None
        return remote_branch_head(self.git, repo["clone_url"], branch, origin=self.web_url)

    def configure(self, spec: RepositorySpec) -> StepResult:
        """Add missing topics (others are kept) and grant each team its permission."""
        repo = self._repo(spec)
        fresh = spec.slug in self._created
        changed: list[str] = []
        wanted, current = _topics(spec.topics), list(repo.get("topics") or [])
        if wanted and not set(wanted) <= set(current):
            self.http.request(
                "PUT",
                f"/repos/{spec.slug}/topics",
                action=f"set the topics of {spec.slug}",
                json={"names": sorted({*current, *wanted})},
                retry_not_found=fresh,
            )
            changed.append("topics")
        for access in spec.teams:
            if fresh or not self._team_has(spec, access):
                self.http.request(
                    "PUT",
                    self._team_path(spec, access),
                    json={"permission": access.permission},
                    retry_not_found=fresh,
                    action=f"grant team {access.team} {access.permission} on {spec.slug}",
                )
                changed.append(f"team {access.team}")
        return StepResult(
            "configure repository",
            changed=bool(changed),
            detail=", ".join(changed) or "topics and teams already set",
        )

    def protect_branch(self, spec: RepositorySpec, branch: str) -> StepResult:
        """A ruleset found by name (classic protection where rulesets are unavailable)."""
        changed, detail = self.protection.ensure(spec.slug, branch, fresh=spec.slug in self._created)
        return StepResult("protect branch", changed=changed, detail=detail)

    # -- reads -----------------------------------------------------------------------------
    def _read(self, spec: RepositorySpec, *, retry_not_found: bool) -> dict[str, Any] | None:
        response = self.http.request(
            "GET",
            f"/repos/{spec.slug}",
            action=f"read repository {spec.slug}",
            allow={404},
            retry_not_found=retry_not_found,
        )
        if response.status_code == 404:
            return None
        repo: dict[str, Any] = response.json()
        if str(repo.get("full_name", "")).lower() != spec.slug.lower():
            raise ProviderError(
                f"{spec.slug} now leads to {repo.get('full_name')} (renamed or transferred): "
                "it is not this service's repository",
                hint="choose another service name or --org",
                provider="github",
            )
        if repo.get("archived"):
            raise ProviderError(
                f"{spec.slug} exists and is archived",
                provider="github",
                hint="unarchive it, or choose another service name or --org",
            )
        self._repos[spec.slug] = repo
        return repo

    def _repo(self, spec: RepositorySpec) -> dict[str, Any]:
        repo = self._repos.get(spec.slug) or self._read(spec, retry_not_found=False)
        if repo is None:
            raise ProviderError(
                f"{spec.slug} does not exist at GitHub",
                provider="github",
                hint="re-run the command: it creates the repository first",
            )
        return repo

    def _team_has(self, spec: RepositorySpec, access: TeamAccess) -> bool:
        response = self.http.request(
            "GET",
            self._team_path(spec, access),
            allow={404},
            headers={"Accept": TEAM_REPOSITORY},
            action=f"read team {access.team}'s access to {spec.slug}",
        )
        if response.status_code == 404:
            return False
        body = response.json() if response.content else {}
        role = body.get("role_name")
        return role == _ROLES.get(access.permission, access.permission) if role else False

    @staticmethod
    def _team_path(spec: RepositorySpec, access: TeamAccess) -> str:
        return f"/orgs/{spec.org}/teams/{access.team}/repos/{spec.slug}"

    @staticmethod
    def _create_body(spec: RepositorySpec) -> dict[str, Any]:
        # Send only what was asked for: every other setting keeps the owner's defaults.
        body: dict[str, Any] = {"name": spec.name}
        if spec.owner_kind == "org":
            body["visibility"] = spec.visibility
        else:
            body["private"] = spec.private
        if spec.description:
            body["description"] = spec.description
        return body


def _topics(topics: tuple[str, ...]) -> list[str]:
    return sorted({t.strip().lower() for t in topics if t.strip()})
