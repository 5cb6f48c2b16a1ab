"""A service made from the bundled python-service still passes its own tests after an update."""

from __future__ import annotations

import shutil
import sys

import git
import pytest
import yaml

from platformctl.scaffold.catalog import bundled_root
from tests.golden_paths.test_rendered_suites import run, tool_env
from tests.helpers import configure_golden_path

pytestmark = pytest.mark.slow

ADDED_TEST = """\
from fastapi.testclient import TestClient


def test_added_by_the_golden_path(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
"""

LOCAL_TEST = """\
def test_written_by_the_service_team() -> None:
    assert "payments".upper() == "PAYMENTS"
"""


def test_update_keeps_local_edits_and_the_service_passes_its_tests(cli, tmp_path):
    gp = tmp_path / "gp"
    shutil.copytree(
        bundled_root() / "python-service", gp, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    work = tmp_path / "work"
    configure_golden_path(work, "py", gp, trusted=True)
    assert cli("new", "service", "payments", "-g", "py").exit_code == 0
    service = work / "payments"
    (service / "tests" / "test_local.py").write_text(LOCAL_TEST)
    readme = service / "README.md"
    readme.write_text(readme.read_text() + "\n## Team notes\n\nOn call: #payments.\n")
    repo = git.Repo(service)
    repo.git.add(A=True)
    repo.index.commit("Team notes and a test of our own")

    # The next minor version of the golden path: a new test, a changed Makefile line, a new question.
    meta = gp / "golden-path.yaml"
    current = yaml.safe_load(meta.read_text())["version"]
    major, minor, _ = (int(part) for part in current.split("."))
    meta.write_text(meta.read_text().replace(f"version: {current}", f"version: {major}.{minor + 1}.0"))
    (gp / "template" / "tests" / "test_added.py").write_text(ADDED_TEST)
    makefile = gp / "template" / "Makefile.jinja"
    makefile.write_text(makefile.read_text().replace("# Everyday commands.", "# Everyday commands (v1.1)."))
    copier_yml = gp / "copier.yml"
    copier_yml.write_text(copier_yml.read_text() + "\non_call:\n  type: str\n  default: '#payments'\n")

    result = cli("update", "service", str(service), "--json", env={"CI": "true"})
    assert result.exit_code == 0, result.stderr
    assert result.json()["files"]["added"] == ["tests/test_added.py"]
    assert "On call: #payments." in readme.read_text()
    assert (service / "Makefile").read_text().startswith("# Everyday commands (v1.1).")

    env = tool_env(PIP_DISABLE_PIP_VERSION_CHECK="1")
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], service, env)
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-e", ".[test]"], service, env)
    output = run(
        [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA"], service, env
    )
    assert "PASSED tests/test_added.py::test_added_by_the_golden_path" in output
    assert "PASSED tests/test_local.py::test_written_by_the_service_team" in output
    summary = output.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
