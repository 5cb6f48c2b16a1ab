"""The per-(service, environment) lock, apart from the apply module so that a run answered
from its record (:mod:`platformctl.environments.recorded`) takes it without importing plans."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from platformctl.locks import DEFAULT_WAIT, HELD_BY


def environment_lock(
    home: Path, service: str, environment: str, doing: str = "applying", *, wait: float = DEFAULT_WAIT
) -> AbstractContextManager[Path]:
    """The per-(service, environment) lock under ``home``: held around read, plan and apply;
    ``wait``: how long to wait for another run holding it (the ``lock_wait`` setting).

    Raises:
        LockBusy: another run holds it (exit 1, naming its pid).
    """
    from platformctl.locks import hold_lock, lock_key

    return hold_lock(
        home,
        lock_key(service, environment),
        doing=f"{doing} {environment} of {service}",
        busy=HELD_BY,
        wait=wait,
    )
