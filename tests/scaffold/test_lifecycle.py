"""`check service` and `update service`: golden-path updates are git merges of pristine renders."""

from __future__ import annotations

import subprocess
from pathlib import Path

import git
import pytest
import yaml

from tests.helpers import build_golden_path, built_once, configure_golden_path

V1_FILES = {
    "README.md.jinja": "# {{ service_name }}\n\nline one\nline two\nline three\n\nfooter\n",
    "app.py": "print('v1')\n",
    "old.txt": "to be removed\n",
    "keep.txt": "a\nb\nc\nd\ne\nf\ng\n",
}


@pytest.fixture(scope="session")
def service_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The service's folder in this test process (see :func:`tests.helpers.built_once`)."""
    return tmp_path_factory.mktemp("lifecycle")


@pytest.fixture
def service(cli, service_folder, monkeypatch):
    """A service made from golden path 'tiny' 1.0.0; returns (checkout, golden path folder).

    Built once per test process and copied back for each test (the subject here is the update);
    the platform home is the default one under HOME."""

    def build(root: Path) -> None:
        gp = build_golden_path(root / "gp", files=V1_FILES, questions="tier:\n  type: str\n  default: gold\n")
        configure_golden_path(root / "work", "tiny", gp)
        result = cli("new", "service", "svc", "--golden-path", "tiny")
        assert result.exit_code == 0, result.stderr

    root = built_once(service_folder, build, monkeypatch, platform_home=False)
    return root / "work" / "svc", root / "gp"


def release_v2(gp: Path, *, questions: str = "") -> None:
    """Version 2.0.0: a changed line, an added file, a removed file, optionally new questions."""
    (gp / "golden-path.yaml").write_text((gp / "golden-path.yaml").read_text().replace("1.0.0", "2.0.0"))
    readme = gp / "template" / "README.md.jinja"
    readme.write_text(readme.read_text().replace("line two", "line two, improved"))
    (gp / "template" / "added.txt").write_text("new in v2\n")
    (gp / "template" / "old.txt").unlink()
    if questions:
        (gp / "copier.yml").write_text((gp / "copier.yml").read_text() + questions)


def commit_edit(checkout: Path, rel: str, transform) -> None:
    path = checkout / rel
    path.write_text(transform(path.read_text()))
    repo = git.Repo(checkout)
    repo.git.add(A=True)
    repo.index.commit(f"local edit of {rel}")


def descriptor(checkout: Path) -> dict:
    return yaml.safe_load((checkout / "platform.yaml").read_text())


