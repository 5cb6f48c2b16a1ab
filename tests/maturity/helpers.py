"""Builders for maturity tests: a tiny model with hand-computable scores, answers files, repos."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import yaml

# Dimension a (weight 3): a.ci (w 1, points 0/1/2/4), a.iac (w 2, points 0/1/2).
# Dimension b (weight 1): b.docs (w 1, points 0..5). Level 2 gate: a.ci >= one; level 3: a.iac >= most.
TINY_MODEL = textwrap.dedent("""\
    model: platformctl.io/maturity/v1
    version: "0.1"
    name: Tiny model
    levels:
      - {id: 1, name: one, summary: Level one., band: [0, 25]}
      - {id: 2, name: two, summary: Level two., band: [25, 50]}
      - {id: 3, name: three, summary: Level three., band: [50, 75]}
      - {id: 4, name: four, summary: Level four., band: [75, 100]}
    gates:
      2:
        - {question: a.ci, at_least: one, label: One CI system}
      3:
        - {question: a.iac, at_least: most, label: Most infrastructure as code}
    dimensions:
      - {id: a, name: Alpha, weight: 3}
      - {id: b, name: Beta, weight: 1}
    questions:
      - id: a.ci
        dimension: a
        detector: ci_systems
        text: How many CI systems?
        choices:
          - {id: many, label: Three or more, points: 0, recommendation: Pick one.}
          - {id: two, label: Two, points: 1, recommendation: Retire one.}
          - {id: one, label: One, points: 2, recommendation: Share templates.}
          - {id: shared, label: One with shared templates, points: 4}
        evidence:
          - {kinds_at_least: 3, cap: many}
          - {kinds_at_least: 2, cap: two}
          - {kinds_at_most: 1, coverage_at_least: 1, suggest: one}
      - id: a.iac
        dimension: a
        weight: 2
        text: How much infrastructure is code?
        choices:
          - {id: none, label: None, points: 0, recommendation: Start with one module.}
          - {id: some, label: Some, points: 1, recommendation: Cover the rest.}
          - {id: most, label: Most, points: 2}
      - id: b.docs
        dimension: b
        text: How good are the docs?
        choices:
          - {id: d0, label: Nothing, points: 0, recommendation: Write a README.}
          - {id: d1, label: README, points: 1, recommendation: Add runbooks.}
          - {id: d2, label: Runbooks, points: 2, recommendation: Publish a site.}
          - {id: d3, label: Site, points: 3, recommendation: Own the docs.}
          - {id: d4, label: Owned, points: 4, recommendation: Track freshness.}
          - {id: d5, label: Fresh, points: 5}
    caveats:
      - Not a goal in itself.
    """)


def write_model(path: Path, text: str = TINY_MODEL) -> Path:
    """Write a model file and return its path."""
    path.write_text(text)
    return path


def write_answers(path: Path, answers: dict[str, Any], **top: Any) -> Path:
    """Write an answers file (structured form) and return its path."""
    path.write_text(yaml.safe_dump({**top, "answers": answers}, sort_keys=False))
    return path


def build_files(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root``."""
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return root


def git_repo(root: Path, files: dict[str, str], *, commit: bool = True) -> Path:
    """A real git repository holding ``files`` (committed unless ``commit`` is false)."""
    import git

    build_files(root, files)
    repo = git.Repo.init(root)
    if commit:
        repo.git.add(A=True)
        actor = git.Actor("Test", "test@example.com")
        repo.index.commit("initial", author=actor, committer=actor)
    return root
