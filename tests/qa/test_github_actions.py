"""Inside GitHub Actions, `check service` and `update service` leave step outputs and a summary."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import build_golden_path, configure_golden_path


def outputs(path: Path) -> dict[str, str]:
    blocks = re.findall(r"^(\w+)<<(ghadelimiter_[0-9a-f-]+)\n(.*?)\n\2$", path.read_text(), re.M | re.S)
    return {name: value for name, _, value in blocks}


def actions_env(tmp_path: Path) -> dict[str, str]:
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
    }


def test_check_and_update_service_publish_their_result(cli, tmp_path):
    gp = build_golden_path(tmp_path / "gp")
    configure_golden_path(tmp_path / "work", "tiny", gp)
    assert cli("new", "service", "svc", "-g", "tiny").exit_code == 0
    (gp / "golden-path.yaml").write_text((gp / "golden-path.yaml").read_text().replace("1.0.0", "1.1.0"))
    env = actions_env(tmp_path)

    check = cli("check", "service", "svc", env=env)
    assert check.exit_code == 3
    assert outputs(tmp_path / "out") == {
        "update_available": "true",
        "version": "1.0.0",
        "available": "1.1.0",
        "golden_path": "tiny",
    }
    assert "### Service `svc`: golden path tiny 1.0.0" in (tmp_path / "summary.md").read_text()

    (tmp_path / "out").unlink()
    update = cli("update", "service", "svc", env=env)
    assert update.exit_code == 0, update.stderr
    assert outputs(tmp_path / "out") == {
        "status": "merged",
        "branch": "golden-path/tiny-1.1.0",
        "from_version": "1.0.0",
        "to_version": "1.1.0",
    }
    assert "merged on branch `golden-path/tiny-1.1.0`" in (tmp_path / "summary.md").read_text()


def test_a_rerun_of_new_service_is_not_reported_as_created(cli, tmp_path):
    env = actions_env(tmp_path)
    assert cli("new", "service", "svc", env=env).exit_code == 0
    assert cli("new", "service", "svc", env=env).exit_code == 0
    headings = [line for line in (tmp_path / "summary.md").read_text().splitlines() if line.startswith("###")]
    assert headings == ["### Service `svc` created", "### Service `svc` already created"]


def test_an_unwritable_output_file_is_one_clean_error(cli, tmp_path):
    env = {**actions_env(tmp_path), "GITHUB_OUTPUT": str(tmp_path)}  # a directory
    result = cli("new", "service", "svc", "--json", env=env)
    assert result.exit_code == 1
    assert result.json()["error"]["message"] == f"{tmp_path}: Is a directory"  # --json: the error document
    assert f"error: {tmp_path}: Is a directory" in result.stderr
    assert "unexpected" not in result.stderr
