"""Create a service: render a golden path, make it a git repository, publish it at a host.

Steps, each safe to repeat:
1. render into a temporary folder under the platform home (``<home>/tmp``), ``git init -b main``,
   commit the pristine render, then commit ``platform.yaml`` recording that pristine commit;
2. move the folder into place (a failure or a kill before this leaves nothing in the working
   directory; the next run removes the dead run's temporary folder);
3. at the host: create the repository, push ``main``, protect it.
A re-run on a target that already holds this service skips 1–2 and finishes 3. The whole run
holds the service's lock under the home, so two runs for one name never interleave.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import UsageError, option
from platformctl.locks import DEFAULT_WAIT, service_lock
from platformctl.scaffold.descriptor import (
    DESCRIPTOR_FILE,
    EnvironmentRecord,
    GoldenPathRecord,
    RepositoryRecord,
    ServiceDescriptor,
)
from platformctl.scaffold.gitwork import DEFAULT_BRANCH

if TYPE_CHECKING:
    from platformctl.contracts.repositories import (
        CatalogEntity,
        CatalogRegistrar,
        Repository,
        RepositoryHost,
        RepositorySpec,
        StepResult,
    )
    from platformctl.scaffold.catalog import GoldenPath

Progress = Callable[[str], None]
CATALOG_FILE = "catalog-info.yaml"


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


def plan_service(
    request: ServiceRequest,
    host: RepositoryHost,
    registrar: CatalogRegistrar | None = None,
    *,
    home: Path | None = None,
) -> ServicePlan:
    """Work out the files and the requests without writing anything at the target or the host.

    The trial render goes to a temporary folder under ``home`` (the system's without one).
    """
    from platformctl.scaffold.render import list_files, render_golden_path

    resume = _check_target(request)
    if resume:
        files = list_files(request.target)
        entity = catalog_entity(request.target)
    else:
        with _temporary(home, "plan") as tmp:
            files = [
                *render_golden_path(request.golden_path, request.answers, Path(tmp) / "s"),
                DESCRIPTOR_FILE,
            ]
            entity = catalog_entity(Path(tmp) / "s")
    location = host.locate(request.repository)
    steps = host.plan(request.repository, DEFAULT_BRANCH)
    target = host.file_url(request.repository, DEFAULT_BRANCH, CATALOG_FILE)
    if registrar is not None and entity is not None and target is not None:
        # Only a service that already exists has a file the catalog might read: check it there.
        steps += registrar.preview(entity, target) if resume else registrar.plan(entity, target)
    return ServicePlan(request, sorted(set(files)), steps, resume, location)


def create_service(
    request: ServiceRequest,
    host: RepositoryHost,
    progress: Progress,
    registrar: CatalogRegistrar | None = None,
    *,
    home: Path | None = None,
    lock_wait: float = DEFAULT_WAIT,
) -> ServiceResult:
    """Create (or finish creating) the service; see the module docstring for the steps.

    With ``home``, the run holds the service's lock there (waiting ``lock_wait`` seconds for
    another run holding it) and renders under ``<home>/tmp``.

    Raises:
        LockBusy: another run is creating or updating a service of that name.
    """
    if home is None:
        return _create_service(request, host, progress, registrar, None)
    from platformctl.scratch import remove_stale_scratch

    host.check_access(request.repository)  # an unusable home or no token: say so before the lock
    with service_lock(home, request.name, "creating", wait=lock_wait):
        remove_stale_scratch(home)  # a resumed run makes none: clean up after killed runs here
        return _create_service(request, host, progress, registrar, home)


def _create_service(
    request: ServiceRequest,
    host: RepositoryHost,
    progress: Progress,
    registrar: CatalogRegistrar | None,
    home: Path | None,
) -> ServiceResult:
    location = host.locate(request.repository)
    resumed = _check_target(request)
    host.check_access(request.repository)  # no token: fail before rendering anything
    if resumed:
        progress(f"{request.target} already holds {request.name}: finishing the remaining steps")
    else:
        progress(f"rendering {request.golden_path.name} {request.golden_path.version}")
        _render_into_place(request, location, progress, home)
    descriptor = _read_own_descriptor(request)
    from platformctl.scaffold.gitwork import head_commit

    head = head_commit(request.target)
    result = ServiceResult(request, location, descriptor.golden_path.pristine_commit, head, resumed)
    from platformctl.scaffold.publish import publish_service

    publish_service(request, host, registrar, result, progress)
    return result


def catalog_entity(folder: Path) -> CatalogEntity | None:
    """The entity ``catalog-info.yaml`` declares (its first document), or None without one."""
    from platformctl.contracts.repositories import CatalogEntity

    path = folder / CATALOG_FILE
    if not path.is_file():
        return None
    from platformctl.yamlfiles import load_yaml_file

    document = load_yaml_file(path, what="catalog file", error=UsageError, first_document=True)
    metadata = document.get("metadata") if isinstance(document, dict) else None
    if not isinstance(metadata, dict) or not document.get("kind") or not metadata.get("name"):
        raise UsageError(
            f"{path}: the first document needs kind and metadata.name",
            hint="see https://backstage.io/docs/features/software-catalog/descriptor-format",
        )
    namespace = str(metadata.get("namespace") or "default")
    return CatalogEntity(str(document["kind"]), str(metadata["name"]), namespace)


def _check_target(request: ServiceRequest) -> bool:
    """True when the target already holds this service (resume); raise when it holds anything else."""
    target = request.target
    if target.exists() and not target.is_dir():
        raise UsageError(
            f"{target} exists and is not a directory", hint=f"pass {option('directory')} with a new path"
        )
    if not target.exists() or not any(target.iterdir()):
        return False
    if (target / DESCRIPTOR_FILE).is_file() and (target / ".git").is_dir():
        descriptor = _read_own_descriptor(request)
        if descriptor.name == request.name:
            return True
    raise UsageError(
        f"{target} already exists and is not empty",
        hint=f"choose another {option('directory')}, or remove that directory",
    )


def _read_own_descriptor(request: ServiceRequest) -> ServiceDescriptor:
    from platformctl.scaffold.descriptor import read_descriptor

    return read_descriptor(request.target)


def _render_into_place(
    request: ServiceRequest, location: Repository, progress: Progress, home: Path | None
) -> None:
    from platformctl.files import make_dirs
    from platformctl.scratch import move_into_place, remove_stale_siblings

    target = request.target
    make_dirs(target.parent)
    prefix = _staging_prefix(target)
    if home is not None:  # we hold the service's lock: a sibling left by a dead run is stale
        remove_stale_siblings(target.parent, prefix)
    with _temporary(home, "new-service", beside=target) as staging:
        work = staging / "service"
        _render_and_commit(request, location, work, progress)
        if target.exists():
            target.rmdir()  # empty: checked before
        move_into_place(work, target, prefix)
    progress(f"git repository at {target} (branch {DEFAULT_BRANCH})")


def _render_and_commit(request: ServiceRequest, location: Repository, work: Path, progress: Progress) -> None:
    """Render into ``work``, commit the pristine render, then the descriptor that records it."""
    from platformctl.scaffold.descriptor import write_descriptor
    from platformctl.scaffold.gitwork import commit_all, identity_at, init_repository
    from platformctl.scaffold.render import render_golden_path

    gp = request.golden_path
    files = render_golden_path(gp, request.answers, work)
    progress(f"rendered {len(files)} files")
    init_repository(work)
    identity = identity_at(work)
    pristine = commit_all(
        work,
        f"Render golden path {gp.name} {gp.version}\n\n"
        "This commit is the pristine render: golden-path updates merge onto it.",
        identity=identity,
    )
    write_descriptor(work, _descriptor(request, location, pristine))
    message = f"Record the service descriptor ({DESCRIPTOR_FILE})"
    commit_all(work, message, identity=identity, paths=[DESCRIPTOR_FILE])


def _staging_prefix(target: Path) -> str:
    """Hidden siblings of the target: the cross-file-system copy, and older versions' renders."""
    return f".{target.name}.platformctl-"


def _temporary(home: Path | None, purpose: str, *, beside: Path | None = None) -> Any:
    from platformctl.scratch import temporary_dir

    return temporary_dir(home, purpose, prefix=_staging_prefix(beside) if beside else None, beside=beside)


def _descriptor(request: ServiceRequest, location: Repository, pristine: str) -> ServiceDescriptor:
    from platformctl.scaffold.answers import recorded_answers

    gp = request.golden_path
    return ServiceDescriptor(
        name=request.name,
        owner=request.answers.get("owner"),
        description=request.answers.get("description"),
        golden_path=GoldenPathRecord(
            name=gp.name,
            version=gp.version,
            source=gp.origin,
            pristine_commit=pristine,
            answers=recorded_answers(gp, request.answers),
        ),
        repository=RepositoryRecord(provider=request.provider, slug=location.slug, url=location.url),
        environments={
            name: EnvironmentRecord(environment_class=env.environment_class)
            for name, env in gp.metadata.environments.items()
        },
    )
