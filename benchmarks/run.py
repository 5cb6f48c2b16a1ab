"""platformctl against the tools and baselines it replaces, side by side.

    python benchmarks/run.py [--runs N] [--method auto|hyperfine|alternation] [--only NAME] [--check]
    python benchmarks/run.py --only fleet       # fleet status (500 repositories) and fleet update

Every pair runs its subject and its baseline in one invocation, two repeats, with hyperfine when
it is installed (``--method auto``) and interleaved runs otherwise; the table shows median, min
and max wall time of each side, the ratio of medians and the CPU-time ratio (what the budgets
use), and peak memory where the method measures it. Without ``--check`` it only reports (CI
runs it so, since its machine is shared); with ``--check`` it exits 1 when any repeat is over
its budget. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import functools
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import BLOCKS, HEADER, Outcome, Pair, measure, peak_rss_kib, pick_method, row, run_once

HERE = Path(__file__).resolve().parent
PY = sys.executable
PLATFORMCTL = [PY, "-m", "platformctl"]
BARE = [PY, str(HERE / "bare_typer.py")]


def option_count(*path: str) -> int:
    """How many parameters typer parses for ``platformctl <path>`` (arguments included)."""
    import typer.main

    from platformctl.cli import app as cli_app

    cli_app._register()
    command = typer.main.get_command(cli_app.app)
    for part in path:
        command = command.commands[part]  # type: ignore[attr-defined]
    return len([p for p in command.params if p.name != "help"])


def scratch() -> tuple[Path, dict[str, str]]:
    """A working folder, its environment (own HOME, platform home and git identity)."""
    work = Path(tempfile.mkdtemp(prefix="platformctl-bench-"))
    (work / "home").mkdir()
    gitconfig = work / "gitconfig"
    gitconfig.write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n")
    # An installed platformctl has its .pyc files, as copier and typer in site-packages do: with
    # PYTHONDONTWRITEBYTECODE the warm-up runs would not write them, and every timed run would
    # compile platformctl's modules from source while its baselines load compiled ones.
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = {
        **inherited,
        "HOME": str(work / "home"),
        "PLATFORMCTL_HOME": str(work / "platform"),
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
        "CI": "true",
    }
    return work, env


# What a run of ``new service`` or its baselines leaves in the working folder. The platform
# home's ``cache`` stays: it outlives a service, as on a machine where services are created one
# after another (the warm-up runs fill it); everything else of the home (the local provider's
# repositories, locks, scratch) goes.
LEFTOVERS = ("svc", "copied", "bare")


def remove_leftovers(work: Path) -> None:
    """Remove what the previous run of a ``new service`` pair created, except the home's cache."""
    for name in LEFTOVERS:
        shutil.rmtree(work / name, ignore_errors=True)
    home = work / "platform"
    for entry in home.iterdir() if home.is_dir() else ():
        if entry.name != "cache":
            shutil.rmtree(entry, ignore_errors=True)


def pairs(work: Path, env: dict[str, str]) -> list[Pair]:
    """The budgeted pairs, in the order of docs/performance.md."""
    from platformctl.scaffold.catalog import bundled_root

    golden = str(bundled_root() / "python-service")
    clean = functools.partial(remove_leftovers, work)
    home = shlex.quote(str(work / "platform"))
    script = (
        "rm -rf " + " ".join(shlex.quote(str(work / n)) for n in LEFTOVERS) + " && "
        f"if [ -d {home} ]; then find {home} -mindepth 1 -maxdepth 1 ! -name cache -exec rm -rf {{}} +; fi"
    )
    clean_shell = shlex.join(["sh", "-c", script])  # hyperfine -N runs it without a shell
    new = [*PLATFORMCTL, "new", "service", "svc", "--no-input"]
    copier = [PY, "-m", "copier", "copy", "--defaults", "--trust", "--quiet", "-d", "service_name=svc"]
    wide_new = [*BARE, "--bare-options", str(option_count("new", "service") - 1), "new", "service", "svc"]
    env_up = [*PLATFORMCTL, "env", "up", "staging", "--service-dir", "svc"]
    wide_env = [*BARE, "--bare-options", str(option_count("env", "up") - 1), "new", "service", "staging"]
    return [
        Pair("platformctl --help", [*PLATFORMCTL, "--help"], [*BARE, "--help"], 1.2),
        Pair("new service --help", [*new[:5], "--help"], [*BARE, "new", "service", "--help"], 1.1),
        Pair("new service vs copier copy", new, [*copier, golden, "copied"], 1.2, clean, clean_shell),
        Pair(
            "new service vs copier+git+push script",
            new,
            [PY, str(HERE / "copier_git_push.py"), golden, "copied", str(work / "bare")],
            0.9,
            clean,
            clean_shell,
        ),
        Pair("converged new service re-run", new, wide_new, 1.3),
        Pair("converged env up", env_up, wide_env, 1.3),
        Pair(
            "assess --detect, 100 vs 10 checkouts",
            detect(work / "clones-100"),
            detect(work / "clones-10"),
            1.5,
            judged_on="wall",  # "takes 1.5x the time of 10": the concurrent git processes are the point
        ),
    ]


