"""`platformctl new service` on the embedded local provider, through the real entry point."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import git
import pytest
import yaml

from tests.helpers import build_golden_path, configure_golden_path, trust_project_file


def local_repo(home: Path, name: str = "payments", org: str = "local") -> Path:
    return home / ".local/share/platformctl/repositories" / org / f"{name}.git"


def snapshot(*roots: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``roots`` with its size and mtime: equal snapshots mean no writes."""
    out = {}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                st = path.stat()
                out[str(path)] = (st.st_size, st.st_mtime_ns)
    return out


def test_creates_checkout_and_local_repository(cli, isolation, tmp_path):
    result = cli("new", "service", "payments", "--owner", "team-payments", "--set", "port=9000")
    assert result.exit_code == 0, result.stderr
    checkout = tmp_path / "work" / "payments"
    bare = local_repo(isolation)
    assert git.Repo(bare).bare
    assert "Created service payments from python-service" in result.stdout
    assert f"git clone {bare}" in result.stdout
    assert "push: done" in result.stderr

    clone = git.Repo.clone_from(str(bare), tmp_path / "clone")
    descriptor = yaml.safe_load((tmp_path / "clone" / "platform.yaml").read_text())
    root, second = list(clone.iter_commits("main"))[::-1]
    assert descriptor["golden_path"]["pristine_commit"] == root.hexsha
    assert descriptor["golden_path"]["answers"]["port"] == 9000
    assert descriptor["owner"] == "team-payments"
    assert descriptor["repository"] == {"provider": "local", "slug": "local/payments", "url": str(bare)}
    assert set(descriptor["environments"]) == {"staging", "production", "pr-*"}
    # The first commit is the pristine render: every rendered file and nothing else.
    rendered = {b.path for b in root.tree.traverse() if b.type == "blob"}
    assert "platform.yaml" not in rendered
    assert rendered == {p for p in git.Repo(checkout).git.ls_files().splitlines() if p != "platform.yaml"}
    assert list(second.stats.files) == ["platform.yaml"]
    # The default branch is protected at the local host.
    reader = git.Repo(bare).config_reader(config_level="repository")
    assert reader.get_value("receive", "denyNonFastForwards") is True
    assert reader.get_value("receive", "denyDeletes") is True


def test_second_run_writes_nothing(cli, created):
    root = created("payments")  # what a real first run left, made once per process (conftest.py)
    work, home = root / "work", root / "home"
    before = snapshot(work, home / ".local")
    result = cli("new", "service", "payments", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["changed"] is False and doc["resumed"] is True
    assert [s["changed"] for s in doc["steps"]] == [False, False, False]
    after = snapshot(work, home / ".local")
    # Its one write is the record of its result, a cache under the home (scaffold/recorded.py)...
    recorded = {path for path in set(after) - set(before) if "/cache/new-service/" in path}
    assert len(recorded) == 1 and {k: v for k, v in after.items() if k not in recorded} == before
    # ...and the run answered from it writes nothing at all, the record included.
    assert cli("new", "service", "payments", "--json").json() == doc
    assert snapshot(work, home / ".local") == after


def test_a_failed_push_is_finished_by_the_rerun(cli, isolation, tmp_path):
    bare = local_repo(isolation)
    bare.parent.mkdir(parents=True)
    bare.write_text("not a repository")  # the host step fails after the checkout is in place
    first = cli("new", "service", "payments")
    assert first.exit_code == 1
    assert "exists and is not a bare git repository" in first.stderr
    assert (tmp_path / "work" / "payments" / "platform.yaml").is_file()
    bare.unlink()
    second = cli("new", "service", "payments", "--json")
    assert second.exit_code == 0, second.stderr
    # create and push write; the repository is protected as it is created, so protect only reads
    assert [s["changed"] for s in second.json()["steps"]] == [True, True, False]
    assert git.Repo(bare).head.commit.hexsha == second.json()["head_commit"]


def test_repository_with_other_history_is_refused(cli, isolation, tmp_path):
    other = git.Repo.init(tmp_path / "other", initial_branch="main")
    (tmp_path / "other" / "f").write_text("x")
    other.index.add(["f"])
    other.index.commit("someone else's")
    bare = local_repo(isolation)
    git.Repo.clone_from(str(tmp_path / "other"), bare, bare=True)
    (bare / "platformctl-repository").touch()  # one platformctl made for another service
    result = cli("new", "service", "payments")
    assert result.exit_code == 1
    assert "already has a main branch with other history" in result.stderr
    assert "hint: this repository belongs to another service" in result.stderr


@pytest.mark.parametrize("name", ["Bad_Name!", "a_b", "x-", "UPPER", "a" * 64, "with.dot", ""])
def test_bad_name_is_exit_2_and_writes_nothing(cli, isolation, tmp_path, name):
    result = cli("new", "service", name)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: invalid service name {name!r}: use a lower-case DNS label")
    assert len(lines) == 2
    assert list((tmp_path / "work").iterdir()) == []
    assert not (isolation / ".local").exists()


def test_json_without_tty_never_prompts(cli):
    result = cli("new", "service", "x", "--json")  # in-process: stdin and stdout are no terminal
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["schema_version"] == 1
    assert doc["service"] == "x"
    assert doc["next_steps"][0] == "cd x"
    assert "?" not in result.stderr


def test_missing_answer_without_tty_names_the_flag(cli, tmp_path):
    gp = build_golden_path(tmp_path / "gp", questions="team:\n  type: str\n  help: Team\n")
    configure_golden_path(tmp_path / "work", "tiny", gp)
    result = cli("new", "service", "svc", "--golden-path", "tiny")
    assert result.exit_code == 2
    assert "error: no answer for team and prompting is off" in result.stderr
    assert "hint: pass --set team=VALUE" in result.stderr
    assert not (tmp_path / "work" / "svc").exists()
    ok = cli("new", "service", "svc", "--golden-path", "tiny", "--set", "team=blue")
    assert ok.exit_code == 0, ok.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "port"], "error: --set expects KEY=VALUE, got 'port'"),
        (["--set", "=1"], "error: --set expects KEY=VALUE"),
        (["--set", "colour=red"], "error: python-service has no question 'colour'"),
        (["--set", "port=abc"], "error: --set port: expected an integer, got 'abc'"),
        (["--set", "port=80"], "error: --set port: 80 is invalid: must be between 1024 and 65535"),
        (["--set", "service_name=other"], "service_name comes from the NAME argument"),
        (["--owner", "Team Blue"], "error: --owner: 'Team Blue' is invalid: must be a Backstage group"),
        (["--golden-path", "nope"], "error: no golden path named 'nope'"),
        (["--provider", "svn"], "--provider: must be 'local', 'github' or 'gitlab', not 'svn'"),
    ],
)
def test_bad_answers_are_exit_2_and_write_nothing(cli, isolation, tmp_path, args, message):
    result = cli("new", "service", "payments", *args)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "work" / "payments").exists()
    assert not (isolation / ".local/share/platformctl/repositories").exists()


