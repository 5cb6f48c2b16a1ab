"""``new service`` on a converged service, answered from the record of the last converged run
when nothing its decision depends on changed (see :mod:`platformctl.scaffold.recorded`), and
that record kept."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.scaffold.gitwork import DEFAULT_BRANCH

if TYPE_CHECKING:
    from platformctl.cli.context import AppContext
    from platformctl.config import Settings
    from platformctl.scaffold.create import ServiceRequest, ServiceResult


def default_hosts(state: AppContext) -> bool:
    """Whether this invocation builds the real local host and no catalog of its own: a record
    says what those did, not what a replaced builder (a test's double) would do."""
    from platformctl.cli.context import Builders

    builders = state.builders
    return (
        builders.repository_host is Builders.repository_host
        and builders.catalog_registrar is Builders.catalog_registrar
    )


def answer_from_record(state: AppContext, name: str, directory: Path | None) -> bool:
    """Print the remembered result of a converged ``new service`` when it still holds (True),
    else do nothing (False: the caller decides as always). Holds the service's lock meanwhile,
    as the real run does."""
    import os

    from platformctl.cli import new_render
    from platformctl.locks import service_lock
    from platformctl.scaffold import recorded
    from platformctl.scratch import remove_stale_scratch

    if not default_hosts(state):
        return False
    settings = state.settings()
    target = (directory or Path(name)).absolute()
    key = recorded.run_key(settings, target, name, _extra(state))
    entry = recorded.recall(settings.home, target, key) if key else None
    if entry is None or not recorded.files_unchanged(entry.files):
        return False
    root = settings.home / "repositories"
    if not os.access(root, os.W_OK | os.X_OK):
        return False  # the real run says what is wrong with the home
    home = settings.home
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(service_lock(home, name, "creating", wait=settings.lock_wait))
        except OSError:
            return False  # an unusable lock folder: the real run says so, as it always has
        remove_stale_scratch(home)  # as the real run does, after a killed run
        if recorded.repository_state(target, Path(entry.bare), DEFAULT_BRANCH) != entry.state:
            return False
        for line in entry.progress:
            state.io.step(line)
    new_render.emit(state, entry.document, entry.shown)
    return True


class Recorder:
    """What an eligible run needs to record its result: the inputs read before it ran (so that
    a change during the run is never recorded as what the run saw) and its progress lines."""

    def __init__(self, state: AppContext, settings: Settings, request: ServiceRequest, bare: Path) -> None:
        from platformctl.scaffold import recorded

        self.state, self.settings, self.request, self.bare = state, settings, request, bare
        self.progress: list[str] = []
        self.before = self._inputs() if (request.target / recorded.DESCRIPTOR_FILE).is_file() else None

    def step(self, message: str) -> None:
        """The progress callback: shown as always, and kept."""
        self.progress.append(message)
        self.state.io.step(message)

    def _inputs(self) -> tuple[str | None, list[list[str]] | None, str | None]:
        from platformctl.scaffold import recorded
        from platformctl.scaffold.catalog import COPIER_FILE, METADATA_FILE

        request, gp_folder = self.request, self.request.golden_path.path
        return (
            recorded.run_key(self.settings, request.target, request.name, _extra(self.state)),
            recorded.file_digests([gp_folder / METADATA_FILE, gp_folder / COPIER_FILE]),
            recorded.repository_state(request.target, self.bare, DEFAULT_BRANCH),
        )

    def remember(self, result: ServiceResult, document: Mapping[str, Any], shown: Mapping[str, str]) -> None:
        """Record ``result`` when it changed nothing and every input read the same before and
        after the run (the record of a run that changed something is never right)."""
        from platformctl.errors import PlatformctlError
        from platformctl.locks import service_lock
        from platformctl.scaffold import recorded

        request = self.request
        if self.before is None or result.changed or not result.resumed or None in self.before:
            return
        home = self.settings.home
        # A record is never needed: when another run holds the lock now, record nothing.
        with (
            contextlib.suppress(OSError, ValueError, PlatformctlError),
            service_lock(home, request.name, "creating", wait=0),
        ):
            key, files, state = self._inputs()
            if (key, files, state) != self.before or key is None or files is None or state is None:
                return
            entry = recorded.Recorded(files, str(self.bare), state, self.progress, document, shown)
            recorded.remember(home, request.target, key, entry)


def _extra(state: AppContext) -> Sequence[str]:
    """What of the invocation the key holds beyond the settings: the config file flag."""
    return [str(state.config_file or "")]
