"""The interactive questionnaire through a pseudo-terminal (`python -m platformctl` under pexpect)."""

from __future__ import annotations

import os
import sys

import pytest
import yaml

from tests.maturity.helpers import git_repo, write_answers, write_model

pexpect = pytest.importorskip("pexpect")

ANSWER = r"Answer 1-\d, s, n, b or q"


def spawn(work, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    env.update(TERM="dumb", NO_COLOR="1", USER="alice")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "platformctl", "assess", "maturity", *args],
        cwd=str(work),
        env=env,
        timeout=60,
        encoding="utf-8",
        dimensions=(60, 200),
    )
    # Every key is sent after the prompt it answers was read, so pexpect's 50 ms pause
    # before each send (for programs that set up their terminal late) buys nothing here.
    child.delaybeforesend = None
    return child


def finish(child):
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_answer_back_na_skip_then_report_and_saved_answers(tmp_path):
    work = tmp_path / "work"
    model = write_model(tmp_path / "tiny.yaml")
    child = spawn(work, "--model", str(model))
    child.expect(r"Maturity questionnaire.*3 questions")
    child.expect(r"\(1/3\) Alpha · a\.ci")
    child.expect("How many CI systems")
    child.expect(ANSWER)
    child.sendline("7")  # out of range: asked again
    child.expect("Type a number from 1 to 4")
    child.sendline("3")
    child.expect(r"\(2/3\) Alpha · a\.iac")
    child.expect(ANSWER)
    child.sendline("b")
    child.expect(r"\(1/3\)")
    child.expect(r"› 3\) One")  # the current answer is marked and is the default
    child.expect(r"\(3\)")
    child.sendline("")
    child.expect(r"\(2/3\)")
    child.expect(ANSWER)
    child.sendline("n")
    child.expect("Why does it not apply")
    child.sendline("")
    child.expect("Why does it not apply")
    child.sendline("we rent everything")
    child.expect(r"\(3/3\) Beta · b\.docs")
    child.expect(ANSWER)
    child.sendline("s")
    # a = a.ci only = 2/4 (a.iac is n/a); b = 0 (unknown): (3*50 + 0) / 4 = 37.5
    child.expect(r"Platform maturity\s+37\.5/100 · level 2 \(two\)")
    assert finish(child) == 0
    saved = yaml.safe_load((work / "maturity-answers.yaml").read_text())
    assert saved["answers"]["a.ci"] == {
        "answer": "one",
        "answered_by": "alice",
        "answered_at": saved["answers"]["a.ci"]["answered_at"],
    }
    assert saved["answers"]["a.iac"]["answer"] == "n/a"
    assert saved["answers"]["a.iac"]["reason"] == "we rent everything"
    assert saved["answers"]["b.docs"]["answer"] == "unknown"


def test_resume_a_partly_filled_file_and_quit_keeps_progress(tmp_path):
    work = tmp_path / "work"
    model = write_model(tmp_path / "tiny.yaml")
    answers = write_answers(tmp_path / "answers.yaml", {"a.ci": "shared"})
    child = spawn(work, "--model", str(model), "--answers", str(answers))
    child.expect(r"resuming from .*answers\.yaml \(1/3 answered\)")
    child.expect(r"\(2/3\) Alpha · a\.iac")  # the answered question is not asked again
    child.expect(ANSWER)
    child.sendline("3")
    child.expect(r"\(3/3\)")
    child.expect(ANSWER)
    child.sendline("q")
    child.expect("error: stopped at question 3/3; 2 of 3 answered; the answers so far are saved in")
    child.expect("hint: resume with: platformctl assess maturity --answers")
    assert finish(child) == 130
    assert yaml.safe_load(answers.read_text())["answers"] == {
        "a.ci": "shared",
        "a.iac": {
            "answer": "most",
            "answered_by": "alice",
            "answered_at": yaml.safe_load(answers.read_text())["answers"]["a.iac"]["answered_at"],
        },
        "b.docs": None,
    }

    child = spawn(work, "--model", str(model), "--answers", str(answers), "--json")
    child.expect(r"\(3/3\) Beta · b\.docs")
    child.expect(ANSWER)
    child.sendline("6")
    child.expect('"score": 100.0')
    assert finish(child) == 0
    assert yaml.safe_load(answers.read_text())["answers"]["b.docs"]["answer"] == "d5"


