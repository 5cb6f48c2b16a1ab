"""The local forge's side of the fleet: bare repositories as an organisation, and pull requests.

Repositories are ``<home>/repositories/<org>/<name>.git`` (see ``repositories.py``). A pull
request is a record in ``<home>/pull-requests/<org>/<name>.json``: number, branch, base, title,
body, state, draft, labels and comments. Every git command on these repositories runs with
hooks and fsmonitor off: the content was pushed by anyone with access to the folder.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from platformctl.contracts.change_requests import ChangeRequest, ChangeRequestDraft, ForgeRepository
from platformctl.errors import ProviderError

SAFE_GIT = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false")
MAX_FILE = 1024 * 1024  # a service descriptor is a few hundred bytes; refuse a huge blob


class LocalChangeRequests:
    """Discovery, branches and pull requests on the local forge (the platform home)."""

    name = "local"

    def __init__(self, home: Path) -> None:
        self.root = home / "repositories"
        self.pulls = home / "pull-requests"

    # -- discovery -------------------------------------------------------------------------
    def repositories(self, org: str) -> list[ForgeRepository]:
        """Every bare repository of ``org`` (empty: of every folder of the local forge)."""
        folders = [self.root / org] if org else sorted(p for p in self.root.glob("*") if p.is_dir())
        found = []
        for folder in folders:
            for bare in sorted(folder.glob("*.git")) if folder.is_dir() else []:
                branch = _default_branch(bare)
                if branch is not None:
                    slug = f"{folder.name}/{bare.name[: -len('.git')]}"
                    found.append(ForgeRepository(slug, branch, _last_activity(bare, branch)))
        return found

    def read_file(self, repo: ForgeRepository, path: str) -> str | None:
        """``git cat-file`` of ``path`` on the default branch (None: absent, or not text)."""
        proc = _git(self._bare(repo), "cat-file", "blob", f"refs/heads/{repo.default_branch}:{path}")
        if proc.returncode != 0 or len(proc.stdout) > MAX_FILE:
            return None
        try:
            return proc.stdout.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def clone(self, repo: ForgeRepository, dest: Path, *, depth: int | None = None) -> None:
        """A clone whose config switches hooks and fsmonitor off for every later command.

        ``depth``: shallow, through ``file://`` (git ignores a depth for a plain local path).
        """
        args = ["clone", "--quiet", "--template=", "--branch", repo.default_branch]
        args += [f"--depth={depth}"] if depth else []
        for setting in SAFE_GIT[1::2]:
            args += ["-c", setting]
        source = self._bare(repo).resolve().as_uri() if depth else str(self._bare(repo))
        proc = _run(["git", *SAFE_GIT, *args, source, str(dest)])
        if proc.returncode != 0:
            raise ProviderError(f"cannot clone {repo.slug}: {_last_line(proc)}", provider=self.name)

    def deepen(self, repo: ForgeRepository, dest: Path, commits: int) -> None:
        """``git fetch --deepen``: ``commits`` more of the default branch's history."""
        ref = f"refs/heads/{repo.default_branch}"
        args = ["-C", str(dest), *SAFE_GIT, "fetch", "--quiet", "--no-tags", f"--deepen={commits}"]
        proc = _run(["git", *args, "origin", f"+{ref}:refs/remotes/origin/{repo.default_branch}"])
        if proc.returncode != 0:
            raise ProviderError(
                f"cannot deepen the clone of {repo.slug}: {_last_line(proc)}", provider=self.name
            )

    # -- branches ------------------------------------------------------------------------
    def branch_head(self, repo: ForgeRepository, branch: str) -> str | None:
        """The commit of ``refs/heads/<branch>`` in the bare repository."""
        proc = _git(self._bare(repo), "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}")
        if proc.returncode != 0:
            return None
        return proc.stdout.decode().strip() or None

    def push_branch(self, repo: ForgeRepository, workdir: Path, branch: str, *, lease: str | None) -> None:
        """Fetch ``branch`` from ``workdir`` into the bare repository, if nobody moved it."""
        with self._locked(repo):
            current = self.branch_head(repo, branch)
            if current != lease:
                raise ProviderError(
                    f"{repo.slug}: branch {branch} moved to {(current or 'nothing')[:12]} meanwhile",
                    provider=self.name,
                    hint="someone else pushed to it; run the campaign again to see its state",
                )
            # A fetch by the bare repository: the protection against force pushes (which
            # guards the default branch) is receive-pack's, and this branch is ours to replace.
            ref = f"refs/heads/{branch}"
            proc = _git(self._bare(repo), "fetch", "--quiet", "--no-tags", str(workdir), f"+{ref}:{ref}")
            if proc.returncode != 0:
                raise ProviderError(f"push to {repo.slug} failed: {_last_line(proc)}", provider=self.name)

    # -- pull requests ---------------------------------------------------------------------
    def change_requests(self, repo: ForgeRepository, branch_prefix: str) -> list[ChangeRequest]:
        """The recorded pull requests whose branch starts with ``branch_prefix``."""
        return [_request(r) for r in self._load(repo)["pulls"] if r["branch"].startswith(branch_prefix)]

    def open_change_request(self, repo: ForgeRepository, draft: ChangeRequestDraft) -> ChangeRequest:
        """Record a new open pull request, unless one is open for the branch already."""
        with self._locked(repo):
            data = self._load(repo)
            for record in data["pulls"]:
                if record["branch"] == draft.branch and record["state"] == "open":
                    return _request(record)
            number = int(data.get("next", 1))
            record = {**asdict(draft), "labels": list(draft.labels), "number": number}
            record.update(state="open", comments=[], url=f"{self._bare(repo)}#pull/{number}")
            data["pulls"].append(record)
            data["next"] = number + 1
            self._save(repo, data)
            return _request(record)

    def update_change_request(
        self, repo: ForgeRepository, number: int, draft: ChangeRequestDraft
    ) -> ChangeRequest:
        """Replace title, body, draft and labels of pull request ``number``."""
        fields = {
            "title": draft.title,
            "body": draft.body,
            "draft": draft.draft,
            "labels": list(draft.labels),
        }
        return self._change(repo, number, fields)

    def close_change_request(self, repo: ForgeRepository, number: int, comment: str) -> ChangeRequest:
        """Add ``comment`` and close pull request ``number``."""
        return self._change(repo, number, {"state": "closed"}, comment=comment)

    def merge_change_request(self, repo: ForgeRepository, number: int) -> ChangeRequest:
        """Merge the branch into the base (a merge commit, as for a pristine-render update)."""
        with self._locked(repo):
            record = self._find(self._load(repo), number, repo)
            head = self.branch_head(repo, record["branch"])
            base = f"refs/heads/{record['base']}"
            proc = _git(self._bare(repo), "merge-base", "--is-ancestor", base, head or "")
            if head is None or proc.returncode != 0:
                raise ProviderError(f"{repo.slug}#{number} cannot be fast-forwarded", provider=self.name)
            _git(self._bare(repo), "update-ref", base, head)
        return self._change(repo, number, {"state": "merged"})

    # -- storage -------------------------------------------------------------------------
    def _bare(self, repo: ForgeRepository) -> Path:
        return self.root / f"{repo.slug}.git"

    def _store(self, repo: ForgeRepository) -> Path:
        return self.pulls / f"{repo.slug}.json"

    def _load(self, repo: ForgeRepository) -> dict[str, Any]:
        path = self._store(repo)
        if not path.is_file():
            return {"next": 1, "pulls": []}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ProviderError(f"{path}: unreadable pull requests ({exc})", provider=self.name) from None
        if not isinstance(data, dict) or not isinstance(data.get("pulls"), list):
            raise ProviderError(f"{path}: not a pull-request record", provider=self.name)
        return data

    def _save(self, repo: ForgeRepository, data: dict[str, Any]) -> None:
        from platformctl.files import atomic_write_text

        atomic_write_text(self._store(repo), json.dumps(data, indent=2) + "\n")

    def _find(self, data: dict[str, Any], number: int, repo: ForgeRepository) -> dict[str, Any]:
        for record in data["pulls"]:
            if record.get("number") == number:
                return dict(record)
        raise ProviderError(f"{repo.slug} has no pull request #{number}", provider=self.name)

    def _change(
        self, repo: ForgeRepository, number: int, fields: dict[str, Any], *, comment: str = ""
    ) -> ChangeRequest:
        with self._locked(repo):
            data = self._load(repo)
            record = self._find(data, number, repo)
            record.update(fields)
            if comment:
                record["comments"] = [*record.get("comments", []), comment]
            data["pulls"] = [record if r.get("number") == number else r for r in data["pulls"]]
            self._save(repo, data)
            return _request(record)

    @contextlib.contextmanager
    def _locked(self, repo: ForgeRepository) -> Iterator[None]:
        """One writer per repository at a time: shards of one campaign may share the forge."""
        import fcntl

        lock = self._store(repo).with_suffix(".lock")
        lock.parent.mkdir(parents=True, exist_ok=True)
        with lock.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _request(record: dict[str, Any]) -> ChangeRequest:
    request = ChangeRequest(
        number=int(record["number"]),
        branch=str(record["branch"]),
        base=str(record["base"]),
        title=str(record.get("title", "")),
        body=str(record.get("body", "")),
        state=record.get("state", "open"),
        draft=bool(record.get("draft", False)),
        labels=tuple(str(label) for label in record.get("labels", [])),
        url=str(record.get("url", "")),
        checks=record.get("checks"),
    )
    return replace(request, comments=tuple(str(c) for c in record.get("comments", [])))


def _default_branch(bare: Path) -> str | None:
    """The branch ``HEAD`` names, read from the file (no process per repository)."""
    try:
        head = (bare / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    prefix = "ref: refs/heads/"
    return head[len(prefix) :] if head.startswith(prefix) else None


def _last_activity(bare: Path, branch: str) -> str | None:
    proc = _git(bare, "for-each-ref", "--format=%(committerdate:iso-strict)", f"refs/heads/{branch}")
    return proc.stdout.decode().strip() or None


def _git(bare: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return _run(["git", *SAFE_GIT, f"--git-dir={bare}", *args])


def _run(argv: list[str]) -> subprocess.CompletedProcess[bytes]:
    from platformctl.gitsafe import git_env

    return subprocess.run(argv, capture_output=True, check=False, env=git_env(), stdin=subprocess.DEVNULL)


def _last_line(proc: subprocess.CompletedProcess[bytes]) -> str:
    lines = proc.stderr.decode(errors="replace").strip().splitlines()
    return lines[-1].strip() if lines else f"exit {proc.returncode}"
