"""`env up|status|down` against a real kube-apiserver (1.20) with its controllers.

Started by .ci/integration.sh: etcd, kube-apiserver and kube-controller-manager (namespace,
garbage-collector and resource-quota controllers) on loopback. Each test uses its own
environment (namespace) so that a namespace still terminating never gets in the way.
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

import pytest

from tests.environments.conftest import write_service
from tests.integration.conftest import Kube, need

ENVIRONMENT = """\
  {name}:
    class: staging
    providers: [kubernetes]
    variables: {{LOG_LEVEL: info, REGION: eu-west-1}}
    secrets:
      DB_PASSWORD: {{env: TEST_DB_PASSWORD}}
    kubernetes:
      quota: {{cpu: "2", memory: 4Gi, pods: 20}}
      limits: {{cpu: 500m, memory: 512Mi}}
      rbac: {{group: team-payments, role: edit}}
      network_policy: true
"""
KINDS = {
    "ResourceQuota": "/api/v1/namespaces/{ns}/resourcequotas/platformctl",
    "LimitRange": "/api/v1/namespaces/{ns}/limitranges/platformctl",
    "RoleBinding": "/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings/platformctl",
    "NetworkPolicy": "/apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies/platformctl-default-deny",
    "ConfigMap": "/api/v1/namespaces/{ns}/configmaps/platformctl-variables",
    "Secret": "/api/v1/namespaces/{ns}/secrets/platformctl-secrets",
}
_names = itertools.count(1)


@pytest.fixture
def env_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, admin_kubeconfig: str) -> str:
    """A service checkout with one fresh environment of class staging on the real cluster."""
    name = f"it{os.getpid() % 10000}-{next(_names)}"
    monkeypatch.setenv("PLATFORMCTL_HOME", str(tmp_path / "platform-home"))
    monkeypatch.setenv("TEST_DB_PASSWORD", "correct horse battery staple")
    write_service(Path.cwd(), environments=ENVIRONMENT.format(name=name))
    return name


def paths(ns: str) -> dict[str, str]:
    return {"Namespace": f"/api/v1/namespaces/{ns}", **{k: p.format(ns=ns) for k, p in KINDS.items()}}


def settle(kube: Kube, ns: str, timeout: float = 60) -> None:
    """Wait until the resource-quota controller has caught up with the quota's spec.

    It writes the quota's status (a new resourceVersion) on its own after every change of
    ``spec.hard``; comparing versions before that would see its write, not platformctl's.
    """
    deadline = time.monotonic() + timeout
    while True:
        quota = kube.get(KINDS["ResourceQuota"].format(ns=ns)) or {}
        status = quota.get("status") or {}
        if status.get("hard") == quota.get("spec", {}).get("hard") and "used" in status:
            return
        assert time.monotonic() < deadline, f"quota status not updated: {quota}"
        time.sleep(0.5)


def versions(kube: Kube, ns: str) -> dict[str, str]:
    """resourceVersion of every object: unchanged versions mean nothing was written."""
    settle(kube, ns)
    out = {}
    for kind, path in paths(ns).items():
        obj = kube.get(path)
        assert obj is not None, f"{kind} missing"
        out[kind] = obj["metadata"]["resourceVersion"]
    return out


def patch_quota_pods(kube: Kube, ns: str, pods: str) -> None:
    """What `kubectl patch resourcequota platformctl -p '{"spec":{"hard":{"pods":"99"}}}'` sends."""
    response = kube.send(
        "PATCH",
        KINDS["ResourceQuota"].format(ns=ns),
        {"spec": {"hard": {"pods": pods}}},
        "application/merge-patch+json",
        fieldManager="kubectl-patch",
    )
    assert response.status_code == 200, response.text


def test_up_applies_every_object_server_side_and_a_rerun_writes_nothing(cli, kube, env_name):
    ns = f"payments-{env_name}"
    result = cli("env", "up", env_name, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["writes"] == 7
    for kind, path in paths(ns).items():
        obj = kube.get(path)
        assert obj is not None, kind
        managers = {(m["manager"], m["operation"]) for m in obj["metadata"]["managedFields"]}
        assert ("platformctl", "Apply") in managers, (kind, managers)
        assert obj["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "platformctl"
    limits = kube.get(KINDS["LimitRange"].format(ns=ns))["spec"]["limits"][0]
    assert limits["defaultRequest"] == {"cpu": "500m", "memory": "512Mi"}  # defaulted by the server
    before = versions(kube, ns)
    again = cli("env", "up", env_name)
    assert again.exit_code == 0 and "no changes" in again.stdout
    assert versions(kube, ns) == before
    assert cli("env", "status", env_name).exit_code == 0


def test_dry_run_is_a_server_dry_run_and_writes_nothing(cli, kube, env_name):
    ns = f"payments-{env_name}"
    first = cli("env", "up", env_name, "--dry-run")
    assert first.exit_code == 0, first.stderr
    assert "7 to create" in first.stdout and kube.get(f"/api/v1/namespaces/{ns}") is None
    assert cli("env", "up", env_name).exit_code == 0
    before = versions(kube, ns)
    changed = cli("env", "up", env_name, "--var", "LOG_LEVEL=debug", "--dry-run")
    assert changed.exit_code == 0, changed.stderr
    assert "data.LOG_LEVEL: info → debug" in changed.stdout and "1 to update" in changed.stdout
    assert versions(kube, ns) == before


def test_a_field_patched_by_another_manager_is_drift_and_force_conflicts_takes_it_back(cli, kube, env_name):
    ns = f"payments-{env_name}"
    assert cli("env", "up", env_name).exit_code == 0
    patch_quota_pods(kube, ns, "99")
    before = versions(kube, ns)

    status = cli("env", "status", env_name)
    assert status.exit_code == 3, status.stderr
    assert "409" not in status.stdout + status.stderr
    assert "spec.hard.pods: 99 → 20" in status.stdout
    assert '.spec.hard.pods is managed by "kubectl-patch"' in status.stdout
    assert f"env up {env_name} --force-conflicts" in status.stderr

    refused = cli("env", "up", env_name)
    assert refused.exit_code == 1
    assert '.spec.hard.pods is managed by "kubectl-patch"' in refused.stderr
    assert f"platformctl env up {env_name} --force-conflicts" in refused.stderr
    assert "kubectl" not in refused.stderr.split("hint:")[1].replace("kubectl-patch", "")
    assert versions(kube, ns) == before  # refused while planning

    forced = cli("env", "up", env_name, "--force-conflicts")
    assert forced.exit_code == 0, forced.stderr
    quota = kube.get(KINDS["ResourceQuota"].format(ns=ns))
    assert quota["spec"]["hard"]["pods"] == "20"
    spec_owners = {  # the quota controller owns status.hard.pods; spec.hard.pods is platformctl's again
        m["manager"]
        for m in quota["metadata"]["managedFields"]
        if "f:pods" in str((m.get("fieldsV1") or {}).get("f:spec"))
    }
    assert spec_owners == {"platformctl"}
    assert cli("env", "status", env_name).exit_code == 0
    settled = versions(kube, ns)
    assert "no changes" in cli("env", "up", env_name).stdout
    assert versions(kube, ns) == settled


def test_status_reports_drift_after_a_kubectl_edit(cli, kube, env_name):
    ns = f"payments-{env_name}"
    assert cli("env", "up", env_name).exit_code == 0
    path = KINDS["ConfigMap"].format(ns=ns)
    edited = kube.get(path)
    edited["data"]["REGION"] = "us-east-1"  # `kubectl edit` sends the whole object back (PUT)
    response = kube.send("PUT", path, edited, "application/json", fieldManager="kubectl-edit")
    assert response.status_code == 200, response.text
    drifted = cli("env", "status", env_name, "--json")
    assert drifted.exit_code == 3, drifted.stderr
    doc = drifted.json()
    assert [(d["kind"], d["action"]) for d in doc["drift"]] == [("ConfigMap", "update")]
    assert any('"kubectl-edit"' in note for note in doc["notes"])


def test_down_waits_until_the_namespace_is_finalised(cli, kube, env_name):
    ns = f"payments-{env_name}"
    assert cli("env", "up", env_name).exit_code == 0
    down = cli("env", "down", env_name)
    assert down.exit_code == 0, down.stderr
    assert kube.get(f"/api/v1/namespaces/{ns}") is None  # gone, not just terminating
    assert "nothing to remove" in cli("env", "down", env_name).stdout


def test_the_documented_rbac_is_enough(cli, kube, env_name, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", need("LIMITED_KUBECONFIG"))
    for args in (("up",), ("up",), ("status",), ("list",), ("down",)):
        result = cli("env", *args, *((env_name,) if args != ("list",) else ()))
        assert result.exit_code == 0, (args, result.stderr)


def test_a_user_without_rbac_gets_the_documented_403_hint(cli, kube, env_name, monkeypatch, tmp_path):
    limited = Path(need("LIMITED_KUBECONFIG")).read_text()
    token = next(line.split('"')[1] for line in limited.splitlines() if "token:" in line)
    nobody = limited.replace(token, need("NOBODY_TOKEN"))
    (tmp_path / "nobody").write_text(nobody)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "nobody"))
    result = cli("env", "up", env_name)
    assert result.exit_code == 4, result.stderr
    assert "the Kubernetes API refused to read /api/v1/namespaces/payments-" in result.stderr
    assert "(403: " in result.stderr
    assert "hint: check the credentials and RBAC of kubeconfig context it" in result.stderr
    assert need("NOBODY_TOKEN") not in result.stderr + result.stdout


def test_the_kubeconfig_loader_reads_a_real_kubeconfig(kube):
    import base64

    import httpx

    from platformctl.providers.kubernetes.kubeconfig import load_kubeconfig

    path = Path(need("KUBECONFIG"))
    for text in (path.read_text(), _embedded(path, base64)):
        other = path.parent / "embedded.kubeconfig"
        other.write_text(text)
        cluster = load_kubeconfig({"KUBECONFIG": str(other)})
        client = httpx.Client(base_url=cluster.server, verify=cluster.ssl_context())
        headers = {"Authorization": f"Bearer {cluster.credentials().token}"}
        version = client.get("/version", headers=headers).json()  # TLS to the run's CA, and the token
        # .ci/kube-build.sh stamps the release into the source: an unstamped build says v0.0.0-master.
        assert (version["major"], version["minor"], version["gitVersion"]) == ("1", "20", "v1.20.2")
        assert version["goVersion"].startswith("go")
        assert client.get("/api/v1/namespaces/default", headers=headers).status_code == 200


def _embedded(path: Path, base64) -> str:
    """The same kubeconfig with the CA inline (certificate-authority-data), as clouds write it."""
    text = path.read_text()
    ca = text.split('certificate-authority: "')[1].split('"')[0]
    data = base64.b64encode(Path(ca).read_bytes()).decode()
    return text.replace(f'certificate-authority: "{ca}"', f'certificate-authority-data: "{data}"')
