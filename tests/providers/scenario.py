"""Shared set-up of the end-to-end scenarios: a tiny golden path with a catalog file, the CLI env."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.helpers import build_golden_path, configure_golden_path

CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {{ service_name }}
spec:
  type: service
  lifecycle: experimental
  owner: team-payments
"""


def use_tiny_golden_path(tmp_path: Path) -> dict[str, str]:
    """Configure a golden path ``tiny`` (README + catalog-info.yaml) in the working directory."""
    gp = build_golden_path(
        tmp_path / "gp",
        files={"README.md.jinja": "# {{ service_name }}\n", "catalog-info.yaml.jinja": CATALOG},
    )
    configure_golden_path(tmp_path / "work", "tiny", gp)
    return {"PLATFORMCTL_GOLDEN_PATH": "tiny"}


def local_head(checkout: Path) -> str:
    """The commit of ``main`` in the service's checkout."""
    return subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "main"], capture_output=True, text=True, check=True
    ).stdout.strip()


def writes(*fakes: object) -> list[str]:
    """Every write any of the fakes received (API writes and git pushes)."""
    out: list[str] = []
    for fake in fakes:
        out += fake.writes("api") + [w for w in fake.writes("git") if w.endswith("git-receive-pack")]  # type: ignore[attr-defined]
    return out
