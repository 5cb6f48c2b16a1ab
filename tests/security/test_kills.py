"""``kill -9`` at random points of four commands: the re-run converges and nothing is left behind.

Each command is run once uninterrupted (the reference), then KILLS times: started as a real
process, sent SIGKILL after a delay drawn from a seeded RNG (a share of the reference's run
time), run again to completion, and checked against the reference. After every re-run: no
hidden render folders in the working directory, nothing under ``<home>/tmp``, no lock held,
no half-built bare repository, and the history file parses line by line.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import git
import pytest

from platformctl.locks import is_held
from tests.environments.conftest import LocalStore, write_service
from tests.helpers import build_golden_path, configure_golden_path
from tests.maturity.helpers import write_answers, write_model

SEED = 20261201
KILLS = 5  # per command: 20 in total
TIMEOUT = 120  # seconds for one run: the loop is bounded even if a run hangs


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "platformctl", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def _run(args: list[str], cwd: Path) -> tuple[int, str, str, float]:
    began = time.monotonic()
    proc = _start(args, cwd)
    out, err = proc.communicate(timeout=TIMEOUT)
    return proc.returncode, out, err, time.monotonic() - began


def _kill_after(args: list[str], cwd: Path, delay: float) -> bool:
    """Start the command and SIGKILL it after ``delay`` seconds; whether it was still running."""
    proc = _start(args, cwd)
    try:
        proc.communicate(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=TIMEOUT)
        return True
    return False


class Loop:
    """The seeded delays, the kill count, and the leftover checks shared by the four commands."""

    def __init__(self, home: Path, work: Path) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 (reproducible delays, not secrets)
        self.home, self.work = home, work
        self.kills = 0

    def kill(self, args: list[str], cwd: Path, reference_seconds: float) -> None:
        delay = self.rng.uniform(0.1, 0.8) * reference_seconds
        self.kills += _kill_after(args, cwd, delay)

    def converge(self, args: list[str], cwd: Path) -> str:
        code, out, err, _ = _run(args, cwd)
        assert code == 0, f"{args}: {err}"
        assert "Traceback" not in err
        self.no_leftovers()
        return out

    def no_leftovers(self) -> None:
        hidden = [p for p in self.work.rglob(".*platformctl-*") if ".git" not in p.parts]
        assert hidden == [], "render folders left in the working directory"
        scratch = self.home / "tmp"
        assert not scratch.exists() or list(scratch.iterdir()) == [], "temporary folders left"
        locks = self.home / "locks"
        held = [p for p in locks.glob("*.lock") if is_held(p)] if locks.exists() else []
        assert held == [], "a lock is still held"
        repositories = self.home / "repositories"
        if repositories.exists():
            assert [p for p in repositories.rglob(".*") if p.is_dir()] == [], "half-made repository"


@pytest.fixture
def loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Loop:
    home = tmp_path / "platform-home"
    monkeypatch.setenv("PLATFORMCTL_HOME", str(home))
    return Loop(home, Path.cwd())


def _files(checkout: Path) -> set[str]:
    return set(git.Repo(checkout).git.ls_files().splitlines())


@pytest.mark.slow
def test_kills_during_new_service_env_up_update_service_and_assess_save(
    loop: Loop, tmp_path: Path, cli: Any
) -> None:
    work = loop.work
    files = {"README.md.jinja": "# {{ service_name }}\n", "app.py": "print('v1')\n"}
    configure_golden_path(work, "tiny", build_golden_path(tmp_path / "gp-new", files=files), trusted=True)
    upd = build_golden_path(tmp_path / "gp-upd", name="upd", files=files)
    configure_golden_path(work, "upd", upd, trusted=True)

    _new_service(loop)
    _env_up(loop)
    _update_service(loop, upd, cli)
    _assess_save(loop, tmp_path)
    assert loop.kills >= 3 * KILLS, f"only {loop.kills} runs were still running when killed"


def _new_service(loop: Loop) -> None:
    args = ["new", "service", "svc", "--golden-path", "tiny", "--no-input", "--json"]
    code, _, err, seconds = _run([*args, "--org", "ref", "--dir", "ref"], loop.work)
    assert code == 0, err
    reference = _files(loop.work / "ref")
    for i in range(KILLS):
        run = [*args, "--org", f"k{i}", "--dir", f"k{i}"]
        loop.kill(run, loop.work, seconds)
        loop.converge(run, loop.work)
        again = json.loads(loop.converge(run, loop.work))
        assert again["changed"] is False and again["resumed"] is True
        checkout = loop.work / f"k{i}"
        assert _files(checkout) == reference
        bare = git.Repo(loop.home / "repositories" / f"k{i}" / "svc.git")
        assert bare.commit("main") == git.Repo(checkout).commit("main")


def _env_up(loop: Loop) -> None:
    service = write_service(
        loop.work / "envs",
        environments='  "pr-*":\n    class: preview\n    providers: [local]\n'
        "    variables: {LOG_LEVEL: info, REGION: eu-west-1}\n",
    )
    store = LocalStore(loop.home)
    code, _, err, seconds = _run(["env", "up", "pr-0", "--ttl", "1d"], service)
    assert code == 0, err
    reference = set(store.resources("pr-0"))
    for i in range(1, KILLS + 1):
        run = ["env", "up", f"pr-{i}", "--ttl", "1d", "--json"]
        loop.kill(run, service, seconds)
        loop.converge(run, service)
        rows = set(store.resources(f"pr-{i}"))
        assert rows - {("environment", f"pr-{i}")} == reference - {("environment", "pr-0")}
        assert ("environment", f"pr-{i}") in rows
        assert json.loads(loop.converge(run, service))["writes"] == 0


def _update_service(loop: Loop, gp: Path, cli: Any) -> None:
    names = ["uref", *(f"u{i}" for i in range(KILLS))]
    for name in names:  # in-process: the setup needs no kills
        result = cli("new", "service", name, "--golden-path", "upd", "--no-input")
        assert result.exit_code == 0, result.stderr
    meta = gp / "golden-path.yaml"
    meta.write_text(meta.read_text().replace("1.0.0", "1.1.0"))
    (gp / "template" / "added.txt").write_text("new in 1.1.0\n")
    code, _, err, seconds = _run(["update", "service"], loop.work / "uref")
    assert code == 0, err
    reference = _files(loop.work / "uref")
    for name in names[1:]:
        checkout = loop.work / name
        loop.kill(["update", "service"], checkout, seconds)
        loop.converge(["update", "service"], checkout)
        repo = git.Repo(checkout)
        assert repo.active_branch.name == "golden-path/upd-1.1.0"
        assert not repo.is_dirty(untracked_files=True)
        assert _files(checkout) == reference
        again = json.loads(loop.converge(["update", "service", "--json"], checkout))
        assert again["status"] == "current"


def _assess_save(loop: Loop, tmp_path: Path) -> None:
    model = write_model(tmp_path / "tiny.yaml")
    answers = write_answers(tmp_path / "answers.yaml", {"a.ci": "one", "a.iac": "most", "b.docs": "d0"})
    history = loop.work / ".platformctl" / "maturity-history.jsonl"
    args = ["assess", "maturity", "--model", str(model), "--answers", str(answers), "--save", "--json"]
    code, out, err, seconds = _run(args, loop.work)
    assert code == 0, err
    score = json.loads(out)["score"]
    saved = 1
    for _ in range(KILLS):
        loop.kill(args, loop.work, seconds)
        loop.converge(args, loop.work)
        lines = history.read_text().splitlines()
        entries: list[dict[str, Any]] = [json.loads(line) for line in lines]  # every line whole
        # the re-run's line, and the killed run's if it got that far: whole, or not at all
        assert saved + 1 <= len(entries) <= saved + 2
        saved = len(entries)
        assert entries[-1]["score"] == score
    assert not list(history.parent.glob(".*.tmp"))


DEAD_PID = 4_194_304 + 1  # above Linux's highest pid_max: no process has it


def test_the_next_run_removes_what_dead_runs_left(cli, tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "platform-home"
    monkeypatch.setenv("PLATFORMCTL_HOME", str(home))
    configure_golden_path(Path.cwd(), "tiny", build_golden_path(tmp_path / "gp"), trusted=True)
    dead_scratch = home / "tmp" / "new-service-1-abcdefgh"
    (dead_scratch / "service").mkdir(parents=True)
    (dead_scratch / ".owner").touch()  # nobody holds it: its run is gone
    no_owner = home / "tmp" / f"update-{DEAD_PID}-abcdefgh"  # killed before its owner file
    no_owner.mkdir()
    old_sibling = Path.cwd() / ".svc.platformctl-x1y2z3w4"  # what older versions left
    dead_sibling = Path.cwd() / f".svc.platformctl-{DEAD_PID}-abcdefgh"
    other = Path.cwd() / ".other.platformctl-x1y2z3w4"  # another service's: not ours to touch
    for folder in (old_sibling, dead_sibling, other):
        (folder / "service").mkdir(parents=True)
    half_repo = home / "repositories" / "local" / f".svc.git-{DEAD_PID}-abcdefgh"
    half_repo.mkdir(parents=True)
    result = cli("new", "service", "svc", "--golden-path", "tiny", "--no-input")
    assert result.exit_code == 0, result.stderr
    assert list((home / "tmp").iterdir()) == []
    assert sorted(p.name for p in Path.cwd().iterdir()) == [
        ".other.platformctl-x1y2z3w4",
        "platformctl.yaml",
        "svc",
    ]
    assert not half_repo.exists()
    assert (home / "repositories" / "local" / "svc.git" / "HEAD").is_file()


def test_new_service_with_home_on_another_file_system(cli, tmp_path: Path, monkeypatch) -> None:
    import shutil
    import tempfile

    other = Path("/dev/shm")
    if not other.is_dir() or other.stat().st_dev == Path.cwd().stat().st_dev:
        pytest.skip("needs a second file system (tmpfs at /dev/shm)")
    home = Path(tempfile.mkdtemp(prefix="platformctl-home-", dir=other))
    try:
        monkeypatch.setenv("PLATFORMCTL_HOME", str(home))
        configure_golden_path(Path.cwd(), "tiny", build_golden_path(tmp_path / "gp"), trusted=True)
        result = cli("new", "service", "svc", "--golden-path", "tiny", "--no-input", "--json")
        assert result.exit_code == 0, result.stderr
        checkout = Path.cwd() / "svc"
        assert (checkout / ".git").is_dir() and (checkout / "README.md").read_text() == "# svc\n"
        assert not git.Repo(checkout).is_dirty(untracked_files=True)
        assert sorted(p.name for p in Path.cwd().iterdir()) == ["platformctl.yaml", "svc"]
        assert list((home / "tmp").iterdir()) == []
    finally:
        shutil.rmtree(home, ignore_errors=True)
