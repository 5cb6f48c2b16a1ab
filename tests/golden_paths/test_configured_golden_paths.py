"""Golden paths named in the platform config: a local folder or a git URL at a ref; trust."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

TASK_FILE = "task-ran.txt"


def write_golden_path(folder: Path, *, version: str = "0.3.0", body: str = "team template",
                      tasks: bool = False) -> Path:
    """A minimal golden path: metadata, one question, one template file, optionally a task."""
    (folder / "template").mkdir(parents=True, exist_ok=True)
    (folder / "golden-path.yaml").write_text(yaml.safe_dump({
        "name": "team-service", "version": version, "description": "The team's own service",
        "environments": {"staging": {"class": "staging"}}, "next_steps": ["make"],
    }))
    copier: dict = {"_subdirectory": "template", "service_name": {"type": "str", "help": "Name"},
                    "flavour": {"type": "str", "help": "Flavour", "default": "plain"}}
    if tasks:
        copier["_tasks"] = [["python3", "-c", f"open('{TASK_FILE}', 'w').write('ran')"]]
    (folder / "copier.yml").write_text(yaml.safe_dump(copier))
    readme = "# {{ service_name }}\n\n" + body + ", {{ flavour }}\n"
    (folder / "template" / "README.md.jinja").write_text(readme)
    return folder


def write_config(entry: dict) -> Path:
    """platformctl.yaml in the working directory, naming one extra golden path."""
    path = Path.cwd() / "platformctl.yaml"
    path.write_text(yaml.safe_dump({"golden_paths": {"team-service": entry}}))
    # as its owner would, with 'platformctl config trust': an untrusted file names no golden path
    from tests.helpers import trust_project_file

    trust_project_file(path)
    return path


def git(*args: str, cwd: Path) -> str:
    """Run git; return stdout."""
    identity = ["-c", "user.name=Platform Team", "-c", "user.email=platform@example.com"]
    return subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def listed(cli) -> dict:
    result = cli("golden-path", "list", "--json")
    assert result.exit_code == 0, result.stderr
    return {gp["name"]: gp for gp in result.json()["golden_paths"]}


def test_local_golden_path_is_listed_and_used(cli, tmp_path) -> None:
    folder = write_golden_path(tmp_path / "gp" / "team-service")
    write_config({"path": "../gp/team-service"})  # relative to the config file
    team = listed(cli)["team-service"]
    assert team == {"name": "team-service", "version": "0.3.0", "description": "The team's own service",
                    "origin": str(folder), "trusted": False}
    assert "python-service" in listed(cli)  # bundled ones stay

    target = tmp_path / "billing"
    result = cli("new", "service", "billing", "--golden-path", "team-service", "--no-input",
                 "--set", "flavour=spicy", "--dir", str(target), "--json")
    assert result.exit_code == 0, result.stderr
    assert (target / "README.md").read_text() == "# billing\n\nteam template, spicy\n"
    descriptor = yaml.safe_load((target / "platform.yaml").read_text())
    assert descriptor["golden_path"]["name"] == "team-service"
    assert descriptor["golden_path"]["version"] == "0.3.0"
    assert descriptor["golden_path"]["source"] == str(folder)
    assert descriptor["environments"] == {"staging": {"class": "staging"}}


def test_untrusted_golden_path_with_tasks_is_refused(cli, tmp_path, isolation) -> None:
    write_golden_path(tmp_path / "gp", tasks=True)
    write_config({"path": str(tmp_path / "gp")})
    assert listed(cli)["team-service"]["trusted"] is False
    target = tmp_path / "out" / "billing"
    result = cli("new", "service", "billing", "--golden-path", "team-service", "--no-input",
                 "--dir", str(target))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-2].startswith("error: golden path 'team-service' from ")
    assert "wants to run code" in lines[-2]
    assert "not trusted" in lines[-2]
    assert "tasks" in lines[-2]
    assert lines[-1] == ("hint: if you trust it, set 'trusted: true' under golden_paths.team-service "
                         "in platformctl.yaml")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    # Nothing was written: no service folder, no staging leftovers, no repository.
    assert not target.exists()
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert not list(isolation.rglob("billing.git"))
    assert not list(tmp_path.rglob(TASK_FILE))


def test_trusted_golden_path_runs_its_tasks(cli, tmp_path) -> None:
    write_golden_path(tmp_path / "gp", tasks=True)
    write_config({"path": str(tmp_path / "gp"), "trusted": True})
    assert listed(cli)["team-service"]["trusted"] is True
    target = tmp_path / "billing"
    result = cli("new", "service", "billing", "--golden-path", "team-service", "--no-input",
                 "--dir", str(target))
    assert result.exit_code == 0, result.stderr
    assert (target / TASK_FILE).read_text() == "ran"


@pytest.fixture
def git_source(tmp_path) -> Path:
    """A bare repository whose tag v1.0.0 holds version 1.0.0; main has moved on since."""
    work = tmp_path / "golden-paths-repo"
    write_golden_path(work / "paths" / "team-service", version="1.0.0", body="from the tag")
    git("init", "-q", "-b", "main", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "team-service 1.0.0", cwd=work)
    git("tag", "v1.0.0", cwd=work)
    write_golden_path(work / "paths" / "team-service", version="2.0.0-rc.1", body="from main")
    git("commit", "-q", "-am", "team-service 2.0.0-rc.1", cwd=work)
    bare = tmp_path / "golden-paths.git"
    git("clone", "-q", "--bare", str(work), str(bare), cwd=tmp_path)
    return bare


def test_git_golden_path_at_a_tag(cli, tmp_path, git_source) -> None:
    url = git_source.as_uri()
    write_config({"git": url, "ref": "v1.0.0", "subdirectory": "paths/team-service"})
    team = listed(cli)["team-service"]
    assert (team["version"], team["origin"], team["trusted"]) == ("1.0.0", f"{url}@v1.0.0", False)

    target = tmp_path / "billing"
    result = cli("new", "service", "billing", "--golden-path", "team-service", "--no-input",
                 "--dir", str(target))
    assert result.exit_code == 0, result.stderr
    assert (target / "README.md").read_text() == "# billing\n\nfrom the tag, plain\n"
    assert yaml.safe_load((target / "platform.yaml").read_text())["golden_path"]["source"] == f"{url}@v1.0.0"


def test_git_golden_path_without_ref_follows_the_default_branch(cli, tmp_path, git_source) -> None:
    write_config({"git": git_source.as_uri(), "subdirectory": "paths/team-service"})
    assert listed(cli)["team-service"]["version"] == "2.0.0-rc.1"


def test_git_golden_path_with_an_unknown_ref_fails_clearly(cli, git_source) -> None:
    write_config({"git": git_source.as_uri(), "ref": "v9.9.9", "subdirectory": "paths/team-service"})
    result = cli("golden-path", "list")
    assert result.exit_code == 1
    assert "error: cannot fetch golden path 'team-service'" in result.stderr
    assert "v9.9.9" in result.stderr
    assert "hint: " in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("ref", [None, "main"])
def test_git_golden_path_at_the_root_renders_its_ref_not_the_latest_tag(cli, tmp_path, ref) -> None:
    work = tmp_path / "team-service-repo"
    write_golden_path(work, version="1.0.0", body="from the tag")
    git("init", "-q", "-b", "main", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "1.0.0", cwd=work)
    git("tag", "v1.0.0", cwd=work)
    write_golden_path(work, version="2.0.0", body="from main")
    git("commit", "-q", "-am", "2.0.0", cwd=work)
    write_config({"git": work.as_uri(), **({"ref": ref} if ref else {})})
    target = tmp_path / "billing"
    result = cli("new", "service", "billing", "--golden-path", "team-service", "--no-input",
                 "--dir", str(target))
    assert result.exit_code == 0, result.stderr
    # The version recorded and the files rendered come from the same commit.
    assert yaml.safe_load((target / "platform.yaml").read_text())["golden_path"]["version"] == "2.0.0"
    assert (target / "README.md").read_text() == "# billing\n\nfrom main, plain\n"
