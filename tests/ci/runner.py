"""A small stand-in for the GitHub Actions runner: enough to run a composite action's shell steps.

It evaluates the ``${{ … }}`` expressions the action uses (plain context lookups only: anything
else fails the test, so the action stays simple enough to reason about), gives each step a fresh
``$GITHUB_OUTPUT`` file and reads it back the way the runner does, honours ``$GITHUB_PATH``, and
runs each ``run:`` script with ``bash --noprofile --norc -eo pipefail`` like ``shell: bash``.
``uses:`` steps are skipped; the caller provides what they would have (Python, the cache miss).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.golden_paths.gp_support import load_yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
NAME = re.compile(r"^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$")


def load_action() -> dict[str, Any]:
    """The repository's action.yml."""
    return load_yaml(REPO_ROOT / "action.yml")


def parse_output_file(text: str) -> dict[str, str]:
    """``name=value`` and ``name<<DELIMITER`` blocks, as the runner reads ``$GITHUB_OUTPUT``."""
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i)
            outputs[name] = "\n".join(lines[i:end])
            i = end + 1
        else:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


@dataclass
class StepRun:
    """What one shell step did."""

    name: str
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Runner:
    """One job's worth of runner state for a composite action."""

    workspace: Path
    temp: Path
    env: dict[str, str]
    python: str
    steps: dict[str, dict[str, str]] = field(default_factory=dict)
    path: list[str] = field(default_factory=list)
    log: list[StepRun] = field(default_factory=list)

    @property
    def summary(self) -> Path:
        """The job summary file every step appends to."""
        return self.temp / "step_summary.md"

    def context(self, inputs: dict[str, str]) -> dict[str, Any]:
        """The expression contexts the action may read."""
        steps = {
            "python": {"outputs": {"python-path": self.python, "python-version": "3.11"}},
            "cache": {"outputs": {"cache-hit": ""}},
        }
        steps.update({k: {"outputs": v} for k, v in self.steps.items()})
        return {
            "inputs": inputs,
            "runner": {"temp": str(self.temp), "os": "Linux", "arch": "X64"},
            "env": self.env,
            "steps": steps,
        }

    def evaluate(self, text: str, inputs: dict[str, str]) -> str:
        """Replace each ``${{ name.path }}`` by its value ('' when missing, as GitHub does)."""
        context = self.context(inputs)

        def lookup(match: re.Match[str]) -> str:
            expression = match.group(1)
            assert NAME.match(expression), f"unsupported expression in the action: {expression}"
            value: Any = context
            for part in expression.split("."):
                value = value.get(part, "") if isinstance(value, dict) else ""
            return str(value)

        return EXPRESSION.sub(lookup, text)

    def run_action(self, action: dict[str, Any], given: dict[str, str]) -> dict[str, str]:
        """Run every shell step of ``action`` until one fails; return the action's outputs."""
        inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
        unknown = set(given) - set(inputs)
        assert not unknown, f"the action has no inputs {unknown}"
        inputs.update(given)
        for step in action["runs"]["steps"]:
            if "run" in step and not self._run_step(step, inputs):
                break
        return {name: self.evaluate(spec["value"], inputs) for name, spec in action["outputs"].items()}

    def _run_step(self, step: dict[str, Any], inputs: dict[str, str]) -> bool:
        assert step.get("shell") == "bash", "every shell step says shell: bash"
        output, github_path = self.temp / "output", self.temp / "path"
        output.write_text("")
        github_path.write_text("")
        env = {
            **self.env,
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_PATH": str(github_path),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "PATH": os.pathsep.join([*self.path, self.env["PATH"]]),
        }
        env.update({k: self.evaluate(str(v), inputs) for k, v in step.get("env", {}).items()})
        cwd = self.workspace / self.evaluate(step.get("working-directory", "."), inputs)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=600,
        )
        self.log.append(StepRun(step.get("name", ""), proc.returncode, proc.stdout, proc.stderr))
        if "id" in step:
            self.steps[step["id"]] = parse_output_file(output.read_text())
        self.path[:0] = [line for line in github_path.read_text().splitlines() if line]
        return proc.returncode == 0
