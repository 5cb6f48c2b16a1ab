"""Two platformctl runs at once: locks, upserts in the local store, and JSON error documents."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from platformctl.locks import hold_lock, is_held, lock_key, lock_path
from tests.environments.conftest import LocalStore, write_service

SECRET = "correct horse battery staple"
BUSY = "another platformctl is {doing} (pid {pid})"
STAGING_ROWS = {("environment", "staging"), ("variable", "LOG_LEVEL"), ("variable", "REGION")}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "platform-home"
    monkeypatch.setenv("PLATFORMCTL_HOME", str(home))
    monkeypatch.setenv("TEST_DB_PASSWORD", SECRET)
    return home


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> float:
    """A held lock makes a run wait the ``lock_wait`` setting: 0.1 s here (two of the lock's
    0.05 s polls) instead of 3 s."""
    monkeypatch.setenv("PLATFORMCTL_LOCK_WAIT", "0.1")
    return 0.1


def _service(folder: Path) -> Path:
    return write_service(
        folder,
        environments="  staging:\n    class: staging\n    providers: [local]\n"
        "    variables: {LOG_LEVEL: info, REGION: eu-west-1}\n",
    )


def _start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "platformctl", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def test_two_concurrent_env_up_of_one_environment_converge_once(home: Path) -> None:
    service = _service(Path.cwd())
    runs = [_start("env", "up", "staging", "--json", cwd=service) for _ in range(2)]
    outcomes = [(run.wait(timeout=120), *run.communicate()) for run in runs]
    documents = []
    for code, stdout, stderr in outcomes:
        assert "UNIQUE constraint" not in stdout + stderr and "Traceback" not in stderr
        document = json.loads(stdout)  # one JSON document, success or failure
        assert document["schema_version"] == 1
        if code == 0:
            documents.append(document)
        else:  # the only acceptable failure: the clean lock error
            assert code == 1, stderr
            assert document["error"]["message"].startswith("another platformctl is applying staging")
            assert document["error"]["exit_code"] == 1 and document["error"]["hint"]
    assert documents, "at least one run applies"
    assert sorted(d["writes"] for d in documents)[-1] == 3
    assert sum(d["writes"] for d in documents) == 3  # the lock made the other one a no-op
    store = LocalStore(home)
    assert set(store.resources()) == STAGING_ROWS
    assert store.writes == 3  # every row written exactly once
    assert not is_held(lock_path(home, lock_key("payments", "staging")))


def test_a_held_environment_lock_is_a_clean_exit_1_naming_the_holder(cli, home: Path, short_wait) -> None:
    _service(Path.cwd())
    busy = dict(doing="applying staging of payments", busy=BUSY)
    with hold_lock(home, lock_key("payments", "staging"), **busy):
        result = cli("env", "up", "staging", "--json")
        down = cli("env", "down", "staging")
    assert result.exit_code == 1
    document = result.json()
    assert document == {
        "schema_version": 1,
        "error": {
            "message": f"another platformctl is applying staging of payments (pid {os.getpid()})",
            "hint": document["error"]["hint"],
            "exit_code": 1,
        },
    }
    assert "run the same command again" in document["error"]["hint"]
    assert result.stderr.startswith("error: another platformctl is applying staging of payments")
    assert "\nhint: " in result.stderr and "Traceback" not in result.stderr
    assert LocalStore(home).writes == 0
    assert down.exit_code == 1 and "another platformctl" in down.stderr and down.stdout == ""
    # Released: the same command now works, and nothing of the lock is left.
    assert cli("env", "up", "staging").exit_code == 0
    assert not lock_path(home, lock_key("payments", "staging")).exists()


def test_a_run_that_meets_a_held_lock_waits_for_it_then_proceeds(
    cli, home: Path, short_wait, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holder finishes while the other run waits (released at its first pause): it applies."""
    from platformctl import locks

    _service(Path.cwd())
    holder = contextlib.ExitStack()
    holder.enter_context(
        hold_lock(home, lock_key("payments", "staging"), doing="applying staging of payments", busy=BUSY)
    )
    pauses: list[float] = []

    def holder_finishes_meanwhile(seconds: float) -> None:
        pauses.append(seconds)
        holder.close()
        time.sleep(seconds)

    # Only the lock module's pause is observed; its flock, polling and deadline stay real.
    monkeypatch.setattr(
        locks, "time", SimpleNamespace(monotonic=time.monotonic, sleep=holder_finishes_meanwhile)
    )
    result = cli("env", "up", "staging", "--json")
    assert result.exit_code == 0, result.stderr
    assert pauses, "the lock was held when the run came to it: it waited"
    assert result.json()["writes"] == 3
    assert set(LocalStore(home).resources()) == STAGING_ROWS
    assert not lock_path(home, lock_key("payments", "staging")).exists()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("-1", "must be greater than or equal to 0"),
        ("soon", "must be a number"),
        ("601", "less than or equal to 600"),
    ],
)
def test_a_bad_lock_wait_is_a_usage_error_before_anything_is_done(
    cli, home: Path, value: str, problem: str
) -> None:
    _service(Path.cwd())
    result = cli("env", "up", "staging", env={"PLATFORMCTL_LOCK_WAIT": value})
    assert result.exit_code == 2
    assert result.stderr.startswith("error: environment variable PLATFORMCTL_LOCK_WAIT: field 'lock_wait': ")
    assert problem in result.stderr and "\nhint: " in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (home / "state").exists() and not (home / "locks").exists()


