"""Rendering and validation helpers for the golden-path tests.

Validators use the real schemas: Backstage's (vendored in tests/schemas/backstage), Kubernetes'
strict schemas shipped by ``kubernetes-validate``, and SchemaStore's CI schemas vendored by
``check-jsonschema``. Kustomize overlays are built by a small builder that understands exactly
the kustomization features the golden paths use and refuses any other.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLDEN_PATHS = ("python-service", "node-service", "go-service")
CI_SYSTEMS = ("github", "gitlab")
ENVIRONMENTS = ("staging", "production")
KUBERNETES_VERSION = "1.37.0"
BACKSTAGE_SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / "backstage"
# Backstage checks entity names in code, not in its JSON schema (KubernetesValidatorFunctions).
BACKSTAGE_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


def render(golden_path: str, destination: Path, **answers: Any) -> Path:
    """Render a bundled golden path in-process, with platformctl's own answer handling."""
    from platformctl.scaffold.answers import resolve_answers
    from platformctl.scaffold.catalog import bundled_root, load_golden_path
    from platformctl.scaffold.render import render_golden_path

    gp = load_golden_path(bundled_root() / golden_path, origin="bundled", trusted=True)
    resolved = resolve_answers(gp, {"service_name": "payments", **answers})
    render_golden_path(gp, resolved, destination)
    return destination


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1 booleans (on/off/yes/no), as CI systems read YAML."""


_Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(path: Path) -> Any:
    """One YAML document, read with YAML 1.2 booleans."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Yaml12Loader)  # noqa: S506 - safe loader subclass


def load_yaml_all(path: Path) -> list[Any]:
    """Every non-empty document of a YAML file."""
    return [d for d in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_Yaml12Loader) if d]


# -- Backstage -------------------------------------------------------------------------------


