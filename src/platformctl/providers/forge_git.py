"""What the fleet's GitHub and GitLab sides share: git over HTTPS and conditional reads.

Branches are read and pushed with real git (``git ls-remote``, ``git push --force-with-lease``),
the token passed per command in the environment, never in argv or a config file; every git
command runs with hooks and fsmonitor off. API reads that may be asked again are kept with
their ``ETag`` under ``<home>/cache/fleet/<provider>-<api hash>/`` and asked with
``If-None-Match`` (a 304 costs no rate limit).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.contracts.change_requests import ChangeRequest, ForgeRepository
from platformctl.errors import ProviderError

if TYPE_CHECKING:
    from platformctl.providers.gitpush import GitRemote
    from platformctl.providers.http import HttpClient

SAFE_GIT = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false")


class GitForge:
    """The git side and the read cache of a remote forge; subclasses add the API calls."""

    name = "forge"

    def __init__(self, http: HttpClient, git: GitRemote, web_url: str, cache: Path) -> None:
        self.http, self.git, self.web_url = http, git, web_url.rstrip("/")
        key = hashlib.sha256(http.service.base_url.encode()).hexdigest()[:12]
        self.cache = cache / f"{self.name}-{key}"
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = {}  # the cache files read so far, by slug
        self._locks: dict[str, threading.Lock] = {}

    def change_requests(self, repo: ForgeRepository, branch_prefix: str) -> list[ChangeRequest]:
        """Change requests whose branch starts with ``branch_prefix`` (the subclass's API)."""
        raise NotImplementedError

    def clone(self, repo: ForgeRepository, dest: Path, *, depth: int | None = None) -> None:
        """A clone of the default branch (``depth``: shallow); its config turns hooks and fsmonitor off."""
        args = ["clone", "--quiet", "--template=", "--branch", repo.default_branch]
        args += [f"--depth={depth}"] if depth else []
        for setting in SAFE_GIT[1::2]:
            args += ["-c", setting]
        self._run_git([*SAFE_GIT, *args, self._url(repo), str(dest)], repo, f"clone {repo.slug}")

    def deepen(self, repo: ForgeRepository, dest: Path, commits: int) -> None:
        """``git fetch --deepen``: ``commits`` more of the default branch's history."""
        ref = f"refs/heads/{repo.default_branch}"
        args = ["-C", str(dest), *SAFE_GIT, "fetch", "--quiet", "--no-tags", f"--deepen={commits}"]
        self._run_git(
            [*args, "origin", f"+{ref}:refs/remotes/origin/{repo.default_branch}"],
            repo,
            f"deepen {repo.slug}",
        )

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

    def _forget_and_find(self, repo: ForgeRepository, branch: str) -> ChangeRequest | None:
        with self._repo_lock(repo):
            self._entries[repo.slug] = {}
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
        self,
        repo: ForgeRepository,
        kind: str,
        path: str,
        params: dict[str, Any],
        action: str,
        *,
        raw: bool = False,
    ) -> Any:
        """A GET answered from the cache on 304; 404 is None; ``raw``: the body as text."""
        cached = self._cached(repo).get(kind)
        headers = {"If-None-Match": cached["etag"]} if cached and cached.get("etag") else None
        response = self.http.request(
            "GET", path, action=action, params=params, headers=headers, allow=(304, 404), text=raw
        )
        if response.status_code == 304 and cached:
            return cached["data"]
        data = None if response.status_code == 404 else response.text if raw else response.json()
        self._remember(repo, kind, response.headers.get("etag", ""), data)
        return data

    def _cache_file(self, repo: ForgeRepository) -> Path:
        return self.cache / f"{repo.slug}.json"

    def _cached(self, repo: ForgeRepository) -> dict[str, Any]:
        with self._repo_lock(repo):
            if repo.slug not in self._entries:
                self._entries[repo.slug] = _read_cache(self._cache_file(repo))
            return dict(self._entries[repo.slug])

    def _remember(self, repo: ForgeRepository, kind: str, etag: str, data: Any) -> None:
        """Keep the answer in memory and in the repository's cache file.

        The file is a cache: replaced whole (never half-written) but not fsynced, since losing
        it costs one full read, and an fsync per answer would cost more than the scan's reads.
        """
        from platformctl.files import atomic_write_text

        with self._repo_lock(repo):
            if repo.slug not in self._entries:
                self._entries[repo.slug] = _read_cache(self._cache_file(repo))
            entries = self._entries[repo.slug]
            entries[kind] = {"etag": etag, "data": data}
            atomic_write_text(self._cache_file(repo), json.dumps(entries), durable=False)

    def _repo_lock(self, repo: ForgeRepository) -> threading.Lock:
        """One lock per repository: reads of different repositories never wait for each other."""
        with self._lock:
            return self._locks.setdefault(repo.slug, threading.Lock())


def _read_cache(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
