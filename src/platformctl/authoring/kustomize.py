"""``kustomize build`` of an overlay: ``kubectl kustomize`` when kubectl is on PATH, else a Python
builder for the subset golden paths use (resources, JSON 6902 ``patches``, ``images``,
``namespace``, ``namePrefix``, ``commonLabels``); anything else is refused, never ignored."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

from platformctl.authoring.findings import load_documents, split_documents
from platformctl.errors import TemplateError

KNOWN_KEYS = {
    "apiVersion",
    "kind",
    "namespace",
    "resources",
    "images",
    "patches",
    "namePrefix",
    "commonLabels",
}


BUILDERS = ("auto", "kubectl", "builtin")


def builder_name(choice: str = "auto") -> str:
    """Which kustomize builds overlays: ``kubectl`` (when asked, or on PATH for ``auto``) or ``builtin``."""
    if choice == "auto":
        return "kubectl" if shutil.which("kubectl") else "builtin"
    return choice


def build(folder: Path, root: Path, builder: str = "auto") -> list[dict[str, Any]]:
    """The objects of the kustomization in ``folder`` (inside the rendered service ``root``).

    Raises:
        TemplateError: the kustomization is invalid or uses what the builder does not know.
    """
    if builder_name(builder) == "kubectl":
        return _kubectl(folder)
    return _build(folder, root)


def _kubectl(folder: Path) -> list[dict[str, Any]]:
    import subprocess

    from platformctl.yamlfiles import parse_text

    try:
        done = subprocess.run(
            ["kubectl", "kustomize", str(folder)], capture_output=True, text=True, check=False, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TemplateError(f"kubectl kustomize: {type(exc).__name__}: {exc}") from None
    if done.returncode != 0:
        raise TemplateError((done.stderr.strip().splitlines() or ["kubectl kustomize failed"])[-1])
    return [parse_text(doc, str(folder), error=TemplateError)[0] for doc in split_documents(done.stdout)]


def _build(folder: Path, root: Path) -> list[dict[str, Any]]:
    shown = folder.relative_to(root).as_posix()
    docs = load_documents(folder / "kustomization.yaml", shown=f"{shown}/kustomization.yaml")
    spec = docs[0] if docs and isinstance(docs[0], dict) else {}
    unknown = sorted(set(spec) - KNOWN_KEYS)
    if unknown:
        raise TemplateError(f"{shown}: kustomization keys the built-in builder does not support: {unknown}")
    objects: list[dict[str, Any]] = []
    for entry in spec.get("resources", []):
        target = (folder / str(entry)).resolve()
        if not target.is_relative_to(root.resolve()):
            raise TemplateError(f"{shown}: resource {entry!r} is outside the service")
        if target.is_dir():
            objects += _build(target, root)
        elif target.is_file():
            objects += [d for d in load_documents(target, shown=f"{shown}/{entry}") if isinstance(d, dict)]
        else:
            raise TemplateError(f"{shown}: resource {entry!r} does not exist")
    for patch in spec.get("patches", []):
        _apply_patch(objects, patch, shown)
    _transform(objects, spec)
    return objects


def _apply_patch(objects: list[dict[str, Any]], patch: dict[str, Any], shown: str) -> None:
    from platformctl.yamlfiles import parse_text

    target = patch.get("target") or {}
    selected = [o for o in objects if _selected(o, target)]
    if not selected:
        raise TemplateError(f"{shown}: patch target {target} matches nothing")
    ops = parse_text(str(patch.get("patch", "")), shown, error=TemplateError)[0]
    if not isinstance(ops, list):
        raise TemplateError(f"{shown}: only JSON 6902 patches (a list of operations) are supported here")
    for obj in selected:
        for op in ops:
            _json_patch(obj, op, shown)


def _transform(objects: list[dict[str, Any]], spec: dict[str, Any]) -> None:
    for image in spec.get("images", []):
        for container in (c for obj in objects for c in _containers(obj)):
            if _image_name(str(container.get("image", ""))) == image["name"]:
                name = image.get("newName", image["name"])
                container["image"] = f"{name}:{image['newTag']}" if "newTag" in image else name
    for obj in objects:
        meta = obj.setdefault("metadata", {})
        if "namespace" in spec:
            meta["namespace"] = spec["namespace"]
        if "namePrefix" in spec:
            meta["name"] = f"{spec['namePrefix']}{meta.get('name', '')}"
        if "commonLabels" in spec:
            meta["labels"] = {**meta.get("labels", {}), **spec["commonLabels"]}


def _selected(obj: dict[str, Any], target: dict[str, str]) -> bool:
    meta = obj.get("metadata", {})
    return obj.get("kind") == target.get("kind", obj.get("kind")) and (
        meta.get("name") == target.get("name", meta.get("name"))
    )


def _image_name(image: str) -> str:
    image = image.split("@", maxsplit=1)[0]
    last = image.rsplit("/", 1)[-1]
    return image.rsplit(":", 1)[0] if ":" in last else image


def _containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    pod = obj.get("spec", {}).get("template", {}).get("spec", {})
    return [*pod.get("initContainers", []), *pod.get("containers", [])]


def _json_patch(obj: dict[str, Any], op: dict[str, Any], shown: str) -> None:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in str(op.get("path", "")).split("/")[1:]]
    kind = op.get("op")
    try:
        parent: Any = obj
        for part in parts[:-1]:
            parent = parent[int(part)] if isinstance(parent, list) else parent[part]
        last, value = parts[-1], copy.deepcopy(op.get("value"))
        if kind == "add" and isinstance(parent, list):
            parent.append(value) if last == "-" else parent.insert(int(last), value)
        elif kind in ("add", "replace"):
            if kind == "replace" and (
                last not in parent if isinstance(parent, dict) else int(last) >= len(parent)
            ):
                raise KeyError(last)
            parent[int(last) if isinstance(parent, list) else last] = value
        elif kind == "remove":
            del parent[int(last) if isinstance(parent, list) else last]
        else:
            raise TemplateError(f"{shown}: JSON patch op {kind!r} is not supported by the built-in builder")
    except (KeyError, IndexError, ValueError, TypeError):
        raise TemplateError(f"{shown}: patch {kind!r} of {op.get('path')!r}: no such path") from None
