"""The benchmark harness's hyperfine method: how a repeat is split and pooled.

A stand-in ``hyperfine`` on PATH records the order it was given the commands in and answers
with CPU times that grow with the position of a command's block in the whole repeat (a machine
that slows down steadily), so the tests see what the real tool would be handed and what the
harness makes of its answers.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import harness

FAKE = textwrap.dedent(
    """\
    import json, os, sys
    args = sys.argv[1:]
    export = args[args.index("--export-json") + 1]
    runs = int(args[args.index("--min-runs") + 1])
    commands = [a for a in args[args.index(export) + 1:]]
    log = os.environ["FAKE_HYPERFINE_LOG"]
    with open(log, "a") as f:
        position = sum(1 for _ in open(log)) if os.path.exists(log) else 0
        results = []
        for offset, command in enumerate(commands):
            cpu = 1.0 + float(os.environ["FAKE_DRIFT"]) * (position + offset)
            if command.endswith("slow"):
                cpu *= 2
            results.append({"command": command, "times": [cpu] * runs, "user": cpu, "system": 0.0})
            f.write(json.dumps([command, runs]) + "\\n")
    json.dump({"results": results}, open(export, "w"))
    """
)


@pytest.fixture
def fake_hyperfine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``hyperfine`` on PATH that logs each command it runs, in order, to the returned file."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "hyperfine"
    script.write_text(f"#!{sys.executable}\n{FAKE}")
    script.chmod(0o755)
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_HYPERFINE_LOG", str(log))
    monkeypatch.setenv("FAKE_DRIFT", "0.1")
    return log


def _run(pair: harness.Pair, runs: int, tmp_path: Path) -> harness.Outcome:
    import os

    return harness.with_hyperfine(pair, runs, dict(os.environ), tmp_path)


def test_a_repeat_swaps_the_order_in_every_invocation(fake_hyperfine: Path, tmp_path: Path) -> None:
    pair = harness.Pair("p", ["subject"], ["baseline"], 1.2)
    _run(pair, 10, tmp_path)
    order = [json.loads(line) for line in fake_hyperfine.read_text().splitlines()]
    assert [command for command, _ in order] == ["subject", "baseline", "baseline", "subject"] * 2
    assert len(order) == 2 * harness.BLOCKS
    # each invocation is given its share of the runs (hyperfine adds runs to fill 3 s)
    assert {runs for _, runs in order} == {3}


def test_a_steady_slowdown_falls_on_both_sides_alike(fake_hyperfine: Path, tmp_path: Path) -> None:
    # the same command on both sides while the machine slows down by a tenth per block
    outcome = _run(harness.Pair("p", ["same"], ["same", "again"], 1.2), 8, tmp_path)
    assert outcome.subject.cpu == pytest.approx(outcome.baseline.cpu)
    assert outcome.cpu_ratio == pytest.approx(1.0)


def test_pooling_weighs_every_run(
    fake_hyperfine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_DRIFT", "0")
    outcome = _run(harness.Pair("p", ["slow"], ["quick"], 1.2), 8, tmp_path)
    assert outcome.cpu_ratio == pytest.approx(2.0)
    assert (outcome.subject.median, outcome.subject.low, outcome.subject.high) == (2.0, 2.0, 2.0)
    assert not outcome.within_budget


@pytest.mark.parametrize("runs", ["0", "-3", "five"])
def test_a_bad_number_of_runs_is_one_error_line(runs: str) -> None:
    import subprocess

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"
    done = subprocess.run(
        [sys.executable, str(script), "--runs", runs],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert "error: argument --runs:" in done.stderr and "hint: use 1 or more" in done.stderr
    assert "Traceback" not in done.stderr
