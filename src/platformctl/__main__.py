"""Entry point for the ``platformctl`` console script and ``python -m platformctl``."""

from __future__ import annotations

import sys

INTERRUPTED = 130


def main() -> None:
    """Run the CLI with the process arguments and exit with its status."""
    try:
        from platformctl.cli.app import run

        code = run(sys.argv[1:])
    except KeyboardInterrupt:  # Ctrl-C while Python is still importing: no traceback either
        sys.stderr.write("\nerror: interrupted\n")
        code = INTERRUPTED
    if code == INTERRUPTED:
        _quiet_destructors()
    sys.exit(code)


def _quiet_destructors() -> None:
    """After Ctrl-C, objects cut off mid-way (GitPython's config readers) may fail in ``__del__``:
    Python would print that as "Exception ignored in ..." with a traceback on the way out."""
    import os

    from platformctl.cli.io import env_flag

    debug = env_flag(os.environ, "PLATFORMCTL_DEBUG")
    if not debug and "--debug" not in sys.argv:
        sys.unraisablehook = lambda _unraisable: None


if __name__ == "__main__":
    main()
