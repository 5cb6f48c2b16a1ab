"""Evaluate Kubernetes objects against the platform's Kyverno ``ClusterPolicy`` set.

No Kyverno CLI is packaged for the machines platformctl runs on, so this module evaluates the
policies itself: ``validate.pattern`` rules through an interpreter of the pattern language the
bundled policies use (plain keys, ``=(key)`` conditional anchors, lists matched element by
element, ``|`` alternatives, ``*``/``?`` wildcards and ``!`` negation), and ``validate.foreach``
rules through a Python function registered for exactly that rule. Anything else (a rule with no
evaluator, a ``match`` other than ``any: [resources: {kinds}]``) raises :class:`PolicyError`
instead of passing silently.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformctl.errors import ConfigError

POLICY_KIND = "ClusterPolicy"
POLICY_API = "kyverno.io/v1"


class PolicyError(ConfigError):
    """A policy file this evaluator cannot evaluate faithfully: exit 2."""


@dataclass(frozen=True)
class Violation:
    """One object breaking one rule."""

    policy: str
    rule: str
    kind: str
    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}: {self.policy}/{self.rule}: {self.message}"


@dataclass(frozen=True)
class Rule:
    """One validate rule of a policy, with the kinds it matches."""

    policy: str
    name: str
    kinds: frozenset[str]
    message: str
    check: Callable[[Mapping[str, Any]], bool]


def bundled_policies_root() -> Path:
    """The folder of the policies bundled with the golden paths (``golden_paths/_policies``)."""
    from platformctl.scaffold.catalog import bundled_root

    return bundled_root() / "_policies"


def load_policies(folder: Path | None = None) -> list[Rule]:
    """Every rule of every ``*.yaml`` ClusterPolicy in ``folder`` (default: the bundled set).

    Raises:
        PolicyError: a file is not a ClusterPolicy or holds a rule this module cannot evaluate.
    """
    from platformctl.yamlfiles import load_yaml_file

    root = folder or bundled_policies_root()
    rules: list[Rule] = []
    for path in sorted(root.glob("*.yaml")):
        doc = load_yaml_file(path, what="policy", error=PolicyError)
        if not isinstance(doc, dict) or doc.get("kind") != POLICY_KIND or doc.get("apiVersion") != POLICY_API:
            raise PolicyError(f"{path}: not a {POLICY_API} {POLICY_KIND}", hint="one policy per file")
        name = str(doc["metadata"]["name"])
        rules += [_rule(name, spec, path) for spec in doc.get("spec", {}).get("rules", [])]
    return rules


def evaluate(objects: Iterable[Mapping[str, Any]], rules: list[Rule] | None = None) -> list[Violation]:
    """The violations of ``objects`` (rendered manifests) against ``rules`` (default: bundled)."""
    rules = load_policies() if rules is None else rules
    found: list[Violation] = []
    for obj in objects:
        kind = str(obj.get("kind", ""))
        name = str(obj.get("metadata", {}).get("name", ""))
        for rule in rules:
            if kind in rule.kinds and not rule.check(obj):
                found.append(Violation(rule.policy, rule.name, kind, name, rule.message))
    return found


def _rule(policy: str, spec: Mapping[str, Any], path: Path) -> Rule:
    name = str(spec.get("name", ""))
    where = f"{path}: rule {policy}/{name}"
    kinds = _kinds(spec.get("match"), where)
    validate = spec.get("validate") or {}
    message = str(validate.get("message", ""))
    if set(validate) == {"message", "pattern"}:
        pattern = validate["pattern"]
        return Rule(policy, name, kinds, message, lambda obj: matches(obj, pattern))
    if set(validate) == {"message", "foreach"} and (policy, name) in FOREACH_RULES:
        return Rule(policy, name, kinds, message, FOREACH_RULES[policy, name])
    raise PolicyError(f"{where}: no evaluator for this rule", hint="use a validate.pattern rule")


def _kinds(match: Any, where: str) -> frozenset[str]:
    entries = match.get("any") if isinstance(match, dict) and set(match) == {"any"} else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and set(e) == {"resources"} and set(e["resources"]) == {"kinds"} for e in entries
    ):
        raise PolicyError(f"{where}: only 'match: any: [resources: {{kinds: [...]}}]' is supported")
    return frozenset(str(k) for e in entries for k in e["resources"]["kinds"])


# -- the pattern language ----------------------------------------------------------------------


def matches(value: Any, pattern: Any) -> bool:
    """Whether ``value`` (part of a resource) matches a Kyverno validate ``pattern``."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(_key_matches(value, k, p) for k, p in pattern.items())
    if isinstance(pattern, list):
        # A list pattern of one element: every element of the resource's list must match it.
        if len(pattern) != 1:
            raise PolicyError("list patterns must have exactly one element")
        return isinstance(value, list) and all(matches(item, pattern[0]) for item in value)
    if isinstance(pattern, bool):
        return value is pattern
    if value is None or isinstance(value, (dict, list)):
        return False
    return _scalar(value, pattern)


def _key_matches(value: dict[str, Any], key: str, pattern: Any) -> bool:
    if key.startswith("=(") and key.endswith(")"):
        # Equality anchor: check the field only when the resource has it.
        inner = key[2:-1]
        return inner not in value or matches(value[inner], pattern)
    if key.startswith(("(", "X(", "^(", "+(", "<(")):
        raise PolicyError(f"anchor {key!r} is not supported")
    return key in value and matches(value[key], pattern)


def _scalar(value: Any, pattern: Any) -> bool:
    if not isinstance(pattern, str):
        return bool(value == pattern)
    text = str(value)
    return any(_alternative(text, alt.strip()) for alt in pattern.split("|"))


def _alternative(text: str, pattern: str) -> bool:
    if pattern.startswith("!"):
        return not fnmatch.fnmatchcase(text, pattern[1:])
    if pattern == "?*":
        return text != ""
    return fnmatch.fnmatchcase(text, pattern)


# -- foreach rules, one function per rule --------------------------------------------------------


def _containers(obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    pod = obj.get("spec", {}).get("template", {}).get("spec", {})
    containers = pod.get("containers", [])
    return [c for c in containers if isinstance(c, dict)] if isinstance(containers, list) else []


def _drops_all(obj: Mapping[str, Any]) -> bool:
    """Deny when ``ALL`` is not in a container's ``securityContext.capabilities.drop``."""
    for container in _containers(obj):
        drop = (container.get("securityContext") or {}).get("capabilities", {}).get("drop") or []
        if "ALL" not in drop:
            return False
    return True


def _has_probes(obj: Mapping[str, Any]) -> bool:
    """Deny when a container has no ``livenessProbe`` key or no ``readinessProbe`` key."""
    return all("livenessProbe" in c and "readinessProbe" in c for c in _containers(obj))


FOREACH_RULES: dict[tuple[str, str], Callable[[Mapping[str, Any]], bool]] = {
    ("restricted-pod-security", "drop-all-capabilities"): _drops_all,
    ("require-probes", "liveness-and-readiness"): _has_probes,
}
