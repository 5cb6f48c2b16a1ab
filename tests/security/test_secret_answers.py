"""Answers to a golden path's secret questions (copier ``secret: true``) are never written down or shown."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from tests.helpers import build_golden_path, configure_golden_path

SECRET = "Sup3r-Secret-Answer-42"
QUESTIONS = """\
db_password:
  type: str
  secret: true
  default: ""
  help: Database password
  validator: "{% if db_password and db_password|length < 8 %}at least 8 characters{% endif %}"
"""


def secret_golden_path(tmp_path: Path) -> None:
    folder = build_golden_path(
        tmp_path / "gp",
        name="tiny",
        questions=QUESTIONS,
        files={"README.md.jinja": "# {{ service_name }}\n{% if db_password %}password given{% endif %}\n"},
    )
    configure_golden_path(Path.cwd(), "tiny", folder)


def answers_file(tmp_path: Path, value: str) -> str:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump({"db_password": value}))
    path.chmod(0o600)
    return str(path)


def test_a_secret_answer_is_used_but_not_recorded(cli, tmp_path):
    secret_golden_path(tmp_path)
    target = tmp_path / "billing"
    result = cli(
        "new",
        "service",
        "billing",
        "-g",
        "tiny",
        "--no-input",
        "--dir",
        str(target),
        "--answers-file",
        answers_file(tmp_path, SECRET),
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    assert (target / "README.md").read_text() == "# billing\npassword given\n"  # the answer was used
    recorded = yaml.safe_load((target / "platform.yaml").read_text())["golden_path"]["answers"]
    assert recorded == {"service_name": "billing"}
    history = subprocess.run(
        ["git", "-C", str(target), "log", "-p", "--all"], capture_output=True, text=True, check=True
    ).stdout
    assert SECRET not in history
    assert SECRET not in result.stdout + result.stderr


def test_a_dry_run_does_not_show_a_secret_answer(cli, tmp_path):
    secret_golden_path(tmp_path)
    result = cli(
        "new",
        "service",
        "billing",
        "-g",
        "tiny",
        "--no-input",
        "--dry-run",
        "--json",
        "--answers-file",
        answers_file(tmp_path, SECRET),
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["answers"] == {"service_name": "billing"}
    assert SECRET not in result.stdout + result.stderr


def test_a_rejected_secret_answer_is_not_echoed(cli, tmp_path):
    secret_golden_path(tmp_path)
    result = cli(
        "new",
        "service",
        "billing",
        "-g",
        "tiny",
        "--no-input",
        "--answers-file",
        answers_file(tmp_path, "Zq9x"),
    )
    assert result.exit_code == 2
    assert "the secret value is invalid: at least 8 characters" in result.stderr
    assert "Zq9x" not in result.stderr


def test_golden_path_show_hides_a_secret_default(cli, tmp_path):
    folder = build_golden_path(
        tmp_path / "gp",
        name="tiny",
        questions="""\
        token:
          type: str
          secret: true
          default: placeholder-default-value
        """,
    )
    configure_golden_path(Path.cwd(), "tiny", folder)
    result = cli("golden-path", "show", "tiny", "--json")
    question = next(q for q in result.json()["questions"] if q["name"] == "token")
    assert (question["secret"], question["default"]) == (True, None)
    assert "placeholder-default-value" not in cli("golden-path", "show", "tiny").stdout


def test_an_update_asks_a_secret_again_and_records_it_nowhere(cli, tmp_path):
    secret_golden_path(tmp_path)
    target = tmp_path / "billing"
    created = cli(
        "new",
        "service",
        "billing",
        "-g",
        "tiny",
        "--no-input",
        "--dir",
        str(target),
        "--answers-file",
        answers_file(tmp_path, SECRET),
    )
    assert created.exit_code == 0, created.stderr
    metadata = tmp_path / "gp" / "golden-path.yaml"
    metadata.write_text(metadata.read_text().replace("1.0.0", "1.1.0"))
    result = cli("update", "service", str(target), "--no-input", "--set", f"db_password={SECRET}x")
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load((target / "platform.yaml").read_text())["golden_path"]["answers"] == {
        "service_name": "billing"
    }
    history = subprocess.run(
        ["git", "-C", str(target), "log", "-p", "--all"], capture_output=True, text=True, check=True
    ).stdout
    assert SECRET not in history
