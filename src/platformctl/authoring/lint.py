"""``golden-path lint``: what a golden path needs before a platform team publishes it.

Each rule is one :class:`Check`; the golden path's files are read raw (not through the
catalog's strict model) so that every problem is a finding rather than the first error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from platformctl.authoring.findings import Check
from platformctl.errors import PlatformctlError, TemplateError

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
CHANGELOG = "CHANGELOG.md"
# Copier keys that make a template run code or load Python on the machine that renders it.
CODE_KEYS = ("_tasks", "_migrations", "_jinja_extensions", "_external_data")
# Types whose answers a validator can usefully constrain (bool and choices constrain themselves).
VALIDATABLE = ("str", "int", "float", "json", "yaml", "path")
SAMPLE_NAME = "example-service"


def _read(path: Path) -> Any:
    from platformctl.yamlfiles import load_yaml_file

    return load_yaml_file(path, what="golden path file", error=TemplateError)


def lint_golden_path(folder: Path) -> list[Check]:
    """Every lint check of the golden path in ``folder``."""
    metadata_path, copier_path = folder / "golden-path.yaml", folder / "copier.yml"
    checks: list[Check] = []
    try:
        metadata = _read(metadata_path) if metadata_path.is_file() else None
        copier = _read(copier_path) if copier_path.is_file() else None
    except PlatformctlError as exc:
        return [Check("readable", str(exc.message).split(":", 1)[0], [exc.message])]
    checks.append(_metadata_check(metadata))
    version = str(metadata.get("version", "")) if isinstance(metadata, dict) else ""
    if not isinstance(copier, dict):
        checks.append(Check("questions", "copier.yml", ["copier.yml is missing or not a mapping"]))
        return checks
    checks.append(_questions_check(copier))
    checks.append(_when_order_check(copier_path, copier))
    checks.append(_defaults_check(folder))
    checks.append(
        _copier_settings_check(copier, bool(isinstance(metadata, dict) and metadata.get("needs_trust")))
    )
    checks.append(_changelog_check(folder, version))
    checks.append(_no_git_paths_check(folder, copier))
    checks.append(_version_bump_check(folder, version))
    return checks


def _metadata_check(metadata: Any) -> Check:
    check = Check("metadata", "golden-path.yaml")
    if not isinstance(metadata, dict):
        check.errors.append("golden-path.yaml is missing or not a mapping")
        return check
    for key in ("name", "description", "test_command"):
        if not str(metadata.get(key) or "").strip():
            check.errors.append(f"'{key}' is missing or empty")
    if not SEMVER.match(str(metadata.get("version", ""))):
        check.errors.append(
            f"'version' {str(metadata.get('version'))!r} is not a semantic version like 1.2.3"
        )
    steps = metadata.get("next_steps")
    if not (isinstance(steps, list) and steps and all(isinstance(s, str) and s.strip() for s in steps)):
        check.errors.append("'next_steps' must list at least one command to run in a new service")
    return check


def _questions_check(copier: dict[str, Any]) -> Check:
    check = Check("questions", "copier.yml")
    for name, raw in copier.items():
        if name.startswith("_"):
            continue
        spec = raw if isinstance(raw, dict) else {"default": raw}
        if spec.get("when", True) in (False, "false", "False"):
            continue  # derived: never asked
        if not str(spec.get("help") or "").strip():
            check.errors.append(f"question {name!r} has no help")
        if "default" not in spec and name != "service_name":
            check.errors.append(f"question {name!r} has no default")
        qtype = str(spec.get("type") or "str")
        if qtype in VALIDATABLE and not spec.get("choices") and not spec.get("validator"):
            check.errors.append(f"question {name!r} ({qtype}) has no validator")
    return check


def _when_order_check(path: Path, copier: dict[str, Any]) -> Check:
    """Every question a ``when:`` reads is defined before it: copier evaluates ``when:`` in
    order, so a later (or unknown) name is undefined there and the question is silently never
    (or always) asked."""
    from platformctl.scaffold.answers import template_variables
    from platformctl.yamlfiles import load_file_with_lines

    check = Check("when order", "copier.yml")
    lines = load_file_with_lines(path, what="golden path file", error=TemplateError)[1]
    order = [name for name in copier if not name.startswith("_")]
    for index, name in enumerate(order):
        spec = copier[name]
        when = spec.get("when") if isinstance(spec, dict) else None
        if not (isinstance(when, str) and "{" in when):
            continue
        where = f"copier.yml:{lines.line((name, 'when')) or '?'}"
        for used in sorted(template_variables(when)):
            if used.startswith("_") or used in order[:index]:
                continue  # copier's own variables (_copier_conf, ...) and earlier answers
            problem = "which is defined after it" if used in order else "which is no question"
            check.errors.append(
                f"{where}: question {name!r}: when: refers to {used!r}, {problem} "
                "(copier evaluates when: in order, so it is never or always asked)"
            )
    return check


def _defaults_check(folder: Path) -> Check:
    """Every default renders and passes its own validator (with a sample service name)."""
    from platformctl.scaffold.answers import resolve_answers
    from platformctl.scaffold.catalog import load_golden_path

    check = Check("defaults render", "copier.yml")
    try:
        gp = load_golden_path(folder, origin=str(folder), trusted=False)
        resolve_answers(gp, {"service_name": SAMPLE_NAME})
    except PlatformctlError as exc:
        check.errors.append(exc.message)
    return check


def _copier_settings_check(copier: dict[str, Any], needs_trust: bool) -> Check:
    check = Check("copier settings", "copier.yml")
    if not str(copier.get("_min_copier_version") or "").strip():
        check.errors.append("'_min_copier_version' is not set")
    for key in CODE_KEYS:
        if copier.get(key) and not needs_trust:
            check.errors.append(
                f"'{key}' runs code when rendering; declare 'needs_trust: true' in golden-path.yaml "
                "if the golden path really needs it"
            )
    return check


def _changelog_check(folder: Path, version: str) -> Check:
    check = Check("changelog", CHANGELOG)
    path = folder / CHANGELOG
    if not path.is_file():
        check.errors.append(f"no {CHANGELOG} next to golden-path.yaml")
        return check
    heading = re.compile(rf"^#+\s*\[?v?{re.escape(version)}\]?(\s|$)", re.MULTILINE)
    if version and not heading.search(path.read_text(encoding="utf-8", errors="replace")):
        check.errors.append(f"{CHANGELOG} has no '## {version}' entry for the current version")
    return check


def _no_git_paths_check(folder: Path, copier: dict[str, Any]) -> Check:
    check = Check("no .git paths", str(copier.get("_subdirectory") or "."))
    root = folder / str(copier.get("_subdirectory") or "")
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if root == folder and parts[0] == ".git":
            continue  # the golden path's own repository, not part of the template
        if any(p == ".git" or p.startswith(".git.") or p == ".git.jinja" for p in parts):
            check.errors.append(f"{path.relative_to(folder).as_posix()} would write git's own files")
    return check


def _version_bump_check(folder: Path, version: str) -> Check:
    from platformctl.authoring.versions import changed_since_tag

    check = Check("version bump", "golden-path.yaml")
    found = changed_since_tag(folder)
    if found is None:
        check.note = "not a git checkout or no version tag yet"
        return check
    tag, tag_version, changed = found
    if changed and tag_version == version:
        check.errors.append(
            f"the template changed since tag {tag} but 'version' is still {version}: bump it "
            f"and add a {CHANGELOG} entry"
        )
    check.note = f"last tag {tag}"
    return check
