"""Step 3 of ``new service``, at the host: create the repository, push ``main``, configure and
protect it, register it in the catalog. Each step reads before it writes and says whether it
changed anything, so a re-run finishes what a failed run left.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import TYPE_CHECKING

from platformctl.errors import ForeignRepository
from platformctl.scaffold.create import CATALOG_FILE, catalog_entity
from platformctl.scaffold.gitwork import DEFAULT_BRANCH

if TYPE_CHECKING:
    from platformctl.contracts.repositories import CatalogRegistrar, RepositoryHost, StepResult
    from platformctl.scaffold.create import Progress, ServiceRequest, ServiceResult


def publish_service(
    request: ServiceRequest,
    host: RepositoryHost,
    registrar: CatalogRegistrar | None,
    result: ServiceResult,
    progress: Progress,
) -> None:
    """Run the host steps in order, each outcome reported and added to ``result.steps``.

    Raises:
        ForeignRepository: the repository holds another service's history (the checkout is
            removed first unless the run resumed an existing one).
    """
    try:
        for step in _steps(request, host, registrar):
            outcome = step()
            progress(
                f"{outcome.step}: {'done' if outcome.changed else 'already done'}"
                + (f" ({outcome.detail})" if outcome.detail and not outcome.changed else "")
            )
            result.steps.append(outcome)
    except ForeignRepository:
        if not result.resumed:
            # The checkout this run made can never be published there; keep nothing, so that
            # the next try (another name or org) starts clean, as after a failed render.
            shutil.rmtree(request.target, ignore_errors=True)
            progress(f"removed {request.target}: the repository belongs to another service")
        raise


def _steps(
    request: ServiceRequest, host: RepositoryHost, registrar: CatalogRegistrar | None
) -> list[Callable[[], StepResult]]:
    spec = request.repository
    # Push before configuring: a repository with someone else's history is refused before
    # anything of it is touched.
    steps: list[Callable[[], StepResult]] = [
        lambda: host.ensure_repository(spec),
        lambda: host.push(spec, request.target, DEFAULT_BRANCH),
    ]
    if spec.has_settings:
        steps.append(lambda: host.configure(spec))
    steps.append(lambda: host.protect_branch(spec, DEFAULT_BRANCH))
    if registrar is not None:
        steps.append(lambda: _register(request, host, registrar))
    return steps


def _register(request: ServiceRequest, host: RepositoryHost, registrar: CatalogRegistrar) -> StepResult:
    from platformctl.contracts.repositories import StepResult

    entity = catalog_entity(request.target)
    if entity is None:
        return StepResult("register in catalog", changed=False, detail=f"no {CATALOG_FILE} in the service")
    target = host.file_url(request.repository, DEFAULT_BRANCH, CATALOG_FILE)
    if target is None:
        return StepResult(
            "register in catalog",
            changed=False,
            detail=f"the {host.name} provider has no URL {registrar.name} can read",
        )
    return registrar.register(entity, target)
