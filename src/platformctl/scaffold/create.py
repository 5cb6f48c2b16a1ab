"""Create a service: render a golden path, make it a git repository, publish it at a host.

Steps, each safe to repeat:
1. render into a temporary folder beside the target, ``git init -b main``, commit the pristine
   render, then commit ``platform.yaml`` recording that pristine commit;
2. move the folder into place (a failure before this leaves nothing behind);
3. at the host: create the repository, push ``main``, protect it.
A re-run on a target that already holds this service skips 1–2 and finishes 3.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import UsageError
from platformctl.scaffold.descriptor import (
    DESCRIPTOR_FILE,
    EnvironmentRecord,
    GoldenPathRecord,
    RepositoryRecord,
    ServiceDescriptor,
)
from platformctl.scaffold.gitwork import DEFAULT_BRANCH

if TYPE_CHECKING:
    from platformctl.providers.base import Repository, RepositoryHost, RepositorySpec, StepResult
    from platformctl.scaffold.catalog import GoldenPath

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ServiceRequest:
    """Everything ``new service`` needs once answers are settled."""

    name: str
    golden_path: GoldenPath
    answers: dict[str, Any]
    target: Path
    provider: str
    repository: RepositorySpec


@dataclass(frozen=True)
class ServicePlan:
    """What ``new service`` would do: the files and the host steps."""

    request: ServiceRequest
    files: list[str]
    steps: list[str]
    resume: bool
    location: Repository


@dataclass
class ServiceResult:
    """What ``new service`` did."""

    request: ServiceRequest
    location: Repository
    pristine_commit: str
    head_commit: str
    resumed: bool
    steps: list[StepResult] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether anything was written, here or at the host."""
        return not self.resumed or any(step.changed for step in self.steps)


def plan_service(request: ServiceRequest, host: RepositoryHost) -> ServicePlan:
    """Work out the files and steps without writing anything at the target or the host."""
    from platformctl.scaffold.render import list_files, render_golden_path

    resume = _check_target(request)
    if resume:
        files = list_files(request.target)
    else:
        with tempfile.TemporaryDirectory(prefix="platformctl-plan-") as tmp:
            files = [*render_golden_path(request.golden_path, request.answers, Path(tmp) / "s"),
                     DESCRIPTOR_FILE]
    location = host.locate(request.repository)
    steps = [
        f"{host.name}: create repository {request.repository.slug} unless it exists",
        f"{host.name}: push {DEFAULT_BRANCH} to {location.clone_url}",
        f"{host.name}: protect {DEFAULT_BRANCH} (no force push, no deletion)",
    ]
    return ServicePlan(request, sorted(set(files)), steps, resume, location)


def create_service(request: ServiceRequest, host: RepositoryHost, progress: Progress) -> ServiceResult:
    """Create (or finish creating) the service; see the module docstring for the steps."""
    location = host.locate(request.repository)
    resumed = _check_target(request)
    if resumed:
        progress(f"{request.target} already holds {request.name}: finishing the remaining steps")
    else:
        progress(f"rendering {request.golden_path.name} {request.golden_path.version}")
        _render_into_place(request, location, progress)
    descriptor = _read_own_descriptor(request)
    import git

    head = git.Repo(request.target).commit(DEFAULT_BRANCH).hexsha
    result = ServiceResult(request, location, descriptor.golden_path.pristine_commit, head, resumed)
    for step in (
        lambda: host.ensure_repository(request.repository),
        lambda: host.push(request.repository, request.target, DEFAULT_BRANCH),
        lambda: host.protect_branch(request.repository, DEFAULT_BRANCH),
    ):
        outcome = step()
        progress(f"{outcome.step}: {'done' if outcome.changed else 'already done'}")
        result.steps.append(outcome)
    return result


def _check_target(request: ServiceRequest) -> bool:
    """True when the target already holds this service (resume); raise when it holds anything else."""
    target = request.target
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a directory", hint="pass --dir with a new path")
    if not target.exists() or not any(target.iterdir()):
        return False
    if (target / DESCRIPTOR_FILE).is_file() and (target / ".git").is_dir():
        descriptor = _read_own_descriptor(request)
        if descriptor.name == request.name:
            return True
    raise UsageError(f"{target} already exists and is not empty",
                     hint="choose another --dir, or remove that directory")


def _read_own_descriptor(request: ServiceRequest) -> ServiceDescriptor:
    from platformctl.scaffold.descriptor import read_descriptor

    return read_descriptor(request.target)


def _render_into_place(request: ServiceRequest, location: Repository, progress: Progress) -> None:
    from platformctl.scaffold.descriptor import write_descriptor
    from platformctl.scaffold.gitwork import commit_all, init_repository
    from platformctl.scaffold.render import render_golden_path

    target = request.target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.platformctl-", dir=target.parent))
    try:
        work = staging / "service"
        gp = request.golden_path
        files = render_golden_path(gp, request.answers, work)
        progress(f"rendered {len(files)} files")
        repo = init_repository(work)
        pristine = commit_all(repo, f"Render golden path {gp.name} {gp.version}\n\n"
                                    "This commit is the pristine render: golden-path updates merge onto it.")
        write_descriptor(work, _descriptor(request, location, pristine))
        commit_all(repo, f"Record the service descriptor ({DESCRIPTOR_FILE})")
        repo.close()
        if target.exists():
            target.rmdir()  # empty: checked before
        work.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    progress(f"git repository at {target} (branch {DEFAULT_BRANCH})")


def _descriptor(request: ServiceRequest, location: Repository, pristine: str) -> ServiceDescriptor:
    gp = request.golden_path
    return ServiceDescriptor(
        name=request.name,
        owner=request.answers.get("owner"),
        description=request.answers.get("description"),
        golden_path=GoldenPathRecord(
            name=gp.name, version=gp.version, source=gp.origin, pristine_commit=pristine,
            answers=request.answers,
        ),
        repository=RepositoryRecord(provider=request.provider, slug=location.slug, url=location.url),
        environments={
            name: EnvironmentRecord(environment_class=env.environment_class)
            for name, env in gp.metadata.environments.items()
        },
    )
