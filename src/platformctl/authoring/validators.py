"""Schema validation of rendered files: Backstage entities, Kubernetes objects (built-in kinds
strictly, custom resources against the shipped CRDs) and CI files against SchemaStore.

The validators come from the ``authoring`` extra; :func:`require_extra` names it when missing.
"""

from __future__ import annotations

import functools
import json
import re
from importlib.resources import files
from typing import Any

from platformctl.authoring.findings import EXTRA_HINT
from platformctl.errors import UsageError

KUBERNETES_VERSION = "1.37.0"
# Backstage checks entity names in code, not in its JSON schema (KubernetesValidatorFunctions).
BACKSTAGE_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
# (group, kind) -> the shipped CRD file, under schemas/crds/.
CRDS = {
    ("argoproj.io", "Application"): "argo-cd/application-crd.yaml",
    ("argoproj.io", "AppProject"): "argo-cd/appproject-crd.yaml",
    ("external-secrets.io", "ExternalSecret"): "external-secrets/external-secrets.io_externalsecrets.yaml",
    ("external-secrets.io", "SecretStore"): "external-secrets/external-secrets.io_secretstores.yaml",
    ("external-secrets.io", "ClusterSecretStore"): (
        "external-secrets/external-secrets.io_clustersecretstores.yaml"
    ),
    ("grafana.integreatly.org", "GrafanaDashboard"): (
        "grafana-operator/grafana.integreatly.org_grafanadashboards.yaml"
    ),
    # Flux: JSON Schemas generated from cloudcoil-models-fluxcd's models (fluxcd/README.md).
    ("kustomize.toolkit.fluxcd.io", "Kustomization"): (
        "fluxcd/kustomize.toolkit.fluxcd.io_kustomizations.schema.json"
    ),
    (
        "source.toolkit.fluxcd.io",
        "GitRepository",
    ): "fluxcd/source.toolkit.fluxcd.io_gitrepositories.schema.json",
    ("kyverno.io", "ClusterPolicy"): "kyverno/kyverno.io_clusterpolicies.yaml",
    ("kyverno.io", "Policy"): "kyverno/kyverno.io_policies.yaml",
    ("monitoring.coreos.com", "PodMonitor"): "prometheus-operator/monitoring.coreos.com_podmonitors.yaml",
    ("monitoring.coreos.com", "PrometheusRule"): (
        "prometheus-operator/monitoring.coreos.com_prometheusrules.yaml"
    ),
    ("monitoring.coreos.com", "ServiceMonitor"): (
        "prometheus-operator/monitoring.coreos.com_servicemonitors.yaml"
    ),
}


def require_extra() -> None:
    """Fail with exit 2 naming the extra when the validators cannot be imported."""
    import importlib

    missing = []
    for module in ("jsonschema", "referencing", "kubernetes_validate", "check_jsonschema"):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise UsageError(
            f"golden-path test needs validators that are not installed ({', '.join(missing)})",
            hint=EXTRA_HINT,
        )


def _schemas() -> Any:
    return files("platformctl.authoring").joinpath("schemas")


@functools.cache
def _backstage_registry() -> Any:
    from referencing import Registry, Resource

    folder = _schemas().joinpath("backstage")
    resources = []
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name.endswith(".schema.json"):
            schema = json.loads(item.read_text(encoding="utf-8"))
            resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def backstage_errors(entity: Any) -> list[str]:
    """Errors of a catalog entity against EntityEnvelope and its kind's schema, plus the name rules."""
    from jsonschema import Draft7Validator

    if not isinstance(entity, dict):
        return ["not a mapping"]
    registry = _backstage_registry()
    kind_id = f"{str(entity.get('kind', '')).capitalize()}V1alpha1"
    ids = ["EntityEnvelope"] + ([kind_id] if kind_id in {str(u) for u in registry} else [])
    errors = []
    for schema_id in ids:
        validator = Draft7Validator(registry.contents(schema_id), registry=registry)
        errors += [f"{e.json_path}: {e.message}" for e in validator.iter_errors(entity)]
    if len(ids) == 1:
        errors.append(f"unknown kind {entity.get('kind')!r}")
    names = [str(entity.get("metadata", {}).get("name", ""))]
    spec = entity.get("spec", {}) if isinstance(entity.get("spec"), dict) else {}
    names += [str(spec[k]).split(":")[-1].split("/")[-1] for k in ("owner", "system") if k in spec]
    errors += [
        f"name {n!r} breaks Backstage's name rule"
        for n in names
        if not (BACKSTAGE_NAME.fullmatch(n) and len(n) <= 63)
    ]
    return errors


