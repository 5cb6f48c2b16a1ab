"""Terraform in a render, checked without ``terraform``: each folder of ``*.tf`` files parses as
HCL2 (python-hcl2), every reference names something declared, every variable without a default
gets a value, the shared module is the one the answers name, and the versions are pinned.

python-hcl2 is an authoring dependency, imported lazily: without it (and without ``terraform``)
the check says so in its note instead of passing silently. With ``terraform`` on PATH,
``terraform fmt -check`` runs as well (offline; ``terraform validate`` needs the module's
registry, so the project's own tests run it against a stand-in).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformctl.authoring.findings import Check

NOT_VALIDATED = "terraform: not validated (neither terraform nor python-hcl2 installed)"
# Roots of a reference that are not declared in the configuration.
BUILTIN_ROOTS = frozenset({"each", "count", "self", "path", "terraform"})
# Answers that name the platform's shared module (platform.terraform.* or the question defaults).
SOURCE_ANSWER, VERSION_ANSWER = "terraform_module_source", "terraform_module_version"
FMT_TIMEOUT = 120


@dataclass
class Module:
    """What one folder of ``.tf`` files declares and references."""

    folder: str
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    declared: set[str] = field(default_factory=set)  # "local.x", "module.m", "aws_s3_bucket.b", "data.t.n"
    references: list[tuple[str, str]] = field(default_factory=list)  # (reference, "file:line")
    modules: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)  # (name, body, where)
    terraform: list[dict[str, Any]] = field(default_factory=list)
    resource_types: set[str] = field(default_factory=set)
    tfvars: set[str] = field(default_factory=set)


def hcl_available() -> bool:
    """Whether python-hcl2 can be imported."""
    import importlib.util

    return importlib.util.find_spec("hcl2") is not None


def check_terraform(root: Path, names: list[str], answers: Mapping[str, Any]) -> list[Check]:
    """One check per folder of rendered ``*.tf`` files (none when the render has no Terraform)."""
    import shutil

    folders = sorted({n.rpartition("/")[0] for n in names if n.endswith(".tf")})
    if not folders:
        return []
    terraform = shutil.which("terraform")
    if not hcl_available() and terraform is None:
        return [Check("terraform", f or ".", note=NOT_VALIDATED) for f in folders]
    modules: dict[str, Module] = {}
    checks = []
    for folder in folders:
        check = Check("terraform", folder or ".")
        notes = []
        if hcl_available():
            module = _read_module(root, folder, names, check)
            if check.ok:  # references in a file that does not parse are unknown
                modules[folder] = module
            notes.append("python-hcl2")
        else:
            notes.append("python-hcl2 not installed: syntax and references not checked")
        if terraform is not None:
            check.errors += _fmt_errors(terraform, root, folder)
            notes.append("terraform fmt")
        check.note = ", ".join(notes)
        checks.append(check)
    # Module inputs are checked against the called module's folder: read every folder first.
    called = {
        _local_folder(m.folder, body.get("source")) for m in modules.values() for _, body, _ in m.modules
    }
    for check, folder in zip(checks, folders, strict=True):
        if folder in modules:
            check.errors += module_errors(modules[folder], modules, answers, called=folder in called)
    return checks


def _local_folder(folder: str, source: Any) -> str | None:
    """The folder (relative to the render) of a local module source, or None for a registry one."""
    import posixpath

    if not (isinstance(source, str) and source.startswith(("./", "../"))):
        return None
    return posixpath.normpath(posixpath.join(folder or ".", source)).removeprefix("./")


def _read_module(root: Path, folder: str, names: list[str], check: Check) -> Module:
    module = Module(folder)
    prefix = f"{folder}/" if folder else ""
    for name in sorted(n for n in names if n.rpartition("/")[0] == folder):
        shown = name.removeprefix(prefix)
        if name.endswith(".tf"):
            _read_tf(root / name, name, module, check)
        elif shown == "terraform.tfvars" or shown.endswith(".auto.tfvars"):
            module.tfvars |= set(_parse(root / name, name, check)[0])
    return module


def _parse(path: Path, shown: str, check: Check) -> tuple[dict[str, Any], Any]:
    """The file as python-hcl2's dictionary and its raw parse tree; empty with an error if invalid."""
    import hcl2
    from lark.exceptions import LarkError

    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        tree = hcl2.parses_to_tree(text)
        options = hcl2.SerializationOptions(
            with_comments=False, explicit_blocks=False, strip_string_quotes=True
        )
        return hcl2.serialize(hcl2.transform(tree), serialization_options=options), tree
    except LarkError as exc:
        where = f"{shown}:{getattr(exc, 'line', '?')}"
        check.errors.append(f"{where}: not valid HCL2: {str(exc).splitlines()[0]}")
    except (ValueError, RuntimeError) as exc:  # python-hcl2's own errors after a parse
        check.errors.append(f"{shown}: not valid HCL2: {exc}")
    return {}, None


