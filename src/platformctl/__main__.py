"""Entry point for the ``platformctl`` console script and ``python -m platformctl``."""

from __future__ import annotations

import sys


def main() -> None:
    """Run the CLI with the process arguments and exit with its status."""
    from platformctl.cli.app import run

    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
