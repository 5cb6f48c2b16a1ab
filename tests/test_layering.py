"""The layering of docs/architecture.md, read from the source.

cli → scaffold | environments | maturity → contracts ← providers. Domain packages never import
typer or rich (nor the CLI), never print and never import a provider: they are handed providers
through the Protocols in ``contracts/``. Providers know nothing of the domain or the CLI. The
bottom (contracts and the shared top-level modules) imports none of the rooms above it. Imports
inside functions count too: a lazy import is still an import.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "platformctl"
DOMAIN = ("scaffold", "environments", "maturity", "fleet", "delivery", "authoring")
# Modules below the CLI that every layer may use.
SHARED = (
    "config.py",
    "config_files.py",
    "config_keys.py",
    "config_schema.py",
    "config_trust.py",
    "credentials.py",
    "errors.py",
    "files.py",
    "gitsafe.py",
    "locks.py",
    "names.py",
    "logsetup.py",
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


# A command-line flag as a user would type it: ``--org``, ``--answers-file`` (not ``---`` or ``a--b``).
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
# Calls whose arguments are another program's command line (git, subprocess): their flags are
# that program's. A callee counts when a part of its dotted name is one of these.
TOOL_CALLEES = frozenset({"_git", "run_git", "git", "subprocess"})
# A hint may quote another program's command line in single quotes: 'git fetch --unshallow origin'.
QUOTED_TOOL = re.compile(r"'(?:git|uv|npm|kubectl|kustomize|helm) [^']*'")


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the module, class and function docstring constants of ``tree``."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _dotted(node: ast.expr) -> list[str]:
    """``["repo", "git", "merge"]`` for ``repo.git.merge``; [] for anything not a plain name chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    return [node.id, *parts] if isinstance(node, ast.Name) else []


def _tool_arguments(tree: ast.AST) -> set[int]:
    """The ids of the string constants that are a tool call's arguments, or elements of a list or
    tuple literal that is one (``_git(path, ["add", "--all"])``, ``repo.git.merge("--no-ff")``)."""
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not TOOL_CALLEES & set(_dotted(node.func)):
            continue
        for arg in node.args:
            found |= {id(e) for e in _elements(arg) if isinstance(e, ast.Constant)}
    return found


def _elements(arg: ast.expr) -> list[ast.expr]:
    """An argument's own values: a list or tuple literal's elements, both branches of ``a if c else b``."""
    if isinstance(arg, ast.List | ast.Tuple):
        return list(arg.elts)
    if isinstance(arg, ast.IfExp):
        return _elements(arg.body) + _elements(arg.orelse)
    return [arg]


def _flag_spellings(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, text)`` of every string constant (f-string parts too) that spells a flag,
    other than docstrings, a tool's arguments and a quoted command line of another tool."""
    allowed = _docstrings(tree) | _tool_arguments(tree)
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in allowed
        and FLAG.search(QUOTED_TOOL.sub("", node.value))
    ]
    return [(node.lineno, node.value) for node in sorted(found, key=lambda n: (n.lineno, n.col_offset))]


@pytest.mark.parametrize("path", _modules(*DOMAIN), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_domain_names_inputs_not_flags(path: Path) -> None:
    # Flag names live in cli/: the domain says errors.option("org") and cli/flagnames.py spells
    # it for the command that runs (docs/architecture.md).
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert [f"{_where(path, line)} spells a flag: {text!r}" for line, text in _flag_spellings(tree)] == []


def test_the_flag_check_sees_what_it_looks_for() -> None:
    source = '''
"""Module docstring about --json."""
def f(path, name):
    """Mentions --org."""
    _git(path, ["add", "--all"])
    repo.git.merge("--no-ff", name)
    subprocess.run([*safe, "ls-files", "--cached"])
    hint = "run 'git fetch --unshallow origin'"
    raise UsageError(f"pass --org {name}", hint="or --dir PATH")
    origin = {"x": "--set x"}
    return ["--shard", "a--b", "--- x", "-- paths"]
'''
    found = [text for _, text in _flag_spellings(ast.parse(source))]
    assert found == ["pass --org ", "or --dir PATH", "--set x", "--shard"]


@pytest.mark.parametrize("path", _modules("."), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_private_typer_module(path: Path) -> None:
    # typer._completion_shared, typer._completion_classes, typer._click …: private, they may
    # change in any release. Only typer's public names are used.
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert [f"{_where(path, line)} imports {name}" for line, name in _private_typer(tree)] == []


def _private_typer(tree: ast.AST) -> list[tuple[int, str]]:
    """The imports of a private typer module, or of a private name from ``typer``."""
    return [
        (line, name)
        for line, name in _imports(tree)
        if name.startswith("typer._") or (name == "typer" and _imports_private_name(tree, line))
    ]


def _imports_private_name(tree: ast.AST, line: int) -> bool:
    """Whether the ``from typer import …`` on ``line`` takes a private name (``_completion_shared``)."""
    return any(
        isinstance(node, ast.ImportFrom)
        and node.lineno == line
        and any(alias.name.startswith("_") for alias in node.names)
        for node in ast.walk(tree)
    )


def test_the_private_typer_check_sees_what_it_looks_for() -> None:
    tree = ast.parse(
        "import typer\nfrom typer import Typer\nfrom typer._completion_shared import x\n"
        "import typer._click\nfrom typer import _completion_classes\nfrom typer.completion import y\n"
    )
    assert [name for _, name in _private_typer(tree)] == ["typer._completion_shared", "typer._click", "typer"]