def test_lock_wait_from_a_project_file_applies_even_untrusted(cli, home: Path) -> None:
    """Like http.*, it paces a run and is bounded by the schema: no warning, the file's value."""
    config = Path.cwd() / "platformctl.yaml"
    config.write_text("lock_wait: 0.3\n")
    shown = cli("config", "show", "--json")
    assert shown.exit_code == 0, shown.stderr
    (setting,) = [s for s in shown.json()["settings"] if s["key"] == "lock_wait"]
    assert setting == {"key": "lock_wait", "value": 0.3, "source": str(config)}
    assert "ignoring" not in shown.stderr
    config.write_text("lock_wait: -2\n")
    refused = cli("env", "up", "staging")
    assert refused.exit_code == 2 and f"error: {config}: field 'lock_wait'" in refused.stderr
    assert "\nhint: " in refused.stderr


def test_reap_keeps_an_expired_environment_that_is_being_applied(cli, home: Path, short_wait) -> None:
    _service(Path.cwd())
    assert cli("env", "up", "staging", "--ttl", "1h").exit_code == 0
    LocalStore(home).execute(
        "UPDATE resources SET fields=json_set(fields, '$.expires_at', '2001-01-01T00:00:00+00:00') "
        "WHERE kind='environment'"
    )
    with hold_lock(home, lock_key("payments", "staging"), doing="applying staging of payments", busy=BUSY):
        held = cli("env", "reap", "--json")
    assert held.exit_code == 0, held.stderr
    assert held.json()["removed"] == [] and [e["name"] for e in held.json()["kept"]] == ["staging"]
    assert set(LocalStore(home).resources()) == STAGING_ROWS
    reaped = cli("env", "reap", "--json")
    assert [e["name"] for e in reaped.json()["removed"]] == ["staging"]
    assert LocalStore(home).resources() == {}


