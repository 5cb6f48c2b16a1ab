"""`golden-path test` validates a render's Terraform without `terraform`: python-hcl2 parses it,
references and variables are checked, the shared module is the answers' one. Terraform is kept
off PATH here so the Python checker is what is tested, also on a machine that has terraform."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from platformctl.authoring.terraform import NOT_VALIDATED, check_terraform
from platformctl.scaffold.catalog import bundled_root
from tests.authoring.bundled_runs import FIXTURES, bundled_test_run, without_terraform

INFRA = "{% if infra %}infra{% endif %}"


@pytest.fixture(autouse=True)
def no_terraform(monkeypatch: pytest.MonkeyPatch) -> None:
    """PATH without a terraform binary (git and the rest of the system stay)."""
    monkeypatch.setenv("PATH", without_terraform(os.environ["PATH"]))
    assert shutil.which("terraform") is None


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "infra.yaml").write_text(FIXTURES["infra.yaml"])  # the shared run's infra answers
    return folder


def golden_path_copy(tmp_path: Path, name: str = "python-service") -> Path:
    copy = tmp_path / name
    shutil.copytree(bundled_root() / name, copy)
    return copy


def terraform_checks(doc: dict[str, Any], fixture: str = "infra.yaml") -> list[dict[str, Any]]:
    found = [f for f in doc["fixtures"] if f["fixture"] == fixture]
    assert found, doc
    return [c for c in found[0]["checks"] if c["check"] == "terraform"]


def run_test(cli: Any, target: Path | str, answers: Path) -> Any:
    return cli(
        "golden-path", "test", str(target), "--answers-dir", str(answers), "--kustomize", "builtin", "--json"
    )


@pytest.mark.parametrize("name", ["python-service", "node-service", "go-service"])
def test_rendered_infra_passes_the_python_checker(cli: Any, tmp_path: Path, name: str) -> None:
    result = bundled_test_run(cli, name, tmp_path)  # its infra.yaml is ``answers``'s file
    assert result.exit_code == 0, result.stdout
    checks = terraform_checks(result.json())
    assert [(c["target"], c["ok"], c["note"]) for c in checks] == [("infra", True, "python-hcl2")]
    # The defaults render no infra/: no Terraform check at all.
    assert terraform_checks(result.json(), "defaults") == []


def test_an_undeclared_variable_is_a_finding_with_file_and_line(
    cli: Any, tmp_path: Path, answers: Path
) -> None:
    gp = golden_path_copy(tmp_path)
    main = gp / "template" / INFRA / "main.tf.jinja"
    main.write_text(main.read_text().replace("  environment = var.environment\n", "  region = var.region\n"))
    result = run_test(cli, gp, answers)
    assert result.exit_code == 3
    (check,) = terraform_checks(result.json())
    assert check["errors"] == ["infra/main.tf:11: var.region is not declared in a variable block"]


def test_a_module_version_other_than_the_answer_is_a_finding(cli: Any, tmp_path: Path, answers: Path) -> None:
    gp = golden_path_copy(tmp_path, "go-service")
    main = gp / "template" / INFRA / "main.tf.jinja"
    main.write_text(main.read_text().replace('"{{ terraform_module_version }}"', '"~> 1.0"'))
    result = run_test(cli, gp, answers)
    assert result.exit_code == 3
    (check,) = terraform_checks(result.json())
    assert check["errors"] == [
        "infra/main.tf:3: module 'service' version is '~> 1.0', not '~> 2.3' "
        "(answer terraform_module_version: platform.terraform.* or its default)"
    ]


def test_invalid_hcl_is_a_finding(cli: Any, tmp_path: Path, answers: Path) -> None:
    gp = golden_path_copy(tmp_path, "node-service")
    versions = gp / "template" / INFRA / "versions.tf"
    versions.write_text("terraform {\n  required_version = \n}\n")
    result = run_test(cli, gp, answers)
    assert result.exit_code == 3
    (check,) = terraform_checks(result.json())
    assert len(check["errors"]) == 1
    assert check["errors"][0].startswith("infra/versions.tf:2: not valid HCL2: ")


def test_without_python_hcl2_nor_terraform_the_note_says_so(
    cli: Any, answers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "hcl2", None)  # import hcl2 now raises ImportError
    result = run_test(cli, "python-service", answers)
    assert result.exit_code == 0, result.stdout
    (check,) = terraform_checks(result.json())
    assert (check["ok"], check["note"]) == (True, NOT_VALIDATED)


def write(root: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return sorted(files)


VERSIONS = 'terraform {\n  required_version = ">= 1.6"\n}\n'


def test_references_outputs_tfvars_and_local_module_inputs(tmp_path: Path) -> None:
    names = write(
        tmp_path,
        {
            "infra/versions.tf": VERSIONS,
            "infra/main.tf": (
                'variable "region" {}\n'
                'variable "tags" {\n  default = {}\n}\n'
                "locals {\n  upper = { for k, v in var.tags : k => upper(v) }\n}\n"
                'module "naming" {\n  source = "./naming"\n  prefix = var.region\n}\n'
                'output "name" {\n  value = module.naming.name\n}\n'
                'output "tags" {\n  value = local.upper\n}\n'
            ),
            "infra/terraform.tfvars": 'region = "eu-west-1"\n',
            "infra/naming/main.tf": VERSIONS
            + 'variable "prefix" {}\noutput "name" {\n  value = var.prefix\n}\n',
        },
    )
    checks = check_terraform(tmp_path, names, {})
    assert [(c.target, c.errors) for c in checks] == [("infra", []), ("infra/naming", [])]


def test_each_kind_of_broken_wiring_is_found(tmp_path: Path) -> None:
    names = write(
        tmp_path,
        {
            "infra/main.tf": (
                'variable "region" {}\n'
                'module "naming" {\n  source = "./naming"\n  suffix = "x"\n}\n'
                'resource "aws_s3_bucket" "logs" {\n  bucket = local.missing\n}\n'
                'output "arn" {\n  value = aws_s3_bucket.data.arn\n}\n'
                'output "id" {\n  value = module.other.id\n}\n'
            ),
            "infra/naming/main.tf": VERSIONS + 'variable "prefix" {}\n',
        },
    )
    (infra, naming) = check_terraform(tmp_path, names, {})
    assert infra.errors == [
        "infra/main.tf:7: local.missing refers to nothing declared in infra",
        "infra/main.tf:10: aws_s3_bucket.data refers to nothing declared in infra",
        "infra/main.tf:13: module.other refers to nothing declared in infra",
        "variable 'region' has no default and no value in terraform.tfvars or *.auto.tfvars",
        "infra/main.tf:2: module 'naming' sets 'suffix', which it does not declare",
        "infra/main.tf:2: module 'naming' needs 'prefix' (no default) and is not given it",
        "infra: no terraform block sets required_version",
        "resources of provider 'aws' but required_providers does not pin it",
    ]
    assert naming.errors == []  # a called module's inputs come from its module block


def test_registry_module_without_version_and_unpinned_provider(tmp_path: Path) -> None:
    names = write(
        tmp_path,
        {
            "main.tf": (
                'terraform {\n  required_version = ">= 1.6"\n'
                '  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n'
                'module "service" {\n  source = "app.terraform.io/acme/service/platform"\n}\n'
            )
        },
    )
    (check,) = check_terraform(
        tmp_path, names, {"terraform_module_source": "app.terraform.io/acme/service/platform"}
    )
    assert check.errors == [
        "main.tf:9: module 'service' from a registry has no version constraint",
        "required_providers.aws: needs both source and a version constraint",
    ]
