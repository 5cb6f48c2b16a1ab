"""The ``kubernetes`` environment provider: one namespace per environment, by server-side apply.

Reads are plain GETs. The plan asks the API server itself what an apply would make
(``PATCH`` ``application/apply-patch+yaml`` with ``dryRun=All``) and compares that with what is
there, so server defaults never look like drift. Writes are the same PATCH without ``dryRun``
(``fieldManager=platformctl``, ``fieldValidation=Strict``). Deleting a namespace is
asynchronous: we poll until it is gone and name the finalizers that hold it when it is not.

A field another field manager (``kubectl edit``, ``kubectl patch``, a controller) changed is
owned by that manager, so the dry run answers 409. That is drift, not a failure: the plan asks
again with ``force=true`` (still a dry run) to learn what taking the field back would make,
and notes who owns it. What happens next is the caller's choice (``on_conflict``): ``report``
(``env status``, ``env up --dry-run``), ``refuse`` (``env up``: stop before any write, naming
the fields and ``--force-conflicts``) or ``force`` (``env up --force-conflicts``: apply with
``force=true``, so platformctl owns the fields again).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Literal

from platformctl.contracts.environments import (
    EnvironmentMeta,
    EnvironmentSpec,
    EnvironmentSummary,
    Observed,
    Resource,
    ResourceChange,
)
from platformctl.errors import ProviderError
from platformctl.providers.http import RetryPolicy, WaitObserver
from platformctl.providers.kubernetes import objects as ko
from platformctl.providers.kubernetes.api import Conflict, FieldConflict, KubeApi
from platformctl.providers.kubernetes.kubeconfig import ClusterConfig

APPLY = {"fieldManager": ko.MANAGER, "fieldValidation": "Strict"}
OnConflict = Literal["report", "refuse", "force"]


class KubernetesEnvironments:
    """Environments as namespaces of the kubeconfig's current cluster."""

    name = "kubernetes"

    def __init__(
        self,
        cluster: ClusterConfig,
        *,
        transport: Any = None,
        progress: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        delete_timeout: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        on_conflict: OnConflict = "report",
        policy: RetryPolicy | None = None,
        on_wait: WaitObserver | None = None,
    ) -> None:
        self.api = KubeApi(cluster, transport=transport, policy=policy, on_wait=on_wait)
        self.on_conflict = on_conflict
        self.conflicts: dict[tuple[str, str], tuple[Conflict, ...]] = {}
        self._progress = progress or (lambda _: None)
        self._sleep, self._clock, self.delete_timeout = sleep, clock, delete_timeout
        self._namespaces: dict[tuple[str, str], str] = {}

    # -- reading -----------------------------------------------------------------------------
    def read(self, spec: EnvironmentSpec) -> Observed:
        """The namespace and platformctl's objects in it; waits out a namespace being deleted."""
        service, name = spec.service, spec.name
        self._namespaces[(service, name)] = namespace = spec.namespace
        ns = self.api.get(ko.NAMESPACE.path(namespace, namespace))
        if ns is not None and ns.get("status", {}).get("phase") == "Terminating":
            self._progress(f"kubernetes: namespace {namespace} is terminating; waiting until it is gone")
            self._wait_gone(namespace)
            ns = None
        if ns is None:
            return Observed()
        self._check_owner(ns, service, name)
        objects = [ns] + [
            obj
            for kind in ko.NAMESPACED
            if (obj := self.api.get(kind.path(namespace, kind.name))) is not None
            and (obj["metadata"].get("labels") or {}).get(ko.MANAGED_BY) == ko.MANAGER
        ]
        resources = [ko.as_resource(ko.strip_volatile(o)) for o in objects]
        return Observed(resources=resources, meta=_meta(ns), state=_state(ns))

    def desired(self, spec: EnvironmentSpec, observed: Observed) -> list[Resource]:
        """The objects of the spec; for those that exist, as a dry-run apply says they would be.

        Raises:
            FieldConflict: other managers own fields of the spec and ``on_conflict`` is ``refuse``.
        """
        present = {r.key for r in observed.resources}
        self.conflicts = {}
        out = []
        for manifest in ko.manifests(spec):
            kind, name = manifest["kind"], manifest["metadata"]["name"]
            would_be = manifest
            if (kind, name) in present and kind != "Secret":  # Secrets compare by fingerprint only
                would_be = ko.strip_volatile(self._dry_run(spec.namespace, manifest))
            out.append(ko.as_resource(would_be))
        if self.conflicts and self.on_conflict == "refuse":
            raise self._refusal(spec)
        return out

    def planning_notes(self) -> tuple[str, ...]:
        """The fields other managers own, one note per object (after ``desired``)."""
        if self.on_conflict == "force":
            return tuple(
                f"{kind} {name}: taking over {_fields(found)} (--force-conflicts)"
                for (kind, name), found in self.conflicts.items()
            )
        return tuple(
            f"{kind} {name}: {_owned(found)}; 'env up --force-conflicts' takes "
            + ("it" if len(found) == 1 else "them")
            + " back"
            for (kind, name), found in self.conflicts.items()
        )

    def _dry_run(self, namespace: str, manifest: dict[str, Any]) -> dict[str, Any]:
        kind, name = manifest["kind"], manifest["metadata"]["name"]
        path = ko.KINDS[kind].path(namespace, name)
        params = {**APPLY, "dryRun": "All"}
        try:
            return self.api.apply(path, manifest, params)
        except FieldConflict as exc:
            self.conflicts[(kind, name)] = exc.conflicts
        # What taking the fields back would make: the drift to show (still a dry run).
        return self.api.apply(path, manifest, {**params, "force": "true"})

    def _refusal(self, spec: EnvironmentSpec) -> FieldConflict:
        found = tuple(c for cs in self.conflicts.values() for c in cs)
        objects = "; ".join(f"{kind} {name}: {_owned(cs)}" for (kind, name), cs in self.conflicts.items())
        return FieldConflict(
            f"other field managers changed fields platformctl applies in namespace {spec.namespace} "
            f"({objects})",
            found,
            hint=f"run 'platformctl env up {spec.name} --force-conflicts' to set them back to the spec "
            "(platformctl then owns them), or change the spec to keep their values",
        )

    def list_environments(self, service: str) -> list[EnvironmentSummary]:
        """The service's namespaces, found by label."""
        selector = f"{ko.MANAGED_BY}={ko.MANAGER},{ko.SERVICE}={service}"
        items = self.api.list_items(ko.NAMESPACE.path(""), {"labelSelector": selector})
        out = []
        for ns in items:
            meta = _meta(ns)
            env = ns["metadata"]["labels"].get(ko.ENVIRONMENT, ns["metadata"]["name"])
            self._namespaces[(service, env)] = ns["metadata"]["name"]
            out.append(
                EnvironmentSummary(
                    provider=self.name,
                    service=service,
                    name=env,
                    environment_class=meta.environment_class,
                    state=_state(ns),
                    ttl=meta.ttl,
                    expires_at=meta.expires_at,
                    created_at=meta.created_at,
                )
            )
        return out

    # -- writing -------------------------------------------------------------------------------
    def apply(self, spec: EnvironmentSpec, changes: Sequence[ResourceChange]) -> int:
        """Apply creates and updates in order (namespace first), then deletes."""
        wanted = {(m["kind"], m["metadata"]["name"]): m for m in ko.manifests(spec)}
        params = {**APPLY, "force": "true"} if self.on_conflict == "force" else APPLY
        writes = 0
        for change in changes:
            kind = ko.KINDS[change.kind]
            path = kind.path(spec.namespace, change.name)
            if change.action in ("create", "update"):
                try:
                    self.api.apply(path, wanted[(change.kind, change.name)], params)
                except FieldConflict as exc:  # a Secret (not dry-run planned) or a race
                    self.conflicts = {(change.kind, change.name): exc.conflicts}
                    raise self._refusal(spec) from None
            elif change.action == "delete":
                if change.kind == "Namespace":
                    raise ProviderError("refusing to delete a namespace in 'env up'", provider=self.name)
                self.api.delete(path)
            else:
                continue
            writes += 1
        return writes

    def destroy(self, service: str, name: str) -> int:
        """Delete the namespace (and so everything in it) and wait until it is gone."""
        namespace = self._namespace_of(service, name)
        ns = self.api.get(ko.NAMESPACE.path(namespace, namespace))
        if ns is None:
            return 0
        self._check_owner(ns, service, name)
        writes = 0
        if not ns["metadata"].get("deletionTimestamp"):
            self.api.delete(ko.NAMESPACE.path(namespace, namespace))
            writes = 1
        self._progress(f"kubernetes: waiting for namespace {namespace} to be deleted")
        self._wait_gone(namespace)
        return writes

    def _wait_gone(self, namespace: str) -> None:
        deadline = self._clock() + self.delete_timeout
        delay = 0.2
        while True:
            ns = self.api.get(ko.NAMESPACE.path(namespace, namespace))
            if ns is None:
                return
            if self._clock() >= deadline:
                finalizers = [
                    *(ns["metadata"].get("finalizers") or []),
                    *(ns.get("spec", {}).get("finalizers") or []),
                ]
                held = f"; finalizers: {', '.join(finalizers)}" if finalizers else ""
                raise ProviderError(
                    f"namespace {namespace} is still terminating after {self.delete_timeout:.0f}s{held}",
                    provider=self.name,
                    hint="see 'kubectl get namespace "
                    + namespace
                    + " -o yaml' (conditions name what is stuck); "
                    "run the command again to keep waiting",
                )
            self._sleep(delay)
            delay = min(delay * 2, 2.0)

    # -- helpers --------------------------------------------------------------------------------
    def _namespace_of(self, service: str, name: str) -> str:
        return self._namespaces.get((service, name)) or f"{service}-{name}"[:63].rstrip("-")

    def _check_owner(self, ns: dict[str, Any], service: str, name: str) -> None:
        found = ns["metadata"].get("labels") or {}
        if (found.get(ko.MANAGED_BY), found.get(ko.SERVICE), found.get(ko.ENVIRONMENT)) != (
            ko.MANAGER,
            service,
            name,
        ):
            raise ProviderError(
                f"namespace {ns['metadata']['name']} exists and is not environment {name} of {service}",
                provider=self.name,
                hint="choose another namespace with kubernetes.namespace in platform.yaml",
            )


def _meta(ns: dict[str, Any]) -> EnvironmentMeta:
    meta = ns.get("metadata") or {}
    notes = meta.get("annotations") or {}
    expires, created = notes.get(ko.EXPIRES), meta.get("creationTimestamp")
    return EnvironmentMeta(
        environment_class=(meta.get("labels") or {}).get(ko.CLASS, ""),
        ttl=notes.get(ko.TTL),
        expires_at=datetime.fromisoformat(expires) if expires else None,
        created_at=datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
    )


def _fields(found: Sequence[Conflict]) -> str:
    return ", ".join(c.field or "a field" for c in found)


def _owned(found: Sequence[Conflict]) -> str:
    """``.spec.hard.pods is managed by "kubectl-patch"``, grouped by manager."""
    managers: dict[str, list[str]] = {}
    for c in found:
        managers.setdefault(c.manager, []).append(c.field or "a field")
    return "; ".join(
        f'{", ".join(fields)} {"is" if len(fields) == 1 else "are"} managed by "{manager}"'
        for manager, fields in managers.items()
    )


def _state(ns: dict[str, Any]) -> str:
    return "terminating" if ns.get("status", {}).get("phase") == "Terminating" else "ready"
