"""How ``update service`` merges a new pristine render into a service, and resumes a killed one.

The merge base is the recorded pristine commit (see :mod:`platformctl.scaffold.lifecycle`):
a clean merge is written with git plumbing before anything is checked out; a merge with
conflicts is left in the working tree, as ``git merge`` would leave it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import UsageError, option
from platformctl.scaffold.descriptor import DESCRIPTOR_FILE, write_descriptor

if TYPE_CHECKING:
    import git

    from platformctl.scaffold.catalog import GoldenPath
    from platformctl.scaffold.descriptor import ServiceDescriptor
    from platformctl.scaffold.lifecycle import UpdateResult


def merge_new_pristine(
    repo: git.Repo,
    render: Path,
    descriptor: ServiceDescriptor,
    gp: GoldenPath,
    answers: dict[str, Any],
    result: UpdateResult,
    *,
    in_place: bool,
) -> None:
    """Merge the new pristine render into the service.

    A clean merge is built with git plumbing outside the working tree (``merge-tree``, a
    temporary index) and only then checked out, so a run killed on the way leaves the checkout
    as it was, or the finished merge on its branch, which the next run picks up. Conflicts need
    the working tree: that merge is left there for the user, as ``git merge`` would.
    """
    from platformctl.scaffold.answers import recorded_answers
    from platformctl.scaffold.pristine import commit_render

    record = descriptor.golden_path
    result.pristine_commit = commit_render(
        repo,
        render,
        record.pristine_commit,
        f"Render golden path {gp.name} {gp.version}\n\nPristine render; its parent is the render of "
        f"{record.version}. Merged into the service by 'platformctl update service'.",
    )
    updated = descriptor.model_copy(
        update={
            "golden_path": record.model_copy(
                update={
                    "version": gp.version,
                    "pristine_commit": result.pristine_commit,
                    "answers": recorded_answers(gp, answers),
                    "source": gp.origin,
                }
            )
        }
    )
    message = f"Update golden path {gp.name} from {record.version} to {gp.version}"
    branch = f"golden-path/{gp.name}-{gp.version}"
    merged = _clean_merge(repo, result.pristine_commit, updated, render.parent, message)
    if merged is None:
        result.branch = _switch_branch(repo, branch, in_place=in_place)
        _merge_in_worktree(repo, updated, result, message)
        return
    result.branch = _switch_branch(repo, branch, in_place=in_place, to=merged)
    result.merge_commit = merged


def _clean_merge(
    repo: git.Repo, pristine: str, updated: ServiceDescriptor, scratch: Path, message: str
) -> str | None:
    """The merge commit of HEAD and ``pristine`` with the updated descriptor, written without
    touching the working tree or the index; None when the merge has conflicts (or this git
    has no ``merge-tree --write-tree``, before 2.38)."""
    import subprocess

    from platformctl.scaffold.gitwork import identity_env
    from platformctl.scaffold.pristine import _git

    cwd = Path(repo.working_tree_dir or repo.git_dir)
    proc = subprocess.run(
        ["git", "merge-tree", "--write-tree", "HEAD", pristine],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return None
    folder = scratch / "descriptor"
    folder.mkdir()
    path = write_descriptor(folder, updated)
    env = {"GIT_INDEX_FILE": str(scratch / "merge-index")}
    _git(["read-tree", proc.stdout.split()[0]], cwd=cwd, env=env)
    blob = _git(["hash-object", "-w", "--", str(path)], cwd=cwd, env=env)
    _git(["update-index", "--add", "--cacheinfo", f"100644,{blob},{DESCRIPTOR_FILE}"], cwd=cwd, env=env)
    tree = _git(["write-tree"], cwd=cwd, env=env)
    head = repo.head.commit.hexsha
    args = ["commit-tree", tree, "-p", head, "-p", pristine, "-m", message]
    return _git(args, cwd=cwd, env=identity_env(repo))


def _merge_in_worktree(
    repo: git.Repo, updated: ServiceDescriptor, result: UpdateResult, message: str
) -> None:
    """``git merge --no-commit`` in the checkout, the descriptor updated; committed when clean."""
    import git

    from platformctl.scaffold.gitwork import identity_env

    env = identity_env(repo)
    try:
        with repo.git.custom_environment(**env):
            repo.git.merge("--no-ff", "--no-commit", result.pristine_commit)
    except git.GitCommandError:
        result.conflicts = sorted(repo.git.diff("--name-only", "--diff-filter=U").splitlines())
        if not result.conflicts:
            raise
    write_descriptor(result.root, updated)
    repo.git.add(DESCRIPTOR_FILE)
    if not result.conflicts:
        with repo.git.custom_environment(**env):
            repo.git.commit("--no-verify", "--quiet", "-m", message)
        result.merge_commit = repo.head.commit.hexsha


def _switch_branch(repo: git.Repo, name: str, *, in_place: bool, to: str | None = None) -> str:
    """Go to the update branch (``to``: created at that commit, the current branch fast-forwarded
    to it with ``in_place``)."""
    if in_place:
        if repo.head.is_detached:
            raise UsageError("HEAD is detached", hint=f"check out a branch, or drop {option('in_place')}")
        if to is not None:
            repo.git.merge("--ff-only", "--quiet", to)
        return repo.active_branch.name
    if name in [h.name for h in repo.heads]:
        raise UsageError(
            f"branch {name} already exists",
            hint=f"delete it ('git branch -D {name}') or pass {option('in_place')}",
        )
    if to is None:
        repo.git.checkout("-q", "-b", name)
    else:
        repo.git.branch(name, to)  # one ref write: the merge is safe before the checkout starts
        repo.git.checkout("-q", name)
    return name


def finished_merge(repo: git.Repo, name: str, version: str) -> git.Commit | None:
    """The finished merge a killed run left on the update branch ``name`` before it could check
    it out: a merge of the current HEAD (so checking it out loses nothing) made by an update to
    ``version``; else None."""
    if name not in [h.name for h in repo.heads] or repo.head.is_detached:
        return None
    tip = repo.heads[name].commit
    message = str(tip.message)
    if len(tip.parents) != 2 or tip.parents[0].hexsha != repo.head.commit.hexsha:
        return None
    if not (message.startswith("Update golden path ") and message.rstrip().endswith(f" to {version}")):
        return None
    return tip
