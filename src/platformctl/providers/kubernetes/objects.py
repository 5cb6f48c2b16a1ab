"""The Kubernetes objects of an environment, built from its spec (pure functions, no I/O).

One namespace per environment, labelled as platformctl's, and inside it, each only when the
spec asks for it: a ResourceQuota, a LimitRange of default container limits, a RoleBinding of
a group to a cluster role, a default-deny NetworkPolicy that admits traffic from the same
namespace, a ConfigMap of the variables and a Secret of the secrets.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from platformctl.contracts.environments import EnvironmentSpec, Resource

MANAGER = "platformctl"
MANAGED_BY = "app.kubernetes.io/managed-by"
SERVICE = "platformctl.io/service"
ENVIRONMENT = "platformctl.io/environment"
CLASS = "platformctl.io/class"
TTL = "platformctl.io/ttl"
EXPIRES = "platformctl.io/expires-at"
FINGERPRINTS = "platformctl.io/secret-fingerprints"
_VOLATILE = (
    "managedFields",
    "resourceVersion",
    "generation",
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "selfLink",
)


@dataclass(frozen=True)
class Kind:
    """Where objects of one kind live in the API."""

    kind: str
    api_version: str
    plural: str
    name: str  # the one object of this kind platformctl keeps per namespace

    def path(self, namespace: str, name: str | None = None) -> str:
        """The object path (or collection path without ``name``)."""
        prefix = "/api/v1" if self.api_version == "v1" else f"/apis/{self.api_version}"
        if self.kind == "Namespace":
            return f"{prefix}/namespaces" + (f"/{name}" if name else "")
        return f"{prefix}/namespaces/{namespace}/{self.plural}" + (f"/{name}" if name else "")


NAMESPACE = Kind("Namespace", "v1", "namespaces", "")
NAMESPACED = (
    Kind("ResourceQuota", "v1", "resourcequotas", "platformctl"),
    Kind("LimitRange", "v1", "limitranges", "platformctl"),
    Kind("RoleBinding", "rbac.authorization.k8s.io/v1", "rolebindings", "platformctl"),
    Kind("NetworkPolicy", "networking.k8s.io/v1", "networkpolicies", "platformctl-default-deny"),
    Kind("ConfigMap", "v1", "configmaps", "platformctl-variables"),
    Kind("Secret", "v1", "secrets", "platformctl-secrets"),
)
KINDS = {k.kind: k for k in (NAMESPACE, *NAMESPACED)}


def labels(spec: EnvironmentSpec) -> dict[str, str]:
    """The labels that mark an object as this environment's."""
    return {MANAGED_BY: MANAGER, SERVICE: spec.service, ENVIRONMENT: spec.name, CLASS: spec.environment_class}


def manifests(spec: EnvironmentSpec) -> list[dict[str, Any]]:
    """Every object the spec asks for, the namespace first."""
    ns = spec.namespace
    annotations = (
        {TTL: spec.ttl, EXPIRES: spec.expires_at.isoformat()} if spec.ttl and spec.expires_at else {}
    )
    out = [_object(NAMESPACE, ns, ns, labels(spec), annotations, {})]
    for kind, build in _PARTS:
        part = build(spec)
        if part is not None:
            part_annotations, body = part
            out.append(_object(kind, ns, kind.name, labels(spec), part_annotations, body))
    return out


# An object's annotations and the rest of its body, or None when the spec does not ask for it.
_Part = tuple[dict[str, Any], dict[str, Any]]


def _quota(spec: EnvironmentSpec) -> _Part | None:
    quota = spec.kubernetes.quota if spec.kubernetes else None
    if quota and (
        hard := _quantities(
            cpu=quota.cpu, memory=quota.memory, pods=None if quota.pods is None else str(quota.pods)
        )
    ):
        return {}, {"spec": {"hard": hard}}
    return None


def _limit_range(spec: EnvironmentSpec) -> _Part | None:
    limits = spec.kubernetes.limits if spec.kubernetes else None
    if limits and (default := _quantities(cpu=limits.cpu, memory=limits.memory)):
        return {}, {"spec": {"limits": [{"type": "Container", "default": default}]}}
    return None


def _role_binding(spec: EnvironmentSpec) -> _Part | None:
    k8s = spec.kubernetes
    if not (k8s and k8s.rbac):
        return None
    group = "rbac.authorization.k8s.io"
    return {}, {
        "roleRef": {"apiGroup": group, "kind": "ClusterRole", "name": k8s.rbac.role},
        "subjects": [{"apiGroup": group, "kind": "Group", "name": k8s.rbac.group}],
    }


def _network_policy(spec: EnvironmentSpec) -> _Part | None:
    if not (spec.kubernetes and spec.kubernetes.network_policy):
        return None
    return {}, {
        "spec": {
            "podSelector": {},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {}}]}],
        }
    }


def _config_map(spec: EnvironmentSpec) -> _Part | None:
    return ({}, {"data": dict(spec.variables)}) if spec.variables else None


def _secret(spec: EnvironmentSpec) -> _Part | None:
    if not spec.secrets:
        return None
    prints = {name: s.fingerprint for name, s in spec.secrets.items()}
    data = {name: base64.b64encode((s.value or "").encode()).decode() for name, s in spec.secrets.items()}
    return {FINGERPRINTS: json.dumps(prints, sort_keys=True)}, {"type": "Opaque", "data": data}


# In the order the objects are built and applied, after the namespace.
_PARTS: tuple[tuple[Kind, Callable[[EnvironmentSpec], _Part | None]], ...] = tuple(
    zip(NAMESPACED, (_quota, _limit_range, _role_binding, _network_policy, _config_map, _secret), strict=True)
)


def _quantities(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v is not None}


def _object(
    kind: Kind,
    namespace: str,
    name: str,
    label_map: dict[str, str],
    annotations: dict[str, Any],
    body: dict[str, Any],
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": dict(label_map)}
    if kind.kind != "Namespace":
        meta["namespace"] = namespace
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": kind.api_version, "kind": kind.kind, "metadata": meta, **body}


def as_resource(obj: dict[str, Any]) -> Resource:
    """An object (from the API or a manifest) as comparable fields; a Secret by fingerprints only."""
    meta = obj.get("metadata") or {}
    name = meta.get("name", "")
    if obj.get("kind") == "Secret":
        prints = json.loads((meta.get("annotations") or {}).get(FINGERPRINTS) or "{}")
        keys = sorted((obj.get("data") or {}).keys())
        if any(not fp for fp in prints.values()):
            combined: str | None = ""  # some value is unknown (status without secrets): presence only
        else:
            combined = json.dumps(prints, sort_keys=True) if prints else None
        return Resource("Secret", name, {"fingerprint": combined, "keys": keys}, secret=True)
    fields: dict[str, Any] = {}
    if meta.get("labels"):
        fields["labels"] = dict(meta["labels"])
    if meta.get("annotations"):
        fields["annotations"] = dict(meta["annotations"])
    for key, value in obj.items():
        if key not in ("apiVersion", "kind", "metadata", "status"):
            fields[key] = value
    return Resource(obj.get("kind", ""), name, fields)


def strip_volatile(obj: dict[str, Any]) -> dict[str, Any]:
    """The object without what the server changes on every write."""
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in _VOLATILE}
    return {**obj, "metadata": meta}