def _read_tf(path: Path, shown: str, module: Module, check: Check) -> None:
    body, tree = _parse(path, shown, check)
    if tree is None:
        return
    text = path.read_text(encoding="utf-8", errors="replace")
    for entry in body.get("variable", []):
        module.variables.update({name: spec or {} for name, spec in entry.items()})
    for entry in body.get("locals", []):
        module.declared |= {f"local.{name}" for name in entry}
    for entry in body.get("module", []):
        for name, spec in entry.items():
            module.declared.add(f"module.{name}")
            module.modules.append((name, spec or {}, f"{shown}:{_line_of(text, 'module', name)}"))
    for kind, prefix in (("resource", ""), ("data", "data.")):
        for entry in body.get(kind, []):
            for rtype, named in entry.items():
                module.resource_types.add(rtype)
                module.declared |= {f"{prefix}{rtype}.{name}" for name in named}
    module.terraform += [t for t in body.get("terraform", []) if isinstance(t, dict)]
    module.references += [(ref, f"{shown}:{line}") for ref, line in references(tree)]


def _line_of(text: str, block: str, label: str) -> int:
    pattern = re.compile(rf'^\s*{block}\s+"{re.escape(label)}"', re.MULTILINE)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def references(tree: Any) -> list[tuple[str, int]]:
    """Every ``var.x``, ``local.x``, ``module.x``, ``data.t.n`` and ``type.name`` in a parse tree,
    with its line; names bound by ``for`` expressions and Terraform's built-ins are left out."""
    bound = {
        str(ident.children[0])
        for intro in tree.find_data("for_intro")
        for ident in intro.children
        if getattr(ident, "data", None) == "identifier"
    }
    found: set[tuple[str, int]] = set()
    for node in tree.find_data("get_attr_expr_term"):
        chain = _chain(node)
        if not chain or chain[0] in bound or chain[0] in BUILTIN_ROOTS:
            continue
        size = 3 if chain[0] == "data" else 2
        # A resource type always has its provider's prefix: other roots are iterators.
        if len(chain) >= size and (chain[0] in ("var", "local", "module", "data") or "_" in chain[0]):
            found.add((".".join(chain[:size]), node.meta.line))
    return sorted(found, key=lambda r: (r[1], r[0]))


def _chain(node: Any) -> list[str] | None:
    """``a.b.c`` of a chain of attribute accesses on an identifier, or None."""
    base, attr = node.children[0], node.children[1]
    names = [str(t.children[0]) for t in attr.children if getattr(t, "data", None) == "identifier"]
    inner: Any = base.children[0] if base.children else None
    kind = getattr(inner, "data", None)
    if kind == "identifier":
        return [str(inner.children[0]), *names]
    if kind == "get_attr_expr_term":
        head = _chain(inner)
        return None if head is None else [*head, *names]
    return None


