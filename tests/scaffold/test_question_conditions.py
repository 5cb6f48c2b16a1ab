"""A question's ``when:`` is evaluated as copier evaluates it: a Jinja expression over the
answers so far, read as a YAML boolean. A question that does not apply is neither asked nor
recorded, and takes its default unless it was answered."""

from __future__ import annotations

import os
import sys

import pytest
import yaml

from tests.helpers import build_golden_path, configure_golden_path

QUESTIONS = """\
cache:
  type: bool
  help: A cache in front of the database
  default: false
cache_size:
  type: int
  help: Cache size in MB
  default: 64
  when: "{{ cache }}"
cache_engine:
  type: str
  help: Cache engine
  choices: [redis, memcached]
  default: redis
  when: "{{ cache and cache_size > 100 }}"
legacy:
  type: str
  help: A question switched off by an expression that renders to a YAML false
  default: old
  when: "{{ 'off' }}"
"""
README = (
    "# {{ service_name }}\n"
    "{% if cache %}cache {{ cache_size }}MB{% if cache_size > 100 %} on {{ cache_engine }}{% endif %}\n"
    "{% endif %}legacy {{ legacy }}\n"
)


@pytest.fixture
def tiny(tmp_path):
    gp = build_golden_path(tmp_path / "gp", questions=QUESTIONS, files={"README.md.jinja": README})
    configure_golden_path(tmp_path / "work", "tiny", gp)
    return tmp_path / "work"


def _answers(service) -> dict:
    return yaml.safe_load((service / "platform.yaml").read_text())["golden_path"]["answers"]


def test_a_piece_that_is_off_neither_asks_nor_records_its_questions(cli, tiny):
    result = cli("new", "service", "svc", "-g", "tiny", "--no-input")
    assert result.exit_code == 0, result.stderr
    assert _answers(tiny / "svc") == {"service_name": "svc", "cache": False}
    # copier computed the skipped questions' defaults itself: the render is complete
    assert (tiny / "svc" / "README.md").read_text() == "# svc\nlegacy old\n"


def test_switching_a_piece_on_answers_its_questions(cli, tiny):
    result = cli("new", "service", "svc", "-g", "tiny", "--set", "cache=yes")
    assert result.exit_code == 0, result.stderr
    assert _answers(tiny / "svc") == {"service_name": "svc", "cache": True, "cache_size": 64}
    assert "cache 64MB\n" in (tiny / "svc" / "README.md").read_text()


def test_a_condition_on_an_earlier_answer_is_read_in_order(cli, tiny):
    result = cli("new", "service", "svc", "-g", "tiny", "--set", "cache=true", "--set", "cache_size=512")
    assert result.exit_code == 0, result.stderr
    assert _answers(tiny / "svc")["cache_engine"] == "redis"
    assert "cache 512MB on redis" in (tiny / "svc" / "README.md").read_text()


def test_an_answer_given_to_a_question_that_does_not_apply_is_still_validated(cli, tiny):
    result = cli("new", "service", "svc", "-g", "tiny", "--set", "cache_size=big")
    assert result.exit_code == 2
    assert "error: --set cache_size: expected an integer, got 'big'" in result.stderr


def test_on_a_terminal_only_the_questions_that_apply_are_asked(isolation, tiny):
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(TERM="dumb", NO_COLOR="1")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "platformctl", "new", "service", "svc", "-g", "tiny"],
        cwd=str(tiny),
        env=env,
        timeout=120,
        encoding="utf-8",
    )
    child.expect(r"1 question for svc")
    child.expect(r"\(1/1\) A cache in front of the database")
    child.sendline("y")
    child.expect(r"\(2/2\) Cache size in MB")  # the counter grows with the piece switched on
    child.sendline("b")  # back: the piece off again asks nothing more
    child.expect(r"\(1/1\) A cache in front of the database .*\(True\)")
    child.sendline("n")
    child.expect(r"Go ahead\?")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert _answers(tiny / "svc") == {"service_name": "svc", "cache": False}
