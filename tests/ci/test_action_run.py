"""The action's shell steps, run under a simulated runner against the local provider.

The install step really installs platformctl with pipx into ``$RUNNER_TEMP`` (from this working
tree instead of PyPI, through ``PLATFORMCTL_PACKAGE_SPEC``), once per module; every test then runs
the whole action, whose install step finds the tool already there, as after a cache hit.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.ci.runner import REPO_ROOT, Runner, load_action

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tool_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A RUNNER_TEMP holding platformctl installed by the action's own install step."""
    if shutil.which("pipx", path=str(Path(sys.executable).parent)) is None and shutil.which("pipx") is None:
        pytest.skip("pipx is not installed (it is in the test extra)")
    temp = tmp_path_factory.mktemp("runner-temp")
    workspace = tmp_path_factory.mktemp("workspace")
    runner = _runner(workspace, temp, os.environ)
    action = load_action()
    install = next(s for s in action["runs"]["steps"] if s.get("name") == "Install platformctl")
    assert runner._run_step(install, {"version": action["inputs"]["version"]["default"]}), runner.log[
        -1
    ].stderr
    return temp


def _runner(workspace: Path, temp: Path, environ: os._Environ[str] | dict[str, str]) -> Runner:
    env = {k: v for k, v in environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))}
    env["PLATFORMCTL_PACKAGE_SPEC"] = str(REPO_ROOT)
    # pipx as a hosted runner has it; nothing else of the test environment is on PATH.
    bin_dir = temp / "runner-bin"
    bin_dir.mkdir(exist_ok=True)
    pipx = shutil.which("pipx", path=str(Path(sys.executable).parent)) or shutil.which("pipx")
    if pipx and not (bin_dir / "pipx").exists():
        (bin_dir / "pipx").symlink_to(pipx)
    env["PATH"] = os.pathsep.join([str(bin_dir), "/usr/local/bin", "/usr/bin", "/bin"])
    return Runner(workspace=workspace, temp=temp, env=env, python=sys.executable)


