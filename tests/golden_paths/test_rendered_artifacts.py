"""Rendered services carry a valid catalog entry, Kubernetes manifests and CI configuration."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.golden_paths.gp_support import (
    CI_SYSTEMS,
    ENVIRONMENTS,
    GOLDEN_PATHS,
    backstage_errors,
    kubernetes_errors,
    kustomize_build,
    load_yaml,
    schema_errors,
)
from tests.golden_paths.shared_renders import shared_render

COMMON_FILES = (
    "README.md", "CODEOWNERS", "Dockerfile", ".dockerignore", ".gitignore", "Makefile",
    "catalog-info.yaml", "mkdocs.yml", "docs/index.md", "docs/operations.md", "deploy/deploy.sh",
    "deploy/k8s/base/kustomization.yaml", "deploy/k8s/overlays/staging/kustomization.yaml",
    "deploy/k8s/overlays/production/kustomization.yaml",
)
CI_FILES = {"github": (".github/workflows/ci.yml", ".github/dependabot.yml"),
            "gitlab": (".gitlab-ci.yml", "renovate.json")}
CUSTOM = {"port": "9090", "namespace": "pay", "lifecycle": "production", "owner": "team-pay",
          "system": "billing", "organization": "acme", "min_replicas": "3", "max_replicas": "9",
          "cpu_request": "250m", "memory": "512Mi"}


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], Path]:
    """Every golden path rendered once per CI answer (defaults otherwise), shared and read-only:
    the deploy script runs in a copy."""
    return {(gp, ci): shared_render(gp, ci=ci) for gp in GOLDEN_PATHS for ci in CI_SYSTEMS}


@pytest.fixture(scope="module")
def customised() -> dict[str, Path]:
    """Every golden path rendered with non-default answers (shared, read-only)."""
    return {gp: shared_render(gp, ci="gitlab", **CUSTOM) for gp in GOLDEN_PATHS}


# Jinja left unrendered; `${{ ... }}` (GitHub expressions) and Go composite literals are fine.
LEFTOVER = re.compile(r"(?<!\$)\{\{\s*[a-z_][a-z_0-9.]*\s*(\}\}|\|)|\{%[-\s]|\{#\s")
CASES = [(gp, ci) for gp in GOLDEN_PATHS for ci in CI_SYSTEMS]


@pytest.mark.parametrize(("gp", "ci"), CASES)
def test_files_and_no_template_leftovers(rendered, gp: str, ci: str) -> None:
    root = rendered[gp, ci]
    other = "gitlab" if ci == "github" else "github"
    for name in (*COMMON_FILES, *CI_FILES[ci]):
        assert (root / name).is_file(), name
    for name in CI_FILES[other]:
        assert not (root / name).exists(), name
    assert not (root / "platform.yaml").exists()
    for path in root.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not LEFTOVER.search(text), f"template syntax left in {path}"
            assert not path.name.endswith(".jinja"), path
    assert (root / "deploy/deploy.sh").stat().st_mode & 0o100
    assert "@my-org/platform-team" in (root / "CODEOWNERS").read_text()


@pytest.mark.parametrize(("gp", "ci"), CASES)
def test_catalog_info_is_a_valid_backstage_component(rendered, gp: str, ci: str) -> None:
    entity = load_yaml(rendered[gp, ci] / "catalog-info.yaml")
    assert backstage_errors(entity) == []
    assert entity["kind"] == "Component"
    assert entity["metadata"]["name"] == "payments"
    annotations = entity["metadata"]["annotations"]
    assert annotations[f"{ci}.com/project-slug"] == "my-org/payments"
    assert annotations["backstage.io/techdocs-ref"] == "dir:."
    assert annotations["backstage.io/kubernetes-id"] == "payments"
    assert entity["spec"] == {"type": "service", "lifecycle": "experimental",
                              "owner": "group:platform-team", "system": "payments"}


def test_backstage_validation_catches_mistakes(rendered) -> None:
    entity = load_yaml(rendered["python-service", "github"] / "catalog-info.yaml")
    entity["metadata"]["name"] = "Payments API!"
    del entity["spec"]["lifecycle"]
    errors = backstage_errors(entity)
    assert any("'lifecycle' is a required property" in e for e in errors)
    assert any("name rule" in e for e in errors)


def _by_kind(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["kind"]: o for o in objects}


@pytest.mark.parametrize(("gp", "ci"), CASES)
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_kubernetes_manifests_are_valid_and_hardened(rendered, gp: str, ci: str, environment: str) -> None:
    overlay = rendered[gp, ci] / "deploy/k8s/overlays" / environment
    objects = kustomize_build(overlay)
    assert kubernetes_errors(objects) == []
    kinds = _by_kind(objects)
    assert set(kinds) == {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget",
                          "ServiceAccount"}
    assert {o["metadata"]["namespace"] for o in objects} == {f"payments-{environment}"}
    assert all(o["metadata"]["labels"]["backstage.io/kubernetes-id"] == "payments" for o in objects)
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (container,) = pod["containers"]
    registry = "registry.gitlab.com" if ci == "gitlab" else "ghcr.io"
    assert container["image"].startswith(f"{registry}/my-org/payments:")
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert set(container["resources"]) == {"requests", "limits"}
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"] == {"drop": ["ALL"]}
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["OTEL_RESOURCE_ATTRIBUTES"] == f"deployment.environment.name={environment}"
    hpa = kinds["HorizontalPodAutoscaler"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == ((1, 2) if environment == "staging" else (2, 6))
    assert hpa["scaleTargetRef"]["name"] == "payments"
    assert kinds["PodDisruptionBudget"]["spec"]["selector"] == kinds["Deployment"]["spec"]["selector"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("gp", GOLDEN_PATHS)
def test_overlay_builder_agrees_with_kubectl_kustomize(rendered, gp: str) -> None:
    overlay = rendered[gp, "github"] / "deploy/k8s/overlays/production"
    out = subprocess.run(["kubectl", "kustomize", str(overlay)], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    key = lambda o: (o["kind"], o["metadata"]["name"])  # noqa: E731
    assert sorted(yaml.safe_load_all(out), key=key) == sorted(kustomize_build(overlay), key=key)


def test_kubernetes_validation_catches_mistakes(rendered) -> None:
    objects = kustomize_build(rendered["go-service", "github"] / "deploy/k8s/overlays/staging")
    deployment = _by_kind(objects)["Deployment"]
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["paht"] = "/"
    assert any("'paht' was unexpected" in e for e in kubernetes_errors(objects))


@pytest.mark.parametrize("gp", GOLDEN_PATHS)
def test_answers_reach_the_manifests(customised, gp: str) -> None:
    root = customised[gp]
    objects = _by_kind(kustomize_build(root / "deploy/k8s/overlays/production"))
    assert kubernetes_errors(list(objects.values())) == []
    container = objects["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert objects["Deployment"]["metadata"]["namespace"] == "pay-production"
    assert container["ports"][0]["containerPort"] == 9090
    assert container["resources"] == {"requests": {"cpu": "250m", "memory": "512Mi"},
                                      "limits": {"memory": "512Mi"}}
    assert (objects["HorizontalPodAutoscaler"]["spec"]["minReplicas"],
            objects["HorizontalPodAutoscaler"]["spec"]["maxReplicas"]) == (3, 9)
    entity = load_yaml(root / "catalog-info.yaml")
    assert backstage_errors(entity) == []
    assert entity["spec"] == {"type": "service", "lifecycle": "production", "owner": "group:team-pay",
                              "system": "billing"}
    assert entity["metadata"]["annotations"]["gitlab.com/project-slug"] == "acme/payments"
    assert "@acme/team-pay" in (root / "CODEOWNERS").read_text()
    assert "EXPOSE 9090" in (root / "Dockerfile").read_text()


@pytest.mark.parametrize("gp", GOLDEN_PATHS)
def test_dockerfile_is_multi_stage_and_non_root(rendered, gp: str) -> None:
    lines = [line.strip() for line in (rendered[gp, "github"] / "Dockerfile").read_text().splitlines()]
    froms = [i for i, line in enumerate(lines) if line.upper().startswith("FROM ")]
    assert len(froms) >= 2
    final_stage = lines[froms[-1]:]
    users = [line.split()[1] for line in final_stage if line.upper().startswith("USER ")]
    assert users, "the runtime stage sets no USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) > 0, "run as a numeric non-root user (runAsNonRoot checks it)"
    assert any(line.startswith("COPY --from=") for line in final_stage)
    assert "EXPOSE 8080" in lines
    ignored = (rendered[gp, "github"] / ".dockerignore").read_text().split()
    assert ".git" in ignored


@pytest.mark.parametrize("gp", GOLDEN_PATHS)
def test_github_actions_workflow_and_dependabot(rendered, gp: str) -> None:
    root = rendered[gp, "github"]
    workflow = load_yaml(root / ".github/workflows/ci.yml")
    assert schema_errors(workflow, "github-workflows") == []
    jobs = workflow["jobs"]
    assert {"lint", "test", "build", "deploy-staging", "deploy-production"} <= set(jobs)
    assert set(jobs["build"]["needs"]) == {"lint", "test"}
    assert jobs["deploy-staging"]["environment"] == "staging"
    assert jobs["deploy-production"]["environment"] == "production"
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["env"]["IMAGE"] == "ghcr.io/my-org/payments"
    dependabot = load_yaml(root / ".github/dependabot.yml")
    assert schema_errors(dependabot, "dependabot") == []
    ecosystems = {u["package-ecosystem"] for u in dependabot["updates"]}
    assert {"docker", "github-actions"} < ecosystems


def test_workflow_validation_catches_mistakes(rendered) -> None:
    workflow = load_yaml(rendered["node-service", "github"] / ".github/workflows/ci.yml")
    workflow["jobs"]["lint"]["runs_on"] = workflow["jobs"]["lint"].pop("runs-on")
    assert schema_errors(workflow, "github-workflows") != []


@pytest.mark.parametrize("gp", GOLDEN_PATHS)
def test_gitlab_pipeline_and_renovate(rendered, gp: str) -> None:
    root = rendered[gp, "gitlab"]
    pipeline = load_yaml(root / ".gitlab-ci.yml")
    assert schema_errors(pipeline, "gitlab-ci") == []
    stages = pipeline["stages"]
    assert stages == ["lint", "test", "build", "deploy"]
    jobs = {name: job for name, job in pipeline.items()
            if isinstance(job, dict) and not name.startswith(".") and ("script" in job or "extends" in job)}
    assert {"lint", "test", "build", "deploy-staging", "deploy-production"} <= set(jobs)
    for name, job in jobs.items():
        stage = job.get("stage") or pipeline[job["extends"]].get("stage")
        assert stage in stages, name
    assert jobs["deploy-production"]["environment"]["name"] == "production"
    assert pipeline["variables"]["IMAGE"] == "registry.gitlab.com/my-org/payments"
    renovate = load_yaml(root / "renovate.json")
    assert schema_errors(renovate, "renovate") == []


FAKE_KUBECTL = """#!/bin/sh
# Records each call and the kubeconfig it was given.
echo "$* | $(cat "$KUBECONFIG")" >> "$KUBECTL_LOG"
"""


def _deploy(rendered, tmp_path: Path, gp: str, **env: str) -> tuple[Path, subprocess.CompletedProcess]:
    service = tmp_path / "service"
    shutil.copytree(rendered[gp, "github"], service)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "kubectl").write_text(FAKE_KUBECTL)
    (bin_dir / "kubectl").chmod(0o755)
    base = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "KUBECTL_LOG": str(tmp_path / "kubectl.log")}
    proc = subprocess.run(["sh", "deploy/deploy.sh"], cwd=service, env={**base, **env},
                          capture_output=True, text=True, timeout=60)
    return service, proc


@pytest.mark.parametrize("gp", GOLDEN_PATHS)
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_deploy_script_pins_the_image_and_applies_the_overlay(rendered, tmp_path, gp, environment) -> None:
    service, proc = _deploy(rendered, tmp_path, gp, ENVIRONMENT=environment, TAG="0123abc",
                            KUBECONFIG_CONTENT="kind: Config")
    assert proc.returncode == 0, proc.stderr
    calls = (tmp_path / "kubectl.log").read_text().splitlines()
    assert calls == [
        f"apply -k deploy/k8s/overlays/{environment} | kind: Config",
        f"--namespace payments-{environment} rollout status deployment/payments --timeout=5m | kind: Config",
    ]
    (deployment,) = [o for o in kustomize_build(service / "deploy/k8s/overlays" / environment)
                     if o["kind"] == "Deployment"]
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "ghcr.io/my-org/payments:0123abc"


def test_deploy_script_skips_without_credentials(rendered, tmp_path) -> None:
    _, proc = _deploy(rendered, tmp_path, "python-service", ENVIRONMENT="staging", TAG="0123abc")
    assert proc.returncode == 0, proc.stderr
    assert "No KUBECONFIG for environment staging: skipping the deploy" in proc.stdout
    assert not (tmp_path / "kubectl.log").exists()
