"""`fleet update` on the local forge: time per service and peak memory for 10 and for 50 services.

    python benchmarks/fleet_update.py [--services 50] [--golden-path python-service]

One service is made with `new service` from a copy of a bundled golden path; its bare
repository is copied to make the fleet (the merge does not care that they share a history).
The golden path is then released as a new version and `fleet update` runs in a subprocess,
once over a fifth of the fleet and once over all of it, each on a fresh copy. Reported: wall
time, seconds per service (compare with the pace, e.g. 3 s a pull request at
--max-prs-per-minute 20) and the peak RSS of the run (flat means memory does not grow with
the number of services).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def platformctl(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "platformctl", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def make_fleet(base: Path, golden_path: str, count: int) -> tuple[dict[str, str], Path]:
    gp = base / "gp"
    shutil.copytree(ROOT / "golden_paths" / golden_path, gp, ignore=shutil.ignore_patterns("__pycache__"))
    work = base / "work"
    work.mkdir()
    (work / "platformctl.yaml").write_text(f"golden_paths:\n  bench:\n    path: {gp}\n")
    env = {**os.environ, "PLATFORMCTL_HOME": str(base / "home"), "HOME": str(base), "CI": "true"}
    env["GIT_CONFIG_GLOBAL"] = str(base / ".gitconfig")
    trusted = platformctl("config", "trust", "platformctl.yaml", env=env, cwd=work)  # as its owner would
    assert trusted.returncode == 0, trusted.stderr
    made = platformctl("new", "service", "svc-0000", "-g", "bench", env=env, cwd=work)
    assert made.returncode == 0, made.stderr
    bare = base / "home" / "repositories" / "local" / "svc-0000.git"
    for i in range(1, count):
        shutil.copytree(bare, bare.with_name(f"svc-{i:04d}.git"))
    meta = gp / "golden-path.yaml"
    version = meta.read_text().split("version: ")[1].split("\n")[0]
    major, minor, _ = version.split(".")
    meta.write_text(meta.read_text().replace(f"version: {version}", f"version: {major}.{int(minor) + 1}.0"))
    readme = gp / "template" / "README.md.jinja"
    if readme.exists():
        readme.write_text(readme.read_text() + "\nA line added by the new release.\n")
    return env, work


def run(base: Path, golden_path: str, count: int, limit: int) -> tuple[float, float]:
    env, work = make_fleet(base, golden_path, count)
    args = [sys.executable, "-m", "platformctl", "fleet", "update", "-g", "bench", "--limit", str(limit)]
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak, not every child's
    took = time.perf_counter() - start
    assert os.waitstatus_to_exitcode(status) == 0, proc.stderr.read() if proc.stderr else status
    return took, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--golden-path", default="python-service")
    args = parser.parse_args()
    for limit in (max(args.services // 5, 1), args.services):
        with tempfile.TemporaryDirectory(prefix="platformctl-bench-") as tmp:
            took, peak = run(Path(tmp), args.golden_path, args.services, limit)
        print(
            f"{limit:4d} services  {took:7.1f} s  {took / limit:5.2f} s per service  peak RSS {peak:6.1f} MiB"
        )


if __name__ == "__main__":
    main()
