"""Git work on a service's own checkout, through GitPython."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import git

DEFAULT_BRANCH = "main"
FALLBACK_NAME = "platformctl"
FALLBACK_EMAIL = "platformctl@localhost"


def init_repository(path: Path) -> git.Repo:
    """``git init -b main`` in ``path``, every later git command of it hardened (gitsafe)."""
    from platformctl.gitsafe import init_repo

    return init_repo(path, branch=DEFAULT_BRANCH)


def commit_all(repo: git.Repo, message: str, *, paths: list[str] | None = None) -> str:
    """Stage every file (or just ``paths``) and commit, without hooks or signing prompts.

    The author is the user's git identity when configured, else a neutral platformctl one, so
    a fresh CI machine with no git config still works. Returns the commit SHA.
    """
    import git

    if paths is None:
        repo.git.add(A=True)
    else:
        repo.index.add(paths)  # in-process: no git subprocess for a known, small change
    actor = _identity(repo)
    # GitPython runs .git/hooks/* itself (ignoring git's configuration): never let it.
    commit = repo.index.commit(message, author=actor, committer=actor, skip_hooks=True)
    # index.commit does not move a branch that has no commit yet in every GitPython version
    if repo.head.is_detached or repo.head.commit != commit:
        repo.head.reference = git.Head(repo, f"refs/heads/{DEFAULT_BRANCH}")
        repo.head.reference.set_commit(commit)
    return commit.hexsha


def _identity(repo: git.Repo) -> git.Actor:
    import git

    reader = repo.config_reader()
    name = reader.get_value("user", "name", default="") or FALLBACK_NAME
    email = reader.get_value("user", "email", default="") or FALLBACK_EMAIL
    return git.Actor(str(name), str(email))


def identity_env(repo: git.Repo) -> dict[str, str]:
    """Author and committer variables for git plumbing, with the same fallback identity."""
    actor = _identity(repo)
    return {
        f"GIT_{who}_{what}": value
        for who in ("AUTHOR", "COMMITTER")
        for what, value in (("NAME", str(actor.name)), ("EMAIL", str(actor.email)))
    }
