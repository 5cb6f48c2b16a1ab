"""The result rows of ``golden-path lint`` and ``golden-path test``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformctl.errors import TemplateError

EXTRA_HINT = "install the validators with: pip install 'platformctl[authoring]'"


@dataclass
class Check:
    """One check on one file (or on the golden path as a whole): ok, or the problems found."""

    check: str
    target: str
    errors: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        """Whether the check found nothing wrong."""
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` form."""
        return {
            "check": self.check,
            "target": self.target,
            "ok": self.ok,
            "errors": self.errors,
            "note": self.note,
        }


def split_documents(text: str) -> list[str]:
    """The documents of a YAML stream, split on ``---`` lines (Kubernetes manifests use no others)."""
    chunks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.rstrip() == "---" or line.startswith("--- "):
            chunks.append([])
        else:
            chunks[-1].append(line)
    return [
        "\n".join(c) + "\n" for c in chunks if any(s.strip() and not s.lstrip().startswith("#") for s in c)
    ]


def load_documents(path: Path, *, shown: str) -> list[Any]:
    """Every document of a YAML file, each read by the hardened loader.

    Raises:
        TemplateError: a document is not valid YAML (the message names ``shown``).
    """
    from platformctl.files import read_text
    from platformctl.yamlfiles import parse_text

    text = read_text(path, what="rendered file", error=TemplateError)
    return [parse_text(doc, shown, error=TemplateError)[0] for doc in split_documents(text)]
