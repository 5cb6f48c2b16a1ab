"""Git work on a service's own checkout, through plain (hardened) ``git`` processes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import git

DEFAULT_BRANCH = "main"
FALLBACK_NAME = "platformctl"
FALLBACK_EMAIL = "platformctl@localhost"
# A commit must not start background maintenance (another process, for a two-commit repository).
_NO_AUTO_MAINTENANCE = (("gc.auto", "0"), ("maintenance.auto", "false"))
# `git add` writes each blob as a loose object, one fan-out folder per object (a mkdir costs
# ~0.3 ms on some file systems: most of the add). Over core.bigFileThreshold git streams blobs
# into one pack instead ("bulk checkin"), with the same object ids; files it converts (eol,
# filters) still go the usual way. Set for the add alone: a diff reads the setting as "binary".
_PACKED_ADD = (*_NO_AUTO_MAINTENANCE, ("core.bigFileThreshold", "1"))


def init_repository(path: Path) -> None:
    """``git init -b main`` in ``path`` (hardened, see gitsafe)."""
    from platformctl.gitsafe import init_git

    init_git(path, branch=DEFAULT_BRANCH)


def commit_all(
    path: Path, message: str, *, identity: Mapping[str, str], paths: list[str] | None = None
) -> str:
    """Stage every file (or just ``paths``) of the checkout at ``path`` and commit, without hooks
    or signing; ``identity`` from :func:`identity_at`. Returns the commit SHA.

    Raises:
        OSError: git failed.
    """
    _git(path, ["add", "--all"] if paths is None else ["add", "--", *paths], extra=_PACKED_ADD)
    _git(path, ["commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", message], env=identity)
    return head_commit(path, "HEAD")


def head_commit(path: Path, ref: str = DEFAULT_BRANCH) -> str:
    """The commit SHA ``ref`` names in the repository at ``path`` (a checkout or a git dir).

    Raises:
        OSError: no such commit.
    """
    from platformctl.gitsafe import commit_of

    sha = commit_of(path, ref)
    if sha is None:
        raise OSError(f"{path}: git knows no commit {ref}")
    return sha


def identity_at(path: Path) -> dict[str, str]:
    """Author and committer variables for git: the user's git identity when configured, else a
    neutral platformctl one, so a fresh CI machine with no git config still works."""
    from platformctl.gitsafe import run_git

    done = run_git(["config", "--get-regexp", r"^user\.(name|email)$"], cwd=path)
    found = dict(line.partition(" ")[::2] for line in done.stdout.splitlines())
    return _identity_env(found.get("user.name") or FALLBACK_NAME, found.get("user.email") or FALLBACK_EMAIL)


def identity_env(repo: git.Repo) -> dict[str, str]:
    """Author and committer variables for git plumbing, with the same fallback identity."""
    reader = repo.config_reader()
    name = reader.get_value("user", "name", default="") or FALLBACK_NAME
    email = reader.get_value("user", "email", default="") or FALLBACK_EMAIL
    return _identity_env(str(name), str(email))


def _identity_env(name: str, email: str) -> dict[str, str]:
    return {
        f"GIT_{who}_{what}": value
        for who in ("AUTHOR", "COMMITTER")
        for what, value in (("NAME", name), ("EMAIL", email))
    }


def _git(
    path: Path,
    args: list[str],
    *,
    env: Mapping[str, str] | None = None,
    extra: tuple[tuple[str, str], ...] = _NO_AUTO_MAINTENANCE,
) -> str:
    from platformctl.gitsafe import run_git

    done = run_git(args, cwd=path, env=env, extra=extra)
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise OSError(f"git {args[0]} in {path} failed: {detail}")
    return done.stdout.strip()