def test_racing_creates_in_the_local_store_are_upserts(home: Path) -> None:
    """Two runs that both planned "create" (no lock: another tool, an older version) both succeed."""
    from datetime import UTC, datetime

    from platformctl.contracts.environments import EnvironmentSpec
    from platformctl.environments.plan import plan_environment
    from platformctl.providers.local.environments import LocalEnvironments

    spec = EnvironmentSpec("payments", "staging", "staging", ("local",), variables={"A": "1"})
    first, second = LocalEnvironments(home), LocalEnvironments(home)
    now = datetime.now(UTC)
    plans = [plan_environment(spec, {"local": p}, now) for p in (first, second)]
    assert (
        [c.action for c in plans[0].pending] == ["create", "create"] == [c.action for c in plans[1].pending]
    )
    first.apply(spec, plans[0].pending)
    changed = EnvironmentSpec("payments", "staging", "staging", ("local",), variables={"A": "2"})
    second.apply(changed, plan_environment(changed, {"local": LocalEnvironments(home)}, now).pending)
    second.apply(spec, plans[1].pending)  # planned before the first apply: still converges
    assert LocalStore(home).resources()[("variable", "A")] == {"value": "1"}
    assert not plan_environment(spec, {"local": first}, now).has_changes


def test_a_failed_apply_says_what_was_and_was_not_applied(cli, home: Path, tmp_path: Path) -> None:
    write_service(Path.cwd(), providers="local, kubernetes")
    from tests.environments.conftest import write_kubeconfig
    from tests.fakes.kubernetes import Fault, KubernetesFake
    from tests.fakes.loopback import serve

    fake = KubernetesFake()
    fake.faults.append(Fault("PATCH", "rolebindings", code=400, times=1))
    with serve(fake) as url:
        env = {"KUBECONFIG": str(write_kubeconfig(tmp_path / "kubeconfig", url))}
        failed = cli("env", "up", "staging", "--json", env=env)
    assert failed.exit_code == 1
    error = failed.json()["error"]
    assert error["exit_code"] == 1 and "RoleBinding" in error["message"]
    assert "applied: local (5 writes)" in error["hint"]
    assert "kubernetes: only those of its 7 changes before the failure" in error["hint"]
    assert "not attempted: nothing" in error["hint"]
    assert error["details"] == {
        "applied": [{"provider": "local", "writes": 5, "of": 5}],
        "failed": {"provider": "kubernetes", "of": 7, "all_or_nothing": False},
        "not_attempted": [],
    }
    assert SECRET not in failed.stdout + failed.stderr


def test_a_failing_local_store_says_none_of_its_changes_were_applied(cli, home: Path) -> None:
    _service(Path.cwd())
    store = home / "state" / "environments.db"
    store.parent.mkdir(parents=True)
    store.write_text("not a database, but a file in the way")
    result = cli("env", "up", "staging", "--json")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    error = result.json()["error"]
    assert "local environment store" in error["message"]
    assert "nothing was changed" not in error["hint"]


def test_usage_errors_print_a_json_error_document_too(cli, home: Path) -> None:
    _service(Path.cwd())
    bad_name = cli("env", "up", "Not/A/Name", "--json")
    assert bad_name.exit_code == 2
    assert bad_name.json()["error"]["exit_code"] == 2 and bad_name.json()["schema_version"] == 1
    bad_flag = cli("env", "up", "staging", "--json", "--no-such-flag")
    assert bad_flag.exit_code == 2
    assert bad_flag.json()["error"]["hint"].startswith("run 'platformctl env up --help'")
    human = cli("env", "up", "staging", "--no-such-flag")
    assert human.exit_code == 2 and human.stdout == ""


def test_a_check_that_says_no_prints_one_document_not_two(cli, home: Path) -> None:
    _service(Path.cwd())
    status = cli("env", "status", "staging", "--json")
    assert status.exit_code == 3
    document = status.json()  # json.loads fails on two documents
    assert "error" not in document


def test_new_service_for_a_name_being_created_elsewhere_waits_then_stops(cli, home: Path, short_wait) -> None:
    with hold_lock(home, lock_key("busy"), doing="creating service busy", busy=BUSY):
        result = cli("new", "service", "busy", "--no-input", "--json")
    assert result.exit_code == 1
    assert result.json()["error"]["message"] == (
        f"another platformctl is creating service busy (pid {os.getpid()})"
    )
    assert list(Path.cwd().iterdir()) == []  # nothing rendered, nothing left