def test_answers_file(cli, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("port: 9100\ndescription: Takes money\n")
    result = cli("new", "service", "payments", "--answers-file", str(answers), "--set", "port=9200", "--json")
    assert cli("new", "service", "other", "--answers", str(answers), "--dry-run").exit_code == 0
    assert result.exit_code == 0, result.stderr
    descriptor = yaml.safe_load((tmp_path / "work/payments/platform.yaml").read_text())
    assert descriptor["golden_path"]["answers"]["port"] == 9200  # --set beats the file
    assert descriptor["description"] == "Takes money"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- a\n- b\n", "must be a mapping"),
        ("port: [\n", "answers.yaml:2: not valid YAML"),
        ("port: 80\n", "answers.yaml: port: 80 is invalid"),
    ],
)
def test_bad_answers_file(cli, tmp_path, content, message):
    answers = tmp_path / "answers.yaml"
    answers.write_text(content)
    result = cli("new", "service", "payments", "--answers-file", str(answers))
    assert result.exit_code == 2
    assert message in result.stderr


def test_dry_run_lists_files_and_steps_and_writes_nothing(cli, isolation, tmp_path):
    result = cli("new", "service", "payments", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["dry_run"] is True
    assert "platform.yaml" in doc["files"] and "README.md" in doc["files"]
    assert doc["steps"][0] == "local: create repository local/payments unless it exists"
    assert list((tmp_path / "work").iterdir()) == []
    assert not (isolation / ".local/share/platformctl/repositories").exists()
    human = cli("new", "service", "payments", "--dry-run")
    assert "+ README.md" in human.stdout and "nothing was written" in human.stdout


def test_non_empty_target_is_refused(cli, tmp_path):
    target = tmp_path / "work" / "payments"
    target.mkdir()
    (target / "mine.txt").write_text("keep me")
    result = cli("new", "service", "payments")
    assert result.exit_code == 2
    assert "already exists and is not empty" in result.stderr
    assert sorted(p.name for p in target.iterdir()) == ["mine.txt"]


def test_empty_target_and_nested_dir(cli, tmp_path):
    (tmp_path / "work" / "empty").mkdir()
    assert cli("new", "service", "a", "--dir", "empty").exit_code == 0
    assert (tmp_path / "work/empty/platform.yaml").is_file()
    assert cli("new", "service", "b", "--dir", "deep/er/b").exit_code == 0
    assert (tmp_path / "work/deep/er/b/platform.yaml").is_file()


def test_failure_in_the_middle_of_rendering_leaves_nothing(cli, isolation, tmp_path):
    files = {f"a{i}.txt.jinja": "{{ service_name }}\n" for i in range(5)}
    files["z-broken.txt.jinja"] = "{{ service_name | no_such_filter }}\n"
    gp = build_golden_path(tmp_path / "gp", files=files)
    configure_golden_path(tmp_path / "work", "tiny", gp)
    result = cli("new", "service", "svc", "--golden-path", "tiny")
    assert result.exit_code == 1
    assert "rendering golden path 'tiny' failed" in result.stderr
    assert "hint: nothing was written" in result.stderr
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["platformctl.yaml"]
    assert not (isolation / ".local/share/platformctl/repositories").exists()


def test_github_actions_outputs_and_summary(cli, tmp_path):
    output, summary = tmp_path / "out", tmp_path / "summary.md"
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "CI": "true",
    }
    result = cli("new", "service", "payments", env=env)
    assert result.exit_code == 0, result.stderr
    text = output.read_text()
    assert "repo_url<<ghadelimiter_" in text and "path<<ghadelimiter_" in text
    assert str(tmp_path / "work" / "payments") in text
    assert "### Service `payments` created" in summary.read_text()


