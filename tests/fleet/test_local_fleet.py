"""`fleet status` and `fleet update` on the local forge, through the real entry point.

Three services made from three versions of one golden path (one with a local edit that
conflicts with the newest version), one repository that is no service, real git throughout.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import git
import pytest

from tests.helpers import build_golden_path, built_once, configure_golden_path

FILES = {
    "README.md.jinja": "# {{ service_name }}\n\nintro\n\nfooter\n",
    "app.py": "print('v1')\n",
}


def release(gp: Path, version: str, app_line: str) -> None:
    """A new version of the golden path: app.py changes and the changelog grows."""
    meta = gp / "golden-path.yaml"
    old = meta.read_text().split("version: ")[1].split("\n")[0]
    meta.write_text(meta.read_text().replace(f"version: {old}", f"version: {version}"))
    (gp / "template" / "app.py").write_text(app_line)
    changelog = gp / "CHANGELOG.md"
    changelog.write_text(f"## {version}\n\n- app.py says {app_line.strip()}\n\n" + changelog.read_text())


def push_edit(checkout: Path, rel: str, text: str) -> None:
    """A team's own commit on main, pushed to the local forge."""
    (checkout / rel).write_text(text)
    repo = git.Repo(checkout)
    repo.git.add(A=True)
    repo.index.commit(f"local edit of {rel}")
    repo.git.push("--quiet", "origin", "main")


def build_fleet(cli, root: Path) -> None:
    """alpha on 1.0.0 (app.py edited locally), beta on 1.1.0, gamma on 1.2.0, plain 'notes'."""
    home = root / "platform-home"
    gp = build_golden_path(root / "gp", files=FILES, questions="owner:\n  type: str\n  default: nobody\n")
    (gp / "CHANGELOG.md").write_text("## 1.0.0\n\n- first release\n")
    work = root / "work"
    configure_golden_path(work, "tiny", gp)
    for name, version, line in (
        ("alpha", None, ""),
        ("beta", "1.1.0", "print('v1.1')\n"),
        ("gamma", "1.2.0", "print('v1.2')\n"),
    ):
        if version:
            release(gp, version, line)
        result = cli("new", "service", name, "--golden-path", "tiny", "--owner", f"team-{name}")
        assert result.exit_code == 0, result.stderr
    push_edit(work / "alpha", "app.py", "print('ours')\n")
    notes = git.Repo.init(root / "notes", initial_branch="main")
    (root / "notes" / "x.txt").write_text("x")
    notes.git.add(A=True)
    notes.index.commit("notes")
    git.Repo.clone_from(root / "notes", home / "repositories" / "local" / "notes.git", bare=True)


@pytest.fixture(scope="session")
def fleet_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fleet's folder in this test process (see :func:`tests.helpers.built_once`)."""
    return tmp_path_factory.mktemp("fleet")


@pytest.fixture
def fleet(cli, fleet_folder, monkeypatch):
    """The fleet of :func:`build_fleet`, built once per test process and copied back for each test
    at the path it was built at (see :func:`tests.helpers.built_once`)."""
    live = built_once(fleet_folder, lambda root: build_fleet(cli, root), monkeypatch)
    return live / "platform-home", live / "gp", live / "work"


def pulls(home: Path, name: str) -> list[dict]:
    path = home / "pull-requests" / "local" / f"{name}.json"
    return json.loads(path.read_text())["pulls"] if path.exists() else []


def forge_snapshot(home: Path) -> dict[str, object]:
    """The refs of every bare repository and every pull-request record: equal means no writes."""
    out: dict[str, object] = {}
    for bare in sorted((home / "repositories" / "local").glob("*.git")):
        out[bare.name] = git.Repo(bare).git.for_each_ref("--format=%(refname) %(objectname)")
    for record in sorted((home / "pull-requests").rglob("*.json")):
        out[str(record)] = record.read_text()
    return out


def by_repo(document: dict) -> dict[str, dict]:
    return {s["repository"]: s for s in document["services"]}