def backstage_errors(entity: dict[str, Any]) -> list[str]:
    """Schema errors of a catalog entity (EntityEnvelope, then Component) plus the name rules."""
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

    resources = []
    for path in sorted(BACKSTAGE_SCHEMAS.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry = Registry().with_resources(resources)
    errors = []
    for schema_id in ("EntityEnvelope", "ComponentV1alpha1"):
        schema = registry.contents(schema_id)
        validator = Draft7Validator(schema, registry=registry)
        errors += [f"{schema_id}: {e.json_path}: {e.message}" for e in validator.iter_errors(entity)]
    names = [entity.get("metadata", {}).get("name", "")]
    spec = entity.get("spec", {})
    names += [str(spec[key]).split(":")[-1].split("/")[-1] for key in ("owner", "system") if key in spec]
    errors += [
        f"name {n!r} breaks Backstage's name rule"
        for n in names
        if not (BACKSTAGE_NAME.fullmatch(n) and len(n) <= 63)
    ]
    return errors


# -- Kubernetes ------------------------------------------------------------------------------

_KUSTOMIZATION_KEYS = {"apiVersion", "kind", "namespace", "resources", "images", "patches"}


def kustomize_build(folder: Path) -> list[dict[str, Any]]:
    """Build a kustomization: resources, then JSON6902 patches, images and namespace."""
    spec = load_yaml(folder / "kustomization.yaml")
    unknown = set(spec) - _KUSTOMIZATION_KEYS
    if unknown:
        raise AssertionError(f"{folder}: kustomization keys this builder does not know: {unknown}")
    objects: list[dict[str, Any]] = []
    for entry in spec.get("resources", []):
        target = (folder / entry).resolve()
        objects += kustomize_build(target) if target.is_dir() else load_yaml_all(target)
    for patch in spec.get("patches", []):
        selected = [o for o in objects if _selected(o, patch["target"])]
        if not selected:
            raise AssertionError(f"{folder}: patch target {patch['target']} matches nothing")
        for obj in selected:
            for op in yaml.safe_load(patch["patch"]):
                _json_patch(obj, op)
    for image in spec.get("images", []):
        for container in (c for obj in objects for c in _containers(obj)):
            if _image_name(container["image"]) == image["name"]:
                container["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"
    if "namespace" in spec:
        for obj in objects:
            obj["metadata"]["namespace"] = spec["namespace"]
    return objects


def _selected(obj: dict[str, Any], target: dict[str, str]) -> bool:
    return obj["kind"] == target.get("kind", obj["kind"]) and (
        obj["metadata"]["name"] == target.get("name", obj["metadata"]["name"])
    )


def _image_name(image: str) -> str:
    """The repository part of an image reference (no tag, no digest)."""
    image = image.split("@", maxsplit=1)[0]
    last = image.rsplit("/", 1)[-1]
    return image.rsplit(":", 1)[0] if ":" in last else image


def _containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    pod = obj.get("spec", {}).get("template", {}).get("spec", {})
    return [*pod.get("initContainers", []), *pod.get("containers", [])]


def _json_patch(obj: dict[str, Any], op: dict[str, Any]) -> None:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
    parent: Any = obj
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = parts[-1]
    value = copy.deepcopy(op.get("value"))
    if op["op"] == "add" and isinstance(parent, list):
        parent.append(value) if last == "-" else parent.insert(int(last), value)
    elif op["op"] in ("add", "replace"):
        missing = last not in parent if isinstance(parent, dict) else int(last) >= len(parent)
        if op["op"] == "replace" and missing:
            raise AssertionError(f"replace of missing path {op['path']}")
        parent[int(last) if isinstance(parent, list) else last] = value
    elif op["op"] == "remove":
        del parent[int(last) if isinstance(parent, list) else last]
    else:
        raise AssertionError(f"JSON patch op {op['op']!r} is not supported by this builder")


def kubernetes_errors(objects: list[dict[str, Any]]) -> list[str]:
    """Strict schema errors of each object against the current Kubernetes."""
    import kubernetes_validate

    from tests.kube_schemas import validate

    errors = []
    for obj in objects:
        try:
            validate(obj, KUBERNETES_VERSION)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc.json_path}: {exc.message}")
    return errors


# -- CI --------------------------------------------------------------------------------------


def vendored_schema(name: str) -> dict[str, Any]:
    """A SchemaStore schema vendored by check-jsonschema (e.g. ``github-workflows``)."""
    from importlib.resources import files

    text = files("check_jsonschema.builtin_schemas.vendor").joinpath(f"{name}.json").read_text("utf-8")
    return json.loads(text)


def schema_errors(document: Any, schema_name: str) -> list[str]:
    """Errors of ``document`` against a vendored SchemaStore schema."""
    from jsonschema import validators

    schema = vendored_schema(schema_name)
    validator = validators.validator_for(schema)(schema)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]


# -- Custom resources ------------------------------------------------------------------------

CRDS = Path(__file__).resolve().parent.parent / "schemas" / "crds"
_PROM = "prometheus-operator/monitoring.coreos.com_"
CRD_FILES = {
    ("argoproj.io/v1alpha1", "Application"): "argo-cd/application-crd.yaml",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): _PROM + "servicemonitors.yaml",
    ("monitoring.coreos.com/v1", "PrometheusRule"): _PROM + "prometheusrules.yaml",
    ("external-secrets.io/v1", "ExternalSecret"): "external-secrets/external-secrets.io_externalsecrets.yaml",
    ("kyverno.io/v1", "ClusterPolicy"): "kyverno/kyverno.io_clusterpolicies.yaml",
    ("grafana.integreatly.org/v1beta1", "GrafanaDashboard"): (
        "grafana-operator/grafana.integreatly.org_grafanadashboards.yaml"
    ),
}
_CRD_CACHE: dict[tuple[str, str], dict[str, Any]] = {}


