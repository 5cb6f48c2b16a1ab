"""Human output prints values as they are: square brackets in names and paths are not rich markup."""

from __future__ import annotations

import os
import sys

import git
import pytest

from tests.helpers import build_golden_path, configure_golden_path

MARKUP = "[bold]loud[/]"


def test_golden_path_list_and_show_keep_brackets(cli, tmp_path):
    gp = build_golden_path(
        tmp_path / "gp[1]", questions=f"tier:\n  type: str\n  default: '{MARKUP}'\n  help: 'Tier {MARKUP}'\n"
    )
    (gp / "golden-path.yaml").write_text(f"name: tiny\nversion: 1.0.0\ndescription: 'A {MARKUP} service'\n")
    configure_golden_path(tmp_path / "work", "tiny", gp)
    listed = cli("golden-path", "list")
    assert listed.exit_code == 0, listed.stderr
    line = next(line for line in listed.stdout.splitlines() if line.startswith("tiny"))
    assert f"A {MARKUP} service" in line and "gp[1]" in line
    shown = cli("golden-path", "show", "tiny")
    assert f"A {MARKUP} service" in shown.stdout and "gp[1]" in shown.stdout
    assert f"Tier {MARKUP}" in shown.stdout


def test_config_show_keeps_brackets_in_values_and_sources(cli, tmp_path):
    config = tmp_path / "cfg[x]" / "platformctl.yaml"
    config.parent.mkdir()
    config.write_text("org: acme\n")
    result = cli("--config", str(config), "config", "show", env={"PLATFORMCTL_HOME": "/srv/[red]home"})
    assert result.exit_code == 0, result.stderr
    assert "/srv/[red]home" in result.stdout
    assert str(config) in result.stdout


def test_config_init_names_the_file_it_wrote(cli):
    result = cli("config", "init", "--path", "[team].yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "wrote [team].yaml\n"


def test_check_service_lists_drifted_files_with_brackets(cli, tmp_path):
    gp = build_golden_path(tmp_path / "gp", files={"app/[id]/page.tsx": "a\n", "README.md": "r\n"})
    configure_golden_path(tmp_path / "work", "tiny", gp)
    assert cli("new", "service", "svc", "-g", "tiny").exit_code == 0
    checkout = tmp_path / "work" / "svc"
    (checkout / "app" / "[id]" / "page.tsx").write_text("mine\n")
    (checkout / "[slug].md").write_text("new\n")
    repo = git.Repo(checkout)
    repo.git.add(A=True)
    repo.index.commit("local edits")
    result = cli("check", "service", "svc")
    assert result.exit_code == 0, result.stderr
    assert "  ~ app/[id]/page.tsx" in result.stdout.splitlines()
    assert "  + [slug].md" in result.stdout.splitlines()


def test_a_question_help_with_brackets_is_asked_as_written(isolation, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    gp = build_golden_path(tmp_path / "gp", questions="team:\n  type: str\n  help: 'Team [b]owning[/b] it'\n")
    configure_golden_path(tmp_path / "work", "tiny", gp)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(NO_COLOR="1", TERM="dumb")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "platformctl", "new", "service", "svc", "-g", "tiny", "--dry-run"],
        cwd=str(tmp_path / "work"),
        env=env,
        timeout=60,
        encoding="utf-8",
    )
    child.expect(r"Team \[b\]owning\[/b\] it")
    child.sendline("blue")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
