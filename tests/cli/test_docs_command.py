"""``platformctl docs [TOPIC]``: every page a help text or hint points at resolves, for anyone
who installed platformctl (the pages ship in the wheel; see tests/test_packaging.py)."""

from __future__ import annotations

import ast
import io
import os
import re
from pathlib import Path

import pytest

from platformctl.cli.app import run
from platformctl.cli.context import AppContext
from platformctl.cli.io import IO
from tests.conftest import REPO_ROOT

SOURCE = REPO_ROOT / "src" / "platformctl"
MENTION = re.compile(r"platformctl docs ([a-z][\w-]*)")
REPOSITORY_PATH = re.compile(r"\bdocs/[\w-]+\.md\b")


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def docs(*args: str, stdout: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = stdout or io.StringIO(), io.StringIO()
    console = IO(env={**os.environ, "NO_COLOR": "1"}, stdin=io.StringIO(""), stdout=out, stderr=err, width=80)
    code = run(["docs", *args], context=AppContext(io=console))
    return code, out.getvalue(), err.getvalue()


def _strings(path: Path) -> list[tuple[int, str]]:
    """The string constants a user can see: all of them in cli/ (docstrings of commands are
    help texts), elsewhere all but docstrings; plus the generated config template comments."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings: set[int] = set()
    if "cli" not in path.relative_to(SOURCE).parts:
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                first = node.body[0] if node.body else None
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                    docstrings.add(id(first.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def _mentioned_topics() -> dict[str, str]:
    """Every ``platformctl docs TOPIC`` in the source, with where it is."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for topic in MENTION.findall(path.read_text(encoding="utf-8")):
            if topic not in ("TOPIC", "X"):
                found.setdefault(topic, str(path.relative_to(SOURCE)))
    return found


def test_the_source_mentions_topics_and_the_check_sees_them():
    mentioned = _mentioned_topics()
    assert {"configuration", "json-output", "providers", "delivery", "maturity"} <= set(mentioned)


@pytest.mark.parametrize("topic", sorted(_mentioned_topics()))
def test_every_topic_a_help_text_or_hint_mentions_resolves(topic):
    code, out, err = docs(topic)
    assert code == 0, err
    page = REPO_ROOT / "docs" / f"{topic}.md"
    assert out == page.read_text(encoding="utf-8")  # not a terminal: the plain text
    code, out, err = docs(topic, "--path")
    shown = Path(out.strip())  # the repository's docs/ (editable install) or the wheel's copy
    assert (code, shown.name, shown.is_absolute()) == (0, f"{topic}.md", True)
    assert shown.read_text(encoding="utf-8") == page.read_text(encoding="utf-8")


def test_no_help_text_or_hint_points_at_a_repository_path():
    found = [
        f"{path.relative_to(SOURCE)}:{line}: {match}"
        for path in sorted(SOURCE.rglob("*.py"))
        for line, text in _strings(path)
        for match in REPOSITORY_PATH.findall(text)
    ]
    assert found == []


def test_without_a_topic_it_lists_every_shipped_page():
    code, out, _ = docs()
    assert code == 0
    assert out.splitlines()[0] == "Topics (read one with 'platformctl docs TOPIC'):"
    listed = [line.split()[0] for line in out.splitlines()[1:]]
    assert listed == sorted(p.stem for p in (REPO_ROOT / "docs").glob("*.md"))
    assert "  exit-codes             Exit codes" in out.splitlines()


def test_on_a_terminal_the_page_is_rendered():
    code, out, err = docs("exit-codes", stdout=Terminal())
    assert code == 0, err
    assert "Exit codes" in out
    assert "# Exit codes" not in out  # the heading is rendered, not shown as Markdown source
    assert out != (REPO_ROOT / "docs" / "exit-codes.md").read_text(encoding="utf-8")


def test_an_unknown_topic_is_a_usage_error_listing_the_topics():
    code, out, err = docs("nope")
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == "error: no documentation topic 'nope'"
    assert err.splitlines()[1].startswith("hint: the topics are: architecture, ci, configuration")


def test_a_topic_may_be_given_as_the_page_name():
    assert docs("docs/exit-codes.md")[1] == docs("exit-codes")[1]
