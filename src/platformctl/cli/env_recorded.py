"""``env up`` without flags, answered from the record of the last converged run when nothing it
depends on changed (see :mod:`platformctl.environments.recorded`), and that record kept."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from platformctl.cli.context import AppContext
    from platformctl.environments.plan import EnvironmentPlan


def answer_from_record(state: AppContext, name: str, service_dir: Path | None) -> bool:
    """Print the remembered result of a converged ``env up`` when it still holds (True), else
    do nothing (False: the caller plans as always). Holds the environment's lock meanwhile."""
    from platformctl.cli import env_render
    from platformctl.environments import recorded
    from platformctl.environments.locking import environment_lock
    from platformctl.environments.service import locate_service
    from platformctl.names import check_name

    check_name("environment", name)  # what planning checks first
    settings = state.settings()
    folder = locate_service(service_dir, Path.cwd())
    key = recorded.run_key(settings, folder, name) if folder is not None else None
    entry = recorded.recall(settings.home, folder, name, key) if folder and key else None
    if entry is None:
        return False
    local = state.environment_providers(settings, ("local",), state.io.step)["local"]
    digest = getattr(local, "digest", None)
    if digest is None:
        return False
    with environment_lock(settings.home, entry.service, name, "applying", wait=settings.lock_wait):
        if digest(entry.service, name) != entry.state:
            return False
        document = entry.document
        publish(state, document)
        state.io.emit(document, lambda out: env_render.render_unchanged(out, document))
    return True


def remember(state: AppContext, name: str, service_dir: Path | None, plan: EnvironmentPlan) -> None:
    """Keep the result of a plan without changes for the next run, when it may answer it: the
    local provider alone, no secret, an environment ``platform.yaml`` names (not one found in
    a store). Called under the environment's lock, after the plan read the store."""
    from platformctl.errors import PlatformctlError

    spec = plan.spec
    if plan.has_changes or spec.providers != ("local",) or spec.secrets or plan.notes:
        return
    with contextlib.suppress(PlatformctlError):  # a record is never needed: the result is out
        _remember(state, name, service_dir, plan)


def _remember(state: AppContext, name: str, service_dir: Path | None, plan: EnvironmentPlan) -> None:
    from platformctl.cli import env_render
    from platformctl.environments import recorded
    from platformctl.environments.service import find_service
    from platformctl.environments.spec import find_record

    spec = plan.spec
    settings = state.settings()
    descriptor, folder = find_service(service_dir, Path.cwd())
    local = state.environment_providers(settings, ("local",), state.io.step)["local"]
    digest = getattr(local, "digest", None)
    key = recorded.run_key(settings, folder, name)
    if find_record(descriptor, name) is None or digest is None or key is None:
        return
    document = env_render.plan_document(plan, dry_run=False, writes=0)
    entry = recorded.Recorded(spec.service, digest(spec.service, name), document)
    recorded.remember(settings.home, folder, name, key, entry)


def publish(state: AppContext, document: Mapping[str, Any]) -> None:
    """Step outputs and a summary line inside GitHub Actions, as a planned run gives them
    for the local provider (nothing elsewhere)."""
    if not state.io.in_github_actions:
        return
    from platformctl.cli import gha

    outputs = {
        "environment": document["environment"],
        "writes": "0",
        "expires_at": document["expires_at"] or "",
    }
    gha.publish(
        outputs,
        f"### Environment `{document['environment']}` of `{document['service']}`\n\n"
        f"0 write(s) at {', '.join(document['providers'])}",
        state.io.env,
    )