def module_errors(
    module: Module, modules: Mapping[str, Module], answers: Mapping[str, Any], *, called: bool = False
) -> list[str]:
    """What ``terraform validate`` (and the golden path's wiring) would refuse in one module;
    a ``called`` module gets its variables from the module block that calls it, not tfvars."""
    errors = []
    for ref, where in module.references:
        kind, _, name = ref.partition(".")
        if kind == "var" and name not in module.variables:
            errors.append(f"{where}: {ref} is not declared in a variable block")
        elif kind != "var" and ref not in module.declared:
            errors.append(f"{where}: {ref} refers to nothing declared in {module.folder or '.'}")
    errors += [
        f"variable {name!r} has no default and no value in terraform.tfvars or *.auto.tfvars"
        for name, spec in module.variables.items()
        if "default" not in spec and name not in module.tfvars and not called
    ]
    for name, body, where in module.modules:
        errors += _module_block_errors(module.folder, name, body, where, modules, answers)
    return errors + _version_errors(module)


def _module_block_errors(
    folder: str,
    name: str,
    body: Mapping[str, Any],
    where: str,
    modules: Mapping[str, Module],
    answers: Mapping[str, Any],
) -> list[str]:
    source, version = body.get("source"), body.get("version")
    if not isinstance(source, str):
        return [f"{where}: module {name!r} has no source"]
    local = _local_folder(folder, source)
    if local is not None:
        child = modules.get(local)
        return [] if child is None else _inputs_errors(name, body, where, child)
    errors = []
    for key, value, answer in (("source", source, SOURCE_ANSWER), ("version", version, VERSION_ANSWER)):
        expected = answers.get(answer)
        if expected is not None and value != expected:
            errors.append(
                f"{where}: module {name!r} {key} is {value!r}, not {expected!r} "
                f"(answer {answer}: platform.terraform.* or its default)"
            )
    if not version:
        errors.append(f"{where}: module {name!r} from a registry has no version constraint")
    return errors


def _inputs_errors(name: str, body: Mapping[str, Any], where: str, child: Module) -> list[str]:
    """A local module's inputs: every one given is declared there, every required one given."""
    meta = {"source", "version", "count", "for_each", "providers", "depends_on"}
    given = {k for k in body if k not in meta}
    errors = [
        f"{where}: module {name!r} sets {k!r}, which it does not declare"
        for k in sorted(given)
        if k not in child.variables
    ]
    errors += [
        f"{where}: module {name!r} needs {var!r} (no default) and is not given it"
        for var, spec in child.variables.items()
        if "default" not in spec and var not in given
    ]
    return errors


def _version_errors(module: Module) -> list[str]:
    """``required_version`` set; every provider used is required with a source and a version."""
    required = [t.get("required_version") for t in module.terraform if t.get("required_version")]
    errors = [] if required else [f"{module.folder or '.'}: no terraform block sets required_version"]
    providers: dict[str, Any] = {}
    for block in module.terraform:
        for entry in block.get("required_providers", []):
            providers.update(entry if isinstance(entry, dict) else {})
    for name, spec in sorted(providers.items()):
        if not (isinstance(spec, dict) and spec.get("source") and spec.get("version")):
            errors.append(f"required_providers.{name}: needs both source and a version constraint")
    errors += [
        f"resources of provider {prefix!r} but required_providers does not pin it"
        for prefix in sorted({t.split("_", 1)[0] for t in module.resource_types})
        if prefix not in providers
    ]
    return errors


def _fmt_errors(terraform: str, root: Path, folder: str) -> list[str]:
    """``terraform fmt -check`` of one folder (offline; it reads no configuration of ours)."""
    import subprocess

    from platformctl.scaffold.render import visible_environment

    # The render is untrusted: terraform sees only what a render may see, and a HOME of its own
    # (no user CLI configuration, credentials or plugin cache).
    env = {**visible_environment(), "TF_IN_AUTOMATION": "1", "HOME": str(root / folder)}
    try:
        done = subprocess.run(
            [terraform, "fmt", "-check", "-list=true", "-no-color", "."],
            cwd=root / folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=FMT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [f"terraform fmt: {type(exc).__name__}: {exc}"]
    if done.returncode == 0:
        return []
    listed = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    prefix = f"{folder}/" if folder else ""
    return [f"{prefix}{n}: not formatted (terraform fmt)" for n in listed] or [
        f"terraform fmt: {done.stderr.strip()[:200]}"
    ]
