"""The bundled golden paths pass `golden-path test`, with either kustomize, for both CI answers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.authoring.bundled_runs import bundled_test_run

GOLDEN_PATHS = ("python-service", "node-service", "go-service")


@pytest.mark.parametrize("name", GOLDEN_PATHS)
def test_bundled_golden_path_passes(cli, name: str, tmp_path: Path) -> None:
    """The defaults and the answers files of ``bundled_runs.FIXTURES`` (GitLab CI with custom
    answers among them) pass."""
    result = bundled_test_run(cli, name, tmp_path)
    assert result.exit_code == 0, result.stdout
    doc = result.json()
    assert doc["kustomize"] == "builtin"
    targets = {c["target"] for f in doc["fixtures"] for c in f["checks"]}
    assert {
        ".github/workflows/ci.yml",
        ".gitlab-ci.yml",
        "renovate.json",
        "deploy/k8s/overlays/production",
    } <= targets


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_builtin_builder_matches_kubectl_kustomize(tmp_path: Path) -> None:
    from platformctl.authoring import kustomize
    from platformctl.scaffold.answers import resolve_answers
    from platformctl.scaffold.catalog import bundled_root, load_golden_path
    from platformctl.scaffold.render import render_golden_path

    gp = load_golden_path(bundled_root() / "python-service", origin="bundled", trusted=True)
    root = tmp_path / "svc"
    render_golden_path(gp, resolve_answers(gp, {"service_name": "payments"}), root)
    for overlay in ("staging", "production"):
        folder = root / "deploy/k8s/overlays" / overlay
        key = lambda o: (o["kind"], o["metadata"]["name"])  # noqa: E731
        built = sorted(kustomize.build(folder, root, "builtin"), key=key)
        expected = sorted(kustomize.build(folder, root, "kubectl"), key=key)
        assert built == expected


def test_unknown_kustomize_builder_is_a_usage_error(cli) -> None:
    result = cli("golden-path", "test", "python-service", "--kustomize", "helm")
    assert result.exit_code == 2
    assert "hint: use one of: auto, kubectl, builtin" in result.stderr


@pytest.mark.parametrize("name", GOLDEN_PATHS)
def test_bundled_golden_path_passes_lint(cli, name: str) -> None:
    result = cli("golden-path", "lint", name, "--json")
    assert result.exit_code == 0, result.stdout
    checks = {c["check"]: c for c in result.json()["checks"]}
    assert checks["changelog"]["ok"] and checks["questions"]["ok"], checks


@pytest.mark.parametrize("name", GOLDEN_PATHS)
def test_flux_objects_are_validated_against_their_schemas(cli, name: str, tmp_path: Path) -> None:
    """The Flux GitRepository and Kustomizations of a render are checked (no "not validated" note)."""
    result = bundled_test_run(cli, name, tmp_path)  # its flux.yaml answers: gitops: flux
    # Exactly one fixture renders Flux objects: the defaults and the other answers do not.
    assert result.exit_code == 0, result.stdout
    (flux,) = [
        c
        for f in result.json()["fixtures"]
        for c in f["checks"]
        if c["target"] == "deploy/flux/kustomizations.yaml"
    ]
    assert (flux["ok"], flux["note"]) == (True, "")
