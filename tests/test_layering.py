"""The layering of DESIGN.md §1, read from the source: cli → scaffold | environments | maturity → providers.

Domain packages never import typer or rich (nor the CLI) and never print; providers know nothing
of the domain or the CLI. Imports inside functions count too: a lazy import is still an import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "platformctl"
DOMAIN = ("scaffold", "environments", "maturity")
# Modules below the CLI that every layer may use.
SHARED = ("config.py", "config_schema.py", "errors.py", "files.py", "environment_fields.py")
UI = ("typer", "rich", "click", "platformctl.cli")


def _modules(*parts: str) -> list[Path]:
    found: list[Path] = []
    for part in parts:
        path = PACKAGE / part
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append((node.lineno, node.module))
    return names


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _outputs(tree: ast.AST) -> list[int]:
    """Lines that print or write to the process's standard streams."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            lines.append(node.lineno)
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("stdout", "stderr")
            and isinstance(node.value, ast.Name)
            and node.value.id == "sys"
        ):
            lines.append(node.lineno)
    return lines


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(PACKAGE.parent)}:{line}"


BELOW_CLI = _modules(*DOMAIN, "providers", *SHARED)


@pytest.mark.parametrize("path", BELOW_CLI, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_below_the_cli_nothing_imports_the_terminal_libraries_or_prints(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [f"{_where(path, line)} imports {name}" for line, name in _imports(tree) if _under(name, UI)]
    bad += [f"{_where(path, line)} prints or writes to sys.stdout/stderr" for line in _outputs(tree)]
    assert bad == []


@pytest.mark.parametrize("path", _modules("providers"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_providers_know_nothing_of_the_domain(path: Path) -> None:
    domain = tuple(f"platformctl.{name}" for name in DOMAIN)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert [
        f"{_where(path, line)} imports {name}" for line, name in _imports(tree) if _under(name, domain)
    ] == []


def test_the_checks_see_what_they_look_for() -> None:
    tree = ast.parse("import rich\nfrom typer import Typer\nimport sys\nprint(1)\nsys.stdout.write('x')\n")
    assert [name for _, name in _imports(tree) if _under(name, UI)] == ["rich", "typer"]
    assert _outputs(tree) == [4, 5]
    assert len(BELOW_CLI) > 40
