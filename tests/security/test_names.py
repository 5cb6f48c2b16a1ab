"""Names never become paths: golden-path, service and org names are checked before any use."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from platformctl.scaffold.catalog import bundled_root
from tests.helpers import build_golden_path

TASK_FILE = "task-ran.txt"


def golden_path_with_a_task(root: Path) -> Path:
    return build_golden_path(root, extra_copier=f"_tasks:\n  - [python3, -c, \"open('{TASK_FILE}', 'w')\"]\n")


def test_a_golden_path_name_that_is_a_path_is_refused_before_anything_runs(cli, tmp_path):
    evil = golden_path_with_a_task(tmp_path / "evil")
    # Joined to the bundled folder, this would load the template as a trusted, bundled one.
    name = os.path.relpath(evil, bundled_root())
    result = cli(
        "new", "service", "billing", "--golden-path", name, "--no-input", "--dir", str(tmp_path / "b")
    )
    assert result.exit_code == 2, result.stderr
    assert f"error: invalid golden path name {name!r}" in result.stderr
    assert not list(tmp_path.rglob(TASK_FILE))
    assert not (tmp_path / "b").exists()
    shown = cli("golden-path", "show", name)
    assert shown.exit_code == 2
    assert "invalid golden path name" in shown.stderr


def write_descriptor(folder: Path, **changes: object) -> None:
    data = {
        "apiVersion": "platformctl/v1",
        "name": "billing",
        "golden_path": {
            "name": "python-service",
            "version": "0.1.0",
            "source": "bundled",
            "pristine_commit": "0" * 40,
            "answers": {},
        },
        "repository": {"provider": "local", "slug": "local/billing", "url": "/nowhere"},
    }
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node[key]  # type: ignore[assignment]
        node[last] = value  # type: ignore[index]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "platform.yaml").write_text(yaml.safe_dump(data))


def test_a_descriptor_naming_a_golden_path_by_path_is_invalid(cli, tmp_path):
    evil = golden_path_with_a_task(tmp_path / "evil")
    service = tmp_path / "billing"
    write_descriptor(service, **{"golden_path.name": os.path.relpath(evil, bundled_root())})
    for command in ("check", "update"):
        result = cli(command, "service", str(service))
        assert result.exit_code == 2, result.stderr
        assert "platform.yaml: field 'golden_path.name'" in result.stderr
    assert not list(tmp_path.rglob(TASK_FILE))


def test_a_descriptor_whose_service_name_is_a_path_is_invalid(cli, tmp_path):
    # The service name becomes a Kubernetes namespace (an API path) and local state keys.
    service = tmp_path / "billing"
    write_descriptor(service, name="../../apis/x")
    result = cli("check", "service", str(service))
    assert result.exit_code == 2
    assert "platform.yaml: field 'name'" in result.stderr


def test_an_org_that_is_a_path_is_refused(cli, tmp_path, isolation):
    result = cli(
        "new", "service", "billing", "--org", "../../outside", "--no-input", "--dir", str(tmp_path / "b")
    )
    assert result.exit_code == 2
    assert "error: --org: '../../outside' does not match" in result.stderr
    assert not list(tmp_path.rglob("billing.git"))


def test_a_descriptor_whose_repository_slug_climbs_out_is_invalid(cli, tmp_path):
    # The slug becomes API paths of the environments at GitHub and GitLab.
    service = tmp_path / "billing"
    write_descriptor(service, **{"repository.slug": "acme/../../user"})
    result = cli("check", "service", str(service))
    assert result.exit_code == 2
    assert "platform.yaml: field 'repository.slug'" in result.stderr
