"""Keep a service on its golden path: check how far it is behind, and update it by a git merge.

The recorded pristine commit is the merge base: the new version is rendered with the recorded
answers and committed with that pristine commit as its parent, then merged into the service.
Local edits survive; real conflicts are ordinary git conflicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import UsageError, option
from platformctl.scaffold.descriptor import DESCRIPTOR_FILE, read_descriptor

if TYPE_CHECKING:
    import git

    from platformctl.config import Settings
    from platformctl.scaffold.answers import Asker
    from platformctl.scaffold.catalog import GoldenPath
    from platformctl.scaffold.descriptor import ServiceDescriptor


@dataclass(frozen=True)
class ServiceStatus:
    """Where a service stands against its golden path."""

    root: Path
    name: str
    golden_path: str
    version: str
    available: str | None
    update_available: bool
    pristine_commit: str
    pristine_present: bool
    drift: dict[str, list[str]] | None
    # Paths whose working-tree state differs from HEAD (edited, deleted, new): part of the drift.
    uncommitted: list[str] = field(default_factory=list)


@dataclass
class UpdateResult:
    """What ``update service`` did (or, with ``dry_run``, would do)."""

    root: Path
    name: str
    golden_path: str
    from_version: str
    to_version: str
    files: dict[str, list[str]]
    dry_run: bool = False
    current: bool = False
    branch: str | None = None
    pristine_commit: str | None = None
    merge_commit: str | None = None
    conflicts: list[str] = field(default_factory=list)


def find_service_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``platform.yaml``."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if (folder / DESCRIPTOR_FILE).is_file():
            return folder
    raise UsageError(
        f"no {DESCRIPTOR_FILE} in {start} or its parents",
        hint="run this inside a service created by 'platformctl new service', or pass its path",
    )


def check_service(start: Path, settings: Settings) -> ServiceStatus:
    """Compare a service with the newest available version of its golden path."""
    from platformctl.scaffold.pristine import diff_names, find_commit, open_service_repo, tree_blobs

    root = find_service_root(start)
    descriptor = read_descriptor(root)
    record = descriptor.golden_path
    gp = _available_golden_path(settings, record.name)
    repo = open_service_repo(root)
    pristine = find_commit(repo, record.pristine_commit)
    committed = tree_blobs(repo.head.commit)
    working = working_tree_blobs(repo, committed)
    drift = diff_names(tree_blobs(pristine), working) if pristine else None
    uncommitted = sorted(name for names in diff_names(committed, working).values() for name in names)
    from platformctl.authoring.versions import newest_version

    available = newest_version(settings, gp) if gp else None  # a newer tag of a git source counts
    newer = available is not None and _newer(available, record.version)
    return ServiceStatus(
        root,
        descriptor.name,
        record.name,
        record.version,
        available,
        newer,
        record.pristine_commit,
        pristine is not None,
        drift,
        uncommitted,
    )


def working_tree_blobs(repo: git.Repo, committed: dict[str, str]) -> dict[str, str]:
    """``{path: blob sha}`` of the working tree as ``git add --all`` would see it (ignored files
    left out, the descriptor too), hashed without writing objects and without running hooks or
    an fsmonitor of the checkout."""
    import subprocess

    root = Path(repo.working_tree_dir or ".")
    safe = ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-C", str(root)]
    listed = subprocess.run(
        [*safe, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "surrogateescape")
    paths = sorted(p for p in set(listed.split("\0")) if p and p != DESCRIPTOR_FILE and (root / p).is_file())
    if not paths:
        return {}
    hashed = subprocess.run(
        [*safe, "hash-object", "--stdin-paths"],
        input="\n".join(paths).encode("utf-8", "surrogateescape"),
        capture_output=True,
        check=True,
    ).stdout.decode()
    blobs = dict(zip(paths, hashed.split(), strict=True))
    # A symlink's blob is its target text, which hash-object does not give: keep the committed one.
    return {p: committed.get(p, sha) if (root / p).is_symlink() else sha for p, sha in blobs.items()}


def update_service(
    start: Path,
    settings: Settings,
    *,
    to: str | None,
    sets: dict[str, Any],
    ask: Asker | None,
    dry_run: bool = False,
    in_place: bool = False,
) -> UpdateResult:
    """Update a service to the available version of its golden path (see the module docstring).

    Raises:
        UsageError: dirty tree, unknown golden path or version, downgrade, bad answers, branch exists.
        InputRequired: a new question has no answer and prompting is off.
    """
    from platformctl.scaffold.pristine import open_service_repo
    from platformctl.scratch import remove_stale_scratch

    root = find_service_root(start)
    descriptor = read_descriptor(root)
    if not dry_run:  # what a killed update left under the home goes, even if this one is a no-op
        remove_stale_scratch(settings.home)
    record = descriptor.golden_path
    gp, target = _update_target(settings, record.name, record.version, to)
    result = UpdateResult(root, descriptor.name, gp.name, record.version, target, {}, dry_run=dry_run)
    if target == record.version:
        result.current = True
        return result
    repo = open_service_repo(root)
    if not dry_run and repo.is_dirty(untracked_files=True):
        raise UsageError(
            f"{root} has uncommitted changes", hint="commit or stash them, then run the update again"
        )
    answers = _answers_for(gp, record.answers, sets, ask)
    from platformctl.scaffold.pristine import require_pristine
    from platformctl.scaffold.update_merge import finished_merge

    pristine = require_pristine(repo, record.pristine_commit)
    branch = f"golden-path/{gp.name}-{target}"
    resumed = None if dry_run or in_place else finished_merge(repo, branch, target)
    if resumed is not None:  # a killed run finished the merge: take it
        return _take_finished(repo, branch, resumed, pristine, result)
    return _render_and_merge(settings, repo, descriptor, gp, answers, pristine, result, in_place=in_place)


def _update_target(settings: Settings, name: str, current: str, to: str | None) -> tuple[GoldenPath, str]:
    """The golden path at the version to update to (a git source's tag when it has one), and that version."""
    gp = _available_golden_path(settings, name)
    if gp is None:
        raise UsageError(
            f"golden path {name!r} recorded in {DESCRIPTOR_FILE} is not available",
            hint="add it under golden_paths in platformctl.yaml (see 'platformctl docs configuration')",
        )
    from platformctl.authoring.versions import as_version, golden_path_at, newest_version

    to = as_version(to) if to else None
    wanted = to or newest_version(settings, gp)
    if wanted != gp.version:  # a version tag of a git source
        gp = golden_path_at(settings, gp, wanted) or gp
    return gp, _target_version(gp, current, to)


def _take_finished(
    repo: git.Repo, branch: str, merge: git.Commit, pristine: git.Commit, result: UpdateResult
) -> UpdateResult:
    """The result of the merge a killed run finished, its branch checked out."""
    from platformctl.scaffold.pristine import diff_names, tree_blobs

    repo.git.checkout("-q", branch)
    new_pristine = merge.parents[1]
    result.files = diff_names(tree_blobs(pristine), tree_blobs(new_pristine))
    result.branch, result.merge_commit = branch, merge.hexsha
    result.pristine_commit = new_pristine.hexsha
    return result


def _render_and_merge(
    settings: Settings,
    repo: git.Repo,
    descriptor: ServiceDescriptor,
    gp: GoldenPath,
    answers: dict[str, Any],
    pristine: git.Commit,
    result: UpdateResult,
    *,
    in_place: bool,
) -> UpdateResult:
    """Render the new version and, unless ``result.dry_run``, merge it into the service."""
    from platformctl.scaffold.pristine import diff_names, render_blobs, rendered, tree_blobs
    from platformctl.scratch import scratch_dir

    # Render under the platform home: a kill leaves nothing in the checkout or the system's
    # temporary directory, and the next run removes what it left there.
    with scratch_dir(settings.home, "update") as scratch, rendered(gp, answers, scratch) as tmp:
        render = Path(tmp) / "s"
        result.files = diff_names(tree_blobs(pristine), render_blobs(repo, render))
        if result.dry_run:
            return result
        from platformctl.scaffold.update_merge import merge_new_pristine

        merge_new_pristine(repo, render, descriptor, gp, answers, result, in_place=in_place)
    return result


def _available_golden_path(settings: Settings, name: str) -> GoldenPath | None:
    from platformctl.scaffold.catalog import get_golden_path

    try:
        return get_golden_path(settings, name)
    except UsageError:
        return None


def _target_version(gp: GoldenPath, current: str, to: str | None) -> str:
    target = to or gp.version
    if target != gp.version:
        raise UsageError(
            f"golden path {gp.name!r} is available at version {gp.version} only, not {target}",
            hint=f"pass {option('to')} {gp.version}, or configure a source that has {target}",
        )
    if _newer(current, target):
        raise UsageError(
            f"{gp.name} {target} is older than the service's {current}: no downgrades",
            hint="upgrade platformctl or the configured golden path source",
        )
    return target


def _newer(a: str, b: str) -> bool:
    from platformctl.scaffold.pristine import version_key

    return version_key(a) > version_key(b)


def _answers_for(
    gp: GoldenPath, recorded: dict[str, Any], sets: dict[str, Any], ask: Asker | None
) -> dict[str, Any]:
    """Recorded answers for questions that still exist, ``--set`` on top; new questions asked."""
    from platformctl.scaffold.answers import resolve_answers

    known = {q.name for q in gp.questions if q.asked}
    given = {k: v for k, v in recorded.items() if k in known}
    origin = {k: f"{DESCRIPTOR_FILE} answer {k!r}" for k in given}
    for key, value in sets.items():
        given[key], origin[key] = value, f"{option('set')} {key}"
    return resolve_answers(gp, given, ask=ask, origin=origin)
