"""Every ``--json`` document validates against its JSON Schema in docs/schemas/.

Each command runs through the real CLI entry point on the local provider and a real golden path;
the schemas are the published contract of those documents (docs/json-output.md).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from platformctl.maturity.model import load_model
from tests.environments.conftest import write_service
from tests.helpers import build_golden_path, configure_golden_path
from tests.maturity.helpers import write_answers, write_model

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schemas"


def validate(doc: Any, name: str) -> None:
    """``doc`` is valid under docs/schemas/``name``.schema.json (which is itself a valid schema)."""
    if os.environ.get("JSON_SCHEMA_DUMP"):  # writing schemas: keep the real documents to look at
        with Path(os.environ["JSON_SCHEMA_DUMP"], f"{name}.json").open("a") as out:
            out.write(json.dumps(doc, indent=2) + "\n")
        return
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in Draft202012Validator(schema).iter_errors(doc)]
    assert errors == [], name


def document(result: Any, code: int = 0) -> Any:
    assert result.exit_code == code, result.stderr
    return result.json()


@pytest.fixture
def platform_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "platform-home"
    monkeypatch.setenv("PLATFORMCTL_HOME", str(home))
    monkeypatch.setenv("TEST_DB_PASSWORD", "not a real password")
    return home


@pytest.fixture
def golden_path(tmp_path: Path) -> Path:
    """Golden path 'tiny' 1.0.0, named in the working directory's trusted platformctl.yaml."""
    gp = build_golden_path(
        tmp_path / "gp",
        files={"README.md.jinja": "# {{ service_name }}\n"},
        questions="tier:\n  type: str\n  default: gold\n",
    )
    configure_golden_path(Path.cwd(), "tiny", gp)
    return gp


def test_new_service_documents(cli, platform_home, golden_path):
    validate(
        document(cli("new", "service", "svc", "--golden-path", "tiny", "--dry-run", "--json")), "new-service"
    )
    validate(document(cli("new", "service", "svc", "--golden-path", "tiny", "--json")), "new-service")


def test_check_and_update_service_documents(cli, platform_home, golden_path):
    assert cli("new", "service", "svc", "--golden-path", "tiny").exit_code == 0
    validate(document(cli("check", "service", "svc", "--json")), "check-service")
    meta = golden_path / "golden-path.yaml"
    meta.write_text(meta.read_text().replace("1.0.0", "2.0.0"))
    (golden_path / "template" / "added.txt").write_text("new in v2\n")
    checked = cli("check", "service", "svc", "--json")
    behind = document(checked, 3)  # a check that says no: its result, and no error line besides
    assert behind["update_available"] is True and "error" not in checked.stderr
    validate(behind, "check-service")
    validate(document(cli("update", "service", "svc", "--json")), "update-service")


def test_env_documents(cli, platform_home):
    write_service(Path.cwd())
    validate(document(cli("env", "up", "staging", "--dry-run", "--json")), "env-up")
    validate(document(cli("env", "up", "staging", "--json")), "env-up")
    validate(document(cli("env", "up", "pr-7", "--ttl", "3d", "--json")), "env-up")
    validate(document(cli("env", "status", "staging", "--json")), "env-status")
    validate(document(cli("env", "list", "--json")), "env-list")
    validate(document(cli("env", "reap", "--dry-run", "--json")), "env-reap")
    validate(document(cli("env", "down", "pr-7", "--dry-run", "--json")), "env-down")
    validate(document(cli("env", "down", "pr-7", "--json")), "env-down")


def test_golden_path_and_config_documents(cli, golden_path):
    listed = document(cli("golden-path", "list", "--json"))
    assert "tiny" in [gp["name"] for gp in listed["golden_paths"]]
    validate(listed, "golden-path-list")
    validate(document(cli("golden-path", "show", "tiny", "--json")), "golden-path-show")
    validate(document(cli("golden-path", "show", "python-service", "--json")), "golden-path-show")
    validate(document(cli("config", "show", "--json")), "config-show")


def test_assess_maturity_document(cli, tmp_path):
    model = write_model(tmp_path / "tiny.yaml")
    answers = write_answers(tmp_path / "answers.yaml", {"a.ci": "one", "a.iac": "most", "b.docs": "d0"})
    validate(
        document(cli("assess", "maturity", "--model", str(model), "--answers", str(answers), "--json")),
        "assess-maturity",
    )
    # The bundled model too: its document carries every section.
    every = {q.id: q.choices[-1].id for q in load_model().questions}
    best = write_answers(tmp_path / "best.yaml", every)
    validate(document(cli("assess", "maturity", "--answers", str(best), "--json")), "assess-maturity")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("env", "up", "staging", "--json"), 2),  # no platform.yaml here
        (("new", "service", "svc", "--no-such-flag", "--json"), 2),  # a usage error from the parser
        (("golden-path", "show", "nope", "--json"), 2),
    ],
)
def test_error_document(cli, platform_home, args, code):
    failed = cli(*args)
    assert failed.exit_code != 0
    doc = failed.json()
    assert doc["error"]["exit_code"] == failed.exit_code
    validate(doc, "error")


def test_error_document_of_a_failed_apply_has_its_details(cli, platform_home):
    from tests.environments.conftest import LocalStore

    write_service(Path.cwd())
    assert cli("env", "up", "staging", "--dry-run").exit_code == 0  # creates the store
    store = LocalStore(platform_home)
    store.execute(
        "CREATE TABLE IF NOT EXISTS resources (service TEXT NOT NULL, environment TEXT NOT NULL, "
        "kind TEXT NOT NULL, name TEXT NOT NULL, fields TEXT NOT NULL, created_at TEXT NOT NULL, "
        "updated_at TEXT NOT NULL, PRIMARY KEY (service, environment, kind, name))"
    )
    store.execute(
        "CREATE TRIGGER fail BEFORE INSERT ON resources WHEN NEW.name = 'DB_PASSWORD' "
        "BEGIN SELECT RAISE(ABORT, 'disk is full'); END"
    )
    doc = document(cli("env", "up", "staging", "--json"), 1)
    assert doc["error"]["details"]["failed"]["provider"] == "local"
    validate(doc, "error")


def test_a_document_that_strays_from_its_schema_is_caught(cli, platform_home):
    write_service(Path.cwd())
    listed = document(cli("env", "list", "--json"))
    schema = json.loads((SCHEMAS / "env-list.schema.json").read_text())
    assert list(Draft202012Validator(schema).iter_errors(listed)) == []
    for strayed in ({**listed, "extra": 1}, {**listed, "schema_version": 2}, {"schema_version": 1}):
        assert list(Draft202012Validator(schema).iter_errors(strayed)), strayed


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.schema.json")), ids=lambda p: p.name)
def test_every_schema_is_valid_and_linked_from_the_json_output_page(path: Path) -> None:
    schema = json.loads(path.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert f"(schemas/{path.name})" in (SCHEMAS.parent / "json-output.md").read_text()
