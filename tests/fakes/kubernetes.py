"""A stateful fake of the Kubernetes API for the objects of an environment, as a WSGI app.

Server-side apply as the API server does it, for Namespace, ResourceQuota, LimitRange,
ConfigMap, Secret, RoleBinding and NetworkPolicy: ``PATCH`` with
``application/apply-patch+yaml`` creates or merges; each field manager owns the leaf fields it
applied (lists are atomic); a field dropped from a manager's intent is removed when nobody else
owns it; another manager's field with a different value is a 409 conflict unless ``force=true``;
``dryRun=All`` computes and writes nothing. Every body is validated with kubernetes-validate in
strict mode (422 ``Invalid`` otherwise). Deleting a namespace makes it ``Terminating``; it is gone
(with its objects) after ``terminate_after`` reads, unless ``metadata.finalizers`` hold it.

``writes`` counts the requests that changed or could have changed state (non-dry-run PATCH,
POST, DELETE); ``requests`` records (method, path, query) of every request.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

KINDS = {  # plural: (apiVersion, kind, path prefix)
    "namespaces": ("v1", "Namespace", "/api/v1"),
    "resourcequotas": ("v1", "ResourceQuota", "/api/v1"),
    "limitranges": ("v1", "LimitRange", "/api/v1"),
    "configmaps": ("v1", "ConfigMap", "/api/v1"),
    "secrets": ("v1", "Secret", "/api/v1"),
    "rolebindings": ("rbac.authorization.k8s.io/v1", "RoleBinding", "/apis/rbac.authorization.k8s.io/v1"),
    "networkpolicies": ("networking.k8s.io/v1", "NetworkPolicy", "/apis/networking.k8s.io/v1"),
}
_ROUTE = re.compile(
    r"^(?P<prefix>/api/v1|/apis/[a-z0-9.]+/v1)"
    r"(?:/namespaces/(?P<ns>[a-z0-9-]+)(?=/))?/(?P<plural>[a-z]+)(?:/(?P<name>[a-z0-9.-]+))?$"
)
_SKIP = {("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "namespace")}
Key = tuple[str, str, str]  # plural, namespace ("" for cluster scope), name


class ApiError(Exception):
    """An error answer: the HTTP status, the Status reason, a message and the Status causes."""

    def __init__(
        self, code: int, reason: str, message: str, causes: list[dict[str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.reason, self.message, self.causes = code, reason, message, causes


@dataclass
class Fault:
    """Answer one matching request with an error instead of serving it."""

    method: str
    plural: str | None = None
    name: str | None = None
    code: int = 500
    times: int = 1


@dataclass
class KubernetesFake:
    """The fake API server. Inspect ``objects``, ``writes`` and ``requests`` in tests."""

    token: str | None = "test-token"
    terminate_after: int = 2
    version: str = "1.33.0"
    objects: dict[Key, dict[str, Any]] = field(default_factory=dict)
    owners: dict[Key, dict[str, set[tuple[str, ...]]]] = field(default_factory=dict)
    writes: int = 0
    requests: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    # (method, path) -> a function of the successful answer's body, used once (wrong shapes)
    rewrites: dict[tuple[str, str], Callable[[Any], Any]] = field(default_factory=dict)
    updaters: set[str] = field(default_factory=set)  # managers that wrote by update (kubectl edit/patch)
    _polls: dict[str, int] = field(default_factory=dict)
    _rv: int = 100

    # -- WSGI --------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        self.requests.append((method, path, query))
        try:
            self._authorize(environ)
            status, body = self._route(method, path, query, environ)
        except ApiError as exc:
            status, body = exc.code, _status_body(exc.code, exc.reason, exc.message, causes=exc.causes)
        if status < 300 and (method, path) in self.rewrites:
            body = self.rewrites.pop((method, path))(body)
        data = json.dumps(body).encode()
        start_response(
            f"{status} {_PHRASES.get(status, 'Status')}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def _authorize(self, environ: dict[str, Any]) -> None:
        if self.token and environ.get("HTTP_AUTHORIZATION") != f"Bearer {self.token}":
            raise ApiError(401, "Unauthorized", "Unauthorized")

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], environ: dict[str, Any]
    ) -> tuple[int, Any]:
        match = _ROUTE.match(path)
        if not match or match["plural"] not in KINDS or KINDS[match["plural"]][2] != match["prefix"]:
            raise ApiError(404, "NotFound", f"the server could not find the requested resource ({path})")
        plural, ns, name = match["plural"], match["ns"] or "", match["name"]
        if (plural == "namespaces") == bool(ns):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        self._fault(method, plural, name)
        if name is None:
            if method != "GET":
                raise ApiError(405, "MethodNotAllowed", "use server-side apply on the object path")
            return 200, self._list(plural, ns, query)
        key = (plural, ns, name)
        if method == "GET":
            return 200, self._get(key)
        dry = query.get("dryRun") == ["All"]
        if not dry:
            self.writes += 1
        if method == "PATCH":
            return self._apply(key, query, environ, dry)
        if method == "DELETE":
            return 200, self._delete(key, dry)
        raise ApiError(405, "MethodNotAllowed", f"{method} is not supported here")

    def _fault(self, method: str, plural: str, name: str | None) -> None:
        for fault in self.faults:
            if (
                fault.times > 0
                and fault.method == method
                and fault.plural in (None, plural)
                and fault.name in (None, name)
            ):
                fault.times -= 1
                if method != "GET":
                    self.writes += 1
                raise ApiError(fault.code, "InternalError", "an injected failure")

    # -- reads ---------------------------------------------------------------------------------
    def _get(self, key: Key) -> dict[str, Any]:
        plural, _, name = key
        if plural == "namespaces" and name in self._polls:
            self._polls[name] -= 1
            obj = self.objects[key]
            if self._polls[name] <= 0 and not obj["metadata"].get("finalizers"):
                self._purge(name)
        if key not in self.objects:
            raise ApiError(404, "NotFound", f'{plural} "{name}" not found')
        return copy.deepcopy(self.objects[key])

    def _list(self, plural: str, ns: str, query: dict[str, list[str]]) -> dict[str, Any]:
        selector = _selector(query.get("labelSelector", [""])[0])
        items = [
            copy.deepcopy(o)
            for (p, n, _), o in sorted(self.objects.items())
            if p == plural and n == ns and selector(o["metadata"].get("labels") or {})
        ]
        api_version, kind, _ = KINDS[plural]
        return {
            "apiVersion": api_version,
            "kind": f"{kind}List",
            "metadata": {"resourceVersion": str(self._rv)},
            "items": items,
        }

    # -- server-side apply ---------------------------------------------------------------------
    def _apply(
        self, key: Key, query: dict[str, list[str]], environ: dict[str, Any], dry: bool
    ) -> tuple[int, Any]:
        if environ.get("CONTENT_TYPE", "").split(";")[0] != "application/apply-patch+yaml":
            raise ApiError(415, "UnsupportedMediaType", "this fake serves server-side apply only")
        manager = (query.get("fieldManager") or [""])[0]
        if not manager:
            raise ApiError(400, "BadRequest", "fieldManager: Required value: is required for apply patch")
        body = _read_body(environ)
        self._check(key, body)
        plural, ns, name = key
        if ns:
            namespace = self.objects.get(("namespaces", "", ns))
            if namespace is None:
                raise ApiError(404, "NotFound", f'namespaces "{ns}" not found')
            if namespace.get("status", {}).get("phase") == "Terminating":
                raise ApiError(
                    403,
                    "Forbidden",
                    f"unable to create new content in namespace {ns} because it is being terminated",
                )
        current = self.objects.get(key)
        if current is not None and current["metadata"].get("deletionTimestamp"):
            raise ApiError(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on {plural} "{name}": the object is being deleted',
            )
        owners = copy.deepcopy(self.owners.get(key, {}))
        merged = self._merge(current, body, owners, manager, force=query.get("force") == ["true"])
        merged = self._server_fields(key, current, merged, owners)
        if not dry:
            self.objects[key], self.owners[key] = merged, owners
        return (201 if current is None else 200), copy.deepcopy(merged)

    def _check(self, key: Key, body: Any) -> None:
        import kubernetes_validate

        from tests.kube_schemas import validate

        plural, ns, name = key
        api_version, kind, _ = KINDS[plural]
        if not isinstance(body, dict) or body.get("apiVersion") != api_version or body.get("kind") != kind:
            raise ApiError(400, "BadRequest", f"the body must be a {kind} of {api_version}")
        meta = body.get("metadata") or {}
        if meta.get("name") != name or (ns and meta.get("namespace") not in (None, ns)):
            raise ApiError(400, "BadRequest", "the name (and namespace) of the body must match the path")
        try:
            validate(body, self.version)
        except kubernetes_validate.ValidationError as exc:
            raise ApiError(
                422, "Invalid", f"{kind} {name!r} is invalid: {str(exc).splitlines()[0]}"
            ) from None

    def _merge(
        self,
        current: dict[str, Any] | None,
        body: dict[str, Any],
        owners: dict[str, set[tuple[str, ...]]],
        manager: str,
        *,
        force: bool,
    ) -> dict[str, Any]:
        leaves = {p: v for p, v in _leaves(body) if p not in _SKIP}
        result = (
            copy.deepcopy(current)
            if current
            else {
                "apiVersion": body["apiVersion"],
                "kind": body["kind"],
                "metadata": {"name": body["metadata"]["name"]},
            }
        )
        if body["metadata"].get("namespace"):
            result["metadata"]["namespace"] = body["metadata"]["namespace"]
        conflicts = []
        for other, paths in owners.items():
            if other == manager:
                continue
            for path in paths & set(leaves):
                if _get_path(result, path) != leaves[path]:
                    conflicts.append((other, path))
        if conflicts and not force:
            raise self._conflict_error(conflicts, body["apiVersion"])
        for other, path in conflicts:
            owners[other].discard(path)
        others = set().union(*(p for m, p in owners.items() if m != manager)) if owners else set()
        for path in owners.get(manager, set()) - set(leaves) - others:
            _del_path(result, path)
        for path, value in leaves.items():
            _set_path(result, path, copy.deepcopy(value))
        owners[manager] = set(leaves)
        return result

    def _server_fields(
        self,
        key: Key,
        current: dict[str, Any] | None,
        merged: dict[str, Any],
        owners: dict[str, set[tuple[str, ...]]],
    ) -> dict[str, Any]:
        meta = merged["metadata"]
        if key[0] == "namespaces":
            meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = key[2]
            merged.setdefault("spec", {"finalizers": ["kubernetes"]})
            merged.setdefault("status", {"phase": "Active"})
        if key[0] == "secrets":
            merged.setdefault("type", "Opaque")
        if key[0] == "limitranges":  # as the API server defaults a container's request to its limit
            for item in (merged.get("spec") or {}).get("limits") or []:
                if item.get("type") == "Container" and item.get("default"):
                    item["defaultRequest"] = {**item["default"], **(item.get("defaultRequest") or {})}
        meta["managedFields"] = [
            {
                "manager": m,
                "operation": "Apply",
                "apiVersion": merged["apiVersion"],
                "fieldsType": "FieldsV1",
                "fieldsV1": _fields_v1(paths),
            }
            for m, paths in sorted(owners.items())
        ]
        if current is None:
            self._rv += 1
            meta.update(
                uid=f"uid-{self._rv}", resourceVersion=str(self._rv), creationTimestamp=_now(), generation=1
            )
        elif _content(merged) != _content(current):
            self._rv += 1
            meta.update(resourceVersion=str(self._rv), generation=int(meta.get("generation", 1)) + 1)
        return merged

    def _conflict_error(self, conflicts: list[tuple[str, tuple[str, ...]]], api_version: str) -> ApiError:
        """The 409 a real API server answers: one FieldManagerConflict cause per field."""

        def who(manager: str) -> str:  # an Update manager is named with its API version
            return f'"{manager}"' + (f" using {api_version}" if manager in self.updaters else "")

        causes = [
            {
                "reason": "FieldManagerConflict",
                "message": f"conflict with {who(m)}",
                "field": "." + ".".join(p),
            }
            for m, p in conflicts
        ]
        if len(conflicts) == 1:
            message = (
                f"Apply failed with 1 conflict: conflict with {who(conflicts[0][0])}: {causes[0]['field']}"
            )
        else:
            lines = "".join(f"\n- {c['field']}" for c in causes)
            message = (
                f"Apply failed with {len(conflicts)} conflicts: conflicts with {who(conflicts[0][0])}:{lines}"
            )
        return ApiError(409, "Conflict", message, causes)

    # -- deletion --------------------------------------------------------------------------------
    def _delete(self, key: Key, dry: bool) -> dict[str, Any]:
        plural, _ns, name = key
        if key not in self.objects:
            raise ApiError(404, "NotFound", f'{plural} "{name}" not found')
        if dry:
            return copy.deepcopy(self.objects[key])
        if plural != "namespaces":
            del self.objects[key]
            self.owners.pop(key, None)
            return _status_body(200, "", "deleted", success=True)
        obj = self.objects[key]
        if not obj["metadata"].get("deletionTimestamp"):
            obj["metadata"]["deletionTimestamp"] = _now()
            obj["status"] = {"phase": "Terminating"}
            self._polls[name] = self.terminate_after
        return copy.deepcopy(obj)

    def _purge(self, namespace: str) -> None:
        for key in [k for k in self.objects if k[1] == namespace or k == ("namespaces", "", namespace)]:
            del self.objects[key]
            self.owners.pop(key, None)
        self._polls.pop(namespace, None)

    # -- helpers for tests ---------------------------------------------------------------------
    def get(self, plural: str, name: str, namespace: str = "") -> dict[str, Any] | None:
        """An object as stored (None when absent), without counting as a read."""
        return self.objects.get((plural, namespace, name))

    def start_deletion(self, namespace: str) -> None:
        """Delete a namespace as someone else would (it starts terminating)."""
        self._delete(("namespaces", "", namespace), dry=False)

    def apply_as(self, manager: str, body: dict[str, Any]) -> None:
        """Apply ``body`` as another field manager (e.g. a person with kubectl)."""
        plural = next(p for p, (_, kind, _) in KINDS.items() if kind == body["kind"])
        key = (
            plural,
            body["metadata"].get("namespace", "") if plural != "namespaces" else "",
            body["metadata"]["name"],
        )
        owners = self.owners.setdefault(key, {})
        merged = self._merge(self.objects.get(key), body, owners, manager, force=True)
        self.objects[key] = self._server_fields(key, self.objects.get(key), merged, owners)

    def patch_as(self, manager: str, body: dict[str, Any]) -> None:
        """Change fields as ``kubectl patch``/``kubectl edit`` do (an update: the manager owns
        only the fields it changed, and is named "using <apiVersion>" in conflicts)."""
        self.updaters.add(manager)
        self.apply_as(manager, body)


_PHRASES = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def _status_body(
    code: int, reason: str, message: str, *, success: bool = False, causes: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    extra: dict[str, Any] = {"details": {"causes": causes}} if causes else {}
    return {
        **extra,
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success" if success else "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


def _read_body(environ: dict[str, Any]) -> Any:
    import yaml

    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        return yaml.safe_load(raw.decode())
    except (UnicodeDecodeError, yaml.YAMLError):
        raise ApiError(400, "BadRequest", "the body is not YAML or JSON") from None


def _selector(text: str) -> Callable[[dict[str, str]], bool]:
    terms = [t for t in text.split(",") if t]

    def matches(labels: dict[str, str]) -> bool:
        for term in terms:
            key, sep, value = term.partition("=")
            if (sep and labels.get(key) != value) or (not sep and key not in labels):
                return False
        return True

    return matches


def _leaves(obj: Any, prefix: tuple[str, ...] = ()) -> Iterable[tuple[tuple[str, ...], Any]]:
    if isinstance(obj, dict) and obj:
        for key, value in obj.items():
            yield from _leaves(value, (*prefix, key))
    else:
        yield prefix, obj


def _get_path(obj: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def _set_path(obj: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        obj = obj.setdefault(part, {})
    obj[path[-1]] = value


def _del_path(obj: dict[str, Any], path: tuple[str, ...]) -> None:
    parents = []
    for part in path[:-1]:
        if part not in obj:
            return
        parents.append((obj, part))
        obj = obj[part]
    obj.pop(path[-1], None)
    for parent, part in reversed(parents):  # prune the maps left empty
        if parent[part] == {}:
            del parent[part]


def _fields_v1(paths: set[tuple[str, ...]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in sorted(paths):
        node = out
        for part in path:
            node = node.setdefault(f"f:{part}", {})
    return out


def _content(obj: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    for key in ("managedFields", "resourceVersion", "generation"):
        out["metadata"].pop(key, None)
    return out


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
