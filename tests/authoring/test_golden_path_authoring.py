"""`golden-path new|lint|test` through the real CLI, on a starter golden path and broken copies of it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def starter(cli, tmp_path: Path) -> Path:
    """A golden path made by `golden-path new`, as an author starts one."""
    folder = tmp_path / "demo"
    result = cli("golden-path", "new", "demo", "--output", str(folder))
    assert result.exit_code == 0, result.stderr
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def failing_checks(result) -> list[str]:
    """Every error of every failing check in a `golden-path test --json` document."""
    doc = result.json()
    return [e for f in doc["fixtures"] for c in f["checks"] for e in c["errors"]]


def test_new_golden_path_passes_lint_and_test(cli, starter: Path) -> None:
    assert (starter / "golden-path.yaml").read_text().startswith("# Metadata")
    assert "name: demo" in (starter / "golden-path.yaml").read_text()
    lint = cli("golden-path", "lint", str(starter), "--json")
    assert lint.exit_code == 0, lint.stdout
    assert {c["check"] for c in lint.json()["checks"]} >= {"metadata", "questions", "changelog"}
    test = cli("golden-path", "test", str(starter), "--run-tests", "--json")
    assert test.exit_code == 0, test.stdout + test.stderr
    doc = test.json()
    assert [f["fixture"] for f in doc["fixtures"]] == ["defaults", "example.yaml"]
    assert all(f["tests"]["ok"] and f["tests"]["command"] == "make test" for f in doc["fixtures"])
    checks = {c["check"] for c in doc["fixtures"][0]["checks"]}
    assert {
        "backstage catalog",
        "kubernetes manifests",
        "github-workflows schema",
        "no unrendered jinja",
    } <= checks


def test_new_refuses_a_folder_with_files(cli, starter: Path) -> None:
    result = cli("golden-path", "new", "demo", "--output", str(starter))
    assert result.exit_code == 2
    assert "not empty" in result.stderr


def test_broken_catalog_file_is_caught(cli, starter: Path) -> None:
    edit(starter / "template/catalog-info.yaml.jinja", "  owner: platform-team\n", "")
    result = cli("golden-path", "test", str(starter), "--json")
    assert result.exit_code == 3
    assert any("'owner' is a required property" in e for e in failing_checks(result))


def test_manifest_with_unknown_field_is_caught(cli, starter: Path) -> None:
    edit(
        starter / "template/deploy/k8s/base/deployment.yaml.jinja",
        "  replicas: 1\n",
        "  replicas: 1\n  replicaz: 2\n",
    )
    result = cli("golden-path", "test", str(starter))
    assert result.exit_code == 3
    assert "deploy/k8s/overlays/staging" in result.stdout
    assert "replicaz" in result.stdout
    assert "error: 2 of 2 fixture(s) failed" in result.stderr


def test_invalid_workflow_is_caught(cli, starter: Path) -> None:
    edit(
        starter / "template/.github/workflows/ci.yml",
        "    runs-on: ubuntu-latest\n",
        "    runs_on: ubuntu-latest\n",
    )
    result = cli("golden-path", "test", str(starter), "--json")
    assert result.exit_code == 3
    failing = [c for f in result.json()["fixtures"] for c in f["checks"] if not c["ok"]]
    assert {(c["check"], c["target"]) for c in failing} == {
        ("github-workflows schema", ".github/workflows/ci.yml")
    }


def test_leftover_jinja_is_caught(cli, starter: Path) -> None:
    # Without the .jinja suffix copier copies the file as it is.
    (starter / "template/NOTES.md").write_text("Owned by {{ owner }}.\n")
    result = cli("golden-path", "test", str(starter), "--json")
    assert result.exit_code == 3
    assert any(e.startswith("NOTES.md:1: template syntax left") for e in failing_checks(result))


def test_failing_own_test_is_caught(cli, starter: Path) -> None:
    edit(starter / "template/Makefile", "test -s catalog-info.yaml", "test -s no-such-file")
    result = cli("golden-path", "test", str(starter), "--run-tests", "--json")
    assert result.exit_code == 3
    fixtures = result.json()["fixtures"]
    assert all(f["checks"] and all(c["ok"] for c in f["checks"]) for f in fixtures)
    assert [f["tests"]["ok"] for f in fixtures] == [False, False]
    assert all(f["tests"]["seconds"] >= 0 for f in fixtures)


def test_answers_dir_replaces_the_bundled_fixtures(cli, starter: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "bad.yaml").write_text("service_name: Not_A_Label\n")
    result = cli("golden-path", "test", str(starter), "--answers-dir", str(answers), "--json")
    assert result.exit_code == 3
    fixtures = {f["fixture"]: f for f in result.json()["fixtures"]}
    assert set(fixtures) == {"defaults", "bad.yaml"}
    assert fixtures["defaults"]["ok"] and not fixtures["bad.yaml"]["ok"]


def test_lint_reports_every_finding(cli, starter: Path) -> None:
    edit(starter / "copier.yml", "  help: Service name (a lower-case DNS label starting with a letter)\n", "")
    edit(starter / "copier.yml", '_min_copier_version: "9.4"\n', "_tasks:\n  - echo hi\n")
    (starter / "copier.yml").write_text(
        (starter / "copier.yml").read_text() + "tier:\n  type: str\n  help: Tier\n"
    )
    edit(starter / "golden-path.yaml", "version: 0.1.0", "version: 0.2.0")
    edit(starter / "golden-path.yaml", "test_command: make test\n", "")
    result = cli("golden-path", "lint", str(starter), "--json")
    assert result.exit_code == 3
    errors = [e for c in result.json()["checks"] for e in c["errors"]]
    for expected in (
        "question 'service_name' has no help",
        "question 'tier' has no default",
        "question 'tier' (str) has no validator",
        "'_min_copier_version' is not set",
        "'_tasks' runs code when rendering",
        "CHANGELOG.md has no '## 0.2.0' entry",
        "'test_command' is missing or empty",
    ):
        assert any(e.startswith(expected) for e in errors), (expected, errors)


def test_lint_wants_a_version_bump_after_a_change_since_the_tag(cli, starter: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=starter, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "first")
    git("tag", "v0.1.0")
    assert cli("golden-path", "lint", str(starter)).exit_code == 0
    edit(starter / "template/README.md.jinja", "Made from", "Generated from")
    result = cli("golden-path", "lint", str(starter))
    assert result.exit_code == 3
    assert "changed since tag v0.1.0 but 'version' is still 0.1.0" in result.stdout


def test_lint_of_a_folder_without_copier_file_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("golden-path", "lint", str(tmp_path))
    assert result.exit_code == 2
    assert "hint:" in result.stderr


def test_missing_validators_name_the_extra(cli_process, starter: Path, tmp_path: Path) -> None:
    # A module that cannot be imported stands in for an install without the extra.
    shadow = tmp_path / "shadow" / "kubernetes_validate"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('not installed')\n")
    result = cli_process("golden-path", "test", str(starter), env={"PYTHONPATH": str(shadow.parent)})
    assert result.exit_code == 2
    assert (
        "error: golden-path test needs validators that are not installed (kubernetes_validate)"
        in result.stderr
    )
    assert "hint: install the validators with: pip install 'platformctl[authoring]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_tasks_run_only_with_trust(cli, starter: Path) -> None:
    copier = starter / "copier.yml"
    copier.write_text(copier.read_text() + "_tasks:\n  - touch made-by-task\n")
    meta = starter / "golden-path.yaml"
    meta.write_text(meta.read_text() + "needs_trust: true\n")
    (starter / "template/Makefile").write_text(".PHONY: test\ntest:\n\ttest -f made-by-task\n")
    assert cli("golden-path", "lint", str(starter)).exit_code == 0
    refused = cli("golden-path", "test", str(starter), "--json")
    assert refused.exit_code == 3
    assert any("wants to run code" in e for e in failing_checks(refused))
    trusted = cli("golden-path", "test", str(starter), "--trust", "--run-tests", "--json")
    assert trusted.exit_code == 0, trusted.stdout


SERVICE_MONITOR = """apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ service_name }}
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ service_name }}
  endpoints:
    - port: http
      interval: 30s
