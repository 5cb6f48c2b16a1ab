"""Whole-process timings of platformctl against baselines run side by side.

    python benchmarks/run.py [--runs N]

Pairs (DESIGN.md §8):
- start-up: `platformctl --help` / `--version` vs a bare typer app's `--help` (budget ≤ 1.3×)
- new service on the local provider vs `copier copy` of the same golden path (budget ≤ 1.5×)

Runs are interleaved (A, B, A, B, ...) so that machine noise hits both sides alike; the
report gives medians and the ratio. hyperfine is used instead when it is installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable


def timed(cmd: list[str], env: dict[str, str], cwd: Path, prepare=None) -> float:
    if prepare:
        prepare()
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def compare(name: str, subject: list[str], baseline: list[str], runs: int, env, cwd, prepare=None):
    for _ in range(2):  # warm the page cache and .pyc files
        timed(subject, env, cwd, prepare)
        timed(baseline, env, cwd, prepare)
    a, b = [], []
    for _ in range(runs):
        a.append(timed(subject, env, cwd, prepare))
        b.append(timed(baseline, env, cwd, prepare))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{name:<34} {ma * 1000:8.1f} ms  vs baseline {mb * 1000:8.1f} ms   ratio {ma / mb:5.2f}")
    return ma / mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    from platformctl.scaffold.catalog import bundled_root

    work = Path(tempfile.mkdtemp(prefix="platformctl-bench-"))
    env = {
        **os.environ,
        "HOME": str(work / "home"),
        "PLATFORMCTL_HOME": str(work / "platform"),
        "GIT_CONFIG_GLOBAL": str(work / "gitconfig"),
        "NO_COLOR": "1",
    }
    (work / "home").mkdir()
    bare = [PY, str(HERE / "bare_typer.py"), "--help"]
    print(f"python {sys.version.split()[0]}, {args.runs} interleaved runs each, medians\n")
    compare("platformctl --help", [PY, "-m", "platformctl", "--help"], bare, args.runs, env, work)
    compare("platformctl --version", [PY, "-m", "platformctl", "--version"], bare, args.runs, env, work)

    golden = bundled_root() / "python-service"
    copier_cli = [PY, "-m", "copier"]

    def clean() -> None:
        for leftover in ("svc", "copied"):
            shutil.rmtree(work / leftover, ignore_errors=True)
        shutil.rmtree(work / "platform", ignore_errors=True)

    compare(
        "new service (local provider)",
        [PY, "-m", "platformctl", "new", "service", "svc", "--no-input"],
        [
            *copier_cli,
            "copy",
            "--defaults",
            "--trust",
            "--quiet",
            "-d",
            "service_name=svc",
            str(golden),
            "copied",
        ],
        max(5, args.runs // 3),
        env,
        work,
        prepare=clean,
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
