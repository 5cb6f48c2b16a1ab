"""YAML loading that remembers where every value came from, so errors can name the line.

The hardened loader (:mod:`platformctl.yamlfiles`) composes the node tree once, refuses
aliases, deep nesting and duplicate keys, and records the line of every mapping key and
sequence item under its path (``("questions", 3, "choices", 0)``) in one iterative pass:
linear in the size of the file, whatever its shape.
"""

from __future__ import annotations

from typing import Any

from platformctl.errors import ConfigError
from platformctl.yamlfiles import Lines, parse_text

__all__ = ["Lines", "load_yaml_with_lines"]


def load_yaml_with_lines(text: str, source: str) -> tuple[Any, Lines]:
    """Parse one YAML (or JSON) document safely and return the data and its line map.

    Raises:
        ConfigError: the text is not valid YAML or breaks a limit; the message names
            ``source`` and the line.
    """
    return parse_text(text, source, error=ConfigError)
