"""The main human outputs, compared whole: every line, every space, as a person reads them.

Each command runs in-process through ``run(argv, context=...)`` with a fixed clock, ``NO_COLOR``
and an 80-column console; only what must differ between runs is normalised (the temporary
folder of the test, and commit ids, which are read from the repository the run made).
"""

from __future__ import annotations

import io
import os
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import git
import yaml

from platformctl.cli.app import run
from platformctl.cli.context import AppContext
from platformctl.cli.io import IO
from tests.environments.conftest import write_service
from tests.maturity.helpers import write_answers, write_model

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class Shown:
    """What one invocation printed, with the test's temporary folder written ``<tmp>``."""

    exit_code: int
    stdout: str
    stderr: str


def show(tmp_path: Path, *argv: str) -> Shown:
    streams = io.StringIO(""), io.StringIO(), io.StringIO()
    env = {**os.environ, "PLATFORMCTL_HOME": str(tmp_path / "platform"), "NO_COLOR": "1"}
    console = IO(env=env, stdin=streams[0], stdout=streams[1], stderr=streams[2], width=80)
    code = run(list(argv), context=AppContext(io=console, clock=lambda: NOON))

    def shown(stream: io.StringIO) -> str:
        return stream.getvalue().replace(str(tmp_path), "<tmp>")

    return Shown(code, shown(streams[1]), shown(streams[2]))


def expected(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_new_service_on_the_local_provider(tmp_path):
    result = show(tmp_path, "new", "service", "payments", "--no-input", "--owner", "team-payments")
    assert result.exit_code == 0, result.stderr
    pristine = yaml.safe_load((Path("payments") / "platform.yaml").read_text())["golden_path"]
    assert result.stdout == expected(f"""
        Created service payments from python-service {pristine["version"]}
          path        payments
          repository  local/payments (local)
          clone       git clone <tmp>/platform/repositories/local/payments.git
          pristine    {pristine["pristine_commit"][:12]}

        Next:
          cd payments
          make install
          make test
          make run
        """)


def test_a_converged_re_run_of_new_service(tmp_path):
    assert show(tmp_path, "new", "service", "payments", "--no-input").exit_code == 0
    result = show(tmp_path, "new", "service", "payments", "--no-input")
    assert result.exit_code == 0, result.stderr
    recorded = yaml.safe_load((Path("payments") / "platform.yaml").read_text())["golden_path"]
    assert result.stdout == expected(f"""
        Already created: service payments from python-service {recorded["version"]}
          path        payments
          repository  local/payments (local)
          clone       git clone <tmp>/platform/repositories/local/payments.git
          pristine    {recorded["pristine_commit"][:12]}

        Next:
          cd payments
          make install
          make test
          make run
        """)
    assert git.Repo("payments").is_dirty(untracked_files=True) is False


STAGING = """\
  staging:
    class: staging
    variables: {LOG_LEVEL: info, REGION: eu-west-1}
"""


def test_env_up_plan(tmp_path):
    folder = write_service(tmp_path / "work" / "svc", environments=STAGING)
    result = show(tmp_path, "env", "up", "staging", "--dry-run", "--service-dir", str(folder))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected("""
        Plan for environment staging of payments (class staging; local)
          local  + create     environment staging  class=staging
          local  + create     variable LOG_LEVEL   = info
          local  + create     variable REGION      = eu-west-1
        Plan: 3 to create, 0 to update, 0 to delete, 0 unchanged.
        Dry run: nothing was written.
        """)


def test_check_service_of_a_fresh_service_and_of_an_edited_one(tmp_path):
    assert show(tmp_path, "new", "service", "payments", "--no-input").exit_code == 0
    version = yaml.safe_load((Path("payments") / "platform.yaml").read_text())["golden_path"]["version"]
    clean = show(tmp_path, "check", "service", "payments")
    assert clean.exit_code == 0, clean.stderr
    assert clean.stdout == expected(f"""
        payments: golden path python-service {version} (newest available: {version})
        current
        drift from the pristine render: 0 changed, 0 added, 0 removed
        """)

    (Path("payments") / "README.md").write_text("edited\n")
    (Path("payments") / "NOTES.md").write_text("new\n")
    edited = show(tmp_path, "check", "service", "payments")
    assert edited.exit_code == 0, edited.stderr
    assert edited.stdout == expected(f"""
        payments: golden path python-service {version} (newest available: {version})
        current
        drift from the pristine render: 1 changed, 1 added, 0 removed (2 uncommitted)
          ~ README.md (uncommitted)
          + NOTES.md (uncommitted)
        """)


def test_maturity_terminal_report(tmp_path):
    model = write_model(tmp_path / "tiny.yaml")
    answers = write_answers(tmp_path / "answers.yaml", {"a.ci": "two", "a.iac": "some", "b.docs": "d1"})
    result = show(tmp_path, "assess", "maturity", "--model", str(model), "--answers", str(answers))
    assert result.exit_code == 0, result.stderr
    held = (
        "The score is in the band of level 2 (two), but failing gates hold the level at 1: "
        "One CI system (a.ci)."
    )
    answers_column = "Answers".ljust(len("2 answered, 0 unknown, 0 n/a"))  # rich pads the header
    assert result.stdout == expected(f"""
        Platform maturity  36.3/100 · level 1 (one)
        Level one. Score band: level 2 (two).
        Scope: not set (add 'scope:' to the answers file)
        {held}

        Dimension  Score                        Weight  {answers_column}
        Alpha       41.7  ████████░░░░░░░░░░░░   75.0%  2 answered, 0 unknown, 0 n/a
        Beta        20.0  ████░░░░░░░░░░░░░░░░   25.0%  1 answered, 0 unknown, 0 n/a

        Failing gates up to level 2
          level 2  One CI system (a.ci): needs “One”, answer “Two”
                   next: Retire one.
          and 1 more at higher levels (see --format markdown or html)

        Next steps (the next level's gates first, then points)
          1. +6.3 Retire one. (a.ci) unlocks: One CI system
          2. +25.0 Cover the rest. (a.iac) unlocks: Most infrastructure as code
          3. +5.0 Add runbooks. (b.docs)

        0 unknown · 0 n/a
        Evidence: no repository scanned, so no answer is capped or corroborated.
        answers: <tmp>/answers.yaml
        """)
