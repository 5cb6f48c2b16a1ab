"""The YAML half of the hardened loader (see :mod:`platformctl.yamlfiles`).

A SafeLoader (the C one when PyYAML has it) with the restricted YAML 1.2 core schema, a linear
event pass that refuses aliases and deep nesting before anything recursive runs, and an
iterative walk over the node tree that records lines and refuses duplicate keys.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

MAX_DEPTH = 64
"""Deepest nesting of mappings/sequences accepted; real files stay under 10."""

Path_ = tuple[str | int, ...]


class Refused(Exception):
    """A limit or syntax rule the text breaks: the problem, its line, a hint."""

    def __init__(self, problem: str, line: int | None = None, hint: str | None = None) -> None:
        super().__init__(problem)
        self.problem, self.line, self.hint = problem, line, hint


def _loader_class() -> type[Any]:
    """SafeLoader (C when available) with the restricted YAML 1.2 core schema (built once)."""
    if not _LOADER:
        _LOADER.append(_build_loader())
    return _LOADER[0]


_LOADER: list[type[Any]] = []


def _build_loader() -> type[Any]:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class CoreLoader(base):  # type: ignore[misc, valid-type]
        yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {}

    resolvers = [
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        # No leading zeros (as JSON): 010 and 0755 stay text, never octal nor ten.
        ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
        (
            "tag:yaml.org,2002:float",
            # A dot, and a signed exponent: a subset of what PyYAML's dumper quotes, so any file
            # yaml.safe_dump writes reads back the same (1e3 stays text there, so here too).
            r"^(?:[-+]?[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?$",
            "-+.0123456789",
        ),
    ]
    # Dates stay dates (answers record when they were given); an impossible one is an error.
    timestamp = yaml.SafeLoader.yaml_implicit_resolvers["0"]
    for tag, pattern, first in resolvers:
        CoreLoader.add_implicit_resolver(tag, re.compile(pattern), list(first))
    for tag, regexp in timestamp:
        if tag.endswith(":timestamp"):
            CoreLoader.add_implicit_resolver(tag, regexp, list("0123456789"))
    CoreLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    return CoreLoader


def _construct_int(loader: Any, node: Any) -> int:
    # Decimal always (PyYAML's 1.1 constructor reads a leading 0 as octal, e.g. !!int 010).
    value = str(loader.construct_scalar(node))
    if re.fullmatch(r"[-+]?[0-9]+", value):
        return int(value, 10)
    return int(loader.construct_yaml_int(node))


def compose(text: str, *, first_document: bool = False) -> Any:
    """The node tree of a single document (or the first one), after the alias and depth checks."""
    loader = _loader_class()(text)
    try:
        _check_events(loader)
    finally:
        loader.dispose()
    loader = _loader_class()(text)
    try:
        if first_document:
            return loader.get_node() if loader.check_node() else None
        return loader.get_single_node()
    finally:
        loader.dispose()


def _check_events(loader: Any) -> None:
    """One linear pass over the events: refuse aliases and deep nesting before composing."""
    import yaml

    depth = 0
    while loader.check_event():
        event = loader.get_event()
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent):
            raise Refused(
                f"uses the alias *{(event.anchor or '')[:40]}; aliases are not accepted",
                line,
                "write the value out in full instead of referring to an anchor",
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise Refused(f"nested deeper than {MAX_DEPTH} levels", line, "flatten the structure")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def parse_yaml(text: str, *, first_document: bool = False) -> tuple[Any, dict[Path_, int]]:
    """The data of one YAML document and the line of every key and item, under every check.

    Raises:
        Refused: an alias, deep nesting, a duplicate key, an impossible tagged value or bad syntax.
    """
    import yaml

    try:
        node = compose(text, first_document=first_document)
        by_path: dict[Path_, int] = {}
        if node is None:
            return None, by_path
        walk(node, (), by_path, check=True)
        loader = _loader_class()("")
        try:
            return loader.construct_document(node), by_path
        finally:
            loader.dispose()
    except Refused:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        if "nesting depth" in problem:  # libyaml's own limit (1,000), met while scanning ahead
            line = mark.line + 1 if mark else None
            raise Refused(f"nested deeper than {MAX_DEPTH} levels", line, "flatten the structure") from None
        column = f" (column {mark.column + 1})" if mark else ""
        raise Refused(
            f"not valid YAML{column}: {problem}",
            mark.line + 1 if mark else None,
            "check the indentation and quoting around that line",
        ) from None
    except yaml.YAMLError as exc:
        raise Refused(f"not valid YAML: {str(exc).strip().splitlines()[0]}") from None
    except Exception as exc:  # a tagged value the constructor rejects (!!bool maybe)
        raise Refused(f"a value cannot be read ({type(exc).__name__})") from None


def walk(node: Any, path: Path_, out: dict[Path_, int], *, check: bool) -> None:
    """Record the line of every key and item; refuse duplicate keys and impossible tagged values.

    Iterative (an explicit stack), and linear because aliases were refused: each node once.
    """
    import yaml

    stack: list[tuple[Any, Path_]] = [(node, path)]
    while stack:
        current, where = stack.pop()
        out.setdefault(where, current.start_mark.line + 1)
        if isinstance(current, yaml.MappingNode):
            seen: dict[tuple[str, str], int] = {}
            for key_node, value_node in current.value:
                line = key_node.start_mark.line + 1
                if check and isinstance(key_node, yaml.ScalarNode):
                    _check_duplicate(seen, key_node, line)
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
                child = (*where, _key(key))
                out[child] = line
                stack.append((value_node, child))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, (*where, index)) for index, item in enumerate(current.value))
        elif check:
            _check_scalar(current)


def _check_duplicate(seen: dict[tuple[str, str], int], key_node: Any, line: int) -> None:
    identity = (key_node.tag, key_node.value)
    if identity in seen:
        raise Refused(
            f"duplicate key {short(key_node.value)} (first at line {seen[identity]})",
            line,
            "keep one of the two entries: a second one would silently replace the first",
        )
    seen[identity] = line


def _check_scalar(node: Any) -> None:
    """Explicitly tagged scalars that would fail at construction fail here, with their line."""
    if node.tag.rsplit(":", 1)[-1] in _CHECKED_TAGS:
        loader = _loader_class()("")
        try:
            loader.construct_object(node)
        except Exception:  # any constructor failure is the file's fault
            raise Refused(
                f"{short(node.value)} is not a valid {node.tag.rsplit(':', 1)[-1]}",
                node.start_mark.line + 1,
                "correct the value, or quote it to keep it as text",
            ) from None
        finally:
            loader.dispose()


_CHECKED_TAGS = frozenset({"timestamp", "int", "float", "bool", "binary"})


def short(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


def _key(value: str) -> str | int:
    # Mapping keys such as gate levels (``2:``) are integers in the data; match them.
    return int(value) if value.isascii() and value.isdigit() else value  # not '¹' or '٣'
