"""The rendered infra/ is formatted and valid Terraform, with its variables wired into the
platform's module. Needs `terraform` on PATH (no registry the project uses packages it: the
test is skipped without it). The shared module cannot be downloaded here, so validation runs
against a local stand-in declaring the inputs the golden path passes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.golden_paths.gp_support import GOLDEN_PATHS
from tests.golden_paths.shared_renders import copied_render

pytestmark = pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")

STAND_IN = """\
variable "name" { type = string }
variable "owner" { type = string }
variable "system" { type = string }
variable "namespaces" { type = map(string) }
variable "environment" { type = string }
"""


def terraform(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "TF_IN_AUTOMATION": "1"}
    return subprocess.run(
        ["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("gp", GOLDEN_PATHS)
def test_infra_is_formatted_and_valid(tmp_path: Path, gp: str) -> None:
    infra = copied_render(gp, tmp_path / "svc", infra=True) / "infra"  # terraform writes in it
    home = tmp_path / "home"  # the test's own HOME (the isolation fixture made it)
    done = terraform("fmt", "-check", "-diff", "-recursive", ".", cwd=infra, home=home)
    assert done.returncode == 0, done.stdout + done.stderr
    main = (infra / "main.tf").read_text(encoding="utf-8")
    assert re.search(r'source\s+= "app\.terraform\.io/my-org/service/platform"', main)
    (infra / "platform-module").mkdir()
    (infra / "platform-module" / "main.tf").write_text(STAND_IN, encoding="utf-8")
    local = re.sub(r'source\s+= "[^"]+"\n\s+version\s+= "[^"]+"', 'source = "./platform-module"', main)
    assert local != main
    (infra / "main.tf").write_text(local, encoding="utf-8")
    done = terraform("init", "-backend=false", "-input=false", "-no-color", cwd=infra, home=home)
    assert done.returncode == 0, done.stdout + done.stderr
    done = terraform("validate", "-no-color", cwd=infra, home=home)
    assert done.returncode == 0 and "Success" in done.stdout, done.stdout + done.stderr
    # Not vacuous: an input the module does not declare is refused.
    (infra / "main.tf").write_text(local.replace("  name ", "  nickname ", 1), encoding="utf-8")
    assert terraform("validate", "-no-color", cwd=infra, home=home).returncode != 0


def test_golden_path_test_runs_terraform_fmt_beside_the_python_checks(cli, tmp_path: Path) -> None:
    import shutil as sh

    from platformctl.scaffold.catalog import bundled_root

    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "infra.yaml").write_text("infra: true\n")
    gp = tmp_path / "python-service"
    sh.copytree(bundled_root() / "python-service", gp)

    def infra_check() -> tuple[int, dict]:
        result = cli(
            "golden-path", "test", str(gp), "--answers-dir", str(answers), "--kustomize", "builtin", "--json"
        )
        (fixture,) = [f for f in result.json()["fixtures"] if f["fixture"] == "infra.yaml"]
        (check,) = [c for c in fixture["checks"] if c["check"] == "terraform"]
        return result.exit_code, check

    code, check = infra_check()
    assert (code, check["ok"], check["note"]) == (0, True, "python-hcl2, terraform fmt")
    main = gp / "template" / "{% if infra %}infra{% endif %}" / "main.tf.jinja"
    main.write_text(main.read_text().replace("  source  = ", "  source = "))
    code, check = infra_check()
    assert (code, check["errors"]) == (3, ["infra/main.tf: not formatted (terraform fmt)"])
