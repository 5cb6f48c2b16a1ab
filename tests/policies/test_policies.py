"""The Python evaluation of the bundled Kyverno policies, on passing and failing manifests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from platformctl.scaffold.policies import PolicyError, evaluate, load_policies, matches

GOOD: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "payments",
        "labels": {
            "app.kubernetes.io/name": "payments",
            "app.kubernetes.io/part-of": "billing",
            "owner": "team-pay",
        },
    },
    "spec": {
        "template": {
            "spec": {
                "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [
                    {
                        "name": "app",
                        "image": "ghcr.io/acme/payments:3f2a1c",
                        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
                        "readinessProbe": {"httpGet": {"path": "/readyz", "port": "http"}},
                        "resources": {
                            "requests": {"cpu": "100m", "memory": "256Mi"},
                            "limits": {"memory": "256Mi"},
                        },
                        "securityContext": {
                            "allowPrivilegeEscalation": False,
                            "capabilities": {"drop": ["ALL"]},
                        },
                    }
                ],
            }
        }
    },
}


def _broken(path: str, value: Any) -> dict[str, Any]:
    """GOOD with the dotted ``path`` set to ``value`` (``None`` deletes it); ``0`` indexes lists."""
    obj = copy.deepcopy(GOOD)
    parts = path.split(".")
    parent: Any = obj
    for part in parts[:-1]:
        parent = parent[int(part)] if part.isdigit() else parent[part]
    if value is None:
        del parent[parts[-1]]
    else:
        parent[parts[-1]] = value
    return obj


POD = "spec.template.spec"
APP = f"{POD}.containers.0"
FAILING = [
    (f"{POD}.securityContext.runAsNonRoot", False, "restricted-pod-security/run-as-non-root"),
    (f"{POD}.securityContext.runAsNonRoot", None, "restricted-pod-security/run-as-non-root"),
    (
        f"{POD}.securityContext.seccompProfile",
        {"type": "Unconfined"},
        "restricted-pod-security/seccomp-runtime-default",
    ),
    (f"{POD}.hostNetwork", True, "restricted-pod-security/no-host-namespaces"),
    (f"{POD}.hostPID", True, "restricted-pod-security/no-host-namespaces"),
    (
        f"{APP}.securityContext.allowPrivilegeEscalation",
        True,
        "restricted-pod-security/no-privilege-escalation",
    ),
    (f"{APP}.securityContext.privileged", True, "restricted-pod-security/no-privilege-escalation"),
    (
        f"{APP}.securityContext.capabilities",
        {"drop": ["NET_RAW"]},
        "restricted-pod-security/drop-all-capabilities",
    ),
    (f"{APP}.securityContext.capabilities", None, "restricted-pod-security/drop-all-capabilities"),
    ("metadata.labels.owner", None, "required-labels/require-name-system-owner"),
    ("metadata.labels.owner", "", "required-labels/require-name-system-owner"),
    ("metadata.labels.app.kubernetes.io/part-of", None, "required-labels/require-name-system-owner"),
    (f"{APP}.resources.limits", {}, "require-resources/requests-and-memory-limit"),
    (f"{APP}.resources", None, "require-resources/requests-and-memory-limit"),
    (f"{APP}.image", "ghcr.io/acme/payments", "disallow-latest-tag/require-image-tag"),
    (f"{APP}.image", "ghcr.io/acme/payments:latest", "disallow-latest-tag/no-latest-tag"),
    (f"{APP}.livenessProbe", None, "require-probes/liveness-and-readiness"),
    (f"{APP}.readinessProbe", None, "require-probes/liveness-and-readiness"),
]


def test_a_compliant_deployment_passes_every_rule() -> None:
    assert evaluate([GOOD]) == []
    # Explicitly safe optional fields pass as well as absent ones.
    extra = _broken(f"{POD}.hostNetwork", False)
    extra = _set(extra, f"{APP}.image", "ghcr.io/acme/payments@sha256:" + "a" * 64)
    assert evaluate([extra]) == []


def _set(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    parent: Any = obj
    parts = path.split(".")
    for part in parts[:-1]:
        parent = parent[int(part)] if part.isdigit() else parent[part]
    parent[parts[-1]] = value
    return obj


@pytest.mark.parametrize(("path", "value", "rule"), FAILING)
def test_each_rule_rejects_what_it_forbids(path: str, value: Any, rule: str) -> None:
    if ".labels." in path:
        # Label keys contain dots: address the labels mapping directly.
        obj = copy.deepcopy(GOOD)
        key = path.split(".labels.", 1)[1]
        if value is None:
            del obj["metadata"]["labels"][key]
        else:
            obj["metadata"]["labels"][key] = value
    else:
        obj = _broken(path, value)
    found = {f"{v.policy}/{v.rule}" for v in evaluate([obj])}
    assert found == {rule}


def test_a_second_container_is_checked_too() -> None:
    obj = copy.deepcopy(GOOD)
    sidecar = copy.deepcopy(obj["spec"]["template"]["spec"]["containers"][0])
    sidecar["image"] = "busybox:latest"
    del sidecar["readinessProbe"]
    obj["spec"]["template"]["spec"]["containers"].append(sidecar)
    found = {v.rule for v in evaluate([obj])}
    assert found == {"no-latest-tag", "liveness-and-readiness"}


def test_only_matched_kinds_are_evaluated() -> None:
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "payments", "labels": {}}}
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "payments"}}
    found = evaluate([service, config])
    assert [(v.kind, v.rule) for v in found] == [("Service", "require-name-system-owner")]
    assert str(found[0]).startswith("Service/payments: required-labels/require-name-system-owner: ")


def test_pattern_language() -> None:
    assert matches({"type": "Localhost"}, {"type": "RuntimeDefault | Localhost"})
    assert not matches({"type": "Unconfined"}, {"type": "RuntimeDefault | Localhost"})
    assert matches({}, {"=(hostPID)": False})
    assert not matches({"hostPID": "false"}, {"=(hostPID)": False})  # a string is not a boolean
    assert matches({"cpu": 1}, {"cpu": "?*"})
    assert not matches({"cpu": None}, {"cpu": "?*"})
    assert not matches({"c": {"a": 1}}, {"c": [{"a": 1}]})  # a list pattern needs a list
    assert not matches({"c": [{"a": 1}, {"a": 2}]}, {"c": [{"a": 1}]})  # ... of matching items


def test_a_rule_without_an_evaluator_is_refused(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n  rules:\n"
        "    - name: r\n      match: {any: [{resources: {kinds: [Pod]}}]}\n"
        "      validate: {message: m, deny: {conditions: {any: []}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match="no evaluator"):
        load_policies(tmp_path)


def test_a_match_this_evaluator_cannot_honour_is_refused(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n  rules:\n"
        "    - name: r\n      match: {any: [{resources: {kinds: [Pod], namespaces: [x]}}]}\n"
        "      validate: {message: m, pattern: {metadata: {name: '?*'}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match="only 'match"):
        load_policies(tmp_path)


def test_every_bundled_rule_has_an_evaluator() -> None:
    rules = load_policies()
    assert {r.policy for r in rules} == {
        "restricted-pod-security",
        "required-labels",
        "require-resources",
        "disallow-latest-tag",
        "require-probes",
    }
    assert len(rules) == 10
