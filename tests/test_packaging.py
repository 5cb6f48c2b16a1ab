"""The wheel carries the golden paths, and an installed platformctl finds them from anywhere."""

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.helpers import once_per_run


@pytest.fixture(scope="session")
def wheel():
    """The project's wheel, built once per test run and shared by its processes (read only:
    the tests unpack it into their own folders)."""
    pytest.importorskip("hatchling")

    def build(out: Path) -> None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "-q",
                "-w",
                str(out),
                str(REPO_ROOT),
            ],
            check=True,
            capture_output=True,
        )

    (path,) = once_per_run("wheel", build).glob("platformctl-*.whl")
    return path


def test_wheel_contains_golden_paths_and_entry_point(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "platformctl/golden_paths/python-service/copier.yml" in names
    assert "platformctl/golden_paths/python-service/golden-path.yaml" in names
    assert "platformctl/golden_paths/_policies/pod-security.yaml" in names  # policies.py reads them
    assert "platformctl/golden_paths/python-service/template/requirements.lock" in names  # lock files ship
    assert "platformctl/golden_paths/python-service/tests/answers/argocd.yaml" in names  # golden-path test
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "platformctl = platformctl.__main__:main" in text


def test_unpacked_wheel_finds_bundled_golden_paths_from_another_directory(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-m", "platformctl", "golden-path", "show", "python-service", "--json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert '"name": "python-service"' in proc.stdout
    check = subprocess.run(
        [sys.executable, "-c", "import platformctl; print(platformctl.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.startswith(str(site))


def test_wheel_carries_the_docs_and_the_maturity_model(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    docs = {f"platformctl/docs/{p.name}" for p in (REPO_ROOT / "docs").glob("*.md")}
    assert "platformctl/docs/exit-codes.md" in docs
    assert docs <= names
    assert "platformctl/maturity/model.yaml" in names


def test_unpacked_wheel_reads_its_own_docs_from_another_directory(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}

    def docs(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "platformctl", "docs", *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    located = docs("exit-codes", "--path")
    assert located.returncode == 0, located.stderr
    assert Path(located.stdout.strip()) == site / "platformctl" / "docs" / "exit-codes.md"
    page = docs("exit-codes")
    assert page.stdout == (REPO_ROOT / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    listed = docs()
    assert [line.split()[0] for line in listed.stdout.splitlines()[1:]] == sorted(
        p.stem for p in (REPO_ROOT / "docs").glob("*.md")
    )


def _docs_references(package) -> set[str]:
    """Every docs page the installed package's code mentions (hints, help texts): as
    ``platformctl docs TOPIC`` and, in comments and docstrings, as ``docs/NAME.md``."""
    found: set[str] = set()
    for source in package.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        found |= set(re.findall(r"docs/([\w-]+\.md)", text))
        found |= {f"{topic}.md" for topic in re.findall(r"platformctl docs ([a-z][\w-]*)", text)}
    return found


def _release_step(name: str) -> str:
    """The ``run:`` script of a step of the release workflow's build job."""
    from tests.golden_paths.gp_support import load_yaml

    release = load_yaml(REPO_ROOT / ".github" / "workflows" / "release.yml")
    return next(s["run"] for s in release["jobs"]["build"]["steps"] if s.get("name") == name)


@pytest.mark.slow
def test_wheel_in_a_clean_venv_creates_a_service_and_its_docs_links_resolve(wheel, tmp_path):
    # The release workflow's own step: a clean venv, then `new service` in an empty folder.
    checkout = tmp_path / "checkout"
    (checkout / "dist").mkdir(parents=True)
    shutil.copy(wheel, checkout / "dist")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["RUNNER_TEMP"] = str(runner_temp)
    env["TMPDIR"] = str(tmp_path)  # the step's mktemp -d stays inside the test's folder
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])  # setup-python's python
    proc = subprocess.run(
        [
            "bash",
            "--noprofile",
            "--norc",
            "-eo",
            "pipefail",
            "-c",
            _release_step("Test the wheel in a clean virtualenv"),
        ],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Created service smoke" in proc.stdout + proc.stderr
    python = runner_temp / "clean" / "bin" / "python"
    located = subprocess.run(
        [str(python), "-c", "import platformctl, pathlib; print(pathlib.Path(platformctl.__file__).parent)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    package = Path(located.stdout.strip())
    assert package.is_relative_to(runner_temp / "clean")
    installed_docs = package / "docs"
    referenced = _docs_references(package)
    assert {"exit-codes.md", "configuration.md", "json-output.md"} <= referenced
    assert sorted(name for name in referenced if not (installed_docs / name).is_file()) == []
    # The pages' links to each other resolve inside the installed docs too.
    for page in installed_docs.glob("*.md"):
        for target in re.findall(r"\]\(([\w./-]+\.md)(?:#[\w-]+)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).is_file(), f"{page.name} links to {target}"