"""


@pytest.mark.parametrize("builder", ["builtin", "auto"])
def test_custom_resources_are_checked_against_their_crd(cli, starter: Path, builder: str) -> None:
    base = starter / "template/deploy/k8s/base"
    (base / "servicemonitor.yaml.jinja").write_text(SERVICE_MONITOR)
    edit(
        base / "kustomization.yaml", "  - deployment.yaml\n", "  - deployment.yaml\n  - servicemonitor.yaml\n"
    )
    ok = cli("golden-path", "test", str(starter), "--kustomize", builder, "--json")
    assert ok.exit_code == 0, ok.stdout
    edit(
        base / "servicemonitor.yaml.jinja",
        "      interval: 30s\n",
        "      interval: 30s\n      intervall: 1m\n",
    )
    result = cli("golden-path", "test", str(starter), "--kustomize", builder, "--json")
    assert result.exit_code == 3
    errors = failing_checks(result)
    assert any(e.startswith("ServiceMonitor/") and "intervall" in e for e in errors), errors


def test_builtin_builder_refuses_what_it_does_not_know(cli, starter: Path) -> None:
    overlay = starter / "template/deploy/k8s/overlays/staging/kustomization.yaml.jinja"
    overlay.write_text(overlay.read_text() + "configMapGenerator:\n  - name: settings\n    literals: [A=1]\n")
    result = cli("golden-path", "test", str(starter), "--kustomize", "builtin", "--json")
    assert result.exit_code == 3
    assert any("does not support: ['configMapGenerator']" in e for e in failing_checks(result))


APPLICATION = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {{ service_name }}-staging
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://example.com/{{ service_name }}.git
    path: deploy/k8s/overlays/staging
    targetRevision: main
  destination:
    server: https://kubernetes.default.svc
    namespace: {{ service_name }}-staging
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: {{ service_name }}-staging
spec:
  interval: 5m
  path: ./deploy/k8s/overlays/staging
  prune: true
  sourceRef:
    kind: GitRepository
    name: {{ service_name }}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: {{ service_name }}
spec:
  interval: 5m
"""


