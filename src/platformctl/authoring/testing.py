"""``golden-path test``: render a golden path once per answers fixture and check every render."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.authoring.findings import Check, load_documents
from platformctl.errors import PlatformctlError

if TYPE_CHECKING:
    from platformctl.scaffold.catalog import GoldenPath

DEFAULT_SERVICE_NAME = "example-service"
# Jinja left unrendered; `${{ ... }}` (GitHub expressions) and Go composite literals are fine.
LEFTOVER = re.compile(r"(?<!\$)\{\{\s*[A-Za-z_][A-Za-z_0-9.]*\s*(\}\}|\|)|\{%[-\s]|\{#\s")
# Rendered CI files and the SchemaStore schema each is checked against.
CI_SCHEMAS = {
    ".gitlab-ci.yml": "gitlab-ci",
    ".github/dependabot.yml": "dependabot",
    ".github/dependabot.yaml": "dependabot",
    "renovate.json": "renovate",
    ".github/renovate.json": "renovate",
}
TEST_TIMEOUT = 1800


@dataclass
class FixtureResult:
    """The checks of one render, and the golden path's own tests when run."""

    name: str
    checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0
    tests: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """Every check passed (and the own tests, when run)."""
        return all(c.ok for c in self.checks) and (self.tests is None or bool(self.tests["ok"]))

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` form."""
        return {
            "fixture": self.name,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "checks": [c.as_dict() for c in self.checks],
            "tests": self.tests,
        }


def fixtures(golden_path: GoldenPath, answers_dir: Path | None) -> list[tuple[str, dict[str, Any]]]:
    """The defaults, then every YAML or JSON answers file (``tests/answers`` by default)."""
    from platformctl.scaffold.answers import read_answers_file

    folder = answers_dir if answers_dir is not None else golden_path.path / "tests" / "answers"
    found: list[tuple[str, dict[str, Any]]] = [("defaults", {})]
    if folder.is_dir():
        for path in sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json")):
            found.append((path.name, read_answers_file(path)))
    return found


def test_fixture(
    golden_path: GoldenPath,
    name: str,
    given: dict[str, Any],
    scratch: Path,
    *,
    run_tests: bool,
    builder: str = "auto",
) -> FixtureResult:
    """Render one fixture into ``scratch`` and run every check on it."""
    from platformctl.scaffold.answers import resolve_answers
    from platformctl.scaffold.render import render_golden_path

    result = FixtureResult(name)
    started = time.monotonic()
    render = Check("render", name)
    try:
        answers = resolve_answers(golden_path, {"service_name": DEFAULT_SERVICE_NAME, **given})
        render_golden_path(golden_path, answers, scratch)
    except PlatformctlError as exc:
        render.errors.append(exc.message)
    result.checks.append(render)
    if render.ok:
        result.checks += check_render(scratch, builder, answers)
        if run_tests:
            result.tests = run_own_tests(golden_path, scratch)
    result.seconds = time.monotonic() - started
    return result


def check_render(root: Path, builder: str = "auto", answers: Mapping[str, Any] | None = None) -> list[Check]:
    """Every check of one rendered service (``answers``: those it was rendered with)."""
    from platformctl.authoring.terraform import check_terraform
    from platformctl.scaffold.render import list_files

    names = list_files(root)
    checks = [_leftovers(root, names)]
    checks += [_catalog(root, n) for n in names if n.endswith("catalog-info.yaml")]
    checks += _kubernetes(root, names, builder)
    checks += [_standalone(root, n) for n in _outside_kustomizations(names)]
    checks += [_ci(root, n, schema) for n in names if (schema := _ci_schema(n))]
    checks += check_terraform(root, names, answers or {})
    return checks


def _ci_schema(name: str) -> str | None:
    if re.fullmatch(r"\.github/workflows/[^/]+\.ya?ml", name):
        return "github-workflows"
    return CI_SCHEMAS.get(name)


def _leftovers(root: Path, names: list[str]) -> Check:
    check = Check("no unrendered jinja", "*")
    for name in names:
        try:
            text = (root / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary files carry no template syntax
        if name.endswith(".jinja"):
            check.errors.append(f"{name}: a .jinja file was copied, not rendered")
        for number, line in enumerate(text.splitlines(), 1):
            if LEFTOVER.search(line):
                check.errors.append(f"{name}:{number}: template syntax left: {line.strip()[:80]}")
    return check


def _load(root: Path, name: str, check: Check) -> list[Any]:
    try:
        return load_documents(root / name, shown=name)
    except PlatformctlError as exc:
        check.errors.append(exc.message)
        return []


def _catalog(root: Path, name: str) -> Check:
    from platformctl.authoring.validators import backstage_errors

    check = Check("backstage catalog", name)
    for entity in _load(root, name, check):
        check.errors += backstage_errors(entity)
    return check


def overlays(root: Path, names: list[str]) -> list[Path]:
    """Kustomization folders that no other kustomization includes (the ones that get deployed)."""
    folders = [(root / n).parent for n in names if n.rsplit("/", 1)[-1] == "kustomization.yaml"]
    included: set[Path] = set()
    for folder in folders:
        for doc in load_documents(folder / "kustomization.yaml", shown=str(folder.relative_to(root))):
            for entry in (doc or {}).get("resources", []) if isinstance(doc, dict) else []:
                included.add((folder / str(entry)).resolve())
    return [f for f in folders if f.resolve() not in included]


def _kubernetes(root: Path, names: list[str], builder: str) -> list[Check]:
    from platformctl.authoring import kustomize
    from platformctl.authoring.validators import kubernetes_errors

    checks = []
    try:
        found = overlays(root, names)
    except PlatformctlError as exc:
        return [Check("kubernetes manifests", "kustomization.yaml", [exc.message])]
    for folder in found:
        check = Check(
            "kubernetes manifests", folder.relative_to(root).as_posix(), note=kustomize.builder_name(builder)
        )
        try:
            objects = kustomize.build(folder, root, builder)
        except PlatformctlError as exc:
            check.errors.append(f"kustomize build: {exc.message}")
            objects = []
        for obj in objects:
            where = (
                f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}" if isinstance(obj, dict) else "?"
            )
            check.errors += [f"{where}: {e}" for e in kubernetes_errors(obj)]
        checks.append(check)
    return checks


def _outside_kustomizations(names: list[str]) -> list[str]:
    """Manifests under ``deploy/`` that no kustomization folder holds: applied on their own
    (an Argo CD ``Application`` per overlay, Flux ``Kustomization`` objects)."""
    folders = {n.rpartition("/")[0] for n in names if n.rsplit("/", 1)[-1] == "kustomization.yaml"}
    return [
        n
        for n in names
        if n.startswith("deploy/")
        and n.endswith((".yaml", ".yml"))
        and not any(n.startswith(f + "/") for f in folders)
    ]


def _standalone(root: Path, name: str) -> Check:
    """Each document of a manifest applied on its own, strict, against its kind's schema; a
    custom kind with no schema shipped (Flux's) is named in the note, not passed silently."""
    from platformctl.authoring.validators import has_schema, kubernetes_errors

    check = Check("kubernetes manifests", name)
    unknown: list[str] = []
    for obj in _load(root, name, check):
        where = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}" if isinstance(obj, dict) else "?"
        if isinstance(obj, dict) and not has_schema(obj):
            unknown.append(f"{obj.get('apiVersion')} {obj.get('kind')}")
            continue
        check.errors += [f"{where}: {e}" for e in kubernetes_errors(obj)]
    if unknown:
        check.note = "not validated, no schema shipped: " + ", ".join(sorted(set(unknown)))
    return check


def _ci(root: Path, name: str, schema: str) -> Check:
    from platformctl.authoring.validators import store_errors

    check = Check(f"{schema} schema", name)
    for document in _load(root, name, check):
        check.errors += store_errors(document, schema)
    return check


def run_own_tests(golden_path: GoldenPath, root: Path) -> dict[str, Any]:
    """Run the golden path's declared ``test_command`` in the rendered service."""
    import shlex
    import subprocess

    command = golden_path.metadata.test_command
    if not command:
        return {
            "ok": False,
            "command": None,
            "seconds": 0.0,
            "output": "golden-path.yaml declares no test_command",
        }
    started = time.monotonic()
    try:
        from platformctl.scaffold.render import visible_environment

        # An untrusted golden path's tests see no more of the environment than its render did.
        env = None if golden_path.trusted else visible_environment()
        done = subprocess.run(
            shlex.split(command),
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=TEST_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        ok, output = done.returncode == 0, (done.stdout + done.stderr)
    except (OSError, subprocess.TimeoutExpired) as exc:
        ok, output = False, f"{type(exc).__name__}: {exc}"
    tail = "\n".join(output.strip().splitlines()[-20:])
    return {"ok": ok, "command": command, "seconds": round(time.monotonic() - started, 3), "output": tail}