def detect(folder: Path) -> list[str]:
    """``assess maturity --detect`` over a folder of clones, no questions asked."""
    return [
        *PLATFORMCTL,
        "assess",
        "maturity",
        "--answers",
        "answers.yaml",
        "--allow-unknown",
        "--no-input",
        "--json",
        "--detect",
        str(folder),
    ]


def make_clones(folder: Path, count: int, env: dict[str, str]) -> None:
    """``count`` small git repositories with one commit each, below ``folder``."""
    for i in range(count):
        clone = folder / f"svc-{i:03d}"
        (clone / ".github" / "workflows").mkdir(parents=True)
        (clone / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
        (clone / "README.md").write_text(f"svc {i}\n")
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "initial"]):
            subprocess.run(["git", "-C", str(clone), *args], env=env, check=True, capture_output=True)


def converge(work: Path, env: dict[str, str]) -> None:
    """Create the service and its staging environment once, for the converged re-runs."""
    for cmd in (
        [*PLATFORMCTL, "new", "service", "svc", "--no-input"],
        [*PLATFORMCTL, "env", "up", "staging", "--service-dir", "svc"],
    ):
        subprocess.run(cmd, env=env, cwd=work, check=True, capture_output=True)


def seed_environments(env: dict[str, str], count: int) -> None:
    """``count`` preview environments of one service in the local store, written in-process."""
    from datetime import UTC, datetime

    from platformctl.contracts.environments import EnvironmentSpec
    from platformctl.environments.plan import plan_environment
    from platformctl.providers.local.environments import LocalEnvironments

    store = LocalEnvironments(Path(env["PLATFORMCTL_HOME"]))
    for i in range(count):
        spec = EnvironmentSpec("svc", f"pr-{i}", "preview", ("local",), variables={"N": str(i)})
        plan = plan_environment(spec, {"local": store}, datetime.now(UTC))
        store.apply(spec, plan.pending)


def env_list_seconds(work: Path, env: dict[str, str], count: int) -> tuple[float, float]:
    """Median wall and CPU time of ``env list`` over ``count`` environments (three runs)."""
    if not (work / "svc").exists():
        converge(work, env)
    seed_environments(env, count)
    cmd = [*PLATFORMCTL, "env", "list", "--service-dir", "svc"]
    samples = sorted(run_once(cmd, env, work)[:2] for _ in range(3))
    return samples[1][0], sorted(cpu for _, cpu in samples)[1]


def peak_rss(work: Path, env: dict[str, str]) -> list[str]:
    """Peak RSS of ``new service`` against ``copier copy`` (largest of three runs each, after a
    warm-up run of each)."""
    from platformctl.scaffold.catalog import bundled_root

    golden = str(bundled_root() / "python-service")
    copier = [PY, "-m", "copier", "copy", "--defaults", "--trust", "--quiet", "-d", "service_name=svc"]
    sides = {
        "new service": [*PLATFORMCTL, "new", "service", "svc", "--no-input"],
        "copier": [*copier, golden, "copied"],
    }
    peak = dict.fromkeys(sides, 0)
    for cmd in sides.values():  # one warm-up each, as for the timed pairs: it fills <home>/cache
        remove_leftovers(work)
        run_once(cmd, env, work)
    for _ in range(3):
        for name, cmd in sides.items():
            remove_leftovers(work)
            peak[name] = max(peak[name], peak_rss_kib(cmd, env, work))
    ok = peak["new service"] <= peak["copier"]
    print(
        f"{'peak RSS, new service vs copier copy':<38} {peak['new service'] / 1024:7.1f} MiB  "
        f"{peak['copier'] / 1024:7.1f} MiB  ≤ 1.00× {'ok' if ok else 'OVER'}"
    )
    return [] if ok else ["rss"]


