"""Every bundled golden path keeps the contract platformctl relies on."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from platformctl.errors import UsageError
from platformctl.scaffold.answers import resolve_answers
from platformctl.scaffold.catalog import bundled_root, load_golden_path
from tests.golden_paths.gp_support import GOLDEN_PATHS, REPO_ROOT
from tests.helpers import trust_project_file

REQUIRED = {
    "service_name": "str", "description": "str", "owner": "str", "system": "str",
    "lifecycle": "str", "ci": "str", "port": "int", "image": "str", "namespace": "str",
    "min_replicas": "int", "max_replicas": "int",
}
LANGUAGE_VERSION = {"python-service": "python_version", "node-service": "node_version",
                    "go-service": "go_version"}
# Copier features that would run code; bundled golden paths stay data only.
CODE_KEYS = {"_tasks", "_migrations", "_jinja_extensions", "_external_data"}


def _copier(name: str) -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "golden_paths" / name / "copier.yml").read_text())


@pytest.mark.parametrize("name", GOLDEN_PATHS)
def test_metadata_and_questions(name: str) -> None:
    folder = bundled_root() / name
    gp = load_golden_path(folder, origin="bundled", trusted=True)
    assert gp.name == name
    assert re.fullmatch(r"\d+\.\d+\.\d+", gp.version)
    assert set(gp.metadata.environments) == {"staging", "production", "pr-*"}
    assert gp.metadata.next_steps
    types = {q.name: q.type for q in gp.questions}
    for question, kind in {**REQUIRED, LANGUAGE_VERSION[name]: "str"}.items():
        assert types.get(question) == kind, question
    asked = [q for q in gp.questions if q.asked]
    assert [q.name for q in asked if q.name != "service_name" and not q.has_default] == []
    assert all(q.help for q in asked)
    assert gp.question("lifecycle").choice_values() == ["experimental", "production", "deprecated"]
    assert gp.question("ci").choice_values() == ["github", "gitlab"]
    assert gp.question("ci").default == "github"
    assert gp.question("owner").default == "platform-team"
    assert gp.question("port").default == 8080


@pytest.mark.parametrize("name", GOLDEN_PATHS)
def test_golden_paths_are_data_only_and_documented(name: str) -> None:
    config = _copier(name)
    assert config["_subdirectory"] == "template"
    assert CODE_KEYS.isdisjoint(config)
    folder = REPO_ROOT / "golden_paths" / name
    assert "## " in (folder / "README.md").read_text()
    template = folder / "template"
    names = {p.name.removesuffix(".jinja") for p in template.rglob("*")}
    assert "platform.yaml" not in names  # platformctl writes the descriptor itself
    assert not any("copier-answers" in n or "_copier_conf" in n for n in names)


@pytest.mark.parametrize("name", GOLDEN_PATHS)
def test_defaults_alone_answer_every_question(name: str) -> None:
    gp = load_golden_path(bundled_root() / name, origin="bundled", trusted=True)
    answers = resolve_answers(gp, {"service_name": "payments"})
    assert answers["description"] == "The payments service"
    assert answers["image"] == "ghcr.io/my-org/payments"
    gitlab = resolve_answers(gp, {"service_name": "payments", "ci": "gitlab", "organization": "Acme/Web"})
    assert gitlab["image"] == "registry.gitlab.com/acme/web/payments"


@pytest.mark.parametrize("name", GOLDEN_PATHS)
@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("port", "80", "between 1024 and 65535"),
        ("port", "eighty", "expected an integer"),
        ("lifecycle", "beta", "not one of"),
        ("ci", "jenkins", "not one of"),
        ("owner", "Platform Team", "Backstage group name"),
        ("system", "-bad", "Backstage entity name"),
        ("image", "ghcr.io/My-Org/payments:1.0", "without a tag"),
        ("namespace", "x" * 53, "at most 52"),
        ("max_replicas", "1", "at least min_replicas"),
        ("cpu_request", "lots", "CPU quantity"),
        ("memory", "256MB", "memory quantity"),
        ("description", "two\nlines", "one non-empty line"),
        ("organization", "my org", "organisation or group path"),
    ],
)
def test_validators_reject_bad_answers(name: str, key: str, value: str, message: str) -> None:
    gp = load_golden_path(bundled_root() / name, origin="bundled", trusted=True)
    with pytest.raises(UsageError, match=re.escape(message)):
        resolve_answers(gp, {"service_name": "payments", key: value}, origin={key: f"--set {key}"})


def test_cli_refuses_a_bad_answer_before_writing(cli, tmp_path) -> None:
    target = tmp_path / "svc"
    result = cli("new", "service", "payments", "--golden-path", "go-service", "--no-input",
                 "--set", "port=80", "--dir", str(target))
    assert result.exit_code == 2
    assert "error: --set port: 80 is invalid: must be between 1024 and 65535" in result.stderr
    assert not target.exists()


def test_golden_path_list_shows_all_three(cli) -> None:
    result = cli("golden-path", "list", "--json")
    assert result.exit_code == 0, result.stderr
    listed = {gp["name"]: gp for gp in result.json()["golden_paths"]}
    versions = {"python-service": "1.1.1", "node-service": "1.1.0", "go-service": "1.1.0"}
    for name in GOLDEN_PATHS:
        assert listed[name]["version"] == versions[name]
        assert listed[name]["origin"] == "bundled"
        assert listed[name]["trusted"] is True


def test_configured_org_and_owner_become_answers(cli, tmp_path) -> None:
    (tmp_path / "work" / "platformctl.yaml").write_text("org: acme\nowner: team-pay\n")
    trust_project_file(tmp_path / "work" / "platformctl.yaml")  # an untrusted file may not set org
    target = tmp_path / "svc"
    result = cli("new", "service", "payments", "--golden-path", "node-service", "--no-input",
                 "--dir", str(target), "--json")
    assert result.exit_code == 0, result.stderr
    catalog = yaml.safe_load((target / "catalog-info.yaml").read_text())
    assert catalog["metadata"]["annotations"]["github.com/project-slug"] == "acme/payments"
    assert catalog["spec"]["owner"] == "group:team-pay"
    assert (target / "CODEOWNERS").read_text().splitlines()[-1] == "* @acme/team-pay"
    assert result.json()["repository"]["slug"] == "acme/payments"
