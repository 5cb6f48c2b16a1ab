"""Rendered services plug into the platform stack: baseline policies, GitOps, monitoring, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from platformctl.scaffold.policies import evaluate
from tests.golden_paths.gp_support import (
    CI_SYSTEMS,
    ENVIRONMENTS,
    GOLDEN_PATHS,
    backstage_errors,
    crd_errors,
    exported_metrics,
    kustomize_build,
    load_yaml,
    load_yaml_all,
    manifest_errors,
    metric_names,
    monitoring_queries,
    recorded_names,
    render,
)
from tests.golden_paths.shared_renders import shared_render

# The answer combinations that switch the optional pieces: all on (Argo CD), the alternative
# (Flux), and all off is the default render above.
STACKS = {
    "argocd": {"gitops": "argocd", "monitoring": True, "secrets": True, "infra": True},
    "flux": {"gitops": "flux", "monitoring": True, "secrets": False, "infra": False},
}
CUSTOM = {
    "argocd_project": "team-pay",
    "argocd_namespace": "gitops",
    "gitops_repo_base": "ssh://git@git.acme.dev/pay",
    "vault_mount": "kv/services",
    "secret_store": "vault-prod",
    "grafana_folder": "Payments Team",
    "alert_labels": {"team": "pay", "severity": "ignored"},
    "slo_availability": "99.5",
    "slo_latency_seconds": "0.25",
    "terraform_module_source": "acme/service/aws",
    "terraform_module_version": "2.3.1",
}


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], Path]:
    """Every golden path rendered once per CI answer (defaults otherwise), shared and read-only."""
    return {(gp, ci): shared_render(gp, ci=ci) for gp in GOLDEN_PATHS for ci in CI_SYSTEMS}


@pytest.fixture(scope="module")
def stacks() -> dict[tuple[str, str], Path]:
    """Every golden path with the platform pieces switched on, with Argo CD or Flux (shared,
    read-only)."""
    return {
        (gp, name): shared_render(gp, **answers) for gp in GOLDEN_PATHS for name, answers in STACKS.items()
    }


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


def test_all_off_is_the_default(rendered) -> None:
    root = rendered["python-service", "github"]
    for absent in (
        "deploy/argocd",
        "deploy/flux",
        "infra",
        "deploy/k8s/base/prometheusrule.yaml",
        "deploy/k8s/base/externalsecret.yaml",
    ):
        assert not (root / absent).exists(), absent
    kinds = {o["kind"] for o in kustomize_build(root / "deploy/k8s/overlays/staging")}
    assert kinds == {
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "ServiceAccount",
    }


@pytest.mark.parametrize("gp", GOLDEN_PATHS)
@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_stack_overlays_validate_and_pass_the_policies(stacks, gp: str, stack: str, environment: str) -> None:
    objects = kustomize_build(stacks[gp, stack] / "deploy/k8s/overlays" / environment)
    assert manifest_errors(objects) == []
    assert [str(v) for v in evaluate(objects)] == []
    kinds = {o["kind"]: o for o in objects}
    assert {"ServiceMonitor", "PrometheusRule", "ConfigMap"} <= set(kinds)
    assert ("ExternalSecret" in kinds) is STACKS[stack]["secrets"]
    container = kinds["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    if STACKS[stack]["secrets"]:
        secret = kinds["ExternalSecret"]["spec"]["target"]["name"]
        assert container["envFrom"] == [{"secretRef": {"name": secret}}]
        assert kinds["ExternalSecret"]["spec"]["secretStoreRef"] == {
            "kind": "ClusterSecretStore",
            "name": "vault",
        }
    else:
        assert "envFrom" not in container
    # The ServiceMonitor selects the Service and scrapes its named port.
    monitor = kinds["ServiceMonitor"]["spec"]
    assert monitor["selector"]["matchLabels"].items() <= kinds["Service"]["metadata"]["labels"].items()
    assert monitor["endpoints"][0]["port"] == kinds["Service"]["spec"]["ports"][0]["name"]


def test_crd_validation_catches_mistakes(stacks) -> None:
    objects = kustomize_build(stacks["python-service", "argocd"] / "deploy/k8s/overlays/staging")
    kinds = {o["kind"]: o for o in objects}
    kinds["ExternalSecret"]["spec"]["secretStoreRef"]["kind"] = "VaultStore"
    kinds["ServiceMonitor"]["spec"]["endpoints"][0]["scrapeInterval"] = "30s"
    errors = manifest_errors(objects)
    assert any("secretStoreRef.kind" in e for e in errors), errors
    assert any("endpoints[0].scrapeInterval: unknown field" in e for e in errors), errors


@pytest.mark.parametrize("gp", GOLDEN_PATHS)
def test_argo_cd_applications(stacks, gp: str) -> None:
    apps = load_yaml_all(stacks[gp, "argocd"] / "deploy/argocd/applications.yaml")
    assert [crd_errors(app) for app in apps] == [[], []]
    assert [a["metadata"]["name"] for a in apps] == ["payments-staging", "payments-production"]
    assert [a["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] for a in apps] == ["0", "1"]
    for app, environment in zip(apps, ENVIRONMENTS, strict=True):
        spec = app["spec"]
        assert spec["project"] == "default"
        assert spec["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
        assert spec["source"]["repoURL"] == "https://github.com/my-org/payments.git"
        assert spec["source"]["path"] == f"deploy/k8s/overlays/{environment}"
        assert (stacks[gp, "argocd"] / spec["source"]["path"] / "kustomization.yaml").is_file()
        assert spec["destination"]["namespace"] == f"payments-{environment}"
    assert not (stacks[gp, "argocd"] / "deploy/flux").exists()


@pytest.mark.parametrize("gp", GOLDEN_PATHS)
def test_flux_is_the_alternative(stacks, gp: str) -> None:
    root = stacks[gp, "flux"]
    assert not (root / "deploy/argocd").exists()
    source, *kustomizations = load_yaml_all(root / "deploy/flux/kustomizations.yaml")
    assert (source["apiVersion"], source["kind"]) == ("source.toolkit.fluxcd.io/v1", "GitRepository")
    assert source["spec"]["url"] == "https://github.com/my-org/payments.git"
    for k, environment in zip(kustomizations, ENVIRONMENTS, strict=True):
        assert (k["apiVersion"], k["kind"]) == ("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
        assert k["spec"]["prune"] is True
        assert k["spec"]["targetNamespace"] == f"payments-{environment}"
        assert k["spec"]["sourceRef"] == {"kind": "GitRepository", "name": source["metadata"]["name"]}
        assert (root / k["spec"]["path"] / "kustomization.yaml").is_file()
    assert kustomizations[1]["spec"]["dependsOn"] == [{"name": "payments-staging"}]


@pytest.mark.parametrize("gp", GOLDEN_PATHS)
def test_rules_and_dashboard(stacks, gp: str) -> None:
    root = stacks[gp, "argocd"]
    (rule,) = load_yaml_all(root / "deploy/k8s/base/prometheusrule.yaml")
    alerts = [r for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r]
    # Availability and latency, each with two paging windows and one ticket window.
    assert sorted({a["labels"]["slo"] for a in alerts}) == ["availability", "latency"]
    assert sorted(a["labels"]["severity"] for a in alerts) == ["page"] * 4 + ["ticket"] * 2
    recorded = recorded_names(root)
    for alert in alerts:
        assert metric_names(alert["expr"]) <= recorded, alert["expr"]
    assert "(14.4 * 0.001)" in alerts[0]["expr"]
    (dashboard,) = load_yaml_all(root / "deploy/k8s/base/dashboard.yaml")
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert dashboard["metadata"]["annotations"]["grafana_folder"] == "Services"
    queries = monitoring_queries(root)["dashboard"]
    used = set().union(*(metric_names(q) for q in queries))
    memory = "go_memstats_sys_bytes" if gp == "go-service" else "process_resident_memory_bytes"
    assert used == {
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        memory,
        "service:http_requests_errors:ratio_rate1h",
        "service:http_requests_slow:ratio_rate1h",
    }


def test_metric_check_catches_a_missing_metric() -> None:
    names, bounds = exported_metrics(
        '# TYPE x counter\nhttp_requests_total{route="/"} 1\nh_bucket{le="0.5"} 2\nh_count 2\n'
    )
    assert names == {"http_requests_total", "h_bucket", "h_count"}
    assert bounds == {"0.5"}
    assert metric_names('sum(rate(http_requests_total{job="x"}[5m])) / on() h_count{}') == {
        "http_requests_total",
        "h_count",
    }


@pytest.mark.parametrize("gp", GOLDEN_PATHS)
def test_platform_answers_reach_every_piece(gp: str) -> None:
    root = shared_render(gp, **STACKS["argocd"], **CUSTOM)
    apps = load_yaml_all(root / "deploy/argocd/applications.yaml")
    assert {a["spec"]["project"] for a in apps} == {"team-pay"}
    assert {a["metadata"]["namespace"] for a in apps} == {"gitops"}
    assert {a["spec"]["source"]["repoURL"] for a in apps} == {"ssh://git@git.acme.dev/pay/payments.git"}
    objects = {o["kind"]: o for o in kustomize_build(root / "deploy/k8s/overlays/production")}
    assert manifest_errors(list(objects.values())) == []
    assert objects["ExternalSecret"]["spec"]["secretStoreRef"]["name"] == "vault-prod"
    assert objects["ConfigMap"]["metadata"]["annotations"]["grafana_folder"] == "Payments Team"
    alerts = [r for g in objects["PrometheusRule"]["spec"]["groups"] for r in g["rules"] if "alert" in r]
    assert all(a["labels"]["team"] == "pay" for a in alerts)
    assert {a["labels"]["severity"] for a in alerts} == {"page", "ticket"}  # not overridden
    assert "(14.4 * 0.005)" in alerts[0]["expr"]
    assert all('le="0.25"' in e for e in monitoring_queries(root)["rules"] if "bucket" in e)
    main = (root / "infra/main.tf").read_text(encoding="utf-8")
    assert 'source  = "acme/service/aws"' in main and 'version = "2.3.1"' in main
    assert 'default     = "payments"' in (root / "infra/variables.tf").read_text(encoding="utf-8")
    entity = load_yaml(root / "catalog-info.yaml")
    assert backstage_errors(entity) == []
    annotations = entity["metadata"]["annotations"]
    assert annotations["backstage.io/source-template"] == f"template:default/{gp}"
    assert annotations["argocd/app-selector"] == "app.kubernetes.io/name=payments"
    assert annotations["vault.io/secrets-engine"] == "kv/services"
    assert annotations["grafana/dashboard-selector"] == "tags @> 'payments'"


def test_the_bundled_policies_validate_against_kyverno_crd() -> None:
    from platformctl.scaffold.policies import bundled_policies_root

    for path in sorted(bundled_policies_root().glob("*.yaml")):
        (policy,) = load_yaml_all(path)
        assert crd_errors(policy) == [], path


@pytest.mark.parametrize("key", ["alert_labels", "gitops_repo_base", "argocd_project"])
def test_platform_answers_are_validated(tmp_path, key: str) -> None:
    from platformctl.errors import UsageError

    bad = {"alert_labels": {"bad-name": "x"}, "gitops_repo_base": "http://x/", "argocd_project": "A B"}[key]
    with pytest.raises(UsageError):
        render("python-service", tmp_path / "x", **{key: bad})


def test_tool_pins_agree() -> None:
    import json
    import re
    import tomllib

    python = shared_render("python-service")
    hooks = load_yaml(python / ".pre-commit-config.yaml")
    (ruff_hook,) = [r for r in hooks["repos"] if r["repo"].endswith("/ruff-pre-commit")]
    project = tomllib.loads((python / "pyproject.toml").read_text(encoding="utf-8"))
    test_extra = project["project"]["optional-dependencies"]["test"]
    assert f"ruff=={ruff_hook['rev'].removeprefix('v')}" in test_extra
    for version in ("22", "24"):
        node = shared_render("node-service", node_version=version)
        package = json.loads((node / "package.json").read_text(encoding="utf-8"))
        assert package["devDependencies"]["@types/node"] == f"^{version}.0.0"
        images = re.findall(r"^FROM node:(\d+)-", (node / "Dockerfile").read_text(encoding="utf-8"), re.M)
        assert set(images) == {version}
    go = shared_render("go-service")
    # Standard library only: nothing to lock, so no go.sum is needed (go mod verify has nothing to check).
    assert "require" not in (go / "go.mod").read_text(encoding="utf-8")


@pytest.mark.parametrize("gp", GOLDEN_PATHS)
def test_the_grafana_operator_variant_of_the_dashboard(stacks, gp: str) -> None:
    root = shared_render(
        gp,
        monitoring=True,
        grafana_dashboard="grafana-operator",
        grafana_instance_labels={"dashboards": "platform"},
        grafana_folder="Payments Team",
    )
    (dashboard,) = load_yaml_all(root / "deploy/k8s/base/dashboard.yaml")
    assert dashboard["kind"] == "GrafanaDashboard"
    assert crd_errors(dashboard) == []
    assert dashboard["spec"]["instanceSelector"] == {"matchLabels": {"dashboards": "platform"}}
    assert dashboard["spec"]["folder"] == "Payments Team"
    # The same dashboard as the sidecar's ConfigMap, so the same queries of exported metrics.
    assert monitoring_queries(root)["dashboard"] == monitoring_queries(stacks[gp, "argocd"])["dashboard"]
    for environment in ENVIRONMENTS:
        objects = kustomize_build(root / "deploy/k8s/overlays" / environment)
        assert [o for o in objects if o["kind"] == "GrafanaDashboard"]
        assert [str(v) for v in evaluate(objects)] == []
    # The check can fail: a field the CRD does not know is refused.
    dashboard["spec"]["folders"] = "x"
    assert crd_errors(dashboard) != []


def test_the_platform_settings_choose_the_grafana_operator(cli, tmp_path: Path) -> None:
    config = tmp_path / "platformctl.yaml"
    config.write_text(
        "platform:\n  grafana: {dashboards: grafana-operator, instance_labels: {dashboards: platform}}\n",
        encoding="utf-8",
    )
    target = tmp_path / "svc"
    result = cli(
        "--config", str(config), "new", "service", "payments", "--no-input",
        "--set", "monitoring=true", "--dir", str(target),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (dashboard,) = load_yaml_all(target / "deploy/k8s/base/dashboard.yaml")
    assert dashboard["kind"] == "GrafanaDashboard"
    assert dashboard["spec"]["instanceSelector"]["matchLabels"] == {"dashboards": "platform"}
    answers = load_yaml(target / "platform.yaml")["golden_path"]["answers"]
    assert answers["grafana_dashboard"] == "grafana-operator"
