"""Rendered services plug into the platform stack: baseline policies, GitOps, monitoring, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from platformctl.policies import evaluate
from tests.golden_paths.gp_support import CI_SYSTEMS, ENVIRONMENTS, GOLDEN_PATHS, kustomize_build, render


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Every golden path rendered once per CI answer (defaults otherwise)."""
    root = tmp_path_factory.mktemp("stack")
    return {(gp, ci): render(gp, root / f"{gp}-{ci}", ci=ci) for gp in GOLDEN_PATHS for ci in CI_SYSTEMS}


@pytest.mark.parametrize("gp", GOLDEN_PATHS)
@pytest.mark.parametrize("ci", CI_SYSTEMS)
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_overlay_passes_the_baseline_policies(rendered, gp: str, ci: str, environment: str) -> None:
    objects = kustomize_build(rendered[gp, ci] / "deploy/k8s/overlays" / environment)
    assert [str(v) for v in evaluate(objects)] == []
    # The evaluation is not vacuous: the same objects with a latest tag fail.
    deployment = next(o for o in objects if o["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["image"] = "ghcr.io/my-org/payments:latest"
    assert [v.rule for v in evaluate(objects)] == ["no-latest-tag"]


def test_the_policies_folder_is_not_a_golden_path(cli) -> None:
    result = cli("golden-path", "list", "--json")
    assert result.exit_code == 0, result.stderr
    assert {gp["name"] for gp in result.json()["golden_paths"]} == set(GOLDEN_PATHS)
    result = cli("new", "service", "x", "--golden-path", "_policies", "--no-input")
    assert result.exit_code == 2
