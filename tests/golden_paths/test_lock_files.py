"""Every golden path's builds are locked: the lock files match their manifests, pin every
package with a hash, and are what the Dockerfile, the Makefile and CI install from."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from platformctl.scaffold.catalog import bundled_root
from tests.golden_paths.shared_renders import copied_render, shared_render

# `name==version [; markers] \` then one or more `--hash=sha256:...` lines.
PINNED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9._]*)==([^\s;\\]+)")
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def _name(requirement: str) -> str:
    """A requirement's normalised project name (PEP 503)."""
    name = re.match(r"[A-Za-z0-9][-A-Za-z0-9._]*", requirement)
    assert name is not None, requirement
    return re.sub(r"[-_.]+", "-", name.group(0)).lower()


def _locked(path: Path) -> dict[str, tuple[str, int]]:
    """``{name: (version, number of hashes)}`` of a hashed requirements file; fails on any
    requirement that is not pinned with ``==``."""
    entries: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            match = PINNED.match(line)
            assert match, f"{path.name}: not pinned with ==: {line}"
            current = _name(match.group(1))
            entries[current] = (match.group(2), 0)
        elif HASH.search(line):
            assert current is not None
            version, hashes = entries[current]
            entries[current] = (version, hashes + 1)
    return entries


@pytest.fixture(scope="module")
def python_service() -> Path:
    """The python service for GitLab CI (shared, read-only)."""
    return shared_render("python-service", ci="gitlab")


