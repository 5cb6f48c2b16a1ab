"""One ``golden-path test`` of each bundled golden path, shared by the tests that read it.

Three tests check what ``golden-path test`` says of a bundled golden path for one answers file
each (GitLab CI with custom answers, Flux, the Terraform infra). Every run also renders and checks
the defaults, so the three answers files go in one answers directory and each golden path is
tested once per test run (its xdist workers share the result); each test reads its own
fixture's checks from that report. The run keeps ``terraform`` off ``PATH``, so the Terraform
check is the Python checker's (``test_terraform_checks.py``); ``terraform fmt`` is tested in
``tests/golden_paths/test_terraform.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

FIXTURES = {
    "gitlab.yaml": "ci: gitlab\nport: 9090\nnamespace: pay\nowner: team-pay\n",
    "flux.yaml": "gitops: flux\n",
    "infra.yaml": "infra: true\nterraform_module_version: '~> 2.3'\n",
}
_RUNS: dict[str, Any] = {}


def without_terraform(path: str) -> str:
    """``path`` without the folders that hold a ``terraform`` binary (git and the rest stay)."""
    kept = [d for d in path.split(os.pathsep) if not (Path(d) / "terraform").exists()]
    return os.pathsep.join(kept)


def bundled_test_run(cli: Any, name: str, tmp_path: Path) -> Any:
    """The result of ``golden-path test NAME --answers-dir (FIXTURES) --kustomize builtin --json``,
    run by the first test of this test run that asks (in its own ``tmp_path`` and HOME, in any
    of the run's processes: ``tests.helpers.once_per_run``) and read by every later one."""
    from tests.conftest import Result
    from tests.helpers import once_per_run

    def run(folder: Path) -> None:
        answers = tmp_path / "bundled-answers"
        answers.mkdir()
        for file, text in FIXTURES.items():
            (answers / file).write_text(text)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PATH", without_terraform(os.environ["PATH"]))
            result = cli(
                "golden-path", "test", name, "--answers-dir", str(answers), "--kustomize", "builtin", "--json"
            )
        (folder / "result.json").write_text(json.dumps([result.exit_code, result.stdout, result.stderr]))

    if name not in _RUNS:
        saved = once_per_run(f"golden-path-test-{name}", run) / "result.json"
        _RUNS[name] = Result(*json.loads(saved.read_text()))
    return _RUNS[name]
