"""Reading the CI definitions: action.yml, the workflows, the GitLab component, docs/ci.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.golden_paths.gp_support import _Yaml12Loader

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPONENT = REPO_ROOT / "templates" / "platformctl.yml"
WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
INPUT = re.compile(r"\$\[\[\s*inputs\.([\w-]+)\s*\]\]")


def load_component() -> tuple[dict[str, Any], str]:
    """The component's ``spec`` header and the raw text of its jobs (before interpolation)."""
    header, _, body = COMPONENT.read_text(encoding="utf-8").partition("\n---\n")
    return yaml.safe_load(header)["spec"], body


def interpolate(body: str, spec: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """The jobs as GitLab sees them: each ``$[[ inputs.x ]]`` replaced by its value, then parsed."""
    values = {name: s.get("default") for name, s in spec["inputs"].items()} | given

    def value(match: re.Match[str]) -> str:
        found = values[match.group(1)]
        return str(found).lower() if isinstance(found, bool) else str(found)

    return yaml.load(INPUT.sub(value, body), Loader=yaml.SafeLoader)


def docs_examples() -> list[tuple[str, list[Any]]]:
    """Each fenced YAML block of docs/ci.md that names its file: (file name, documents)."""
    text = (REPO_ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    examples = []
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        first = block.splitlines()[0]
        if first.startswith("# "):
            # GitHub reads workflows as YAML 1.2 (``on`` is a key); GitLab as YAML 1.1.
            loader = _Yaml12Loader if first.startswith("# .github/") else yaml.SafeLoader
            documents = [d for d in yaml.load_all(block, Loader=loader) if d is not None]
            examples.append((first[2:].strip(), documents))
    return examples


def docs_step_snippets() -> list[list[dict[str, Any]]]:
    """The fenced YAML blocks of docs/ci.md that are steps of a job (no file name)."""
    text = (REPO_ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    return [yaml.load(b, Loader=_Yaml12Loader) for b in blocks if not b.startswith("# ")]  # noqa: S506 - safe loader subclass


def run_scripts(document: Any) -> list[str]:
    """Every ``run:`` script anywhere in a workflow or action document."""
    found: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "run" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(run_scripts(value))
    elif isinstance(document, list):
        for item in document:
            found.extend(run_scripts(item))
    return found


def action_steps(document: Any) -> list[dict[str, Any]]:
    """Every step of a workflow that uses this repository's action."""
    steps = []
    for job in (document.get("jobs") or {}).values():
        steps.extend(
            s for s in job.get("steps", []) if str(s.get("uses", "")).startswith("platformctl/platformctl@")
        )
    return steps