def crd_schema(api_version: str, kind: str) -> dict[str, Any]:
    """The openAPIV3Schema of a vendored CRD's served version."""
    key = (api_version, kind)
    if key not in _CRD_CACHE:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        crd = yaml.load((CRDS / CRD_FILES[key]).read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
        version = api_version.rsplit("/", 1)[1]
        (entry,) = [v for v in crd["spec"]["versions"] if v["name"] == version and v["served"]]
        assert crd["spec"]["names"]["kind"] == kind
        _CRD_CACHE[key] = entry["schema"]["openAPIV3Schema"]
    return _CRD_CACHE[key]


def crd_errors(obj: dict[str, Any]) -> list[str]:
    """Errors of a custom resource against its CRD: the schema, plus unknown fields (which the
    API server would prune or, with strict field validation, reject)."""
    from jsonschema import Draft7Validator

    where = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
    schema = crd_schema(obj["apiVersion"], obj["kind"])
    errors = [f"{where}: {e.json_path}: {e.message}" for e in Draft7Validator(schema).iter_errors(obj)]
    return errors + [f"{where}: {path}: unknown field" for path in _unknown_fields(obj, schema, "$")]


def _unknown_fields(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    if schema.get("x-kubernetes-preserve-unknown-fields") or path == "$.metadata":
        return []
    found: list[str] = []
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key in schema["properties"]:
                found += _unknown_fields(item, schema["properties"][key], f"{path}.{key}")
            elif not schema.get("additionalProperties"):
                found.append(f"{path}.{key}")
    elif isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        for key, item in value.items():
            found += _unknown_fields(item, schema["additionalProperties"], f"{path}.{key}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found += _unknown_fields(item, schema["items"], f"{path}[{index}]")
    return found


def manifest_errors(objects: list[dict[str, Any]]) -> list[str]:
    """Kubernetes' strict schemas for built-in kinds, the vendored CRDs for the others."""
    custom = [o for o in objects if (o["apiVersion"], o["kind"]) in CRD_FILES]
    builtin = [o for o in objects if o not in custom]
    return kubernetes_errors(builtin) + [e for o in custom for e in crd_errors(o)]


# -- Metrics ---------------------------------------------------------------------------------

_SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{")


def monitoring_queries(root: Path) -> dict[str, list[str]]:
    """Every PromQL expression of the rendered rules and dashboard, by origin."""
    base = root / "deploy/k8s/base"
    (rule,) = load_yaml_all(base / "prometheusrule.yaml")
    (dashboard,) = load_yaml_all(base / "dashboard.yaml")
    rules = [r["expr"] for group in rule["spec"]["groups"] for r in group["rules"]]
    # A ConfigMap for Grafana's sidecar holds the JSON under data, a GrafanaDashboard under spec.json.
    texts = dashboard["data"].values() if dashboard["kind"] == "ConfigMap" else [dashboard["spec"]["json"]]
    panels = [json.loads(text)["panels"] for text in texts]
    return {"rules": rules, "dashboard": [t["expr"] for ps in panels for p in ps for t in p["targets"]]}


def recorded_names(root: Path) -> set[str]:
    """The series the rendered PrometheusRule records."""
    (rule,) = load_yaml_all(root / "deploy/k8s/base/prometheusrule.yaml")
    return {r["record"] for group in rule["spec"]["groups"] for r in group["rules"] if "record" in r}


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects (every selector in the golden paths has braces)."""
    return set(_SELECTOR.findall(expr))


def exported_metrics(exposition: str) -> tuple[set[str], set[str]]:
    """Metric names and histogram ``le`` bounds in a Prometheus text exposition."""
    samples = [line for line in exposition.splitlines() if line and not line.startswith("#")]
    names = {re.split(r"[{\s]", line, maxsplit=1)[0] for line in samples}
    bounds = {m for line in samples for m in re.findall(r'le="([^"]+)"', line)}
    return names, bounds


def unknown_metrics(root: Path, exposition: str) -> list[str]:
    """Metric names and ``le`` bounds the rules or dashboard use but the service does not export."""
    names, bounds = exported_metrics(exposition)
    known = names | recorded_names(root)
    problems = []
    for origin, exprs in monitoring_queries(root).items():
        for expr in exprs:
            assert metric_names(expr), f"no metric found in {expr!r}"
            problems += [f"{origin}: {n} in {expr!r}" for n in sorted(metric_names(expr) - known)]
            problems += [
                f"{origin}: le={b} in {expr!r}" for b in re.findall(r'le="([^"]+)"', expr) if b not in bounds
            ]
    return problems
