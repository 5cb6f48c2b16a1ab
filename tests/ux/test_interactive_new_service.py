"""`new service` and `env up` on a terminal (a pseudo-terminal under pexpect)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
import yaml

pexpect = pytest.importorskip("pexpect")


def _default_interrupt() -> None:
    """Ctrl-C interrupts the child even when pytest was started with SIGINT ignored (a shell's
    ``cmd &``): Python then keeps it ignored, and the Ctrl-C test would wait for its timeout."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(cwd: Path, *args: str):
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    env.update(TERM="dumb", NO_COLOR="1")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "platformctl", *args],
        cwd=str(cwd),
        env=env,
        timeout=180,  # the machine may be busy: a slow run is not a failure
        encoding="utf-8",
        dimensions=(60, 200),
        preexec_fn=_default_interrupt,
    )
    # Every key is sent after the prompt it answers was read, so pexpect's 50 ms pause
    # before each send (for programs that set up their terminal late) buys nothing here.
    child.delaybeforesend = None
    return child


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_counter_back_reprompt_summary_and_confirmation(tmp_path):
    work = tmp_path / "work"
    child = spawn(work, "new", "service", "payments")
    child.expect(
        r"(\d+) questions for payments from python-service [.0-9]+: Enter keeps the default, b goes back"
    )
    total = int(child.match.group(1))
    child.expect(rf"\(1/{total}\) One-line description")
    child.sendline("")
    child.expect(rf"\(2/{total}\) Owner team .*· owner \(platform-team\): ")
    assert "((" not in child.before and "))" not in child.before  # the default shown once
    child.sendline("team-payments")
    child.expect(rf"\(3/{total}\)")
    child.sendline("b")  # back to the owner question: the answer given is the default now
    child.expect(rf"\(2/{total}\) Owner team .*\(team-payments\): ")
    child.sendline("")
    for _ in range(3, total + 1):
        index = child.expect([r"\(\d+/\d+\) HTTP port[^\r\n]*: ", r"\((\d+)/\d+\) [^\r\n]*: "])
        if index == 0:
            child.sendline("not-a-port")
            child.expect("not accepted: expected an integer, got 'not-a-port'; try again")
            child.expect(r"HTTP port")
            child.sendline("9000")
        else:
            child.sendline("")
    child.expect("Create payments in payments with:")
    child.expect(r"owner\s+'team-payments'")
    child.expect(r"Go ahead\? \[y/n\] \(y\): ")
    child.sendline("y")
    assert finish(child) == 0
    descriptor = yaml.safe_load((work / "payments" / "platform.yaml").read_text())
    assert descriptor["owner"] == "team-payments"
    assert descriptor["golden_path"]["answers"]["port"] == 9000


def test_an_optional_piece_asks_its_questions_only_when_it_is_on(tmp_path):
    """Off by default, one question per piece; switching monitoring on adds its two questions,
    and platform-wide values (the Argo CD project, the Grafana folder) are never asked."""
    work = tmp_path / "work"
    child = spawn(work, "new", "service", "payments")
    child.expect(r"(\d+) questions for payments")
    first_total = int(child.match.group(1))
    asked: list[str] = []
    totals: set[int] = set()
    while child.expect([r"Go ahead\? \[y/n\] \(y\): ", r"\(\d+/(\d+)\) [^\r\n]* · (\w+) [^\r\n]*: "]) == 1:
        totals.add(int(child.match.group(1)))
        name = child.match.group(2)
        asked.append(name)
        child.sendline({"monitoring": "y", "gitops": "argocd"}.get(name, ""))
    child.sendline("y")
    assert finish(child) == 0
    assert {"gitops", "monitoring", "secrets", "infra"} <= set(asked)
    assert asked[asked.index("monitoring") + 1 : asked.index("monitoring") + 3] == [
        "slo_availability",
        "slo_latency_seconds",
    ]
    for platform_wide in ("argocd_project", "gitops_repo_base", "grafana_folder", "alert_labels"):
        assert platform_wide not in asked
    for off in ("vault_mount", "secret_store", "terraform_module_source"):
        assert off not in asked
    assert len(asked) == first_total + 2 and max(totals) == first_total + 2
    answers = yaml.safe_load((work / "payments" / "platform.yaml").read_text())["golden_path"]["answers"]
    assert answers["argocd_project"] == "default" and answers["slo_availability"] == "99.9"
    assert "vault_mount" not in answers  # as in copier's answers file: a skipped question is not recorded
    assert (work / "payments" / "deploy/k8s/base/prometheusrule.yaml").is_file()


def test_declining_the_summary_writes_nothing(tmp_path):
    work = tmp_path / "work"
    child = spawn(work, "new", "service", "payments")
    while child.expect([r"Go ahead\? \[y/n\] \(y\): ", r"\(\d+/\d+\) [^\r\n]*: "]) == 1:
        child.sendline("")  # every default
    child.sendline("n")
    child.expect("error: not created: nothing was written")
    assert finish(child) == 1
    assert list(work.iterdir()) == []


def test_ctrl_c_prints_the_interruption_on_its_own_line(tmp_path):
    child = spawn(tmp_path / "work", "new", "service", "payments")
    child.expect(r"\(1/\d+\) [^\r\n]*: ")  # the whole prompt: input is being read now
    child.sendintr()
    child.expect(r"\r\nerror: interrupted")
    assert finish(child) == 130


def test_env_up_on_a_terminal_shows_the_plan_and_asks(created):
    # The service is made off a terminal, once per test process (the setup, not the subject).
    folder = created("payments") / "work" / "payments"
    child = spawn(folder, "env", "up", "staging")
    child.expect("Plan for environment staging")
    child.expect(r"Apply this plan to staging\? \[y/n\] \(y\): ")
    child.sendline("n")
    child.expect("error: not applied: nothing was changed")
    assert finish(child) == 1
    child = spawn(folder, "env", "up", "staging")
    child.expect(r"Apply this plan to staging\?")
    child.sendline("y")
    assert finish(child) == 0
    child = spawn(folder, "env", "up", "pr-5", "--yes")
    index = child.expect([r"Apply this plan", pexpect.EOF])
    assert index == 1  # --yes: never asked
    child.close()
    assert child.exitstatus == 0


def test_env_up_without_a_terminal_never_asks(cli, created, monkeypatch):
    monkeypatch.chdir(created("payments") / "work" / "payments")  # made once, copied (conftest.py)
    result = cli("env", "up", "staging")
    assert result.exit_code == 0, result.stderr
    assert "Apply this plan" not in result.stderr
