"""Rules read from the source: YAML is only ever safe-loaded, no shell, TLS never switched off."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "platformctl"
UNSAFE_CALLS = {
    ("yaml", "load"),
    ("yaml", "load_all"),
    ("yaml", "unsafe_load"),
    ("yaml", "unsafe_load_all"),
    ("yaml", "full_load"),
    ("yaml", "full_load_all"),
    ("os", "system"),
    ("os", "popen"),
}


def problems(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and (func.value.id, func.attr) in UNSAFE_CALLS
        ):
            found.append(f"line {node.lineno}: {func.value.id}.{func.attr}()")
        for keyword in node.keywords:
            constant = keyword.value.value if isinstance(keyword.value, ast.Constant) else None
            if keyword.arg == "shell" and constant is True:
                found.append(f"line {node.lineno}: shell=True")
            if keyword.arg == "verify" and constant is False:
                found.append(f"line {node.lineno}: verify=False")
            if keyword.arg == "Loader":
                found.append(f"line {node.lineno}: a YAML Loader argument")
    return found


@pytest.mark.parametrize("path", sorted(SOURCE.rglob("*.py")), ids=lambda p: str(p.relative_to(SOURCE)))
def test_no_unsafe_yaml_no_shell_no_unverified_tls(path: Path) -> None:
    assert problems(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_the_rules_see_what_they_look_for() -> None:
    tree = ast.parse(
        "yaml.load(t, Loader=L)\nos.system('x')\nrun(c, shell=True)\n"
        "httpx.get(u, verify=False)\nyaml.safe_load(t)\nrun(c, shell=False)\n"
    )
    assert problems(tree) == [
        "line 1: yaml.load()",
        "line 1: a YAML Loader argument",
        "line 2: os.system()",
        "line 3: shell=True",
        "line 4: verify=False",
    ]
