"""YAML loading that remembers where every value came from, so errors can name the line.

``yaml.safe_load`` throws positions away. Here one SafeLoader composes the node tree, builds
the data from it, and a walk over the same nodes records the line of every mapping key and
sequence item under its path (``("questions", 3, "choices", 0)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from platformctl.errors import ConfigError

Path_ = tuple[str | int, ...]


@dataclass
class Lines:
    """Line numbers (1-based) of the values of a YAML document, by path."""

    source: str
    by_path: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.by_path:
                return self.by_path[path]
            path = path[:-1]
        return self.by_path.get(())

    def where(self, path: Sequence[str | int]) -> str:
        """``source:line`` for ``path`` (just ``source`` when the line is unknown)."""
        line = self.line(path)
        return f"{self.source}:{line}" if line else self.source


def load_yaml_with_lines(text: str, source: str) -> tuple[Any, Lines]:
    """Parse one YAML (or JSON) document safely and return the data and its line map.

    Raises:
        ConfigError: the text is not valid YAML; the message names ``source`` and the line.
    """
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(
            f"{source}{line}: not valid YAML: {exc.problem or exc.context}",
            hint="check the indentation and quoting around that line",
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}".splitlines()[0]) from None
    finally:
        loader.dispose()
    lines = Lines(source)
    if node is not None:
        _walk(node, (), lines.by_path)
    return data, lines


def _walk(node: Any, path: Path_, out: dict[Path_, int]) -> None:
    import yaml

    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            child = (*path, _key(key))
            out[child] = key_node.start_mark.line + 1
            _walk(value_node, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), out)


def _key(value: str) -> str | int:
    # Mapping keys such as gate levels (``2:``) are integers in the data; match them.
    return int(value) if value.isdigit() else value
