"""Side-by-side timing of two whole commands: hyperfine when installed, else alternation.

Both methods run the subject and its baseline in one invocation, under the same environment,
with warm-up runs first, and report the median, min and max wall time of each side plus CPU
time (user + system of the child and the processes it waited for). The budgets apply to the
CPU-time ratio: on a shared machine wall time includes waiting for a core, which hits whichever
side happens to run when a neighbour is busy, while CPU time counts only the work done. A pair
whose point is concurrency (``judged_on="wall"``) is judged on wall time instead: running work
side by side shortens the elapsed time, never the CPU time.
``measure`` repeats the whole pair so that a reader sees how much a ratio moves between runs.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Side:
    """The timings of one command over its runs, in seconds (CPU = user + system)."""

    median: float
    low: float
    high: float
    cpu: float
    rss_kib: int = 0


@dataclass(frozen=True)
class Pair:
    """A subject, its baseline and the largest ratio of their medians we accept."""

    name: str
    subject: Sequence[str]
    baseline: Sequence[str]
    budget: float
    prepare: Callable[[], None] | None = None
    prepare_shell: str | None = None  # the same preparation as a shell command, for hyperfine
    # What the budget is judged on: "cpu" (the default, see the module docstring) or "wall" for a
    # pair whose point is concurrency, which shortens the elapsed time and never the CPU time.
    judged_on: str = "cpu"


@dataclass(frozen=True)
class Outcome:
    """One repeat of a pair."""

    pair: Pair
    method: str
    subject: Side
    baseline: Side

    @property
    def ratio(self) -> float:
        """Subject median over baseline median."""
        return self.subject.median / self.baseline.median

    @property
    def cpu_ratio(self) -> float:
        """Subject CPU time over baseline CPU time (steadier than wall on a busy machine)."""
        return self.subject.cpu / self.baseline.cpu if self.baseline.cpu else float("nan")

    @property
    def judged_ratio(self) -> float:
        """The ratio the budget applies to: CPU time, or wall time for a concurrency pair."""
        return self.ratio if self.pair.judged_on == "wall" else self.cpu_ratio

    @property
    def within_budget(self) -> bool:
        """Whether the judged ratio is at most the budget (see the module docstring)."""
        return self.judged_ratio <= self.pair.budget


def run_once(cmd: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int]:
    """One run of ``cmd``: wall seconds, CPU seconds (its process tree), peak RSS in KiB."""
    # stderr to a file, not a pipe: a chatty command would fill the pipe and never exit
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        err = errors.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {shlex.join(cmd)}\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def peak_rss_kib(cmd: Sequence[str], env: dict[str, str], cwd: Path) -> int:
    """The peak resident set of one run of ``cmd`` (its largest process), in KiB."""
    return run_once(cmd, env, cwd)[2]


def _side(samples: list[tuple[float, float, int]]) -> Side:
    walls = [w for w, _, _ in samples]
    return Side(
        median=statistics.median(walls),
        low=min(walls),
        high=max(walls),
        cpu=statistics.median(c for _, c, _ in samples),
        rss_kib=max(r for _, _, r in samples),
    )


def alternate(pair: Pair, runs: int, env: dict[str, str], cwd: Path) -> Outcome:
    """Subject, baseline, subject, … so that machine noise hits both sides alike."""
    a: list[tuple[float, float, int]] = []
    b: list[tuple[float, float, int]] = []
    for i in range(runs + 2):  # two warm-up rounds: page cache and .pyc files
        for cmd, into in ((pair.subject, a), (pair.baseline, b)):
            if pair.prepare:
                pair.prepare()
            sample = run_once(cmd, env, cwd)
            if i >= 2:
                into.append(sample)
    return Outcome(pair, "alternation", _side(a), _side(b))


# A repeat under hyperfine is this many invocations, the order of the two commands swapped from one
# to the next (subject first, baseline first, subject first, ...).
BLOCKS = 4


def with_hyperfine(pair: Pair, runs: int, env: dict[str, str], cwd: Path) -> Outcome:
    """The same pair through hyperfine (``-N``: no shell between it and the command).

    hyperfine runs all runs of one command, then all of the other: a machine that gets busier
    (or calmer) during the invocation weighs on the second block only. So a repeat is
    :data:`BLOCKS` invocations, each with a share of the runs, the order of the two commands
    swapped from one to the next, and pooled: a steady drift then falls on both sides alike,
    and a burst of load that lasts one invocation weighs on a quarter of one side's runs
    instead of half of them.
    """
    share = max(2, -(-runs // BLOCKS))  # ceil(runs / BLOCKS), and at least 2
    subject: list[dict[str, Any]] = []
    baseline: list[dict[str, Any]] = []
    for block in range(BLOCKS):
        swapped = block % 2 == 1
        commands = [pair.baseline, pair.subject] if swapped else [pair.subject, pair.baseline]
        first, second = _hyperfine(pair, commands, share, env, cwd)
        subject.append(second if swapped else first)
        baseline.append(first if swapped else second)
    return Outcome(pair, "hyperfine", _pooled(*subject), _pooled(*baseline))


def _hyperfine(
    pair: Pair, commands: list[Sequence[str]], runs: int, env: dict[str, str], cwd: Path
) -> list[dict[str, Any]]:
    """hyperfine's JSON result of each of ``commands``, in their order."""
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "result.json"
        # --min-runs, not --runs: hyperfine then also measures each command for at least 3 s (its
        # default), so a quick command gets enough runs that one outlier moves its mean little.
        cmd = ["hyperfine", "-N", "--style", "none", "--warmup", "2", "--min-runs", str(runs)]
        cmd += ["--export-json", str(export)]
        if pair.prepare_shell:
            cmd += ["--prepare", pair.prepare_shell]
        cmd += [shlex.join(command) for command in commands]
        done = subprocess.run(cmd, check=False, env=env, cwd=cwd, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"hyperfine failed ({done.returncode}):\n{done.stderr}")
        results: list[dict[str, Any]] = json.loads(export.read_text())["results"]
        return results


