"""Preview environments: managed by name once a provider holds them, and by the `pr-*` pattern."""

from __future__ import annotations

import json
from pathlib import Path

import yaml


def _service(cli, tmp_path: Path) -> Path:
    assert cli("new", "service", "payments").exit_code == 0
    return tmp_path / "work" / "payments"


def _drop_pattern(folder: Path) -> None:
    """A service made before golden paths wrote the pattern: only staging and production."""
    path = folder / "platform.yaml"
    data = yaml.safe_load(path.read_text())
    del data["environments"]["pr-*"]
    path.write_text(yaml.safe_dump(data))


def test_golden_paths_write_the_preview_pattern(cli, tmp_path, monkeypatch):
    folder = _service(cli, tmp_path)
    data = yaml.safe_load((folder / "platform.yaml").read_text())
    assert data["environments"]["pr-*"] == {"class": "preview"}
    monkeypatch.chdir(folder)
    up = cli("env", "up", "pr-7", "--json")  # no --ttl: the pattern's class gives one
    assert up.exit_code == 0, up.stderr
    assert up.json()["class"] == "preview" and up.json()["ttl"] == "3d"
    assert cli("env", "status", "pr-7").exit_code == 0


def test_store_known_environment_is_managed_by_name(cli, tmp_path, monkeypatch):
    folder = _service(cli, tmp_path)
    _drop_pattern(folder)
    monkeypatch.chdir(folder)
    assert cli("env", "up", "pr-42", "--ttl", "1d").exit_code == 0
    listed = cli("env", "list", "--json").json()
    assert [e["name"] for e in listed["environments"]] == ["pr-42"]
    status = cli("env", "status", "pr-42")
    assert status.exit_code == 0, status.stderr
    again = cli("env", "up", "pr-42", "--json")
    assert again.exit_code == 0, again.stderr
    assert again.json()["writes"] == 0
    down = cli("env", "down", "pr-42")
    assert down.exit_code == 0, down.stderr
    assert cli("env", "list", "--json").json()["environments"] == []


def test_unknown_environment_hint_offers_only_the_commands_flags(cli, tmp_path, monkeypatch):
    folder = _service(cli, tmp_path)
    _drop_pattern(folder)
    monkeypatch.chdir(folder)
    for command in ("status", "down"):
        result = cli("env", command, "qa")
        assert result.exit_code == 2
        hint = result.stderr.strip().splitlines()[-1]
        assert hint.startswith("hint: ") and "--class" in hint and "--ttl" not in hint
    up = cli("env", "up", "qa")
    assert up.exit_code == 2 and "--ttl" in up.stderr
    assert json.dumps(up.stdout) == '""'
