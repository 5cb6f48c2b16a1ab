"""Reading the YAML files users write (settings, answers, descriptors, golden-path metadata).

One place decides what a broken file looks like to the user: the file, what it is for, and
for a syntax error the line, the column and the problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platformctl.errors import PlatformctlError
from platformctl.files import read_text


def load_yaml_file(path: Path, *, what: str, error: type[PlatformctlError], hint: str | None = None) -> Any:
    """Parse ``path`` with ``yaml.safe_load``; any failure is ``error`` naming ``what`` and ``path``."""
    import yaml

    text = read_text(path, what=what, error=error, hint=hint)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML{describe_yaml_error(exc)}", hint=hint) from None


def describe_yaml_error(exc: Exception) -> str:
    """`` at line L, column C: problem`` for a PyYAML error (as much of it as is known)."""
    where = ""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        where = f" at line {mark.line + 1}, column {mark.column + 1}"
    problem = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
    return f"{where}: {problem}"