def test_every_python_requirement_is_pinned_with_hashes(python_service: Path) -> None:
    project = tomllib.loads((python_service / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _locked(python_service / "requirements.lock")
    dev = _locked(python_service / "requirements-dev.lock")
    assert all(hashes >= 1 for _, hashes in [*runtime.values(), *dev.values()])
    direct = {_name(r) for r in project["dependencies"]}
    assert direct <= set(runtime), direct - set(runtime)
    assert direct | {_name(r) for r in project["optional-dependencies"]["test"]} <= set(dev)
    # One resolution: the image runs exactly the versions the tests ran with.
    assert {name: dev[name][0] for name in runtime} == {name: v for name, (v, _) in runtime.items()}
    assert "pytest" not in runtime and "pytest" in dev
    # The pinned ruff is the one pyproject.toml and pre-commit name.
    assert dev["ruff"][0] in (python_service / ".pre-commit-config.yaml").read_text(encoding="utf-8")


def test_the_image_ci_and_make_install_from_the_python_locks(python_service: Path) -> None:
    dockerfile = (python_service / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert "pip wheel --no-deps --no-build-isolation --wheel-dir /tmp/dist ." in dockerfile
    makefile = (python_service / "Makefile").read_text(encoding="utf-8")
    assert "pip install --require-hashes -r requirements-dev.lock" in makefile
    pipeline = yaml.safe_load((python_service / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert (
        "python -m pip install --require-hashes -r requirements-dev.lock -r build.lock"
        in pipeline[".python"]["before_script"]
    )
    assert ".[test]" not in json.dumps(pipeline)


# Every pip command of the files that install the service: the image, make, CI.
PIP_COMMAND = re.compile(r"pip (install|wheel)\b([^\n&]*(?:\\\n[^\n&]*)*)")


def _pip_commands(service: Path) -> list[tuple[str, str]]:
    found = []
    for name in ("Dockerfile", "Makefile", ".gitlab-ci.yml", ".github/workflows/ci.yml"):
        if (service / name).is_file():
            text = (service / name).read_text(encoding="utf-8")
            found += [
                (name, " ".join(m.group(0).replace("\\\n", " ").split())) for m in PIP_COMMAND.finditer(text)
            ]
    return found


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_no_install_command_fetches_an_unhashed_requirement(ci: str) -> None:
    """Each pip command installs hash-checked lock files, or the service itself with no
    dependencies and no isolated build (which would fetch hatchling unpinned)."""
    service = shared_render("python-service", ci=ci)
    commands = _pip_commands(service)
    assert len(commands) >= 5, commands
    for name, command in commands:
        args = command.split()[2:]
        if "--require-hashes" in args:
            files = [args[i + 1] for i, a in enumerate(args) if a == "-r"]
            assert files and all(f.endswith(".lock") for f in files), (name, command)
            assert not [a for a in args if not a.startswith("-") and a not in files], (name, command)
        elif args[-1].endswith(".whl"):
            assert "--no-deps" in args, (name, command)  # the wheel built just before
        else:
            assert {"--no-deps", "--no-build-isolation"} <= set(args), (name, command)
    # Both installs of the service (make and CI) put the build backend's lock in the same venv.
    assert all("build.lock" in c for n, c in commands if "requirements-dev.lock" in c)


def test_the_build_backend_is_locked_with_the_dev_lock_versions() -> None:
    service = shared_render("python-service")
    build, dev = _locked(service / "build.lock"), _locked(service / "requirements-dev.lock")
    assert all(hashes >= 1 for _, hashes in build.values())
    requires = tomllib.loads((service / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    assert requires["requires"] == ["hatchling>=1.25"] and "hatchling" in build
    shared = set(build) & set(dev)
    assert shared and all(build[n][0] == dev[n][0] for n in shared), shared


def test_the_service_builds_without_an_index_once_its_backend_is_installed(tmp_path: Path) -> None:
    """With hatchling installed (this test environment's, as build.lock installs it), building
    the service needs no index; with build isolation (pip's default) it cannot, offline."""
    import os
    import sys

    service = copied_render("python-service", tmp_path / "svc")  # pip builds in it
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "", "PIP_CONFIG_FILE": os.devnull}
    wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(tmp_path / "dist"), "."]
    done = subprocess.run(
        [*wheel, "--no-build-isolation"], cwd=service, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p.name for p in (tmp_path / "dist").iterdir()] == ["payments-0.1.0-py3-none-any.whl"]
    isolated = subprocess.run(wheel, cwd=service, env=env, capture_output=True, text=True, timeout=300)
    assert isolated.returncode != 0 and "hatchling" in isolated.stdout + isolated.stderr


def test_every_build_requirement_the_backend_names_is_in_the_build_lock(tmp_path: Path) -> None:
    """What pip would fetch for `pip install .` and `pip install -e .` (the backend's own
    requirements, asked through the PEP 517/660 hooks) is all pinned by build.lock."""
    from packaging.requirements import Requirement
    from pyproject_hooks import BuildBackendHookCaller

    service = copied_render("python-service", tmp_path / "svc")  # the backend's hooks run in it
    build = _locked(service / "build.lock")
    hooks = BuildBackendHookCaller(str(service), "hatchling.build")
    requires = tomllib.loads((service / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    wanted = [*requires["requires"], *hooks.get_requires_for_build_wheel()]
    wanted += hooks.get_requires_for_build_editable()
    assert any(r.startswith("editables") for r in wanted)  # not vacuous: hatchling asks for it
    for requirement in map(Requirement, wanted):
        name = _name(requirement.name)
        assert name in build and requirement.specifier.contains(build[name][0]), requirement


def _caret_allows(spec: str, version: str) -> bool:
    """Whether npm's ``^X.Y.Z`` range allows ``version`` (the only range the golden path uses)."""
    assert spec.startswith("^"), spec
    want = [int(p) for p in spec[1:].split(".")]
    have = [int(p) for p in re.split(r"[.+-]", version)[:3]]
    if want[0] > 0:
        return have[0] == want[0] and have >= want
    return have[:2] == want[:2] and have >= want


def _node_versions() -> list[str]:
    copier = yaml.safe_load((bundled_root() / "node-service" / "copier.yml").read_text(encoding="utf-8"))
    return [str(v) for v in copier["node_version"]["choices"]]


@pytest.mark.parametrize("node_version", _node_versions())
def test_the_package_lock_matches_package_json(node_version: str) -> None:
    service = shared_render("node-service", node_version=node_version)
    manifest = json.loads((service / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((service / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["lockfileVersion"] == 3 and lock["name"] == manifest["name"] == "payments"
    root = lock["packages"][""]
    for key in ("name", "version", "dependencies", "devDependencies", "engines", "license"):
        assert root[key] == manifest[key], key
    for name, spec in {**manifest["dependencies"], **manifest["devDependencies"]}.items():
        locked = lock["packages"][f"node_modules/{name}"]["version"]
        assert _caret_allows(spec, locked), (name, spec, locked)
    assert lock["packages"]["node_modules/@types/node"]["version"].split(".")[0] == node_version
    entries = {k: v for k, v in lock["packages"].items() if k}
    # Each package by its integrity hash (no registry URL: npm ci takes it from the configured one).
    assert all(v.get("integrity", "").startswith("sha512-") for v in entries.values())
    # The optional native packages of every platform, not only of the machine that locked it.
    biome = {k.rsplit("/", 1)[-1] for k in entries if k.startswith("node_modules/@biomejs/cli-")}
    assert {"cli-linux-x64", "cli-linux-arm64-musl", "cli-darwin-arm64", "cli-win32-x64"} <= biome


def test_the_image_ci_and_make_install_with_npm_ci() -> None:
    service = shared_render("node-service", ci="gitlab")
    assert "RUN npm ci\n" in (service / "Dockerfile").read_text(encoding="utf-8")
    assert "\tnpm ci\n" in (service / "Makefile").read_text(encoding="utf-8")
    pipeline = yaml.safe_load((service / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert "npm ci" in pipeline[".node"]["before_script"]
    assert "npm install" not in json.dumps(pipeline)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_npm_ci_accepts_the_lock(tmp_path: Path) -> None:
    service = copied_render("node-service", tmp_path / "svc")  # npm runs in it
    done = subprocess.run(
        ["npm", "ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=service,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "added " in done.stdout  # it planned the install of the locked tree


def test_the_go_service_needs_no_go_sum() -> None:
    service = shared_render("go-service")
    go_mod = (service / "go.mod").read_text(encoding="utf-8")
    assert "require" not in go_mod and not (service / "go.sum").exists()
    assert "standard library only" in (bundled_root() / "go-service" / "README.md").read_text(
        encoding="utf-8"
    )