def test_owner_from_platform_config(cli, tmp_path):
    (tmp_path / "work" / "platformctl.yaml").write_text("owner: team-config\norg: acme\n")
    trust_project_file(tmp_path / "work" / "platformctl.yaml")  # an untrusted file may not set org
    result = cli("new", "service", "payments", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["repository"]["slug"] == "acme/payments"
    descriptor = yaml.safe_load((tmp_path / "work/payments/platform.yaml").read_text())
    assert descriptor["owner"] == "team-config"


def test_prompts_for_missing_answers_on_a_tty(isolation, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    gp = build_golden_path(
        tmp_path / "gp",
        questions="team:\n  type: str\n  help: Owning team\n"
        '  validator: "{% if team != team | lower %}lower-case only{% endif %}"\n'
        "size:\n  type: int\n  default: 3\n  help: Size\n",
    )
    configure_golden_path(tmp_path / "work", "tiny", gp)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "platformctl", "new", "service", "svc", "--golden-path", "tiny"],
        cwd=str(tmp_path / "work"),
        env=env,
        timeout=60,
        encoding="utf-8",
    )
    child.expect("Owning team")
    child.sendline("BLUE")
    child.expect("lower-case only")
    child.expect("Owning team")
    child.sendline("blue")
    child.expect(r"Size .*\(3\)")
    child.sendline("")
    child.expect(r"Go ahead\?")  # the summary of the answers, confirmed
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    descriptor = yaml.safe_load((tmp_path / "work/svc/platform.yaml").read_text())
    assert descriptor["golden_path"]["answers"] == {"service_name": "svc", "team": "blue", "size": 3}


def test_no_input_on_a_tty_does_not_prompt(isolation, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    gp = build_golden_path(tmp_path / "gp", questions="team:\n  type: str\n")
    configure_golden_path(tmp_path / "work", "tiny", gp)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "platformctl", "new", "service", "svc", "-g", "tiny", "--no-input"],
        cwd=str(tmp_path / "work"),
        env=env,
        timeout=60,
        encoding="utf-8",
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "--set team=VALUE" in child.before


def test_ci_on_a_tty_does_not_prompt(isolation, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    gp = build_golden_path(tmp_path / "gp", questions="team:\n  type: str\n")
    configure_golden_path(tmp_path / "work", "tiny", gp)
    env = {**os.environ, "CI": "true"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "platformctl", "new", "service", "svc", "-g", "tiny"],
        cwd=str(tmp_path / "work"),
        env=env,
        timeout=60,
        encoding="utf-8",
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "--set team=VALUE" in child.before


def test_compiled_python_files_in_a_golden_path_never_reach_the_service(cli, tmp_path):
    gp = build_golden_path(tmp_path / "gp", files={"app.py": "x = 1\n"})
    cache = gp / "template" / "__pycache__"
    cache.mkdir()
    (cache / "app.cpython-311.pyc").write_bytes(b"\xa7\x0d\x0d\x0a")
    (gp / "template" / "stray.pyc").write_bytes(b"\xa7")
    configure_golden_path(tmp_path / "work", "tiny", gp)
    assert cli("new", "service", "svc", "-g", "tiny").exit_code == 0
    files = {p.name for p in (tmp_path / "work" / "svc").rglob("*") if ".git" not in p.parts}
    assert "app.py" in files
    assert not files & {"__pycache__", "app.cpython-311.pyc", "stray.pyc"}


def test_a_yield_tag_in_a_path_still_renders_one_file_per_item(cli, tmp_path):
    """Compiled strings are reused within a render; copier's yield tag keeps working around them."""
    gp = build_golden_path(
        tmp_path / "gp",
        questions="modules:\n  type: yaml\n  default: [billing, ledger]\n  help: Modules\n",
        files={
            "README.md.jinja": "# {{ service_name }}\n",  # its name's compiled string is reused below
            "{% yield module from modules %}{{ module }}{% endyield %}/README.md.jinja": "# {{ module }}\n",
            "after/{{ service_name }}.txt.jinja": "{{ service_name }}\n",
            "zz/{{ service_name }}.txt.jinja": "{{ service_name }}\n",
        },
    )
    configure_golden_path(tmp_path / "work", "tiny", gp)
    assert cli("new", "service", "svc", "-g", "tiny", "--no-input").exit_code == 0
    service = tmp_path / "work" / "svc"
    assert (service / "billing" / "README.md").read_text() == "# billing\n"
    assert (service / "ledger" / "README.md").read_text() == "# ledger\n"
    assert (service / "after" / "svc.txt").is_file() and (service / "zz" / "svc.txt").is_file()