def test_manifests_outside_every_kustomization_are_checked_on_their_own(cli, starter: Path) -> None:
    """An Argo CD Application and a Flux Kustomization beside the overlays (applied by
    themselves) are checked against their schemas; a kind with no schema shipped (Flux's
    HelmRelease) is named as not validated."""
    folder = starter / "template/deploy/argocd"
    folder.mkdir(parents=True)
    (folder / "applications.yaml.jinja").write_text(APPLICATION)
    ok = cli("golden-path", "test", str(starter), "--json")
    assert ok.exit_code == 0, ok.stdout
    checks = [
        c
        for f in ok.json()["fixtures"]
        for c in f["checks"]
        if c["target"] == "deploy/argocd/applications.yaml"
    ]
    assert len(checks) == 2 and all(c["ok"] for c in checks)
    assert all(
        c["note"] == "not validated, no schema shipped: helm.toolkit.fluxcd.io/v2 HelmRelease" for c in checks
    )
    edit(
        folder / "applications.yaml.jinja",
        "    targetRevision: main\n",
        "    targetRevision: main\n    targetRevisoin: x\n",
    )
    edit(folder / "applications.yaml.jinja", "  prune: true\n", "  prnue: true\n")
    result = cli("golden-path", "test", str(starter), "--json")
    assert result.exit_code == 3
    errors = failing_checks(result)
    assert any(e.startswith("Application/") and "targetRevisoin" in e for e in errors), errors
    kustomization = {e.split(": ", 1)[1] for e in errors if e.startswith("Kustomization/")}
    assert kustomization == {
        "$.spec: 'prune' is a required property",
        "$.spec: Additional properties are not allowed ('prnue' was unexpected)",
    }


WHEN_QUESTIONS = """
monitoring:
  type: bool
  help: Monitoring
  default: false
grafana_folder:
  type: str
  help: Grafana folder
  default: Services
  when: "{{ monitoring and dashboards }}"
  validator: "{% if not grafana_folder %}required{% endif %}"
dashboards:
  type: bool
  help: Dashboards
  default: true
vault_mount:
  type: str
  help: Vault mount
  default: secret
  when: "{{ secrets }}"
  validator: "{% if not vault_mount %}required{% endif %}"
"""


def test_lint_flags_a_when_that_reads_a_later_or_unknown_question(cli, starter: Path) -> None:
    copier = starter / "copier.yml"
    copier.write_text(copier.read_text() + WHEN_QUESTIONS)
    lines = copier.read_text().splitlines()
    folder_when = lines.index('  when: "{{ monitoring and dashboards }}"') + 1
    vault_when = lines.index('  when: "{{ secrets }}"') + 1
    result = cli("golden-path", "lint", str(starter), "--json")
    assert result.exit_code == 3
    (check,) = [c for c in result.json()["checks"] if c["check"] == "when order"]
    assert check["errors"] == [
        f"copier.yml:{folder_when}: question 'grafana_folder': when: refers to 'dashboards', which is "
        "defined after it (copier evaluates when: in order, so it is never or always asked)",
        f"copier.yml:{vault_when}: question 'vault_mount': when: refers to 'secrets', which is no "
        "question (copier evaluates when: in order, so it is never or always asked)",
    ]
    assert (
        f"copier.yml:{folder_when}: question 'grafana_folder'"
        in cli("golden-path", "lint", str(starter)).stdout
    )


def test_lint_accepts_a_when_that_reads_earlier_questions(cli, starter: Path) -> None:
    copier = starter / "copier.yml"
    good = WHEN_QUESTIONS.replace("monitoring and dashboards", "monitoring").replace(
        "{{ secrets }}", "{{ monitoring and _copier_conf.answers_file }}"
    )
    copier.write_text(copier.read_text() + good)
    result = cli("golden-path", "lint", str(starter), "--json")
    assert result.exit_code == 0, result.stdout
    (check,) = [c for c in result.json()["checks"] if c["check"] == "when order"]
    assert check["ok"]