def _pooled(*results: dict[str, Any]) -> Side:
    """One side from its hyperfine results: wall figures over every run; CPU time the mean of
    every run (hyperfine reports mean user and system times, no median); peak memory only from
    hyperfine 1.16 on."""
    walls = [t for r in results for t in r["times"]]
    counts = [len(r["times"]) for r in results]
    cpu = sum((r["user"] + r["system"]) * n for r, n in zip(results, counts, strict=True)) / sum(counts)
    return Side(
        median=statistics.median(walls),
        low=min(walls),
        high=max(walls),
        cpu=cpu,
        rss_kib=max(max(r.get("memory_usage_byte") or [0]) for r in results) // 1024,
    )


def measure(pair: Pair, runs: int, env: dict[str, str], cwd: Path, *, method: str) -> list[Outcome]:
    """Two repeats of ``pair`` with ``method`` ("hyperfine" or "alternation")."""
    run = with_hyperfine if method == "hyperfine" else alternate
    return [run(pair, runs, env, cwd) for _ in range(2)]


def pick_method(requested: str) -> str:
    """hyperfine when asked for or, with "auto", when it is installed; else alternation."""
    if requested == "auto":
        return "hyperfine" if shutil.which("hyperfine") else "alternation"
    return requested


def row(outcome: Outcome) -> str:
    """One line of the report table."""
    s, b = outcome.subject, outcome.baseline
    verdict = "ok" if outcome.within_budget else "OVER"
    return (
        f"{outcome.pair.name:<38} {s.median * 1000:7.0f} ({s.low * 1000:5.0f}–{s.high * 1000:5.0f})"
        f"  {b.median * 1000:7.0f} ({b.low * 1000:5.0f}–{b.high * 1000:5.0f})"
        f"  {outcome.ratio:5.2f}× cpu {outcome.cpu_ratio:5.2f}×  ≤ {outcome.pair.budget:.2f}× {verdict}"
        + (" (wall)" if outcome.pair.judged_on == "wall" else "")
        + (f"  rss {s.rss_kib // 1024}/{b.rss_kib // 1024} MiB" if s.rss_kib and b.rss_kib else "")
    )


HEADER = (
    f"{'pair':<38} {'subject ms median (min–max)':>27}  {'baseline ms median (min–max)':>27}"
    "  ratio  cpu ratio    budget"
)