def test_status_reports_every_service_and_the_summary(cli, fleet):
    result = cli("fleet", "status", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    services = by_repo(doc)
    assert sorted(services) == ["local/alpha", "local/beta", "local/gamma"]
    alpha = services["local/alpha"]
    assert (alpha["golden_path"], alpha["version"], alpha["newest"], alpha["behind"]) == (
        "tiny",
        "1.0.0",
        "1.2.0",
        2,
    )
    assert alpha["owner"] == "team-alpha" and alpha["environments"] == ["staging"]
    assert alpha["last_activity"] and alpha["update_request"] is None
    assert services["local/beta"]["behind"] == 1 and services["local/gamma"]["behind"] == 0
    summary = doc["summary"]
    assert (summary["repositories"], summary["services"], summary["adoption"]) == (4, 3, 0.75)
    assert summary["on_newest"] == pytest.approx(1 / 3, abs=1e-3)
    assert summary["versions"] == {"tiny": {"1.0.0": 1, "1.1.0": 1, "1.2.0": 1}}

    table = cli("fleet", "status")
    assert "local/alpha" in table.stdout and "adoption 75%" in table.stdout
    assert cli("fleet", "status", "--fail-if-behind", "2").exit_code == 3
    assert cli("fleet", "status", "--fail-if-behind", "3").exit_code == 0
    page = cli("fleet", "status", "--format", "html").stdout
    assert page.startswith("<!doctype html>") and page.count("<svg") == 2
    assert (
        "| local/beta | tiny | 1.1.0 | 1.2.0 | 1 |" in cli("fleet", "status", "--format", "markdown").stdout
    )


def test_update_opens_pull_requests_honestly_and_a_rerun_writes_nothing(cli, fleet):
    home, _, _ = fleet
    result = cli("fleet", "update", "--golden-path", "tiny", "--json")
    assert result.exit_code == 3, result.stderr  # a conflict is never a success
    outcomes = by_repo(result.json())
    assert outcomes["local/alpha"]["state"] == "conflicted"
    assert outcomes["local/alpha"]["conflicts"] == ["app.py"]
    assert outcomes["local/beta"]["state"] == "opened" and "local/gamma" not in outcomes

    [alpha] = pulls(home, "alpha")
    assert alpha["draft"] is True and "platformctl:conflict" in alpha["labels"]
    assert alpha["branch"] == "platformctl/update-tiny-1.2.0" and alpha["base"] == "main"
    assert "`app.py`" in alpha["body"].split("## Conflicts")[1]
    assert "- app.py says print('v1.1')" in alpha["body"] and "- app.py says print('v1.2')" in alpha["body"]
    bare = git.Repo(home / "repositories" / "local" / "alpha.git")
    assert "<<<<<<<" in bare.git.show("platformctl/update-tiny-1.2.0:app.py")
    [beta] = pulls(home, "beta")
    assert beta["draft"] is False and beta["state"] == "open"
    beta_bare = git.Repo(home / "repositories" / "local" / "beta.git")
    assert beta_bare.git.show("platformctl/update-tiny-1.2.0:app.py") == "print('v1.2')"
    assert "version: 1.2.0" in beta_bare.git.show("platformctl/update-tiny-1.2.0:platform.yaml")
    assert beta_bare.git.rev_parse("main") != beta_bare.git.rev_parse("platformctl/update-tiny-1.2.0")

    before = forge_snapshot(home)
    again = cli("fleet", "update", "--golden-path", "tiny", "--json")
    assert again.exit_code == 3
    assert {r: o["state"] for r, o in by_repo(again.json()).items()} == {
        "local/alpha": "unchanged",
        "local/beta": "unchanged",
    }
    assert forge_snapshot(home) == before

    rollout = cli("fleet", "status", "--campaign", "tiny-1.2.0", "--json").json()
    assert {r: s["state"] for r, s in by_repo(rollout).items()} == {
        "local/alpha": "conflicted",
        "local/beta": "opened",
        "local/gamma": "merged",
    }
    assert rollout["counts"]["not started"] == 0 and rollout["counts"]["conflicted"] == 1
    status = by_repo(cli("fleet", "status", "--json").json())
    assert status["local/alpha"]["update_request"]["state"] == "conflicted"


def test_a_new_release_supersedes_the_open_pull_requests(cli, fleet):
    home, gp, _ = fleet
    assert cli("fleet", "update", "-g", "tiny").exit_code == 3
    release(gp, "1.3.0", "print('v1.3')\n")
    result = cli("fleet", "update", "-g", "tiny", "--json")
    outcomes = by_repo(result.json())
    assert sorted(outcomes) == ["local/alpha", "local/beta", "local/gamma"]
    old, new = pulls(home, "beta")
    assert (old["state"], new["state"]) == ("closed", "open")
    assert new["branch"] == "platformctl/update-tiny-1.3.0"
    assert old["comments"] == [f"Superseded by #{new['number']}, which updates tiny to 1.3.0."]
    assert outcomes["local/beta"]["superseded"] == [old["number"]]
    assert [p["state"] for p in pulls(home, "gamma")] == ["open"]


def test_an_interrupted_campaign_resumes_without_a_second_branch_or_pull_request(cli, fleet):
    home, _, _ = fleet
    # The pull-request record of beta cannot be written: the run stops after beta's push.
    blocker = home / "pull-requests" / "local" / "beta.json"
    blocker.mkdir(parents=True)
    stopped = cli("fleet", "update", "-g", "tiny")
    assert stopped.exit_code == 1 and "error:" in stopped.stderr
    bare = git.Repo(home / "repositories" / "local" / "beta.git")
    pushed = bare.git.rev_parse("platformctl/update-tiny-1.2.0")
    rollout = by_repo(cli("fleet", "status", "--campaign", "tiny-1.2.0", "--json").json())
    assert rollout["local/beta"]["state"] == "failed"

    blocker.rmdir()
    resumed = cli("fleet", "update", "-g", "tiny", "--json")
    assert resumed.exit_code == 3, resumed.stderr
    assert by_repo(resumed.json())["local/beta"]["state"] == "opened"
    assert bare.git.rev_parse("platformctl/update-tiny-1.2.0") == pushed  # the same commit, not pushed again
    assert len(pulls(home, "beta")) == 1 and len(pulls(home, "alpha")) == 1
    journal = [json.loads(line) for line in (home / "fleet" / "tiny-1.2.0.jsonl").read_text().splitlines()]
    assert [e["step"] for e in journal if e["repository"] == "local/beta"].count("pushed") == 1


def test_two_shards_give_the_unsharded_result(cli, fleet, tmp_path):
    home, _, _ = fleet
    twin = tmp_path / "twin-home"
    shutil.copytree(home, twin)
    shards = [cli("fleet", "update", "-g", "tiny", "--shard", f"{i}/2", "--json").json() for i in (1, 2)]
    seen = [o["repository"] for doc in shards for o in doc["services"]]
    assert sorted(seen) == ["local/alpha", "local/beta"]
    whole = cli("fleet", "update", "-g", "tiny", "--json", env={"PLATFORMCTL_HOME": str(twin)})
    assert sorted(o["repository"] for o in whole.json()["services"]) == sorted(seen)

    def rollout(env: dict[str, str] | None = None) -> dict:
        doc = cli("fleet", "status", "--campaign", "tiny-1.2.0", "--json", env=env).json()
        return {r: (s["state"], s["number"]) for r, s in by_repo(doc).items()}

    assert rollout() == rollout({"PLATFORMCTL_HOME": str(twin)})
    assert [p["title"] for p in pulls(home, "alpha")] == [p["title"] for p in pulls(twin, "alpha")]


def test_dry_run_writes_nothing_and_a_failing_check_is_a_failure(cli, fleet):
    home, _, _ = fleet
    before = forge_snapshot(home)
    dry = cli("fleet", "update", "-g", "tiny", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    assert {o["state"] for o in dry.json()["services"]} == {"would-open"}
    assert forge_snapshot(home) == before
    checked = cli(
        "fleet", "update", "-g", "tiny", "--limit", "1", "--check", "grep -q never app.py", "--json"
    )
    [outcome] = checked.json()["services"]
    assert outcome["state"] == "failed" and outcome["detail"].startswith("check failed: exit 1")
    [record] = pulls(home, outcome["repository"].split("/")[1])
    assert record["draft"] is True and "platformctl:check-failed" in record["labels"]


def test_bad_flags_and_bad_descriptors(cli, fleet):
    home, _, _ = fleet
    bad = cli("fleet", "update", "-g", "tiny", "--shard", "3/2")
    assert bad.exit_code == 2 and "error: invalid --shard '3/2'" in bad.stderr and "hint:" in bad.stderr
    assert cli("fleet", "status", "--campaign", "tiny").exit_code == 2
    assert cli("fleet", "status", "--format", "pdf").exit_code == 2
    unbalanced = cli("fleet", "update", "-g", "tiny", "--check", "make 'test")
    assert unbalanced.exit_code == 2 and "error: invalid --check" in unbalanced.stderr
    notes = home / "repositories" / "local" / "notes.git"
    checkout = git.Repo.clone_from(notes, home.parent / "notes-checkout")
    (home.parent / "notes-checkout" / "platform.yaml").write_text("name: [unclosed\n")
    checkout.git.add(A=True)
    checkout.index.commit("a broken descriptor")
    checkout.git.push("--quiet", "origin", "main")
    doc = cli("fleet", "status", "--json").json()
    broken = by_repo(doc)["local/notes"]
    assert broken["error"] and "platform.yaml" in broken["error"] and str(home.parent) not in broken["error"]
    assert doc["summary"]["invalid"] == 1


def test_an_interruption_before_the_push_resumes_with_one_branch_and_one_pull_request(cli, fleet):
    home, _, _ = fleet
    blocker = home / "pull-requests" / "local" / "alpha.lock"  # the forge's lock: the push stops
    blocker.mkdir(parents=True)
    assert cli("fleet", "update", "-g", "tiny").exit_code == 1
    bare = git.Repo(home / "repositories" / "local" / "alpha.git")
    assert "platformctl/update-tiny-1.2.0" not in [h.name for h in bare.heads]
    blocker.rmdir()
    resumed = cli("fleet", "update", "-g", "tiny", "--json")
    assert {o["repository"]: o["state"] for o in resumed.json()["services"]} == {
        "local/alpha": "conflicted",
        "local/beta": "opened",
    }
    assert len(pulls(home, "alpha")) == 1 and len(pulls(home, "beta")) == 1


def test_a_moved_golden_path_updates_the_branch_unless_someone_else_pushed(cli, fleet, tmp_path):
    home, gp, _ = fleet
    assert cli("fleet", "update", "-g", "tiny").exit_code == 3
    bare = git.Repo(home / "repositories" / "local" / "beta.git")
    first = bare.git.rev_parse("platformctl/update-tiny-1.2.0")
    # Someone adds a commit to alpha's update branch (resolving the conflict by hand).
    alpha = git.Repo.clone_from(home / "repositories" / "local" / "alpha.git", tmp_path / "alpha-fix")
    alpha.git.checkout("platformctl/update-tiny-1.2.0")
    (tmp_path / "alpha-fix" / "app.py").write_text("print('resolved')\n")
    alpha.git.add(A=True)
    alpha.index.commit("resolve the conflict")
    alpha.git.push("--quiet", "origin", "platformctl/update-tiny-1.2.0")
    pushed = alpha.head.commit.hexsha
    # The same version of the golden path gains a file: the campaign's fingerprint moves.
    (gp / "template" / "NOTICE").write_text("new at the same version\n")
    result = cli("fleet", "update", "-g", "tiny", "--json")
    states = {o["repository"]: o["state"] for o in result.json()["services"]}
    assert states == {"local/alpha": "skipped", "local/beta": "updated"}
    assert (
        git.Repo(home / "repositories" / "local" / "alpha.git").git.rev_parse("platformctl/update-tiny-1.2.0")
        == pushed
    )
    second = bare.git.rev_parse("platformctl/update-tiny-1.2.0")
    assert second != first and bare.git.show(f"{second}:NOTICE") == "new at the same version"
    [beta] = pulls(home, "beta")
    assert f'"head": "{second}"' in beta["body"]
    assert cli("fleet", "update", "-g", "tiny").exit_code == 0  # alpha left alone, beta unchanged
    rollout = by_repo(cli("fleet", "status", "--campaign", "tiny-1.2.0", "--json").json())
    assert (rollout["local/beta"]["state"], rollout["local/alpha"]["state"]) == ("updated", "conflicted")
