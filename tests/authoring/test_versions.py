"""Versions from git tags: `golden-path show --versions`, `check service`, `update service --to TAG`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from tests.helpers import trust_project_file


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_versions_from_tags_and_update_to_a_tag(cli, tmp_path: Path) -> None:
    source = tmp_path / "demo-repo"
    assert cli("golden-path", "new", "demo", "--output", str(source)).exit_code == 0
    git(source, "init", "-q", "-b", "main")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "demo 0.1.0")
    git(source, "tag", "v0.1.0")
    readme = source / "template/README.md.jinja"
    readme.write_text(readme.read_text() + "\nSee docs/ for the runbook.\n")
    meta = source / "golden-path.yaml"
    meta.write_text(meta.read_text().replace("version: 0.1.0", "version: 0.2.0"))
    changelog = source / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text().replace(
            "## 0.1.0", "## 0.2.0\n\n- The README points at the runbook.\n\n## 0.1.0"
        )
    )
    assert cli("golden-path", "lint", str(source)).exit_code == 0
    git(source, "commit", "-q", "-am", "demo 0.2.0")
    git(source, "tag", "v0.2.0")

    config = tmp_path / "work" / "platformctl.yaml"
    config.write_text(f"golden_paths:\n  demo:\n    git: {source.as_uri()}\n    ref: v0.1.0\n")
    trust_project_file(config)

    shown = cli("golden-path", "show", "demo", "--versions", "--json")
    assert shown.exit_code == 0, shown.stderr
    doc = shown.json()
    assert (doc["version"], doc["newest"]) == ("0.1.0", "0.2.0")
    assert [(v["version"], v["tag"], v["current"]) for v in doc["versions"]] == [
        ("0.2.0", "v0.2.0", False),
        ("0.1.0", "v0.1.0", True),
    ]
    assert doc["versions"][0]["changelog"] == "- The README points at the runbook."
    since = cli("golden-path", "show", "demo", "--since", "v0.1.0")
    assert "0.2.0" in since.stdout and "runbook" in since.stdout and "First version" not in since.stdout

    service = tmp_path / "billing"
    made = cli("new", "service", "billing", "--golden-path", "demo", "--no-input", "--dir", str(service))
    assert made.exit_code == 0, made.stderr
    checked = cli("check", "service", str(service), "--json")
    assert checked.exit_code == 3
    assert checked.json()["available"] == "0.2.0"

    updated = cli("update", "service", str(service), "--to", "v0.2.0", "--in-place", "--json")
    assert updated.exit_code == 0, updated.stderr
    assert updated.json()["files"]["changed"] == ["README.md"]
    assert "runbook" in (service / "README.md").read_text()
    assert yaml.safe_load((service / "platform.yaml").read_text())["golden_path"]["version"] == "0.2.0"