def organisation_scripts(only: str | None) -> list[str]:
    """Run the fleet benchmarks (their own fakes and tables), two repeats each; their names."""
    scripts = {
        "fleet status, 500 repositories": [PY, str(HERE / "fleet_status.py")],
        "fleet update, 10 vs 50 services": [PY, str(HERE / "fleet_update.py"), "--services", "50"],
    }
    ran = []
    for name, cmd in scripts.items():
        if only and only not in name:
            continue
        ran.append(name)
        for repeat in (1, 2):
            print(f"\n{name} (repeat {repeat} of 2)", flush=True)
            subprocess.run(cmd, check=True)
    return ran


def delivery_budgets() -> list[str]:
    """``assess delivery`` over 200 repositories (benchmarks/delivery.py), two repeats: the
    first run within 15 s, the re-run within 3 s (wall time: the 20 ms latency is the point)."""
    import delivery

    print("\nassess delivery, 200 repositories x 20 deployments, 20 ms latency")
    over = []
    for n in range(2):
        print(f"repeat {n + 1}")
        for label, seconds, _ in delivery.measure(delivery.parser().parse_args([])):
            budget = 15.0 if label == "first run" else 3.0
            print(f"  {label:<9} {seconds:6.2f} s  ≤ {budget:.0f} s {'ok' if seconds <= budget else 'OVER'}")
            over += [] if seconds <= budget else [f"delivery {label}"]
    return over


def positive_runs(text: str) -> int:
    """``--runs``: a whole number of at least 1 (a median needs a run)."""
    try:
        runs = int(text)
    except ValueError:
        runs = 0
    if runs < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of runs (hint: use 1 or more, e.g. --runs 5)"
        )
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--runs", type=positive_runs, default=10, help="timed runs per side and repeat (hyperfine: at least)"
    )
    parser.add_argument("--method", choices=("auto", "hyperfine", "alternation"), default="auto")
    parser.add_argument("--only", help="run only the pairs whose name contains this text")
    parser.add_argument("--check", action="store_true", help="exit 1 when a budget is exceeded")
    args = parser.parse_args()
    method = pick_method(args.method)
    work, env = scratch()
    try:
        runs = (
            f"at least {args.runs} runs per side in {BLOCKS} invocations of at least 3 s each"
            if method == "hyperfine"
            else f"{args.runs} runs per side"
        )
        print(f"python {sys.version.split()[0]}, {method}, {runs}, 2 repeats\n")
        print(HEADER)
        outcomes: list[Outcome] = []
        for pair in pairs(work, env):
            if args.only and args.only not in pair.name:
                continue
            if pair.name.startswith("converged") and not (work / "svc").exists():
                converge(work, env)
            if pair.name.startswith("assess --detect") and not (work / "clones-10").exists():
                (work / "answers.yaml").write_text("{}\n")  # every question unknown: detection only
                make_clones(work / "clones-10", 10, env)
                make_clones(work / "clones-100", 100, env)
            for outcome in measure(pair, args.runs, env, work, method=method):
                outcomes.append(outcome)
                print(row(outcome), flush=True)
        over = [o for o in outcomes if not o.within_budget]
        if not args.only or "env list" in args.only:
            wall, cpu = env_list_seconds(work, env, 5000)
            print(
                f"\n{'env list, 5,000 environments':<38} {wall * 1000:7.0f} ms wall, "
                f"{cpu * 1000:5.0f} ms cpu  ≤ 1000 ms cpu {'ok' if cpu <= 1.0 else 'OVER'}"
            )
            over += [] if cpu <= 1.0 else ["env list"]  # type: ignore[list-item]
        if not args.only or "rss" in args.only:
            over += peak_rss(work, env)
        organisation_scripts(args.only)
        if not args.only or "delivery" in args.only:
            over += delivery_budgets()
        print(f"\n{len(over)} over budget" if over else "\nevery pair within budget")
        return 1 if (args.check and over) else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
