"""`check service` sees the working tree, and a recorded golden path that is gone is a finding."""

from __future__ import annotations

from pathlib import Path

import yaml


def _service(cli, tmp_path: Path) -> Path:
    assert cli("new", "service", "payments").exit_code == 0
    return tmp_path / "work" / "payments"


def test_uncommitted_edits_deletions_and_new_files_are_drift(cli, tmp_path):
    checkout = _service(cli, tmp_path)
    (checkout / "README.md").write_text("edited, not committed\n")
    (checkout / "Makefile").unlink()
    (checkout / "NOTES.txt").write_text("new\n")
    result = cli("check", "service", str(checkout), "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["drift"] == {"changed": ["README.md"], "added": ["NOTES.txt"], "removed": ["Makefile"]}
    assert doc["uncommitted"] == ["Makefile", "NOTES.txt", "README.md"]
    human = cli("check", "service", str(checkout))
    assert "~ README.md (uncommitted)" in human.stdout
    assert "- Makefile (uncommitted)" in human.stdout
    assert "+ NOTES.txt (uncommitted)" in human.stdout


def test_ignored_files_are_not_drift(cli, tmp_path):
    checkout = _service(cli, tmp_path)
    ignored = checkout / ".venv" / "x.py"
    ignored.parent.mkdir(exist_ok=True)
    ignored.write_text("")
    assert ".venv" in (checkout / ".gitignore").read_text()
    doc = cli("check", "service", str(checkout), "--json").json()
    assert doc["uncommitted"] == [] and doc["drift"]["added"] == []


def test_a_recorded_golden_path_that_no_longer_exists_is_exit_3(cli, tmp_path):
    checkout = _service(cli, tmp_path)
    path = checkout / "platform.yaml"
    data = yaml.safe_load(path.read_text())
    data["golden_path"]["name"] = "retired-service"
    path.write_text(yaml.safe_dump(data))
    result = cli("check", "service", str(checkout))
    assert result.exit_code == 3
    assert "error: golden path 'retired-service' recorded in platform.yaml is not available" in result.stderr
    assert "hint: " in result.stderr
