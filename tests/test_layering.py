"""The layering of docs/architecture.md, read from the source.

cli → scaffold | environments | maturity → contracts ← providers. Domain packages never import
typer or rich (nor the CLI), never print and never import a provider: they are handed providers
through the Protocols in ``contracts/``. Providers know nothing of the domain or the CLI. The
bottom (contracts and the shared top-level modules) imports none of the rooms above it. Imports
inside functions count too: a lazy import is still an import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "platformctl"
DOMAIN = ("scaffold", "environments", "maturity", "fleet", "delivery", "authoring")
# Modules below the CLI that every layer may use.
SHARED = (
    "config.py",
    "config_schema.py",
    "config_trust.py",
    "credentials.py",
    "errors.py",
    "files.py",
    "gitsafe.py",
    "locks.py",
    "names.py",
    "redact.py",
    "scratch.py",
    "textsafe.py",
    "yamlcache.py",
    "yamlcore.py",
    "yamlfiles.py",
    "contracts",
)
# Top-level modules that are entry points, not layers.
ENTRY = ("__init__.py", "__main__.py")
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


@pytest.mark.parametrize("path", _modules(*DOMAIN), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_domain_imports_no_provider(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert [
        f"{_where(path, line)} imports {name}"
        for line, name in _imports(tree)
        if _under(name, ("platformctl.providers",))
    ] == []


@pytest.mark.parametrize("path", _modules(*SHARED), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_bottom_imports_no_room_above_it(path: Path) -> None:
    above = tuple(f"platformctl.{name}" for name in (*DOMAIN, "providers", "cli"))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert [
        f"{_where(path, line)} imports {name}" for line, name in _imports(tree) if _under(name, above)
    ] == []


def test_every_top_level_module_has_a_place_in_the_layering() -> None:
    rooms = {*DOMAIN, "providers", "cli", *SHARED, *ENTRY}
    unplaced = sorted(
        p.name for p in PACKAGE.iterdir() if (p.suffix == ".py" or p.is_dir()) and p.name not in rooms
    )
    assert [name for name in unplaced if name != "__pycache__"] == []


def test_the_checks_see_what_they_look_for() -> None:
    tree = ast.parse("import rich\nfrom typer import Typer\nimport sys\nprint(1)\nsys.stdout.write('x')\n")
    assert [name for _, name in _imports(tree) if _under(name, UI)] == ["rich", "typer"]
    assert _outputs(tree) == [4, 5]
    assert len(BELOW_CLI) > 40


@pytest.mark.parametrize("path", _modules("."), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_the_click_typer_vendors(path: Path) -> None:
    # typer vendors click as typer._click: a private module that may change in any release
    # (cli/app.py catches typer's public TyperException instead).
    tree = ast.parse(path.read_text(encoding="utf-8"))
    vendored = [
        f"{_where(path, line)} imports {name}"
        for line, name in _imports(tree)
        if _under(name, ("typer._click",))
    ]
    assert vendored == []
