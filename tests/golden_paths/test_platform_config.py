"""The `platform:` section of platformctl.yaml sets the golden paths' platform answers once."""

from __future__ import annotations

import pytest

from tests.golden_paths.gp_support import kustomize_build, load_yaml, load_yaml_all

PLATFORM_CONFIG = """\
org: acme
platform:
  argocd: {project: payments-team, namespace: gitops, repo_url: "https://git.acme.dev/services"}
  vault: {mount: kv, cluster_secret_store: vault-backend}
  grafana: {folder: Payments}
  alerting: {labels: {team: pay, route: pager}}
  terraform: {module_source: acme/service/aws, module_version: "~> 3.1"}
"""


def test_the_platform_section_supplies_the_defaults(cli, tmp_path) -> None:
    config = tmp_path / "platform.yaml"
    config.write_text(PLATFORM_CONFIG, encoding="utf-8")
    target = tmp_path / "svc"
    result = cli(
        "--config",
        str(config),
        "new",
        "service",
        "payments",
        "--golden-path",
        "go-service",
        "--no-input",
        "--set",
        "gitops=argocd",
        "--set",
        "monitoring=true",
        "--set",
        "secrets=true",
        "--set",
        "infra=true",
        "--dir",
        str(target),
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    apps = load_yaml_all(target / "deploy/argocd/applications.yaml")
    assert {a["spec"]["project"] for a in apps} == {"payments-team"}
    assert {a["metadata"]["namespace"] for a in apps} == {"gitops"}
    assert {a["spec"]["source"]["repoURL"] for a in apps} == {"https://git.acme.dev/services/payments.git"}
    objects = {o["kind"]: o for o in kustomize_build(target / "deploy/k8s/overlays/staging")}
    assert objects["ExternalSecret"]["spec"]["secretStoreRef"]["name"] == "vault-backend"
    assert objects["ConfigMap"]["metadata"]["annotations"]["grafana_folder"] == "Payments"
    alerts = [r for g in objects["PrometheusRule"]["spec"]["groups"] for r in g["rules"] if "alert" in r]
    assert {(a["labels"]["team"], a["labels"]["route"]) for a in alerts} == {("pay", "pager")}
    assert 'version = "~> 3.1"' in (target / "infra/main.tf").read_text(encoding="utf-8")
    answers = load_yaml(target / "platform.yaml")["golden_path"]["answers"]
    assert answers["vault_mount"] == "kv"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("platform: {argocd: {repo_url: 'http://x'}}\n", "repo_url"),
        ("platform: {alerting: {labels: {'a b': x}}}\n", "labels"),
        ("platform: {vault: {engine: kv}}\n", "engine"),
    ],
)
def test_a_bad_platform_setting_is_a_usage_error(cli, tmp_path, text: str, field: str) -> None:
    config = tmp_path / "platform.yaml"
    config.write_text(text, encoding="utf-8")
    result = cli("--config", str(config), "config", "show")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and field in result.stderr
    assert "hint: " in result.stderr and "Traceback" not in result.stderr


def test_platform_settings_from_the_environment(cli, tmp_path) -> None:
    env = {"PLATFORMCTL_PLATFORM_ARGOCD_PROJECT": "from-env", "PLATFORMCTL_PLATFORM_VAULT_MOUNT": "kv"}
    result = cli("config", "show", "--json", env=env)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "from-env" in text and "env PLATFORMCTL_PLATFORM_ARGOCD_PROJECT" in text
    result = cli("config", "show", env={"PLATFORMCTL_PLATFORM_ARGOCD_PROJECT": "Not A Label"})
    assert result.exit_code == 2 and result.stderr.startswith("error: environment variable ")


ALL_PLATFORM_SETTINGS = PLATFORM_CONFIG.replace(
    "  grafana: {folder: Payments}\n",
    "  grafana: {folder: Payments, dashboards: grafana-operator, instance_labels: {grafana: main}}\n",
)
# Every answer the platform settings supply, by the piece that asks it.
PLATFORM_ANSWERS = {
    "argocd_project": "payments-team",
    "argocd_namespace": "gitops",
    "gitops_repo_base": "https://git.acme.dev/services",
    "vault_mount": "kv",
    "secret_store": "vault-backend",
    "grafana_folder": "Payments",
    "grafana_dashboard": "grafana-operator",
    "grafana_instance_labels": {"grafana": "main"},
    "alert_labels": {"team": "pay", "route": "pager"},
    "terraform_module_source": "acme/service/aws",
    "terraform_module_version": "~> 3.1",
}


def _recorded(cli, tmp_path, golden_path: str, *sets: str) -> dict:
    config = tmp_path / "platformctl.yaml"
    config.write_text(ALL_PLATFORM_SETTINGS, encoding="utf-8")
    target = tmp_path / "svc"
    options = [a for s in sets for a in ("--set", s)]
    result = cli(
        "--config", str(config), "new", "service", "payments", "--golden-path", golden_path,
        "--provider", "local", "--no-input", *options, "--dir", str(target), "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return dict(load_yaml(target / "platform.yaml")["golden_path"]["answers"])


@pytest.mark.parametrize("golden_path", ["python-service", "go-service"])
def test_pieces_that_are_off_record_no_platform_settings(cli, tmp_path, golden_path: str) -> None:
    answers = _recorded(cli, tmp_path, golden_path)
    assert answers["gitops"] == "none" and answers["monitoring"] is False
    assert set(PLATFORM_ANSWERS).isdisjoint(answers), set(PLATFORM_ANSWERS) & set(answers)
    assert answers["organization"] == "acme"  # settings of questions always asked still apply


def test_only_the_settings_of_the_pieces_that_are_on_are_recorded(cli, tmp_path) -> None:
    answers = _recorded(cli, tmp_path, "node-service", "gitops=flux", "monitoring=true")
    on = {
        "gitops_repo_base",
        "grafana_folder",
        "grafana_dashboard",
        "grafana_instance_labels",
        "alert_labels",
    }
    assert {k: answers[k] for k in on} == {k: PLATFORM_ANSWERS[k] for k in on}
    assert set(PLATFORM_ANSWERS) - on == {k for k in PLATFORM_ANSWERS if k not in answers}
