"""The loggers of the modules that log, and the CLI's configuration of them, applied once the
first of those loggers is asked for.

Only ``providers/http.py`` and ``providers/gitpush.py`` log. The CLI configures logging on
every run (:func:`configure`), but importing :mod:`logging` costs a quick command such as a
converged ``env up`` more than any module of its own: the configuration waits until a module
asks for its logger (:func:`logger`, when it is imported, before it can log) and is never
applied when none does. Standard library only, and ``logging`` only when a logger is asked for.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

_pending: Callable[[], None] | None = None


def configure(setup: Callable[[], None]) -> None:
    """Have ``setup`` configure logging: now when :mod:`logging` is loaded, else when the first
    logger is asked for. A later call replaces a setup still waiting (one per invocation)."""
    global _pending  # noqa: PLW0603 - one setup waits at a time, for the whole process
    if "logging" in sys.modules:
        _pending = None
        setup()
    else:
        _pending = setup


def logger(name: str) -> logging.Logger:
    """The logger ``name``, after the waiting configuration, if any, is applied."""
    global _pending
    import logging

    setup, _pending = _pending, None
    if setup is not None:
        setup()
    return logging.getLogger(name)
