"""Every environment scenario on Kubernetes, through the real CLI against the API fake on loopback."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tests.environments.conftest import set_descriptor_field, write_service
from tests.fakes.kubernetes import Fault

NS = "payments-staging"
SECRET = "correct horse battery staple"


def up(cli, *args, **kwargs):
    return cli("env", "up", "staging", *args, **kwargs)


def writes_of(fake, method="PATCH"):
    return [(m, p) for m, p, q in fake.requests if m == method and q.get("dryRun") != ["All"]]


def test_create_applies_the_objects_server_side_then_rerun_writes_nothing(cli, kube):
    write_service(Path.cwd(), providers="kubernetes")
    result = up(cli, "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert [(c["kind"], c["action"]) for c in doc["changes"]] == [
        ("Namespace", "create"),
        ("ResourceQuota", "create"),
        ("LimitRange", "create"),
        ("RoleBinding", "create"),
        ("NetworkPolicy", "create"),
        ("ConfigMap", "create"),
        ("Secret", "create"),
    ]
    assert kube.writes == 7 and doc["writes"] == 7
    for method, _, query in kube.requests:
        if method == "PATCH":
            assert query["fieldManager"] == ["platformctl"] and query["fieldValidation"] == ["Strict"]
            assert "force" not in query
    quota = kube.get("resourcequotas", "platformctl", NS)
    assert quota["spec"]["hard"] == {"cpu": "2", "memory": "4Gi", "pods": "20"}
    assert kube.get("networkpolicies", "platformctl-default-deny", NS)["spec"]["policyTypes"] == ["Ingress"]
    rb = kube.get("rolebindings", "platformctl", NS)
    assert rb["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "team-payments"}
    ]
    secret = kube.get("secrets", "platformctl-secrets", NS)
    assert base64.b64decode(secret["data"]["DB_PASSWORD"]).decode() == SECRET
    assert SECRET not in result.stdout + result.stderr
    assert json.loads(secret["metadata"]["annotations"]["platformctl.io/secret-fingerprints"])[
        "DB_PASSWORD"
    ].startswith("hmac-sha256:")

    again = up(cli)
    assert again.exit_code == 0, again.stderr
    assert "no changes" in again.stdout
    assert kube.writes == 7  # reads and dry runs only
    assert any(q.get("dryRun") == ["All"] for m, _, q in kube.requests if m == "PATCH")


def test_change_one_variable_is_exactly_one_write(cli, kube):
    write_service(Path.cwd(), providers="kubernetes")
    up(cli)
    before = kube.writes
    result = up(cli, "--var", "LOG_LEVEL=debug", "--json")
    assert result.exit_code == 0, result.stderr
    assert [(c["kind"], c["action"]) for c in result.json()["changes"] if c["action"] != "unchanged"] == [
        ("ConfigMap", "update")
    ]
    assert kube.writes == before + 1
    assert kube.get("configmaps", "platformctl-variables", NS)["data"]["LOG_LEVEL"] == "debug"


def test_remove_a_variable_and_an_object(cli, kube):
    write_service(Path.cwd(), providers="kubernetes")
    up(cli)
    set_descriptor_field(Path.cwd(), "staging", "variables", {"LOG_LEVEL": "info"})
    doc = up(cli, "--json").json()
    assert [(c["kind"], c["action"]) for c in doc["changes"] if c["action"] != "unchanged"] == [
        ("ConfigMap", "update")
    ]
    assert kube.get("configmaps", "platformctl-variables", NS)["data"] == {"LOG_LEVEL": "info"}
    set_descriptor_field(Path.cwd(), "staging", "kubernetes", {"quota": {"cpu": "2"}})
    before = kube.writes
    doc = up(cli, "--json").json()
    pending = [(c["kind"], c["action"]) for c in doc["changes"] if c["action"] != "unchanged"]
    assert pending == [
        ("ResourceQuota", "update"),
        ("NetworkPolicy", "delete"),
        ("RoleBinding", "delete"),
        ("LimitRange", "delete"),
    ]
    assert kube.writes == before + 4
    assert kube.get("resourcequotas", "platformctl", NS)["spec"]["hard"] == {"cpu": "2"}
    assert kube.get("limitranges", "platformctl", NS) is None


def test_rotate_a_secret(cli, kube, monkeypatch):
    write_service(Path.cwd(), providers="kubernetes")
    up(cli)
    before = kube.writes
    monkeypatch.setenv("TEST_DB_PASSWORD", "rotated value")
    result = up(cli, "--json")
    assert [
        (c["kind"], c["action"], c.get("detail"))
        for c in result.json()["changes"]
        if c["action"] != "unchanged"
    ] == [("Secret", "update", "will be set")]
    assert kube.writes == before + 1
    data = kube.get("secrets", "platformctl-secrets", NS)["data"]
    assert base64.b64decode(data["DB_PASSWORD"]).decode() == "rotated value"
    assert "rotated value" not in result.stdout + result.stderr


def test_down_waits_for_the_namespace_then_up_again(cli, kube):
    write_service(Path.cwd(), providers="kubernetes")
    up(cli)
    down = cli("env", "down", "staging")
    assert down.exit_code == 0, down.stderr
    assert "waiting for namespace payments-staging to be deleted" in down.stderr
    assert kube.objects == {}  # the namespace went through Terminating and is gone with its objects
    assert writes_of(kube, "DELETE") == [("DELETE", f"/api/v1/namespaces/{NS}")]
    again = up(cli, "--json")
    assert again.json()["summary"]["create"] == 7


def test_up_while_the_namespace_terminates_waits_instead_of_failing(cli, kube):
    write_service(Path.cwd(), providers="kubernetes")
    up(cli)
    kube.terminate_after = 3
    kube.start_deletion(NS)  # someone else started deleting it
    result = up(cli)
    assert result.exit_code == 0, result.stderr
    assert "is terminating; waiting until it is gone" in result.stderr
    assert kube.get("namespaces", NS)["status"]["phase"] == "Active"


def test_reap_removes_an_expired_namespace(cli, kube):
    write_service(Path.cwd(), providers="kubernetes")
    created = cli("env", "up", "pr-42", "--ttl", "3d", "--json")
    assert created.exit_code == 0, created.stderr
    ns = kube.get("namespaces", "payments-pr-42")
    assert ns["metadata"]["annotations"]["platformctl.io/ttl"] == "3d"
    assert "no changes" in cli("env", "up", "pr-42", "--ttl", "3d").stdout
    up(cli)
    assert cli("env", "reap", "--json").json()["removed"] == []
    ns["metadata"]["annotations"]["platformctl.io/expires-at"] = "2001-01-01T00:00:00+00:00"
    listed = cli("env", "list", "--json").json()["environments"]
    assert [(e["name"], e["provider"], e["expired"]) for e in listed] == [
        ("pr-42", "kubernetes", True),
        ("staging", "kubernetes", False),
    ]
    reaped = cli("env", "reap", "--json")
    assert reaped.exit_code == 0, reaped.stderr
    assert [e["name"] for e in reaped.json()["removed"]] == ["pr-42"]
    assert kube.get("namespaces", "payments-pr-42") is None
    assert kube.get("namespaces", NS) is not None


def test_failure_in_the_middle_then_rerun_converges(cli, kube):
    write_service(Path.cwd(), providers="local, kubernetes")
    kube.faults.append(Fault("PATCH", "rolebindings", code=400, times=1))
    failed = up(cli)
    assert failed.exit_code == 1
    assert "RoleBinding" in failed.stderr and "already applied: local (5 writes)" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert kube.get("resourcequotas", "platformctl", NS) is not None  # made before the failure
    result = up(cli, "--json")
    assert result.exit_code == 0, result.stderr
    pending = [
        (c["provider"], c["kind"], c["action"])
        for c in result.json()["changes"]
        if c["action"] != "unchanged"
    ]
    assert pending == [
        ("kubernetes", "RoleBinding", "create"),
        ("kubernetes", "NetworkPolicy", "create"),
        ("kubernetes", "ConfigMap", "create"),
        ("kubernetes", "Secret", "create"),
    ]
    before = kube.writes
    assert "no changes" in up(cli).stdout
    assert kube.writes == before


def test_a_field_owned_by_another_manager_is_a_conflict_before_any_write(cli, kube):
    write_service(Path.cwd(), providers="kubernetes")
    up(cli)
    kube.apply_as(
        "kubectl",
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "platformctl", "namespace": NS},
            "spec": {"hard": {"cpu": "8"}},
        },
    )
    before = kube.writes
    result = up(cli, "--var", "LOG_LEVEL=debug")
    assert result.exit_code == 1
    assert 'ResourceQuota platformctl: .spec.hard.cpu is managed by "kubectl"' in result.stderr
    assert "409" not in result.stderr
    assert "env up staging --force-conflicts" in result.stderr
    assert kube.writes == before  # refused while planning: nothing was written


def patch_quota_pods(kube, pods="99"):
    """``kubectl patch resourcequota platformctl -p '{"spec":{"hard":{"pods":"99"}}}'``."""
    kube.patch_as(
        "kubectl-patch",
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "platformctl", "namespace": NS},
            "spec": {"hard": {"pods": pods}},
        },
    )


def test_a_field_changed_by_kubectl_patch_is_drift_naming_the_manager(cli, kube):
    write_service(Path.cwd(), providers="kubernetes")
    up(cli)
    patch_quota_pods(kube)
    before = kube.writes
    status = cli("env", "status", "staging")
    assert status.exit_code == 3, status.stderr
    assert "ResourceQuota platformctl" in status.stdout and "spec.hard.pods: 99 → 20" in status.stdout
    assert '.spec.hard.pods is managed by "kubectl-patch"' in status.stdout
    assert "env up staging --force-conflicts" in status.stderr
    doc = cli("env", "status", "staging", "--json").json()
    assert [(d["kind"], d["action"]) for d in doc["drift"]] == [("ResourceQuota", "update")]
    assert any("kubectl-patch" in note for note in doc["notes"])
    dry = up(cli, "--dry-run")
    assert dry.exit_code == 0 and "kubectl-patch" in dry.stdout and "1 to update" in dry.stdout
    assert kube.writes == before


def test_force_conflicts_takes_the_field_back_then_converges(cli, kube):
    write_service(Path.cwd(), providers="kubernetes")
    up(cli)
    patch_quota_pods(kube)
    assert up(cli).exit_code == 1
    before = kube.writes
    forced = up(cli, "--force-conflicts")
    assert forced.exit_code == 0, forced.stderr
    assert "taking over .spec.hard.pods" in forced.stderr
    assert kube.writes == before + 1  # the quota only
    assert kube.get("resourcequotas", "platformctl", NS)["spec"]["hard"]["pods"] == "20"
    forced_apply = [q for m, p, q in kube.requests if m == "PATCH" and q.get("force") == ["true"]]
    assert forced_apply and all(q["fieldManager"] == ["platformctl"] for q in forced_apply)
    assert cli("env", "status", "staging").exit_code == 0
    again = up(cli)
    assert "no changes" in again.stdout and kube.writes == before + 1


def test_status_reports_drift_with_exit_3(cli, kube):
    write_service(Path.cwd(), providers="kubernetes")
    up(cli)
    assert cli("env", "status", "staging").exit_code == 0
    del kube.objects[("networkpolicies", NS, "platformctl-default-deny")]  # removed by hand
    drifted = cli("env", "status", "staging", "--json")
    assert drifted.exit_code == 3
    assert [(d["kind"], d["action"]) for d in drifted.json()["drift"]] == [("NetworkPolicy", "create")]


def test_a_namespace_of_someone_else_is_refused(cli, kube):
    write_service(Path.cwd(), providers="kubernetes")
    kube.apply_as("kubectl", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    result = up(cli)
    assert result.exit_code == 1
    assert "namespace payments-staging exists and is not environment staging of payments" in result.stderr
    assert kube.writes == 0


def test_one_environment_across_local_and_kubernetes(cli, kube, store):
    write_service(Path.cwd(), providers="local, kubernetes")
    result = up(cli, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["providers"] == ["local", "kubernetes"]
    assert store.writes == 5 and kube.writes == 7
    again = up(cli)
    assert "no changes" in again.stdout and store.writes == 5 and kube.writes == 7
    one = up(cli, "--var", "REGION=eu-central-1", "--json").json()
    assert one["writes"] == 2  # the local variable and the ConfigMap
    listed = cli("env", "list", "--json").json()["environments"]
    assert {(e["name"], e["provider"]) for e in listed} == {("staging", "local"), ("staging", "kubernetes")}
    assert cli("env", "down", "staging").exit_code == 0
    assert store.resources() == {} and kube.objects == {}


def test_wrong_token_is_an_auth_error(cli, kube, tmp_path, monkeypatch):
    from tests.environments.conftest import write_kubeconfig

    server = json.loads(Path(tmp_path / "kubeconfig").read_text())["clusters"][0]["cluster"]["server"]
    monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "bad", server, token="wrong")))
    write_service(Path.cwd(), providers="kubernetes")
    result = up(cli)
    assert result.exit_code == 4
    assert "wrong" not in result.stderr
