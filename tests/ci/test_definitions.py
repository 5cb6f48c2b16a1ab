"""The action, the workflows, the GitLab component and the docs' examples are valid and agree."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest

from platformctl import __version__
from tests.ci.definitions import (
    REPO_ROOT,
    WORKFLOWS,
    action_steps,
    docs_examples,
    docs_step_snippets,
    interpolate,
    load_component,
    run_scripts,
)
from tests.golden_paths.gp_support import load_yaml, schema_errors

ACTION = load_yaml(REPO_ROOT / "action.yml")
GITHUB_EXAMPLES = [(name, docs[0]) for name, docs in docs_examples() if name.startswith(".github/")]
GITLAB_EXAMPLES = [(name, docs) for name, docs in docs_examples() if name == ".gitlab-ci.yml"]


def test_action_validates_against_its_schema() -> None:
    assert schema_errors(ACTION, "github-actions") == []


def test_schema_check_catches_a_broken_action() -> None:
    broken = {**ACTION, "runs": {"using": "composite", "steps": [{"run": "true"}]}}  # no shell:
    assert schema_errors(broken, "github-actions") != []


def test_versions_come_from_one_source() -> None:
    assert ACTION["inputs"]["version"]["default"] == __version__
    spec, _ = load_component()
    assert spec["inputs"]["image"]["default"].endswith(f":{__version__}")
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert f"ARG VERSION={__version__}\n" in dockerfile
    for _, documents in GITLAB_EXAMPLES:
        text = str(documents)
        assert re.findall(r"platformctl@([\d.]+)", text) in ([], [__version__])
    for _, workflow in GITHUB_EXAMPLES:
        for step in action_steps(workflow):
            assert step["uses"] == f"platformctl/platformctl@v{__version__}"


def _constant_keys(node: ast.Dict) -> set[str]:
    return {k.value for k in node.keys if isinstance(k, ast.Constant)}


def _output_names(node: ast.AST, in_env_cmd: bool) -> set[str]:
    if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "publish":
        first = node.args[0] if node.args else None
        return _constant_keys(first) if isinstance(first, ast.Dict) else set()
    if isinstance(node, ast.Dict) and in_env_cmd and "environment" in _constant_keys(node):
        return _constant_keys(node)  # env up builds its outputs before publishing them
    is_store = isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)
    if is_store and getattr(node.value, "id", None) == "outputs" and isinstance(node.slice, ast.Constant):
        return {node.slice.value}
    return set()


def _published_output_names() -> set[str]:
    """Every step-output name the CLI passes to ``gha.publish`` (dict literals and assignments)."""
    names: set[str] = set()
    for path in (REPO_ROOT / "src" / "platformctl" / "cli").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names |= _output_names(node, path.name == "env_cmd.py")
    return names


def test_every_output_platformctl_writes_is_declared_and_nothing_else() -> None:
    published = _published_output_names()
    assert {"repo_url", "environment", "namespace", "score", "update_available"} <= published
    assert set(ACTION["outputs"]) == published
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}"


def test_tokens_never_travel_through_inputs() -> None:
    assert not [name for name in ACTION["inputs"] if re.search("token|secret|password", name, re.I)]
    for _, workflow in GITHUB_EXAMPLES:
        for step in action_steps(workflow):
            assert "secrets." not in str(step.get("with", {}))


def _all_run_scripts() -> list[tuple[str, str]]:
    sources = [("action.yml", ACTION)]
    sources += [(path.name, load_yaml(path)) for path in WORKFLOWS]
    sources += GITHUB_EXAMPLES
    return [(name, script) for name, doc in sources for script in run_scripts(doc)]


@pytest.mark.parametrize(("source", "script"), _all_run_scripts())
def test_no_expression_is_pasted_into_a_shell_script(source: str, script: str) -> None:
    # ${{ }} inside run: is substituted before bash parses it: an injection. Values go via env.
    assert "${{" not in script, source


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_validate_against_their_schema(path) -> None:
    assert schema_errors(load_yaml(path), "github-workflows") == []


def test_project_ci_runs_ci_run_on_linux_and_macos_for_every_python() -> None:
    ci = load_yaml(REPO_ROOT / ".github/workflows/ci.yml")
    matrix = ci["jobs"]["test"]["strategy"]["matrix"]
    assert set(matrix["os"]) == {"ubuntu-latest", "macos-latest"}
    assert matrix["python"] == ["3.11", "3.12", "3.13", "3.14"]
    assert "bash .ci/run" in run_scripts(ci["jobs"]["test"])


def test_release_uses_trusted_publishing_after_testing_the_wheel() -> None:
    release = load_yaml(REPO_ROOT / ".github/workflows/release.yml")
    jobs = release["jobs"]
    build_scripts = "\n".join(run_scripts(jobs["build"]))
    assert "python -m build" in build_scripts
    assert "new service smoke --no-input" in build_scripts
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    publish = next(s for s in jobs["pypi"]["steps"] if "gh-action-pypi-publish" in s.get("uses", ""))
    assert "password" not in publish.get("with", {})
    assert "changelog_section.py" in "\n".join(run_scripts(jobs["github-release"]))
    assert set(jobs["github-release"]["needs"]) == {"build", "pypi"}
    assert release["permissions"] == {"contents": "read"}


@pytest.mark.parametrize(("name", "workflow"), GITHUB_EXAMPLES, ids=[n for n, _ in GITHUB_EXAMPLES])
def test_docs_github_examples_validate_and_use_the_action_as_declared(name: str, workflow) -> None:
    assert schema_errors(workflow, "github-workflows") == []
    steps = action_steps(workflow)
    assert steps, f"{name} does not use the action"
    for step in steps:
        assert set(step["with"]) <= set(ACTION["inputs"]) and "command" in step["with"]
    for used in re.findall(r"steps\.([\w-]+)\.outputs\.([\w-]+)", str(workflow)):
        owner = next(s for j in workflow["jobs"].values() for s in j["steps"] if s.get("id") == used[0])
        assert owner in steps and used[1] in ACTION["outputs"], used


def test_docs_step_snippets_are_valid_steps() -> None:
    snippets = docs_step_snippets()
    assert snippets
    for steps in snippets:
        workflow = {"on": "push", "jobs": {"job": {"runs-on": "ubuntu-latest", "steps": steps}}}
        assert schema_errors(workflow, "github-workflows") == []
        assert action_steps(workflow), "a snippet in docs/ci.md that does not use the action"
        for step in action_steps(workflow):
            assert set(step["with"]) <= set(ACTION["inputs"])


def test_workflow_schema_check_catches_a_broken_example() -> None:
    name, workflow = GITHUB_EXAMPLES[0]
    job = next(iter(workflow["jobs"].values()))
    broken = {**workflow, "jobs": {"job": {**job, "runs_on": job["runs-on"]}}}
    del broken["jobs"]["job"]["runs-on"]
    assert schema_errors(broken, "github-workflows") != [], name


def test_docs_cover_every_example_the_issue_asks_for() -> None:
    names = {name for name, _ in GITHUB_EXAMPLES}
    assert {"new-service.yml", "preview.yml", "reap.yml", "maturity.yml", "fleet.yml"} <= {
        n.rsplit("/", 1)[-1] for n in names
    }
    events = {n: w["on"] for n, w in GITHUB_EXAMPLES}
    assert "workflow_dispatch" in events[".github/workflows/new-service.yml"]
    assert "closed" in events[".github/workflows/preview.yml"]["pull_request"]["types"]
    assert "schedule" in events[".github/workflows/reap.yml"]
    assert "schedule" in events[".github/workflows/maturity.yml"]
    fleet = dict(GITHUB_EXAMPLES)[".github/workflows/fleet.yml"]
    assert "matrix" in fleet["jobs"]["update"]["strategy"]
    text = (REPO_ROOT / "docs/ci.md").read_text()
    assert "(planned)" not in text and text.count("docs/fleet.md") >= 1


# -- the GitLab component ----------------------------------------------------------------------


def test_component_header_validates() -> None:
    spec, _ = load_component()
    assert schema_errors({"spec": spec}, "gitlab-ci") == []
    assert (REPO_ROOT / "templates" / "platformctl.yml").parent.name == "templates"


@pytest.mark.parametrize(
    "given",
    [{}, {"fleet": True, "fleet-shards": 3, "preview": False, "stage": "deploy"}],
    ids=["defaults", "fleet-on"],
)
def test_component_jobs_validate_once_interpolated(given) -> None:
    spec, body = load_component()
    jobs = interpolate(body, spec, given)
    assert schema_errors(jobs, "gitlab-ci") == []
    fleet = jobs["platformctl-fleet"]
    assert fleet["parallel"] == given.get("fleet-shards", 4)
    assert (
        jobs[".platformctl-job"]["variables"]["PLATFORMCTL_FLEET"] == str(given.get("fleet", False)).lower()
    )
    assert jobs[".platformctl-job"]["stage"] == given.get("stage", "test")


def test_component_schema_check_catches_a_broken_job() -> None:
    spec, body = load_component()
    jobs = interpolate(body, spec, {})
    jobs["platformctl-maturity"]["artifacts"]["when"] = "sometimes"
    assert schema_errors(jobs, "gitlab-ci") != []


def test_component_preview_environment_stops_itself() -> None:
    spec, body = load_component()
    jobs = interpolate(body, spec, {})
    environment = jobs["platformctl-preview"]["environment"]
    assert environment["auto_stop_in"] == "3 days"
    stop = jobs[environment["on_stop"]]
    assert stop["environment"] == {"name": environment["name"], "action": "stop"}
    assert '--ttl "3d"' in jobs["platformctl-preview"]["script"][0]
    assert "env down" in stop["script"][0] and '--class "preview"' in stop["script"][0]
    assert "assess maturity" in jobs["platformctl-maturity"]["script"][0]


def test_component_uses_only_declared_inputs() -> None:
    spec, body = load_component()
    used = set(re.findall(r"\$\[\[\s*inputs\.([\w-]+)\s*\]\]", body))
    assert used == set(spec["inputs"])


@pytest.mark.parametrize("index", range(len(GITLAB_EXAMPLES)))
def test_docs_gitlab_examples_validate_and_pass_declared_inputs(index: int) -> None:
    spec, _ = load_component()
    documents = GITLAB_EXAMPLES[index][1]
    pipeline = documents[-1]
    if len(documents) == 2:  # a spec header of its own (pipeline inputs)
        assert schema_errors(documents[0], "gitlab-ci") == []
    assert schema_errors(pipeline, "gitlab-ci") == []
    for include in pipeline.get("include", []):
        assert include["component"].endswith(f"/platformctl@{__version__}")
        assert set(include.get("inputs", {})) <= set(spec["inputs"])


# -- release notes -----------------------------------------------------------------------------


def _changelog_section(version: str, changelog) -> subprocess.CompletedProcess[str]:
    script = REPO_ROOT / ".github" / "scripts" / "changelog_section.py"
    return subprocess.run(
        [sys.executable, str(script), version, str(changelog)], capture_output=True, text=True, check=False
    )


def test_release_notes_are_the_versions_changelog_section(tmp_path) -> None:
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(
        "# Changelog\n\n## [Unreleased]\n\n- next\n\n## [1.2.0] - 2026-12-01\n\n### Added\n- a\n\n"
        "## [1.1.0] - 2026-11-01\n\n- old\n"
    )
    proc = _changelog_section("v1.2.0", changelog)
    assert proc.returncode == 0
    assert proc.stdout == "### Added\n- a\n"
    missing = _changelog_section("1.3.0", changelog)
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr.startswith("error: ") and "\nhint: " in missing.stderr
