"""Pristine renders as commits in the service's own repository.

A service's history holds the pristine render of every golden-path version it used, each a
commit whose parent is the previous pristine render. Updating is then an ordinary git merge
of the newest pristine commit (docs/golden-path-updates.md, the nf-core TEMPLATE-branch model without the
long-lived branch).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from platformctl.errors import PlatformctlError, UsageError
from platformctl.scaffold.descriptor import DESCRIPTOR_FILE, VERSION_PATTERN

if TYPE_CHECKING:
    from collections.abc import Iterator

    import git
    from git.objects.base import IndexObject

    from platformctl.scaffold.catalog import GoldenPath


def open_service_repo(path: Path) -> git.Repo:
    """The git repository of the service at ``path`` (which must be its top folder).

    Raises:
        UsageError: not a git repository.
    """
    import git

    from platformctl.gitsafe import open_repo

    try:
        return open_repo(path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError(
            f"{path} is not a git repository",
            hint="run this in a service created by 'platformctl new service'",
        ) from None


def require_pristine(repo: git.Repo, sha: str) -> git.Commit:
    """The recorded pristine commit, fetching full history once if this is a shallow clone.

    Raises:
        PlatformctlError: the commit is missing and cannot be fetched (with the command to run).
    """
    import git

    commit = find_commit(repo, sha)
    if commit is not None:
        return commit
    shallow = Path(repo.git_dir, "shallow").exists()
    if shallow and repo.remotes:
        remote = "origin" if "origin" in [r.name for r in repo.remotes] else repo.remotes[0].name
        with contextlib.suppress(git.GitCommandError):  # offline: fall through to the hint
            repo.git.fetch("--unshallow", "--quiet", remote)
        commit = find_commit(repo, sha)
        if commit is not None:
            return commit
    if shallow:
        raise PlatformctlError(
            f"the pristine commit {sha[:12]} is not in this shallow clone and could not be fetched",
            hint="run 'git fetch --unshallow origin' (in CI: actions/checkout with fetch-depth: 0)",
        )
    raise PlatformctlError(
        f"the pristine commit {sha[:12]} recorded in {DESCRIPTOR_FILE} is not in this repository",
        hint="the history was rewritten or an update was squash-merged; fetch the branch that has "
        "it ('git fetch origin'), or ask the platform team to re-baseline the service",
    )


def find_commit(repo: git.Repo, sha: str) -> git.Commit | None:
    import git

    try:
        commit = repo.commit(sha)
        commit.tree  # noqa: B018  (a shallow boundary can name a commit whose objects are absent)
    except (ValueError, git.BadName, git.BadObject, git.GitCommandError):
        return None
    return commit


def commit_render(repo: git.Repo, render: Path, parent: str, message: str) -> str:
    """Commit the rendered folder as a tree in ``repo`` with ``parent``; no branch moves.

    A temporary index keeps the service's own index and working tree untouched.
    """
    fd, index = tempfile.mkstemp(prefix="platformctl-index-", dir=render.parent)  # our scratch
    os.close(fd)
    os.unlink(index)  # git wants to create the index itself
    try:
        env = {"GIT_DIR": str(repo.git_dir), "GIT_INDEX_FILE": index, "GIT_WORK_TREE": str(render)}
        _git(["add", "--all", "."], cwd=render, env=env)
        tree = _git(["write-tree"], cwd=render, env=env)
    finally:
        Path(index).unlink(missing_ok=True)
    from platformctl.scaffold.gitwork import identity_env

    return _git(
        ["commit-tree", tree, "-p", parent, "-m", message],
        cwd=Path(repo.git_dir),
        env={"GIT_DIR": str(repo.git_dir), **identity_env(repo)},
    )


def _git(args: list[str], *, cwd: Path, env: dict[str, str]) -> str:
    """Run one git plumbing command (hardened, see gitsafe); its stdout, stripped."""
    from platformctl.gitsafe import run_git

    proc = run_git(args, cwd=cwd, env=env)
    if proc.returncode != 0:
        raise PlatformctlError(f"git {args[0]} failed: {proc.stderr.strip() or proc.returncode}")
    return proc.stdout.strip()


def tree_blobs(commit: git.Commit) -> dict[str, str]:
    """``{path: blob sha}`` for every file of a commit, the descriptor left out."""
    # traverse() without as_edge yields objects, never the (parent, child) edges its type also allows.
    objects = cast("Iterator[IndexObject]", commit.tree.traverse())
    return {str(b.path): b.hexsha for b in objects if b.type == "blob" and b.path != DESCRIPTOR_FILE}


def render_blobs(repo: git.Repo, render: Path) -> dict[str, str]:
    """``{path: blob sha}`` of a rendered folder, hashed without writing objects."""
    from platformctl.scaffold.render import list_files

    files = list_files(render)
    if not files:
        return {}
    out = _git(["hash-object", "--", *files], cwd=render, env={"GIT_DIR": str(repo.git_dir)})
    return dict(zip(files, out.split(), strict=True))


def diff_names(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    """Files ``changed``, ``added`` and ``removed`` between two ``{path: blob}`` maps."""
    return {
        "changed": sorted(p for p in before.keys() & after.keys() if before[p] != after[p]),
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
    }


def rendered(
    golden_path: GoldenPath, answers: dict[str, Any], parent: Path | None = None
) -> tempfile.TemporaryDirectory[str]:
    """A temporary directory (in ``parent``, e.g. a scratch folder under the platform home)
    holding a fresh render (use as a context manager; ``.name`` + /s)."""
    from platformctl.scaffold.render import render_golden_path

    tmp = tempfile.TemporaryDirectory(prefix="platformctl-render-", dir=parent)
    try:
        render_golden_path(golden_path, answers, Path(tmp.name) / "s")
    except BaseException:
        tmp.cleanup()
        raise
    return tmp


_VERSION = re.compile(VERSION_PATTERN)


def version_key(version: str) -> tuple[Any, ...]:
    """A sort key for semantic versions: pre-releases sort before their release."""
    match = _VERSION.match(version)
    if not match:
        raise UsageError(f"{version!r} is not a version like 1.2.3")
    major, minor, patch, pre = match.groups()
    pre_key: tuple[Any, ...] = (
        (1,) if pre is None else (0, *((0, int(p)) if p.isdigit() else (1, p) for p in pre.split(".")))
    )
    return (int(major), int(minor), int(patch), pre_key)
