"""`golden-path show` shows the defaults `new service` would use, not their Jinja source."""

from __future__ import annotations

from tests.helpers import build_golden_path, configure_golden_path

QUESTIONS = """\
host:
  type: str
  default: localhost
base:
  type: int
  default: 8000
port:
  type: int
  help: Port
  default: "{{ base + 80 }}"
url:
  type: str
  default: "http://{{ host }}:{{ port }}"
image:
  type: str
  default: "registry/{{ service_name }}"
"""


def test_defaults_computed_from_earlier_defaults_are_rendered(cli, tmp_path):
    configure_golden_path(tmp_path / "work", "tiny", build_golden_path(tmp_path / "gp", questions=QUESTIONS))
    doc = cli("golden-path", "show", "tiny", "--json").json()
    questions = {q["name"]: q for q in doc["questions"]}
    assert questions["port"]["default"] == 8080  # rendered, and typed like its question
    assert questions["port"]["computed_from"] == ["base"]
    assert questions["port"]["default_template"] == "{{ base + 80 }}"
    assert questions["url"]["default"] == "http://localhost:8080"
    assert questions["url"]["computed_from"] == ["host", "port"]
    assert questions["host"]["computed_from"] == [] and questions["host"]["default_template"] is None
    # It needs the service name, which has no default: the template stays, marked as computed.
    assert questions["image"]["default"] == "registry/{{ service_name }}"
    assert questions["image"]["computed_from"] == ["service_name"]


def test_human_output_renders_defaults_and_marks_computed_ones(cli, tmp_path):
    configure_golden_path(tmp_path / "work", "tiny", build_golden_path(tmp_path / "gp", questions=QUESTIONS))
    result = cli("golden-path", "show", "tiny")
    assert result.exit_code == 0, result.stderr
    assert "{{" not in result.stdout
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "8080 (computed from base)" in rows["port"]
    assert "http://localhost:8080 (computed from host, port)" in rows["url"]
    assert "registry/<service_name> (computed from service_name)" in rows["image"]
    assert "the NAME argument" in rows["service_name"]


def test_bundled_golden_path_shows_no_jinja_and_uses_the_settings(cli):
    result = cli("golden-path", "show", "python-service", env={"PLATFORMCTL_ORG": "acme"})
    assert result.exit_code == 0, result.stderr
    assert "{{" not in result.stdout and "{%" not in result.stdout
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "The <service_name> service (computed from service_name)" in rows["description"]
    assert " acme " in rows["organization"]  # the org setting is the default new service uses
    assert "ghcr.io/acme/<service_name>" in rows["image"]


def test_the_shown_default_is_what_new_service_uses(cli, tmp_path):
    configure_golden_path(tmp_path / "work", "tiny", build_golden_path(tmp_path / "gp", questions=QUESTIONS))
    questions = cli("golden-path", "show", "tiny", "--json").json()["questions"]
    shown = {q["name"]: q["default"] for q in questions}
    used = cli("new", "service", "svc", "-g", "tiny", "--dry-run", "--json").json()["answers"]
    for name in ("host", "base", "port", "url"):
        assert used[name] == shown[name]
