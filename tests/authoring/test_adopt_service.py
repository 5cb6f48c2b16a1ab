"""`adopt service` of a repository hand-copied from python-service 1.0.0, then `update service`."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import built_once, configure_golden_path


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@pytest.fixture(scope="session")
def adoption_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The adoption setup's folder in this test process (see :func:`tests.helpers.built_once`)."""
    return tmp_path_factory.mktemp("adoption")


@pytest.fixture
def adoption(adoption_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The golden path (``gp``) and the hand-copied repository (``payments``) of these tests.

    Built once per test process and copied back for each test (the subject here is the adoption,
    not the render the team copied by hand)."""

    def build(root: Path) -> None:
        copy_golden_path(root / "gp", root / "work")
        hand_copied_repository(root / "payments", root / "gp")

    return built_once(adoption_folder, build, monkeypatch)


def copy_golden_path(folder: Path, work: Path) -> None:
    """python-service 1.0.0, configured under its own name from a folder the test can change."""
    from platformctl.scaffold.catalog import bundled_root

    shutil.copytree(bundled_root() / "python-service", folder)
    meta = folder / "golden-path.yaml"  # whatever the bundled version is, this copy is 1.0.0
    meta.write_text(re.sub(r"(?m)^version: .*$", "version: 1.0.0", meta.read_text()))
    configure_golden_path(work, "python-service", folder)


def hand_copied_repository(repo: Path, golden_path: Path) -> None:
    """A repository copied by hand from a render of 1.0.0, then edited and trimmed by its team."""
    from platformctl.scaffold.answers import resolve_answers
    from platformctl.scaffold.catalog import load_golden_path
    from platformctl.scaffold.render import render_golden_path

    gp = load_golden_path(golden_path, origin="test", trusted=False)
    answers = {"service_name": "payments", "owner": "team-pay", "port": "9090"}
    render_golden_path(gp, resolve_answers(gp, answers), repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Copy the python service template")
    readme = repo / "README.md"
    readme.write_text(readme.read_text() + "\n## Our runbook\n\nPage the payments team.\n")
    (repo / "docs/operations.md").unlink()
    git(repo, "commit", "-q", "-am", "Our README, no operations page")


@pytest.fixture
def golden_path(adoption: Path) -> Path:
    """python-service 1.0.0, configured under its own name from a folder the test can change."""
    return adoption / "gp"


@pytest.fixture
def service(adoption: Path) -> Path:
    """A repository copied by hand from a render of 1.0.0, then edited and trimmed by its team."""
    return adoption / "payments"


def test_dry_run_infers_answers_and_shows_the_difference(cli, service: Path) -> None:
    head = git(service, "rev-parse", "HEAD")
    result = cli("adopt", "service", str(service), "--golden-path", "python-service", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["inferred"] == {
        "service_name": "payments",
        "description": "The payments service",
        "owner": "team-pay",
        "system": "payments",
        "lifecycle": "experimental",
        "port": "9090",
    }
    assert doc["files"] == {"changed": ["README.md"], "added": [], "removed": ["docs/operations.md"]}
    diff = doc["diffs"]["README.md"].splitlines()
    assert diff[:2] == ["--- golden-path/README.md", "+++ repository/README.md"]
    assert "+## Our runbook" in diff and "+Page the payments team." in diff
    assert not [line for line in diff[2:] if line.startswith("-")]  # the team only added lines
    human = cli("adopt", "service", str(service), "--golden-path", "python-service", "--dry-run")
    assert human.exit_code == 0, human.stderr
    assert "~ README.md (differs from the golden path)" in human.stdout
    assert "      +Page the payments team." in human.stdout
    assert not (service / "platform.yaml").exists()
    assert git(service, "rev-parse", "HEAD") == head


def test_adopt_then_update_keeps_edits_and_deletions(cli, service: Path, golden_path: Path) -> None:
    result = cli("adopt", "service", str(service), "--golden-path", "python-service", "--json")
    assert result.exit_code == 0, result.stderr
    assert "version: 1.0.0" in (service / "platform.yaml").read_text()
    assert git(service, "status", "--porcelain") == ""
    assert cli("check", "service", str(service)).exit_code == 0

    # The golden path's 1.1.0: a changed Makefile and a new file.
    meta = golden_path / "golden-path.yaml"
    meta.write_text(meta.read_text().replace("version: 1.0.0", "version: 1.1.0"))
    makefile = golden_path / "template/Makefile.jinja"
    makefile.write_text("# Everyday commands (v1.1).\n" + makefile.read_text())
    (golden_path / "template/SECURITY.md").write_text("# Security\n\nReport issues to the platform team.\n")

    assert cli("check", "service", str(service)).exit_code == 3
    result = cli("update", "service", str(service), "--in-place", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["files"] == {"changed": ["Makefile"], "added": ["SECURITY.md"], "removed": []}
    assert (service / "Makefile").read_text().startswith("# Everyday commands (v1.1).")
    assert (service / "SECURITY.md").is_file()
    assert "Page the payments team." in (service / "README.md").read_text()
    assert not (service / "docs/operations.md").exists()
    assert "version: 1.1.0" in (service / "platform.yaml").read_text()


def test_adopt_refuses_uncommitted_changes_and_a_second_adoption(cli, service: Path) -> None:
    (service / "scratch.txt").write_text("wip\n")
    result = cli("adopt", "service", str(service), "--golden-path", "python-service")
    assert result.exit_code == 2
    assert "uncommitted changes" in result.stderr
    (service / "scratch.txt").unlink()
    assert cli("adopt", "service", str(service), "--golden-path", "python-service").exit_code == 0
    again = cli("adopt", "service", str(service), "--golden-path", "python-service")
    assert again.exit_code == 2
    assert "hint: use 'platformctl update service' instead" in again.stderr


def test_set_wins_over_inferred_answers(cli, service: Path) -> None:
    result = cli(
        "adopt", "service", str(service), "--golden-path", "python-service", "--set", "owner=team-x", "--json"
    )
    assert result.exit_code == 0, result.stderr
    assert "owner: team-x" in (service / "platform.yaml").read_text()


def test_adopt_outside_a_git_checkout_says_how_to_make_one(cli, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    result = cli("adopt", "service", str(plain), "--golden-path", "python-service", "--dry-run")
    assert result.exit_code == 2
    assert f"error: {plain} is not a git repository" in result.stderr
    assert "hint: adopt works on a git checkout: 'git init', commit the files, then adopt" in result.stderr
    assert "created by 'platformctl new service'" not in result.stderr
