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

from platformctl.contracts.repositories import Repository, RepositorySpec, StepResult
from platformctl.errors import ForeignRepository, ProviderError

PROTECTION = {"denyNonFastForwards": "true", "denyDeletes": "true"}
MARKER = "platformctl-repository"
# A fetch would start `git gc --auto` or maintenance: not worth a process for a new repository.
_NO_GC = (("gc.auto", "0"), ("maintenance.auto", "false"))
# And it keeps what it receives as the one pack it came in (git's default unpacks fewer than 100
# objects into a file and a folder each): half the CPU time of publishing a new service's history.
_KEEP_PACK = (("fetch.unpackLimit", "1"),)
MARKER_TEXT = "This bare repository was created by platformctl (local provider).\n"


class LocalRepositories:
    """Repositories as bare git repos in the platform home; same contract as remote hosts."""

    name = "local"

    def __init__(self, home: Path) -> None:
        self.root = home / "repositories"
        # The configuration of each bare repository found to be ours in this run (read once).
        self._config: dict[Path, dict[str, str]] = {}

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
        return _branch_head(path, branch)

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
        from platformctl.gitsafe import init_git

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
            # No template folder: this is platformctl's own store, protected by the settings
            # below, not a repository anyone works in; git's sample hooks were most of the
            # init's time (9 ms of CPU against 1.4 ms without, on a slow file system).
            init_git(tmp, branch=spec.default_branch, bare=True, templates=False)
            if spec.description:
                (tmp / "description").write_text(spec.description + "\n", encoding="utf-8")
            (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            _set_protection(tmp, PROTECTION)  # protected from birth: nothing to half-write later
            tmp.rename(path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return StepResult("create repository", changed=True, detail=str(path))

    def push(self, spec: RepositorySpec, workdir: Path, branch: str) -> StepResult:
        """Push ``branch`` unless the bare repository already has the same commit."""
        from platformctl.gitsafe import commit_of, run_git

        bare = self._owned(spec)
        head = commit_of(workdir, branch)
        if head is None:
            raise ProviderError(f"{workdir} has no {branch} branch to push", provider=self.name)
        remote_head = _branch_head(bare, branch)
        if remote_head == head:
            return StepResult("push", changed=False, detail=f"{branch} at {head[:12]}")
        if remote_head is not None and not _is_ancestor(workdir, remote_head, head):
            raise ForeignRepository(
                f"{spec.slug} already has a {branch} branch with other history",
                provider=self.name,
                hint="this repository belongs to another service: choose another name or --org",
            )
        _ensure_origin(workdir, str(bare))
        # The bare repository fetches from the checkout: the same objects and the same
        # fast-forward-only ref update as a push, but run by git here, hardened. A push would
        # start git-receive-pack in the bare repository, and git clears the environment's
        # configuration (our hardening) for a process working on another repository.
        fetch = ["--git-dir", str(bare), "fetch", "--quiet", "--no-tags", str(workdir)]
        done = run_git([*fetch, f"refs/heads/{branch}:refs/heads/{branch}"], extra=(*_NO_GC, *_KEEP_PACK))
        if done.returncode != 0:
            raise ProviderError(f"push to {spec.slug} failed: {_last_line(done.stderr)}", provider=self.name)
        _track(workdir, branch, head)
        return StepResult("push", changed=True, detail=f"{branch} at {head[:12]}")

    def protect_branch(self, spec: RepositorySpec, branch: str) -> StepResult:
        """Make the bare repository refuse force pushes and deletions (all branches)."""

        bare = self._owned(spec)
        found = self._config[bare]
        missing = {k: v for k, v in PROTECTION.items() if found.get(f"receive.{k.lower()}") != v}
        if not missing:
            return StepResult("protect branch", changed=False, detail=branch)
        _set_protection(bare, missing)
        found.update({f"receive.{k.lower()}": v for k, v in missing.items()})
        return StepResult("protect branch", changed=True, detail=branch)

    def _owned(self, spec: RepositorySpec) -> Path:
        """The bare repository's folder, if platformctl created it.

        Raises:
            ProviderError: it is not a bare repository, or has no marker (exit 1).
        """

        path = self.path(spec)
        if path in self._config:
            return path
        config = _own_config(path) if (path / "HEAD").is_file() else {}
        if config.get("core.bare") != "true":
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
        self._config[path] = config
        return path


def _own_config(git_dir: Path) -> dict[str, str]:
    """``core.bare`` and the protection settings of ``git_dir``'s own configuration, as git's
    booleans (``true``/``false``); empty when it is not a git repository."""
    from platformctl.gitsafe import run_git

    keys = r"^(core\.bare|receive\.denynonfastforwards|receive\.denydeletes)$"
    done = run_git(["--git-dir", str(git_dir), "config", "--local", "--type=bool", "--get-regexp", keys])
    return dict(line.partition(" ")[::2] for line in done.stdout.splitlines())


def _branch_head(git_dir: Path, branch: str) -> str | None:
    """The commit ``refs/heads/<branch>`` points at in ``git_dir``, or None."""
    from platformctl.gitsafe import run_git

    done = run_git(
        ["--git-dir", str(git_dir), "for-each-ref", "--format=%(objectname)", f"refs/heads/{branch}"]
    )
    return done.stdout.strip() or None


def _is_ancestor(workdir: Path, ancestor: str, head: str) -> bool:
    """Whether ``ancestor`` is in ``head``'s history (False when it is not even in the checkout)."""
    from platformctl.gitsafe import run_git

    return run_git(["merge-base", "--is-ancestor", ancestor, head], cwd=workdir).returncode == 0


def _track(workdir: Path, branch: str, head: str) -> None:
    """What a ``git push -u origin`` leaves behind: origin/<branch> and the upstream config."""
    from platformctl.gitsafe import run_git

    run_git(["update-ref", f"refs/remotes/origin/{branch}", head], cwd=workdir)
    run_git(["branch", "--quiet", f"--set-upstream-to=origin/{branch}", branch], cwd=workdir)


def _ensure_origin(workdir: Path, url: str) -> None:
    from platformctl.gitsafe import run_git

    if run_git(["remote", "add", "origin", url], cwd=workdir).returncode != 0:  # it exists
        run_git(["remote", "set-url", "origin", url], cwd=workdir)


def _last_line(stderr: str) -> str:
    text = stderr.strip().splitlines()
    return text[-1].strip() if text else "git failed"


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