def test_two_concurrent_saves_keep_both_history_lines(tmp_path: Path) -> None:
    from tests.maturity.helpers import write_answers, write_model

    model = write_model(tmp_path / "tiny.yaml")
    answers = write_answers(tmp_path / "answers.yaml", {"a.ci": "one", "a.iac": "most", "b.docs": "d0"})
    history = Path.cwd() / ".platformctl" / "maturity-history.jsonl"
    history.parent.mkdir()
    history.write_text('{"a hand edit without its newline": 1}')
    args = ("assess", "maturity", "--model", str(model), "--answers", str(answers), "--save", "--json")
    runs = [_start(*args, cwd=Path.cwd()) for _ in range(3)]
    assert [run.wait(timeout=120) for run in runs] == [0, 0, 0]
    for run in runs:
        run.communicate()
    lines = history.read_text().splitlines()
    assert len(lines) == 4 and all(json.loads(line) for line in lines)
    assert [json.loads(line)["score"] for line in lines[1:]] == [62.5] * 3
    assert sorted(p.name for p in history.parent.iterdir()) == ["maturity-history.jsonl"]


def test_a_symbolic_link_in_place_of_the_history_is_refused(cli, tmp_path: Path) -> None:
    from tests.maturity.helpers import write_answers, write_model

    model = write_model(tmp_path / "tiny.yaml")
    answers = write_answers(tmp_path / "answers.yaml", {"a.ci": "one", "a.iac": "most", "b.docs": "d0"})
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (Path.cwd() / ".platformctl").mkdir()
    (Path.cwd() / ".platformctl" / "maturity-history.jsonl").symlink_to(victim)
    result = cli("assess", "maturity", "--model", str(model), "--answers", str(answers), "--save")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "maturity-history.jsonl" in result.stderr
    assert victim.read_text() == "precious\n"


def test_update_service_of_a_service_being_changed_elsewhere_stops(
    cli, home: Path, tmp_path: Path, short_wait
) -> None:
    from tests.helpers import build_golden_path, configure_golden_path

    gp = build_golden_path(tmp_path / "gp")
    configure_golden_path(Path.cwd(), "tiny", gp, trusted=True)
    assert cli("new", "service", "svc", "--golden-path", "tiny", "--no-input").exit_code == 0
    meta = gp / "golden-path.yaml"
    meta.write_text(meta.read_text().replace("1.0.0", "1.1.0"))
    with hold_lock(home, lock_key("svc"), doing="creating service svc", busy=BUSY):
        result = cli("update", "service", "svc", "--json")
    assert result.exit_code == 1
    assert (
        result.json()["error"]["message"]
        == f"another platformctl is creating service svc (pid {os.getpid()})"
    )
    status = git_status(Path.cwd() / "svc").splitlines()
    assert len(status) == 1 and status[0].startswith("## main")  # on main, nothing changed
    assert cli("update", "service", "svc").exit_code == 0


def git_status(checkout: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--branch"], cwd=checkout, capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (("new", "service", "busy", "--no-input"), ("busy",)),
        (("env", "up", "staging"), ("payments", "staging")),
        (("env", "down", "staging", "--yes"), ("payments", "staging")),
    ],
)
def test_every_command_waits_the_configured_lock_wait_not_the_default(
    cli, home: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], key: tuple[str, ...]
) -> None:
    """The ``lock_wait`` setting reaches the lock of each command: a held lock is given up on
    after the 0.2 s configured, not after the built-in 3 s."""
    from platformctl import locks

    if args[0] == "env":
        _service(Path.cwd())
    waited: list[float] = []

    def counted(seconds: float) -> None:
        waited.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(locks, "time", SimpleNamespace(monotonic=time.monotonic, sleep=counted))
    with hold_lock(home, lock_key(*key), doing="applying it", busy=BUSY):
        result = cli(*args, env={"PLATFORMCTL_LOCK_WAIT": "0.2"})
    assert result.exit_code == 1 and "another platformctl is applying it" in result.stderr
    assert 0 < sum(waited) <= 0.25 + locks._POLL, waited