def test_check_current_service(cli, service):
    checkout, _ = service
    result = cli("check", "service", str(checkout), "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert (doc["golden_path"], doc["version"], doc["available"]) == ("tiny", "1.0.0", "1.0.0")
    assert doc["update_available"] is False and doc["pristine_present"] is True
    assert doc["drift"] == {"changed": [], "added": [], "removed": []}


def test_check_reports_drift_and_exit_3_when_update_available(cli, service, monkeypatch):
    checkout, gp = service
    (checkout / "app.py").write_text("print('mine')\n")
    (checkout / "mine.txt").write_text("x")
    (checkout / "old.txt").unlink()
    (checkout / "sub").mkdir()
    repo = git.Repo(checkout)
    repo.git.add(A=True)
    repo.index.commit("local work")
    release_v2(gp)
    monkeypatch.chdir(checkout / "sub")  # found by walking up
    result = cli("check", "service", "--json")
    assert result.exit_code == 3
    doc = result.json()
    assert doc["available"] == "2.0.0" and doc["update_available"] is True
    assert doc["drift"] == {"changed": ["app.py"], "added": ["mine.txt"], "removed": ["old.txt"]}
    human = cli("check", "service")
    assert "update available" in human.stdout and "~ app.py" in human.stdout


def test_clean_merge_keeps_local_edits_on_other_lines(cli, service):
    checkout, gp = service
    old_pristine = descriptor(checkout)["golden_path"]["pristine_commit"]
    commit_edit(checkout, "README.md", lambda t: t.replace("footer", "footer, ours"))
    commit_edit(checkout, "keep.txt", lambda t: t.replace("g\n", "g, ours\n"))
    release_v2(gp)
    result = cli("update", "service", str(checkout), "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["status"] == "merged" and doc["branch"] == "golden-path/tiny-2.0.0"
    assert doc["files"] == {"changed": ["README.md"], "added": ["added.txt"], "removed": ["old.txt"]}
    lines = (checkout / "README.md").read_text().splitlines()
    assert lines == ["# svc", "", "line one", "line two, improved", "line three", "", "footer, ours"]
    assert (checkout / "keep.txt").read_text().splitlines()[-1] == "g, ours"
    assert (checkout / "added.txt").read_text() == "new in v2\n"
    assert not (checkout / "old.txt").exists()
    repo = git.Repo(checkout)
    assert not repo.is_dirty(untracked_files=True)
    assert repo.active_branch.name == "golden-path/tiny-2.0.0"
    merge = repo.head.commit
    assert len(merge.parents) == 2 and merge.hexsha == doc["merge_commit"]
    new_pristine = repo.commit(doc["pristine_commit"])
    assert [p.hexsha for p in new_pristine.parents] == [old_pristine]
    record = descriptor(checkout)["golden_path"]
    assert (record["version"], record["pristine_commit"]) == ("2.0.0", new_pristine.hexsha)
    assert cli("check", "service", str(checkout)).exit_code == 0


def test_conflict_on_the_same_line_leaves_a_normal_merge_state(cli, service):
    checkout, gp = service
    commit_edit(checkout, "README.md", lambda t: t.replace("line two", "line two, ours"))
    release_v2(gp)
    result = cli("update", "service", str(checkout), "--json")
    assert result.exit_code == 3
    assert result.json()["conflicts"] == ["README.md"]
    assert result.json()["status"] == "conflicts"
    assert "error: 1 file(s) conflict: README.md" in result.stderr
    assert "git merge --abort" in result.stderr
    repo = git.Repo(checkout)
    assert Path(repo.git_dir, "MERGE_HEAD").is_file()
    text = (checkout / "README.md").read_text()
    assert "<<<<<<< HEAD\nline two, ours\n=======\nline two, improved\n>>>>>>>" in text
    assert (checkout / "added.txt").is_file()  # the rest of the merge is staged
    assert descriptor(checkout)["golden_path"]["version"] == "2.0.0"
    repo.git.merge("--abort")
    assert descriptor(checkout)["golden_path"]["version"] == "1.0.0"
    assert not repo.is_dirty(untracked_files=True)


def test_delete_modify_conflict(cli, service):
    checkout, gp = service
    commit_edit(checkout, "old.txt", lambda t: "we still use this\n")
    release_v2(gp)
    result = cli("update", "service", str(checkout))
    assert result.exit_code == 3
    assert "old.txt" in result.stderr
    status = git.Repo(checkout).git.status("--porcelain")
    assert "UD old.txt" in status or "DU old.txt" in status


def test_new_question_without_default_in_ci(cli, service):
    checkout, gp = service
    release_v2(gp, questions="team:\n  type: str\n  help: Owning team\nsize:\n  type: int\n  default: 2\n")
    missing = cli("update", "service", str(checkout), env={"CI": "true"})
    assert missing.exit_code == 2
    assert "no answer for team" in missing.stderr and "--set team=VALUE" in missing.stderr
    assert not git.Repo(checkout).is_dirty(untracked_files=True)
    assert [h.name for h in git.Repo(checkout).heads] == ["main"]
    ok = cli("update", "service", str(checkout), "--set", "team=blue", env={"CI": "true"})
    assert ok.exit_code == 0, ok.stderr
    answers = descriptor(checkout)["golden_path"]["answers"]
    assert answers == {"service_name": "svc", "tier": "gold", "team": "blue", "size": 2}


def test_bad_set_value_is_exit_2(cli, service):
    checkout, gp = service
    release_v2(gp, questions="size:\n  type: int\n  default: 2\n")
    result = cli("update", "service", str(checkout), "--set", "size=big")
    assert result.exit_code == 2
    assert "--set size: expected an integer, got 'big'" in result.stderr


def test_already_current_is_a_no_op(cli, service):
    checkout, _ = service
    head = git.Repo(checkout).head.commit.hexsha
    result = cli("update", "service", str(checkout))
    assert result.exit_code == 0
    assert "already on tiny 1.0.0: nothing to do" in result.stdout
    repo = git.Repo(checkout)
    assert repo.head.commit.hexsha == head and [h.name for h in repo.heads] == ["main"]


def test_dirty_tree_is_refused(cli, service):
    checkout, gp = service
    release_v2(gp)
    (checkout / "scratch.txt").write_text("uncommitted")
    result = cli("update", "service", str(checkout))
    assert result.exit_code == 2
    assert "has uncommitted changes" in result.stderr
    assert [h.name for h in git.Repo(checkout).heads] == ["main"]


def test_dry_run_shows_files_and_changes_nothing(cli, service):
    checkout, gp = service
    release_v2(gp)
    objects_before = subprocess.run(
        ["git", "count-objects"], cwd=checkout, capture_output=True, text=True, check=True
    ).stdout
    result = cli("update", "service", str(checkout), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "~ README.md" in result.stdout and "+ added.txt" in result.stdout
    assert "- old.txt" in result.stdout and "nothing was changed" in result.stdout
    assert (
        subprocess.run(
            ["git", "count-objects"], cwd=checkout, capture_output=True, text=True, check=True
        ).stdout
        == objects_before
    )
    assert descriptor(checkout)["golden_path"]["version"] == "1.0.0"


def test_in_place_merges_on_the_current_branch(cli, service):
    checkout, gp = service
    release_v2(gp)
    assert cli("update", "service", str(checkout), "--in-place").exit_code == 0
    repo = git.Repo(checkout)
    assert repo.active_branch.name == "main" and len(repo.head.commit.parents) == 2


def test_existing_update_branch_is_refused(cli, service):
    checkout, gp = service
    release_v2(gp)
    git.Repo(checkout).create_head("golden-path/tiny-2.0.0")
    result = cli("update", "service", str(checkout))
    assert result.exit_code == 2
    assert "branch golden-path/tiny-2.0.0 already exists" in result.stderr


@pytest.mark.parametrize(
    ("to", "message"),
    [("3.0.0", "available at version 2.0.0 only"), ("banana", "available at version 2.0.0 only")],
)
def test_unknown_target_version(cli, service, to, message):
    checkout, gp = service
    release_v2(gp)
    result = cli("update", "service", str(checkout), "--to", to)
    assert result.exit_code == 2
    assert message in result.stderr


def test_downgrade_is_refused(cli, service):
    checkout, gp = service
    (gp / "golden-path.yaml").write_text((gp / "golden-path.yaml").read_text().replace("1.0.0", "0.9.0"))
    result = cli("update", "service", str(checkout))
    assert result.exit_code == 2
    assert "no downgrades" in result.stderr


def test_unknown_golden_path(cli, service):
    checkout, _ = service
    (checkout.parent / "platformctl.yaml").unlink()
    assert cli("update", "service", str(checkout)).exit_code == 2
    check = cli("check", "service", str(checkout), "--json")
    assert check.exit_code == 3 and check.json()["available"] is None  # a finding, not "current"


def test_outside_a_service(cli, tmp_path):
    result = cli("check", "service", str(tmp_path))
    assert result.exit_code == 2
    assert "no platform.yaml in" in result.stderr


def test_shallow_clone_fetches_the_pristine_commit(cli, service, tmp_path):
    checkout, gp = service
    bare = Path.home() / ".local/share/platformctl/repositories/local/svc.git"
    for i in range(2):
        commit_edit(checkout, "keep.txt", lambda t, i=i: t + f"more {i}\n")
    git.Repo(checkout).git.push("origin", "main")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{bare}", str(shallow)], check=True)
    check = cli("check", "service", str(shallow), "--json")
    assert check.json()["pristine_present"] is False
    release_v2(gp)
    result = cli("update", "service", str(shallow))
    assert result.exit_code == 0, result.stderr
    assert not Path(shallow, ".git", "shallow").exists()


def test_shallow_clone_offline_explains_what_to_run(cli, service, tmp_path):
    checkout, gp = service
    bare = Path.home() / ".local/share/platformctl/repositories/local/svc.git"
    commit_edit(checkout, "keep.txt", lambda t: t + "more\n")
    git.Repo(checkout).git.push("origin", "main")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{bare}", str(shallow)], check=True)
    git.Repo(shallow).delete_remote("origin")
    release_v2(gp)
    result = cli("update", "service", str(shallow))
    assert result.exit_code == 1
    assert "is not in this shallow clone" in result.stderr
    assert "hint: run 'git fetch --unshallow origin'" in result.stderr
