"""The embedded ``local`` provider: bare git repositories under the platform home.

``<home>/repositories/<org>/<name>.git``. Branch protection is git's own: the bare repository
refuses non-fast-forward pushes and branch deletion (``receive.denyNonFastForwards``,
``receive.denyDeletes``).

Each repository platformctl creates holds a marker file (:data:`MARKER`). A bare repository
without one was put there by something else (a copied folder, another tool, an archive), and
its hooks and configuration are not ours: it is refused, never pushed to nor trusted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from platformctl.contracts.repositories import Repository, RepositorySpec, StepResult
from platformctl.errors import ForeignRepository, ProviderError

if TYPE_CHECKING:
    import git

PROTECTION = {"denyNonFastForwards": "true", "denyDeletes": "true"}
MARKER = "platformctl-repository"
MARKER_TEXT = "This bare repository was created by platformctl (local provider).\n"


class LocalRepositories:
    """Repositories as bare git repos in the platform home; same contract as remote hosts."""

    name = "local"

    def __init__(self, home: Path) -> None:
        self.root = home / "repositories"

    def path(self, spec: RepositorySpec) -> Path:
        """The bare repository's folder."""
        return self.root / spec.org / f"{spec.name}.git"

    def locate(self, spec: RepositorySpec) -> Repository:
        """Where the repository is or will be."""
        path = str(self.path(spec))
        return Repository(slug=spec.slug, url=path, clone_url=path)

    def default_owner(self, *, read: bool = True) -> str:
        """Without ``--org``, local repositories go to the ``local`` folder."""
        return "local"

    def check_access(self, spec: RepositorySpec) -> None:
        """The platform home must be writable: find out before anything is rendered."""
        import os

        folder = self.root
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            reason = "Not a directory" if folder.exists() and not folder.is_dir() else "Permission denied"
            raise ProviderError(
                f"{self.root}: {reason} ({folder}): the platform home cannot hold repositories",
                provider=self.name,
                hint="set PLATFORMCTL_HOME (or 'home' in the user config) to a writable folder",
            )

    def plan(self, spec: RepositorySpec, branch: str) -> list[str]:
        """The steps a first run takes (no network: everything is on this machine)."""
        return [
            f"local: create repository {spec.slug} unless it exists",
            f"local: push {branch} to {self.path(spec)}",
            f"local: protect {branch} (no force push, no deletion)",
        ]

    def published_head(self, spec: RepositorySpec, branch: str) -> str | None:
        """The commit of ``branch`` in the bare repository, or None (no repository, no branch)."""
        path = self.path(spec)
        if not (path / "HEAD").is_file():
            return None
        import git

        ref = f"refs/heads/{branch}"
        return next((r.commit.hexsha for r in git.Repo(path).references if r.path == ref), None)

    def configure(self, spec: RepositorySpec) -> StepResult:
        """Topics and teams have no meaning for a bare repository on this machine."""
        return StepResult(
            "configure repository",
            changed=False,
            detail="topics and team access do not apply to the local provider",
        )

    def file_url(self, spec: RepositorySpec, branch: str, path: str) -> str | None:
        """None: a catalog elsewhere cannot read this machine's bare repositories."""
        return None

    def ensure_repository(self, spec: RepositorySpec) -> StepResult:
        """Create the bare repository unless it exists; a non-repository in the way is an error."""
        from platformctl.gitsafe import init_repo

        path = self.path(spec)
        if path.exists():
            self._owned(spec)
            return StepResult("create repository", changed=False, detail="exists")
        path.parent.mkdir(parents=True, exist_ok=True)
        # Build it beside its final place and rename, so a crash never leaves half a repository;
        # what a killed run left there (its pid is gone) is removed first.
        from platformctl.scratch import remove_stale_siblings

        remove_stale_siblings(path.parent, f".{spec.name}.git-")
        tmp = Path(tempfile.mkdtemp(prefix=f".{spec.name}.git-{os.getpid()}-", dir=path.parent))
        try:
            repo = init_repo(tmp, branch=spec.default_branch, bare=True)
            if spec.description:
                (tmp / "description").write_text(spec.description + "\n", encoding="utf-8")
            (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            repo.close()
            _set_protection(tmp, PROTECTION)  # protected from birth: nothing to half-write later
            tmp.rename(path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return StepResult("create repository", changed=True, detail=str(path))

    def push(self, spec: RepositorySpec, workdir: Path, branch: str) -> StepResult:
        """Push ``branch`` unless the bare repository already has the same commit."""
        import git

        from platformctl.gitsafe import open_repo

        bare = self._owned(spec)
        local = open_repo(workdir)
        head = local.commit(branch).hexsha
        remote_ref = f"refs/heads/{branch}"
        remote_head = next((r.commit.hexsha for r in bare.references if r.path == remote_ref), None)
        if remote_head == head:
            return StepResult("push", changed=False, detail=f"{branch} at {head[:12]}")
        if remote_head is not None and not _is_ancestor(local, remote_head, head):
            raise ForeignRepository(
                f"{spec.slug} already has a {branch} branch with other history",
                provider=self.name,
                hint="this repository belongs to another service: choose another name or --org",
            )
        _ensure_origin(local, str(self.path(spec)))
        try:
            # The bare repository fetches from the checkout: the same objects and the same
            # fast-forward-only ref update as a push, with one process pair fewer.
            bare.git.fetch("--quiet", "--no-tags", str(workdir), f"refs/heads/{branch}:{remote_ref}")
        except git.GitCommandError as exc:
            raise ProviderError(
                f"push to {spec.slug} failed: {_last_line(exc)}", provider=self.name
            ) from None
        _track(local, branch, head)
        return StepResult("push", changed=True, detail=f"{branch} at {head[:12]}")

    def protect_branch(self, spec: RepositorySpec, branch: str) -> StepResult:
        """Make the bare repository refuse force pushes and deletions (all branches)."""
        bare = self._owned(spec)
        reader = bare.config_reader(config_level="repository")
        missing = {
            k: v
            for k, v in PROTECTION.items()
            if str(reader.get_value("receive", k, default="")).lower() != v
        }
        if not missing:
            return StepResult("protect branch", changed=False, detail=branch)
        _set_protection(Path(bare.git_dir), missing)
        return StepResult("protect branch", changed=True, detail=branch)

    def _owned(self, spec: RepositorySpec) -> git.Repo:
        """The bare repository, opened hardened, if platformctl created it.

        Raises:
            ProviderError: it is not a bare repository, or has no marker (exit 1).
        """
        import git

        from platformctl.gitsafe import open_repo

        path = self.path(spec)
        try:
            repo = open_repo(path) if (path / "HEAD").is_file() else None
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            repo = None
        if repo is None or not repo.bare:
            raise ProviderError(
                f"{path} exists and is not a bare git repository",
                provider=self.name,
                hint="move it away, or choose another service name or org",
            )
        if not (path / MARKER).is_file():
            raise ProviderError(
                f"{path} is a bare git repository that platformctl did not create: "
                "its hooks and configuration are not trusted",
                provider=self.name,
                hint=f"move it away; if you made it with an older platformctl and checked its "
                f"hooks and config, mark it with 'touch {path / MARKER}'",
            )
        return repo


def _is_ancestor(repo: git.Repo, ancestor: str, head: str) -> bool:
    import git

    try:
        return repo.is_ancestor(repo.commit(ancestor), repo.commit(head))
    except (git.GitCommandError, ValueError):  # the ancestor is not even in this repository
        return False


def _track(repo: git.Repo, branch: str, head: str) -> None:
    """What a ``git push -u origin`` leaves behind: origin/<branch> and the upstream config."""
    import git

    git.Reference.create(repo, f"refs/remotes/origin/{branch}", head, force=True)
    with repo.config_writer(config_level="repository") as writer:
        writer.set_value(f'branch "{branch}"', "remote", "origin")
        writer.set_value(f'branch "{branch}"', "merge", f"refs/heads/{branch}")


def _ensure_origin(repo: git.Repo, url: str) -> None:
    if "origin" in [r.name for r in repo.remotes]:
        if repo.remotes.origin.url != url:
            repo.remotes.origin.set_url(url)
    else:
        repo.create_remote("origin", url)


def _last_line(exc: Exception) -> str:
    text = (getattr(exc, "stderr", "") or str(exc)).strip().splitlines()
    return text[-1].strip() if text else type(exc).__name__


def _set_protection(git_dir: Path, settings: dict[str, str]) -> None:
    """``receive.*`` settings by ``git config``, which writes the file atomically (config.lock,
    then a rename): a kill never leaves a truncated config that no longer says ``bare``."""
    from platformctl.gitsafe import run_git

    for key, value in settings.items():
        done = run_git(["--git-dir", str(git_dir), "config", f"receive.{key}", value])
        if done.returncode != 0:
            raise ProviderError(
                f"{git_dir}: cannot set receive.{key}: {done.stderr.strip()}", provider="local"
            )
