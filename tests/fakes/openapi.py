"""Check requests against an OpenAPI 3.0 description with jsonschema (refs resolved in-document).

Stricter than the description on one point, on purpose: request bodies may not carry fields
the description does not name (``additionalProperties: false`` wherever a schema lists its
``properties``), so a typo in a field name fails instead of being silently ignored.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

BASE = "urn:openapi"


@dataclass(frozen=True)
class Operation:
    """One method + path template of the description."""

    method: str
    template: str
    pattern: re.Pattern[str]
    spec: dict[str, Any]
    body_ref: str | None

    @property
    def placeholders(self) -> int:
        """How generic the template is (fewer placeholders win when several match)."""
        return self.template.count("{")


class OpenApiDescription:
    """The operations of a description and a validator for their requests."""

    def __init__(self, path: Path) -> None:
        document = json.loads(path.read_text(encoding="utf-8"))
        self.document = _strict(_nullable(copy.deepcopy(document)))
        self.document["x-request-bodies"] = {}
        self.operations: list[Operation] = []
        for template, item in self.document["paths"].items():
            for method, spec in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                body_ref = None
                schema = (
                    ((spec.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
                ).get("schema")
                if schema is not None:
                    key = f"{method}-{len(self.operations)}"
                    self.document["x-request-bodies"][key] = schema
                    body_ref = f"{BASE}#/x-request-bodies/{key}"
                regex = re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(template))
                self.operations.append(
                    Operation(method.upper(), template, re.compile(f"^{regex}$"), spec, body_ref)
                )
        self.registry = Registry().with_resource(BASE, Resource.from_contents(self.document, DRAFT4))

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation serving ``method path`` (the most specific template), or None."""
        found = [op for op in self.operations if op.method == method and op.pattern.match(path)]
        return min(found, key=lambda op: op.placeholders) if found else None

    def check(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, raw_body: bytes
    ) -> list[str]:
        """Every way the request departs from the description (empty: it conforms)."""
        op = self.operation(method, path)
        if op is None:
            return [f"{method} {path} is not an operation of the description"]
        problems = self._check_query(op, query)
        request_body = op.spec.get("requestBody")
        if op.body_ref is None:
            if raw_body.strip():
                problems.append(f"{method} {op.template} takes no body")
            return problems
        if body is None:
            if request_body.get("required"):
                problems.append(f"{method} {op.template} requires a JSON body")
            return problems
        validator = Draft4Validator({"$ref": op.body_ref}, registry=self.registry)
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in error.absolute_path) or "(body)"
            problems.append(f"{where}: {_short(error.message)}")
        return problems

    def _check_query(self, op: Operation, query: dict[str, list[str]]) -> list[str]:
        problems = []
        for param in self._parameters(op):
            if param.get("in") != "query" or param["name"] not in query:
                continue
            value = query[param["name"]][0]
            kind = (param.get("schema") or {}).get("type")
            if kind == "integer" and not value.lstrip("-").isdigit():
                problems.append(f"query {param['name']}={value!r} is not an integer")
            if kind == "boolean" and value not in ("true", "false"):
                problems.append(f"query {param['name']}={value!r} is not true or false")
        return problems

    def _parameters(self, op: Operation) -> list[dict[str, Any]]:
        out = []
        for param in op.spec.get("parameters") or []:
            node: Any = param
            if "$ref" in param:
                node = self.document
                for part in param["$ref"][2:].split("/"):
                    node = node[part]
            out.append(node)
        return out


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0 ``nullable: true`` → JSON Schema ``null`` in the type (or an anyOf)."""
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable(value) for key, value in node.items()}
    if node.pop("nullable", False) is True:
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def _strict(node: Any) -> Any:
    """``additionalProperties: false`` on every schema that lists properties and says nothing."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _strict(value) for key, value in node.items()}
    if isinstance(node.get("properties"), dict) and "additionalProperties" not in node and "in" not in node:
        node["additionalProperties"] = False
    return node


def _short(message: str) -> str:
    return message if len(message) < 300 else message[:297] + "..."