def test_evidence_suggests_and_caps_during_the_run(tmp_path):
    work = tmp_path / "work"
    model = write_model(tmp_path / "tiny.yaml")
    one = git_repo(tmp_path / "one", {".github/workflows/ci.yml": "on: push\n"})
    child = spawn(work, "--model", str(model), "--detect", str(one), "--answers", "mine.yaml")
    child.expect(r"evidence: CI/CD systems: github-actions in 1 of 1 repository")
    child.expect(r"\(3\)")  # "One" suggested by the evidence
    child.sendline("q")
    assert finish(child) == 130  # nothing answered yet: nothing saved
    assert not (work / "mine.yaml").exists()

    three = git_repo(
        tmp_path / "three",
        {
            ".github/workflows/ci.yml": "on: push\n",
            "Jenkinsfile": "x\n",
            ".gitlab-ci.yml": "a:\n  script: b\n",
        },
    )
    child = spawn(work, "--model", str(model), "--detect", str(three), "--answers", "mine.yaml")
    child.expect("the evidence caps this answer at 1")
    child.expect(ANSWER)
    child.sendline("4")
    child.expect(ANSWER)
    child.sendline("3")
    child.expect(ANSWER)
    child.sendline("1")
    child.expect(r"Platform maturity\s+50\.0/100 · level 1")
    child.expect("capped by evidence: a.ci")
    assert finish(child) == 0
    assert yaml.safe_load((work / "mine.yaml").read_text())["answers"]["a.ci"]["answer"] == "shared"


def test_review_asks_everything_again_and_no_input_never_prompts(tmp_path):
    work = tmp_path / "work"
    model = write_model(tmp_path / "tiny.yaml")
    answers = write_answers(tmp_path / "a.yaml", {"a.ci": "two", "a.iac": "most", "b.docs": "d1"})
    child = spawn(work, "--model", str(model), "--answers", str(answers))
    child.expect(r"Platform maturity")  # complete: no question at all
    assert "(1/3)" not in child.before
    assert finish(child) == 0
    child = spawn(work, "--model", str(model), "--answers", str(answers), "--review")
    child.expect(r"\(1/3\)")
    child.expect(r"\(2\)")
    child.sendline("4")
    child.expect(r"\(2/3\)")
    child.sendline("")
    child.expect(r"\(3/3\)")
    child.sendline("")
    child.expect("Platform maturity")
    assert finish(child) == 0
    assert yaml.safe_load(answers.read_text())["answers"]["a.ci"]["answer"] == "shared"
    partial = write_answers(tmp_path / "p.yaml", {"a.ci": "two"})
    child = spawn(work, "--model", str(model), "--answers", str(partial), "--no-input")
    assert finish(child) == 2
    assert "2 question(s) have no answer" in child.before


def test_an_answer_capped_by_evidence_is_pre_selected_and_enter_keeps_it(tmp_path):
    work = tmp_path / "work"
    model = write_model(tmp_path / "tiny.yaml")
    # Two CI systems: the evidence caps a.ci at "two" (choice 2) and suggests nothing.
    two = git_repo(
        tmp_path / "two", {".github/workflows/ci.yml": "on: push\n", ".gitlab-ci.yml": "a:\n  script: b\n"}
    )
    child = spawn(work, "--model", str(model), "--detect", str(two), "--answers", "mine.yaml")
    child.expect(r"\(1/3\) Alpha · a\.ci")
    child.expect(r"› 2\) Two")  # the capped answer is marked
    child.expect("the evidence caps this answer at 2")
    child.expect(ANSWER + r".*\(2\)")  # and is the default
    child.sendline("")
    child.expect(r"\(2/3\)")
    child.expect(ANSWER)
    child.sendline("3")
    child.expect(r"\(3/3\)")
    child.expect(ANSWER)
    child.sendline("1")
    child.expect(r"Platform maturity")
    assert finish(child) == 0
    assert yaml.safe_load((work / "mine.yaml").read_text())["answers"]["a.ci"]["answer"] == "two"