@pytest.fixture
def runner(tool_temp: Path, tmp_path: Path) -> Runner:
    """A fresh job (workspace, summary, outputs) on the runner where platformctl is installed."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (tool_temp / "step_summary.md").unlink(missing_ok=True)
    return _runner(workspace, tool_temp, os.environ)


def test_new_service_sets_the_declared_outputs_and_a_summary(runner: Runner) -> None:
    outputs = load_action_outputs(runner, "new service payments --owner team-payments")
    assert outputs["service"] == "payments"
    assert Path(outputs["path"]).resolve() == (runner.workspace / "payments").resolve()
    assert outputs["repo_url"]
    assert outputs["clone_url"].endswith("payments.git")
    assert (runner.workspace / "payments" / "platform.yaml").is_file()
    assert "### Service `payments`" in runner.summary.read_text()
    assert runner.log[0].stdout.strip() == "platformctl 0.1.0"
    assert str(runner.temp / "platformctl-tool" / "bin") in runner.path


def test_env_up_in_a_working_directory_then_converged(runner: Runner) -> None:
    load_action_outputs(runner, "new service payments")
    first = load_action_outputs(runner, "env up pr-7 --ttl 3d", **{"working-directory": "payments"})
    assert first["environment"] == "pr-7"
    assert int(first["writes"]) > 0
    assert first["expires_at"].startswith("20")
    again = load_action_outputs(runner, "env up pr-7 --ttl 3d", **{"working-directory": "payments"})
    assert again["writes"] == "0"
    # Outputs of another command stay empty rather than leaking from an earlier step.
    assert again["repo_url"] == ""


def test_check_service_outputs(runner: Runner) -> None:
    load_action_outputs(runner, "new service payments")
    outputs = load_action_outputs(runner, "check service payments")
    assert (outputs["update_available"], outputs["version"], outputs["golden_path"]) == (
        "false",
        "1.1.1",
        "python-service",
    )


def test_a_maturity_gate_that_says_no_fails_with_3_and_still_sets_its_outputs(runner: Runner) -> None:
    load_action_outputs(runner, "new service payments")
    (runner.workspace / "answers.yaml").write_text("{}\n")
    command = "assess maturity --answers answers.yaml --allow-unknown --detect payments --fail-under 99"
    outputs = load_action_outputs(runner, command, check=False)
    assert runner.log[-1].returncode == 3
    assert "::error title=platformctl::score" in runner.log[-1].stderr
    assert float(outputs["score"]) < 99
    assert outputs["level"].isdigit() and outputs["level_name"] and outputs["band"]


def test_quoted_words_stay_one_argument(runner: Runner) -> None:
    outputs = load_action_outputs(runner, "new service payments --description 'Pays the bills; twice'")
    assert outputs["service"] == "payments"
    assert (
        "Pays the bills; twice"
        in (runner.workspace / "payments" / "platform.yaml").read_text()
        + (runner.workspace / "payments" / "catalog-info.yaml").read_text()
    )


@pytest.mark.parametrize(
    "command", ["new service $(touch pwned)", "new service `touch pwned`", "x; touch pwned"]
)
def test_the_command_is_data_never_shell(runner: Runner, command: str) -> None:
    run_action(runner, command)
    assert runner.log[-1].returncode == 2, runner.log[-1].stderr
    assert not list(runner.workspace.rglob("pwned"))


@pytest.mark.parametrize(
    ("command", "message"), [("new service 'payments", "cannot be split"), ("", "is empty")]
)
def test_an_unusable_command_is_an_annotated_usage_error(runner: Runner, command: str, message: str) -> None:
    run_action(runner, command)
    last = runner.log[-1]
    assert last.returncode == 2
    assert last.stdout.startswith("::error title=platformctl::") and message in last.stdout


def test_a_version_that_is_not_one_stops_before_installing(runner: Runner) -> None:
    run_action(runner, "--version", version="--index-url=http://127.0.0.1:9/")
    assert runner.log[0].returncode == 2
    assert "is not a version number" in runner.log[0].stdout
    assert len(runner.log) == 1


def test_a_failing_command_fails_the_step_with_its_exit_code(runner: Runner) -> None:
    outputs = load_action_outputs(runner, "env up pr-1", check=False)
    assert runner.log[-1].returncode == 2  # no service here: usage error, documented exit code
    assert "error:" in runner.log[-1].stderr
    assert outputs["environment"] == ""


def run_action(runner: Runner, command: str, **inputs: str) -> dict[str, str]:
    """Run the action with ``command`` and the given inputs; return its outputs."""
    return runner.run_action(load_action(), {"command": command, **inputs})


def load_action_outputs(runner: Runner, command: str, *, check: bool = True, **inputs: str) -> dict[str, str]:
    """Run the action and, unless ``check`` is false, require every step to succeed."""
    outputs = run_action(runner, command, **inputs)
    if check:
        failed = [s for s in runner.log if s.returncode]
        assert not failed, failed[0].stderr
    return outputs


def test_the_docs_preview_workflow_commands_bring_up_and_remove_the_environment(runner: Runner) -> None:
    from tests.ci.definitions import action_steps, docs_examples

    (preview,) = [docs[0] for name, docs in docs_examples() if name == ".github/workflows/preview.yml"]
    up, down = (action_steps({"jobs": {name: job}})[0] for name, job in preview["jobs"].items())
    load_action_outputs(runner, "new service payments")

    def command(step: dict[str, object]) -> str:
        return str(step["with"]["command"]).replace("${{ github.event.number }}", "7")  # type: ignore[index]

    outputs = load_action_outputs(runner, command(up), **{"working-directory": "payments"})
    assert outputs["environment"] == "pr-7" and int(outputs["writes"]) > 0
    load_action_outputs(runner, command(down), **{"working-directory": "payments"})
    assert "Removed environment pr-7" in runner.log[-1].stdout + runner.log[-1].stderr


def test_a_runner_without_pipx_bootstraps_it(tmp_path: Path) -> None:
    # What is under test is the bootstrap, so a stand-in package keeps the install small.
    stub = tmp_path / "stub"
    (stub / "stub_platformctl").mkdir(parents=True)
    (stub / "stub_platformctl" / "__init__.py").write_text(
        "def main():\n    print('platformctl 0.1.0')\n", encoding="utf-8"
    )
    (stub / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "stub-platformctl"\nversion = "0.1.0"\n'
        '[project.scripts]\nplatformctl = "stub_platformctl:main"\n',
        encoding="utf-8",
    )
    temp, workspace = tmp_path / "temp", tmp_path / "workspace"
    temp.mkdir()
    workspace.mkdir()
    bare = _runner(workspace, temp, os.environ)
    bare.env["PLATFORMCTL_PACKAGE_SPEC"] = str(stub)
    (temp / "runner-bin" / "pipx").unlink()  # a self-hosted runner without pipx
    bare.run_action(load_action(), {"command": "--version"})
    assert [s.returncode for s in bare.log] == [0, 0], bare.log[0].stderr
    assert (temp / "pipx-bootstrap" / "bin" / "pipx").exists()
    assert bare.log[-1].stdout == "platformctl 0.1.0\n"


def test_a_broken_restored_tool_is_reinstalled(runner: Runner) -> None:
    launcher = runner.temp / "platformctl-tool" / "bin" / "platformctl"
    target = launcher.resolve()
    launcher.unlink()
    launcher.symlink_to(runner.temp / "gone" / "platformctl")  # its venv vanished from the cache
    try:
        outputs = load_action_outputs(runner, "new service payments")
        assert outputs["service"] == "payments"
    finally:
        if not launcher.resolve().exists():
            launcher.unlink()
            launcher.symlink_to(target)
