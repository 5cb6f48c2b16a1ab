"""Print the CHANGELOG.md section of one version (the GitHub release notes).

Usage: python .github/scripts/changelog_section.py VERSION [CHANGELOG]
Exit 1 when the changelog has no section for VERSION: a release needs its notes written first.
"""

import re
import sys
from pathlib import Path


def section(text: str, version: str) -> str | None:
    """The body under ``## [VERSION]`` (or ``## VERSION``), up to the next ``## `` heading."""
    heading = re.compile(rf"^## \[?{re.escape(version)}\]?(?:\s|$)", re.M)
    found = heading.search(text)
    if found is None:
        return None
    rest = text[found.end() :]
    after = re.search(r"^## ", rest, re.M)
    body = rest[: after.start()] if after else rest
    body = body.split("\n", 1)[1] if "\n" in body else ""
    return body.strip("\n") + "\n"


def main(argv: list[str]) -> int:
    """Print the section, or an error naming the version."""
    version = argv[1].removeprefix("v")
    path = Path(argv[2] if len(argv) > 2 else "CHANGELOG.md")
    body = section(path.read_text(encoding="utf-8"), version)
    if body is None or not body.strip():
        print(f"error: {path} has no section for {version}", file=sys.stderr)
        print(f"hint: rename '## [Unreleased]' to '## [{version}] - DATE' before tagging", file=sys.stderr)
        return 1
    sys.stdout.write(body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
