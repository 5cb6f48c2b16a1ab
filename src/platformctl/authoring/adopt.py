"""``adopt service``: bring an existing git checkout under a golden path.

The golden path is rendered pristine with answers inferred from the repository (``--set`` on
top) and committed as a root commit; the service's HEAD is then merged with it keeping every
file of the service as it is (a "take ours" merge) plus ``platform.yaml``. Later updates merge
the next pristine render with this one as the merge base, so they bring only golden-path
changes and never re-add a file the team removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import PlatformctlError, UsageError, option

if TYPE_CHECKING:
    from platformctl.scaffold.answers import Asker
    from platformctl.scaffold.catalog import GoldenPath
    from platformctl.scaffold.descriptor import RepositoryRecord

REMOTE = re.compile(r"(?:https://|ssh://git@|git@)(github\.com|gitlab\.com)[:/](.+?)(?:\.git)?/?$")


@dataclass
class AdoptResult:
    """What ``adopt service`` found and did (with ``dry_run``, would do)."""

    root: Path
    name: str
    golden_path: str
    version: str
    inferred: dict[str, str]
    files: dict[str, list[str]] = field(default_factory=dict)
    dry_run: bool = False
    # With dry_run: a unified diff per changed file, from the golden path to the repository.
    diffs: dict[str, str] = field(default_factory=dict)
    pristine_commit: str | None = None
    baseline_commit: str | None = None


def infer_answers(root: Path, gp: GoldenPath) -> dict[str, str]:
    """Answers read from the repository: name and owner (catalog-info.yaml, CODEOWNERS), port."""
    found: dict[str, str] = {}
    entity = _catalog_entity(root)
    meta: dict[str, Any] = entity["metadata"] if isinstance(entity.get("metadata"), dict) else {}
    spec: dict[str, Any] = entity["spec"] if isinstance(entity.get("spec"), dict) else {}
    found["service_name"] = str(meta.get("name") or root.name)
    if meta.get("description"):
        found["description"] = str(meta["description"])
    for key in ("owner", "system", "lifecycle"):
        if spec.get(key):
            found[key] = str(spec[key]).split(":")[-1].split("/")[-1]
    if "owner" not in found and (owner := _codeowners_team(root)):
        found["owner"] = owner
    if port := _container_port(root):
        found["port"] = port
    known = {q.name for q in gp.questions if q.asked}
    return {k: v for k, v in found.items() if k in known}


def _catalog_entity(root: Path) -> dict[str, Any]:
    from platformctl.yamlfiles import load_yaml_file

    path = root / "catalog-info.yaml"
    if not path.is_file():
        return {}
    data = load_yaml_file(path, what="catalog file", error=UsageError, first_document=True)
    return data if isinstance(data, dict) else {}


def _codeowners_team(root: Path) -> str | None:
    for name in ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"):
        path = root / name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            owners = [w for w in line.split()[1:] if w.startswith("@")] if not line.startswith("#") else []
            if owners:
                return owners[0].lstrip("@").split("/")[-1]
    return None


def _container_port(root: Path) -> str | None:
    for path in sorted(root.glob("deploy/**/*.yaml")) + sorted(root.glob("k8s/**/*.yaml")):
        match = re.search(r"containerPort:\s*(\d{2,5})\b", path.read_text(encoding="utf-8", errors="replace"))
        if match:
            return match.group(1)
    return None


def adopt_service(
    root: Path,
    gp: GoldenPath,
    *,
    sets: dict[str, Any],
    ask: Asker | None,
    scratch: Path,
    dry_run: bool = False,
) -> AdoptResult:
    """Render ``gp`` for the checkout ``root`` and (unless ``dry_run``) record the baseline.

    Raises:
        UsageError: not a git checkout, already adopted, uncommitted changes, bad answers.
    """
    from platformctl.scaffold.answers import resolve_answers
    from platformctl.scaffold.descriptor import DESCRIPTOR_FILE
    from platformctl.scaffold.pristine import diff_names, open_service_repo, render_blobs, tree_blobs
    from platformctl.scaffold.render import render_golden_path

    if (root / DESCRIPTOR_FILE).exists():
        raise UsageError(
            f"{root} already has {DESCRIPTOR_FILE}", hint="use 'platformctl update service' instead"
        )
    repo = _checkout(root, open_service_repo)
    if not dry_run and repo.is_dirty(untracked_files=True):
        raise UsageError(f"{root} has uncommitted changes", hint="commit or stash them, then adopt again")
    inferred = infer_answers(root, gp)
    given = {**inferred, **sets}
    origin = {k: f"the answer inferred from the repository for {k!r}" for k in inferred}
    origin.update({k: f"{option('set')} {k}" for k in sets})
    answers = resolve_answers(gp, given, ask=ask, origin=origin)
    render = scratch / "render"
    render_golden_path(gp, answers, render)
    result = AdoptResult(root, str(answers["service_name"]), gp.name, gp.version, inferred, dry_run=dry_run)
    # From the golden path's render to the repository as it is: what the team changed.
    result.files = diff_names(render_blobs(repo, render), tree_blobs(repo.head.commit))
    if dry_run:
        result.diffs = {name: file_diff(repo, render, name) for name in result.files["changed"]}
    else:
        _record_baseline(repo, render, gp, answers, result, scratch)
    return result


def file_diff(repo: Any, render: Path, name: str, limit: int = 400) -> str:
    """The unified diff of ``name`` from the golden path's render to the repository's HEAD
    (at most ``limit`` lines; a binary file is named, not shown)."""
    import difflib

    ours = (repo.head.commit.tree / name).data_stream.read()
    theirs = (render / name).read_bytes()
    if b"\0" in ours or b"\0" in theirs:
        return f"Binary files golden-path/{name} and repository/{name} differ\n"
    lines = list(
        difflib.unified_diff(
            theirs.decode("utf-8", "replace").splitlines(keepends=True),
            ours.decode("utf-8", "replace").splitlines(keepends=True),
            f"golden-path/{name}",
            f"repository/{name}",
        )
    )
    cut = [f"… {len(lines) - limit} more lines\n"] if len(lines) > limit else []
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines[:limit]) + "".join(cut)


def _checkout(root: Path, open_repo: Any) -> Any:
    try:
        repo = open_repo(root)
    except UsageError as exc:  # the shared hint speaks of generated services; this one is not
        raise UsageError(
            exc.message, hint="adopt works on a git checkout: 'git init', commit the files, then adopt"
        ) from None
    if not repo.head.is_valid():
        raise UsageError(f"{root} has no commit yet", hint="commit the service's files first, then adopt it")
    return repo


def _record_baseline(
    repo: Any, render: Path, gp: GoldenPath, answers: dict[str, Any], result: AdoptResult, scratch: Path
) -> None:
    from platformctl.scaffold.descriptor import DESCRIPTOR_FILE, write_descriptor
    from platformctl.scaffold.gitwork import identity_env

    env = {"GIT_DIR": repo.git_dir, **identity_env(repo)}
    message = (
        f"Render golden path {gp.name} {gp.version}\n\n"
        "Pristine render recorded by 'platformctl adopt service'; updates merge onto it."
    )
    pristine = _commit_tree(_tree_of(render, scratch / "pristine-index", env), [], message, env)
    descriptor = _descriptor(repo, gp, answers, result, pristine)
    folder = scratch / "descriptor"
    folder.mkdir()
    path = write_descriptor(folder, descriptor)
    index = {**env, "GIT_INDEX_FILE": str(scratch / "baseline-index")}
    head = repo.head.commit.hexsha
    _git(["read-tree", head], index)
    blob = _git(["hash-object", "-w", "--", str(path)], index)
    _git(["update-index", "--add", "--cacheinfo", f"100644,{blob},{DESCRIPTOR_FILE}"], index)
    tree = _git(["write-tree"], index)
    baseline = _commit_tree(tree, [head, pristine], f"Adopt golden path {gp.name} {gp.version}", env)
    # Move the branch only now: everything before left the checkout as it was.
    _git(["update-ref", "-m", "platformctl adopt service", "HEAD", baseline, head], env)
    (result.root / DESCRIPTOR_FILE).write_bytes(path.read_bytes())
    _git(["reset", "-q"], {**env, "GIT_WORK_TREE": str(result.root)})
    result.pristine_commit, result.baseline_commit = pristine, baseline


def _descriptor(
    repo: Any, gp: GoldenPath, answers: dict[str, Any], result: AdoptResult, pristine: str
) -> Any:
    from platformctl.scaffold.answers import recorded_answers
    from platformctl.scaffold.descriptor import EnvironmentRecord, GoldenPathRecord, ServiceDescriptor

    return ServiceDescriptor(
        name=result.name,
        owner=answers.get("owner"),
        description=answers.get("description"),
        golden_path=GoldenPathRecord(
            name=gp.name,
            version=gp.version,
            source=gp.origin,
            pristine_commit=pristine,
            answers=recorded_answers(gp, answers),
        ),
        repository=repository_record(repo, result.root, answers),
        environments={
            n: EnvironmentRecord(environment_class=e.environment_class)
            for n, e in gp.metadata.environments.items()
        },
    )


def _tree_of(folder: Path, index: Path, env: dict[str, str]) -> str:
    work = {**env, "GIT_INDEX_FILE": str(index), "GIT_WORK_TREE": str(folder)}
    _git(["add", "--all", "."], work, cwd=folder)
    return _git(["write-tree"], work, cwd=folder)


def _commit_tree(tree: str, parents: list[str], message: str, env: dict[str, str]) -> str:
    args = ["commit-tree", tree]
    for parent in parents:
        args += ["-p", parent]
    return _git([*args, "-m", message], env)


def _git(args: list[str], env: dict[str, str], cwd: Path | None = None) -> str:
    from platformctl.gitsafe import run_git

    proc = run_git(args, cwd=cwd or Path(env["GIT_DIR"]), env=env)
    if proc.returncode != 0:
        raise PlatformctlError(f"git {args[0]} failed: {proc.stderr.strip() or proc.returncode}")
    return proc.stdout.strip()


def repository_record(repo: Any, root: Path, answers: dict[str, Any]) -> RepositoryRecord:
    """Where the repository lives: GitHub or GitLab from the ``origin`` remote, else local."""
    from platformctl.scaffold.descriptor import RepositoryRecord

    url = next((r.url for r in repo.remotes if r.name == "origin"), "")
    match = REMOTE.match(url)
    if match:
        provider = "github" if match.group(1) == "github.com" else "gitlab"
        return RepositoryRecord(provider=provider, slug=match.group(2), url=url)
    owner = str(answers.get("organization") or "local")
    return RepositoryRecord(provider="local", slug=f"{owner}/{answers['service_name']}", url=url or str(root))