def has_schema(obj: dict[str, Any]) -> bool:
    """Whether ``obj``'s kind can be validated: a built-in Kubernetes kind or a shipped CRD.
    A custom group (a dotted name outside ``*.k8s.io``) without a shipped CRD cannot."""
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    custom = "." in group and not group.endswith(".k8s.io")
    return not custom or (group, obj.get("kind")) in CRDS


def kubernetes_errors(obj: Any) -> list[str]:
    """Strict errors of one object: built-in kinds by kubernetes-validate, known CRDs by their schema."""
    if not isinstance(obj, dict):
        return ["not a mapping"]
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    if (group, obj.get("kind")) in CRDS:
        return crd_errors(obj, CRDS[group, str(obj.get("kind"))])
    import kubernetes_validate

    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [f"{exc.json_path}: {exc.message}"]
    except kubernetes_validate.SchemaNotFoundError:
        return [
            f"no schema for {obj.get('apiVersion')} {obj.get('kind')} (not a Kubernetes or known CRD kind)"
        ]
    return []


@functools.cache
def _crd_schemas(file: str) -> dict[str, Any]:
    from platformctl.authoring.findings import split_documents
    from platformctl.errors import TemplateError
    from platformctl.yamlfiles import parse_text

    text = _schemas().joinpath("crds", *file.split("/")).read_text(encoding="utf-8")
    if file.endswith(".schema.json"):  # already {"group/version": schema} of the served versions
        return {version: _strict(_not_null(schema)) for version, schema in json.loads(text).items()}
    crd = parse_text(split_documents(text)[0], file, error=TemplateError)[0]
    group = crd["spec"]["group"]
    return {
        f"{group}/{v['name']}": _strict(v["schema"]["openAPIV3Schema"])
        for v in crd["spec"]["versions"]
        if v.get("served", True)
    }


def _not_null(schema: Any) -> Any:
    """A schema generated from pydantic models without its ``Optional`` nulls: a field is left
    out, never null, in a Kubernetes object, and one alternative gives errors that name the
    field rather than ``not valid under any of the given schemas``."""
    if isinstance(schema, list):
        return [_not_null(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _not_null(v) for k, v in schema.items()}
    options = [o for o in out.get("anyOf", []) if o != {"type": "null"}]
    if "anyOf" in out and len(options) == 1:
        del out["anyOf"]
        out = {**out, **options[0]}
    return out


def _strict(schema: Any) -> Any:
    """A CRD schema that rejects unknown fields, as ``kubectl apply --validate=strict`` does."""
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _strict(v) for k, v in schema.items()}
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def crd_errors(obj: dict[str, Any], file: str) -> list[str]:
    """Errors of a custom resource against the served version of its CRD."""
    from jsonschema import Draft7Validator

    schemas = _crd_schemas(file)
    schema = schemas.get(str(obj.get("apiVersion")))
    if schema is None:
        return [f"{obj.get('apiVersion')} is not a served version (known: {', '.join(sorted(schemas))})"]
    # The API server validates metadata itself; the CRD schema describes the rest.
    schema = {**schema, "properties": {**schema.get("properties", {}), "metadata": {"type": "object"}}}
    return [f"{e.json_path}: {e.message}" for e in Draft7Validator(schema).iter_errors(obj)]


@functools.cache
def _store_schema(name: str) -> dict[str, Any]:
    text = files("check_jsonschema.builtin_schemas.vendor").joinpath(f"{name}.json").read_text("utf-8")
    return dict(json.loads(text))


def store_errors(document: Any, schema_name: str) -> list[str]:
    """Errors of ``document`` against a SchemaStore schema vendored by check-jsonschema."""
    from jsonschema import validators

    schema = _store_schema(schema_name)
    validator = validators.validator_for(schema)(schema)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]
