"""GitHub's side of the fleet: organisation discovery, branches and pull requests.

Per repository a first scan costs one contents read (``platform.yaml``) and, for services, one
pull-request list; both are kept with their ``ETag`` under ``<home>/cache/fleet/github/`` so a
re-scan asks with ``If-None-Match`` (a 304 costs no rate limit). Branches are read and pushed
with real git over HTTPS (``git ls-remote``, ``git push --force-with-lease``), the token passed
per command. Writes go through the one HTTP policy (serialized, secondary limits honoured).
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from platformctl.contracts.change_requests import ChangeRequest, ChangeRequestDraft, ForgeRepository
from platformctl.errors import ProviderError

if TYPE_CHECKING:
    from platformctl.providers.gitpush import GitRemote
    from platformctl.providers.http import HttpClient

SAFE_GIT = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false")
MAX_FILE = 1024 * 1024


class GitHubChangeRequests:
    """Discovery and pull requests in a GitHub organisation (or on GitHub Enterprise Server)."""

    name = "github"

    def __init__(self, http: HttpClient, git: GitRemote, web_url: str, cache: Path) -> None:
        self.http, self.git, self.web_url = http, git, web_url.rstrip("/")
        key = hashlib.sha256(http.service.base_url.encode()).hexdigest()[:12]
        self.cache = cache / f"github-{key}"
        self._lock = threading.Lock()

    def repositories(self, org: str) -> list[ForgeRepository]:
        """Active repositories of ``org`` (archived ones, forks and empty ones left out)."""
        items = self.http.paginate(
            f"orgs/{quote(org, safe='')}/repos",
            action=f"list the repositories of {org}",
            params={"type": "all"},
        )
        return [
            ForgeRepository(
                r["full_name"], r.get("default_branch") or "main", r.get("pushed_at"), str(r.get("pushed_at"))
            )
            for r in items
            if not r.get("archived") and not r.get("fork") and r.get("size", 1) != 0
        ]

    def read_file(self, repo: ForgeRepository, path: str) -> str | None:
        """``GET /repos/{owner}/{repo}/contents/{path}`` on the default branch, conditionally."""
        data = self._conditional(
            repo,
            f"contents:{path}",
            f"repos/{repo.slug}/contents/{quote(path)}",
            {"ref": repo.default_branch},
            f"read {path} of {repo.slug}",
        )
        if not isinstance(data, dict) or data.get("type") != "file" or data.get("size", 0) > MAX_FILE:
            return None
        try:
            return base64.b64decode(data.get("content") or "").decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None

    def clone(self, repo: ForgeRepository, dest: Path) -> None:
        """A full clone of the default branch; the clone's config turns hooks and fsmonitor off."""
        args = ["clone", "--quiet", "--template=", "--branch", repo.default_branch]
        for setting in SAFE_GIT[1::2]:
            args += ["-c", setting]
        self._run_git([*SAFE_GIT, *args, self._url(repo), str(dest)], repo, f"clone {repo.slug}")

    def branch_head(self, repo: ForgeRepository, branch: str) -> str | None:
        """``git ls-remote`` of the branch."""
        return self.git.remote_head(self._url(repo), branch)

    def push_branch(self, repo: ForgeRepository, workdir: Path, branch: str, *, lease: str | None) -> None:
        """``git push --force-with-lease``: refused when the branch moved since ``lease``."""
        ref = f"refs/heads/{branch}"
        args = [
            "-C",
            str(workdir),
            *SAFE_GIT,
            "push",
            "--porcelain",
            f"--force-with-lease={ref}:{lease or ''}",
        ]
        self._run_git([*args, self._url(repo), f"+{ref}:{ref}"], repo, f"push {branch} to {repo.slug}")

    def change_requests(self, repo: ForgeRepository, branch_prefix: str) -> list[ChangeRequest]:
        """Pull requests (any state) of the repository whose head branch starts with the prefix."""
        items = self._conditional(
            repo,
            "pulls",
            f"repos/{repo.slug}/pulls",
            {"state": "all", "per_page": 100},
            f"list the pull requests of {repo.slug}",
        )
        pulls = [_pull(p) for p in items or [] if isinstance(p, dict)]
        return [p for p in pulls if p.branch.startswith(branch_prefix)]

    def open_change_request(self, repo: ForgeRepository, draft: ChangeRequestDraft) -> ChangeRequest:
        """``POST /pulls`` then the labels; "already exists" (422) becomes a read."""
        body = {
            "title": draft.title,
            "head": draft.branch,
            "base": draft.base,
            "body": draft.body,
            "draft": draft.draft,
        }
        response = self.http.request(
            "POST",
            f"repos/{repo.slug}/pulls",
            action=f"open a pull request in {repo.slug}",
            json=body,
            allow=(422,),
        )
        if response.status_code == 422:
            existing = self._forget_and_find(repo, draft.branch)
            if existing is None:
                from platformctl.providers.httperrors import translate

                raise translate("GitHub", f"open a pull request in {repo.slug}", response, "")
            return existing
        pull = _pull(response.json())
        return self._labelled(repo, pull, draft.labels)

    def update_change_request(
        self, repo: ForgeRepository, number: int, draft: ChangeRequestDraft
    ) -> ChangeRequest:
        """Title and body by ``PATCH``, labels by ``PUT`` (REST cannot turn a draft ready: GraphQL can)."""
        response = self.http.request(
            "PATCH",
            f"repos/{repo.slug}/pulls/{number}",
            action=f"update pull request #{number} of {repo.slug}",
            json={"title": draft.title, "body": draft.body},
        )
        return self._labelled(repo, _pull(response.json()), draft.labels)

    def close_change_request(self, repo: ForgeRepository, number: int, comment: str) -> ChangeRequest:
        """A comment, then ``PATCH state=closed``."""
        self.http.request(
            "POST",
            f"repos/{repo.slug}/issues/{number}/comments",
            action=f"comment on #{number} of {repo.slug}",
            json={"body": comment},
        )
        response = self.http.request(
            "PATCH",
            f"repos/{repo.slug}/pulls/{number}",
            action=f"close pull request #{number} of {repo.slug}",
            json={"state": "closed"},
        )
        return _pull(response.json())

    # -- helpers -------------------------------------------------------------------------
    def _labelled(self, repo: ForgeRepository, pull: ChangeRequest, labels: tuple[str, ...]) -> ChangeRequest:
        if sorted(pull.labels) == sorted(labels):
            return pull
        self.http.request(
            "PUT",
            f"repos/{repo.slug}/issues/{pull.number}/labels",
            action=f"label #{pull.number} of {repo.slug}",
            json={"labels": list(labels)},
        )
        from dataclasses import replace

        return replace(pull, labels=tuple(labels))

    def _forget_and_find(self, repo: ForgeRepository, branch: str) -> ChangeRequest | None:
        self._cache_file(repo).unlink(missing_ok=True)
        return next(
            (p for p in self.change_requests(repo, branch) if p.branch == branch and p.state == "open"), None
        )

    def _url(self, repo: ForgeRepository) -> str:
        return f"{self.web_url}/{repo.slug}.git"

    def _run_git(self, args: list[str], repo: ForgeRepository, action: str) -> None:
        from platformctl.redact import redact

        proc = subprocess.run(
            ["git", *args],
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            env=self.git.environment(self._url(repo)),
            timeout=900,
        )
        if proc.returncode != 0:
            lines = redact(proc.stderr).strip().splitlines()
            raise ProviderError(
                f"git could not {action}: {lines[-1] if lines else proc.returncode}",
                provider=self.name,
                hint="run the campaign again: it resumes where it stopped",
            )

    def _conditional(
        self, repo: ForgeRepository, kind: str, path: str, params: dict[str, Any], action: str
    ) -> Any:
        """A GET answered from the cache on 304; 404 is None."""
        cached = self._cached(repo).get(kind)
        headers = {"If-None-Match": cached["etag"]} if cached and cached.get("etag") else None
        response = self.http.request(
            "GET", path, action=action, params=params, headers=headers, allow=(304, 404)
        )
        if response.status_code == 304 and cached:
            return cached["data"]
        data = None if response.status_code == 404 else response.json()
        self._remember(repo, kind, response.headers.get("etag", ""), data)
        return data

    def _cache_file(self, repo: ForgeRepository) -> Path:
        return self.cache / f"{repo.slug}.json"

    def _cached(self, repo: ForgeRepository) -> dict[str, Any]:
        try:
            data = json.loads(self._cache_file(repo).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _remember(self, repo: ForgeRepository, kind: str, etag: str, data: Any) -> None:
        from platformctl.files import atomic_write_text

        with self._lock:
            entries = self._cached(repo)
            entries[kind] = {"etag": etag, "data": data}
            self._cache_file(repo).parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self._cache_file(repo), json.dumps(entries))


def _pull(data: dict[str, Any]) -> ChangeRequest:
    state = "merged" if data.get("merged_at") else ("open" if data.get("state") == "open" else "closed")
    return ChangeRequest(
        number=int(data["number"]),
        branch=str((data.get("head") or {}).get("ref", "")),
        base=str((data.get("base") or {}).get("ref", "")),
        title=str(data.get("title") or ""),
        body=str(data.get("body") or ""),
        state=state,  # type: ignore[arg-type]
        draft=bool(data.get("draft")),
        labels=tuple(str(label.get("name")) for label in data.get("labels") or [] if isinstance(label, dict)),
        url=str(data.get("html_url") or ""),
    )
