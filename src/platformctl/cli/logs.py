"""Log records of the providers (retries, rate limits, requests) on stderr, secrets redacted.

Imported when the first logger is asked for (``platformctl/logsetup.py``): a run in which no
module logs never loads ``logging``.
"""

from __future__ import annotations

import contextlib
import logging
import sys

from platformctl.redact import redact
from platformctl.textsafe import escape_controls


class RedactingFilter(logging.Filter):
    """A logging filter that redacts secrets from the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's text by its redacted rendering; never drops a record."""
        message = redact(record.getMessage())
        record.msg, record.args = message, None
        return True


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (tests swap it), secrets redacted and
    control characters escaped (a logged URL or server message is one line, never a command)."""

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(OSError, ValueError):  # a closed stream must not become a traceback
            sys.stderr.write(escape_controls(self.format(record)) + "\n")


def configure_logging(debug: bool) -> None:
    """Warnings (retries, rate limits) always; every HTTP request with --debug. Tokens never."""
    logger = logging.getLogger("platformctl")
    for old in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(old)
    handler = _StderrHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s: %(message)s" if debug else "warning: %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)
