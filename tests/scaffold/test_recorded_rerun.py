"""A converged ``new service`` re-run answered from the record of the last converged run, and
every input that must make it decide again.

The first test runs the re-run answered from the record in a fresh process too, where whether
it decided shows in the modules it loaded (deciding imports ``platformctl.scaffold.create`` and
the descriptor's models; the record loads neither the models nor the catalog), and compares its
output byte for byte with the decided run's. Every other run is in-process: it decided when it
called ``given_answers`` (the decided path's first step), it was answered from the record when
``answer_from_record`` said so; both run unchanged, their calls are only counted. The tests
whose subject is what a later run makes of a converged service start from a copy of one that
the real commands built once per test process (``service``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.helpers import build_golden_path, built_once, configure_golden_path

MODELS = (
    "platformctl.scaffold.descriptor",
    "platformctl.scaffold.catalog",
    "platformctl.scaffold.prepare",
    # Without a settings file no schema is built at all: not even the environment fields.
    "platformctl.contracts.environment_fields",
    "platformctl.contracts.repositories",
    "platformctl.providers.local.repositories",
)

RUN = """
import sys
from platformctl.cli.app import run
code = run(ARGS)
print("MODELS=" + ",".join(m for m in NAMES if m in sys.modules), file=sys.stderr)
print("DECIDED=" + str("platformctl.scaffold.create" in sys.modules), file=sys.stderr)
sys.exit(code)
"""

New = Callable[..., tuple[bool, str, str]]


@pytest.fixture(autouse=True)
def platform_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "platform"
    monkeypatch.setenv("PLATFORMCTL_HOME", str(home))
    return home


def new_process(*args: str) -> tuple[bool, str, str, list[str]]:
    """``new service ARGS`` in a fresh process: whether it decided, its stdout, its stderr and
    which of ``MODELS`` it loaded."""
    script = RUN.replace("ARGS", repr(["new", "service", *args])).replace("NAMES", repr(MODELS))
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    err, _, flag = proc.stderr.rpartition("DECIDED=")
    err, _, models = err.rpartition("MODELS=")
    return flag.strip() == "True", proc.stdout, err, [m for m in models.strip().split(",") if m]


@pytest.fixture
def new(cli: Any, monkeypatch: pytest.MonkeyPatch) -> New:
    """``new service ARGS`` in-process: whether it decided, its stdout and its stderr. A run
    that did not decide must have been answered from the record (or stopped inside it)."""
    from platformctl.cli import new_recorded
    from platformctl.scaffold import prepare

    decided: list[int] = []
    answers: list[str] = []
    given_answers, answer_from_record = prepare.given_answers, new_recorded.answer_from_record

    def counted_given(*args: Any, **kwargs: Any) -> Any:
        decided.append(1)
        return given_answers(*args, **kwargs)

    def counted_record(*args: Any, **kwargs: Any) -> bool:
        answers.append("raised")
        answers[-1] = "answered" if answer_from_record(*args, **kwargs) else "declined"
        return answers[-1] == "answered"

    monkeypatch.setattr(prepare, "given_answers", counted_given)
    monkeypatch.setattr(new_recorded, "answer_from_record", counted_record)

    def run(*args: str, env: dict[str, str] | None = None, code: int = 0) -> tuple[bool, str, str]:
        decided.clear(), answers.clear()
        result = cli("new", "service", *args, env=env)
        assert result.exit_code == code, result.stderr
        assert len(decided) <= 1 and len(answers) <= 1
        if decided:
            assert answers != ["answered"]
        else:
            assert answers in (["answered"], ["raised"])  # not decided: the record answered
        return bool(decided), result.stdout, result.stderr

    return run


def converged(new: New, *args: str) -> tuple[str, str]:
    """Create payments, then re-run it once (which records it): the re-run's output."""
    decided, out, _ = new("payments", "--no-input", *args)
    assert decided and out.startswith("Created")
    decided, out, err = new("payments", "--no-input", *args)
    assert decided and out.startswith("Already created:")
    return out, err


class Converged(NamedTuple):
    """A converged service of these tests: its platform home and the recording re-run's output."""

    home: Path
    out: str
    err: str


@pytest.fixture(scope="session")
def converged_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The converged service's folder in this test process (see :func:`tests.helpers.built_once`)."""
    return tmp_path_factory.mktemp("converged")


@pytest.fixture
def service(converged_folder: Path, monkeypatch: pytest.MonkeyPatch, new: New) -> Converged:
    """payments, created and re-run once (which recorded it), in ``work``: built once per test
    process by the real commands and copied back, at the same path, for each test whose subject
    is what a later run makes of it (the record's key holds every path, so the copy is the very
    state the build left)."""

    def build(root: Path) -> None:
        (root / "converged.json").write_text(json.dumps(converged(new)))

    root = built_once(converged_folder, build, monkeypatch)
    out, err = json.loads((root / "converged.json").read_text())
    return Converged(root / "platform-home", out, err)


def bare_repository(platform_home: Path) -> Path:
    return platform_home / "repositories" / "local" / "payments.git"


def git(*args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b"}
    env |= {"GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b"}
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True, env=env).stdout


def test_a_converged_rerun_prints_the_decided_result_without_deciding(service, new):
    """The decided runs in-process (those that made ``service``); the run answered from the
    record in-process and in a fresh process, which loads neither the descriptor's models nor
    the catalog."""
    decided_out, decided_err = service.out, service.err
    again, out, err = new("payments", "--no-input")
    assert not again
    assert (out, err) == (decided_out, decided_err)  # byte for byte, progress lines included
    again, out, err, models = new_process("payments", "--no-input")
    assert not again and models == []  # from the record: no descriptor, no catalog, no schema
    assert (out, err) == (decided_out, decided_err)
    assert "push: already done" in err
    recorded, doc, _ = new("payments", "--json")
    assert not recorded
    entries = list((service.home / "cache" / "new-service").iterdir())
    assert len(entries) == 1 and entries[0].stat().st_mode & 0o077 == 0  # the record, 0600
    (entries[0]).unlink()
    decided, decided_doc, _ = new("payments", "--json")
    assert decided and doc == decided_doc  # the same keys, in the same order


def test_an_edited_platform_yaml_is_decided_again(service, new):
    descriptor = Path("payments") / "platform.yaml"
    descriptor.write_text(descriptor.read_text() + "# a comment\n")
    assert new("payments", "--no-input")[0]
    assert not new("payments", "--no-input")[0]  # recorded again for the new text
    descriptor.write_text(descriptor.read_text().replace("name: payments\n", "name: payments2\n", 1))
    decided, _, err = new("payments", "--no-input", code=2)  # now it holds another service
    assert decided and "already exists and is not empty" in err


def test_another_golden_path_version_is_decided_and_shown(tmp_path, new):
    gp = build_golden_path(tmp_path / "gp", version="1.0.0")
    configure_golden_path(Path.cwd(), "tiny", gp)
    decided, out, _ = new("payments", "-g", "tiny", "--no-input")
    assert decided and out.startswith("Created")
    assert new("payments", "--no-input")[0]  # converged: recorded
    assert not new("payments", "--no-input")[0]
    metadata = gp / "golden-path.yaml"
    metadata.write_text(metadata.read_text().replace("1.0.0", "1.1.0"))
    decided, out, _ = new("payments", "--no-input")
    assert decided and "from tiny 1.1.0" in out
    assert not new("payments", "--no-input")[0]  # recorded again, for 1.1.0
    copier = gp / "copier.yml"
    copier.write_text(copier.read_text() + "port:\n  type: int\n  default: 80\n")
    assert new("payments", "--no-input")[0]  # the questions changed: decided


def test_flags_and_settings_always_decide(service, new):
    assert new("payments", "--no-input", "--golden-path", "python-service")[0]
    assert new("payments", "--no-input", "--dry-run")[0]
    decided, _, err = new("payments", "--no-input", "--owner", "someone-else", code=2)
    assert decided and "recorded" in err
    assert new("payments", "--no-input", env={"PLATFORMCTL_OWNER": "team-x"})[0]
    config = Path.cwd() / "platformctl.yaml"
    config.write_text("owner: team-y\n")  # untrusted, and ignored: still a file the key holds
    assert new("payments", "--no-input")[0]


def test_another_folder_or_working_directory_is_decided(service, tmp_path, new):
    assert not new("payments", "--no-input", "--dir", "payments")[0]  # the same target
    work, elsewhere = Path.cwd(), tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.chdir(elsewhere)
    try:
        decided, out, _ = new("payments", "--no-input", "--dir", str(work / "payments"))
    finally:
        os.chdir(work)
    assert decided and "Already created:" in out  # the path is shown relative to another folder


def test_a_new_commit_in_the_checkout_is_pushed(service, new):
    (Path("payments") / "NOTES.md").write_text("notes\n")
    git("-C", "payments", "add", "NOTES.md")
    git("-C", "payments", "commit", "-qm", "notes")
    decided, _, err = new("payments", "--no-input")
    assert decided and "push: done" in err
    head = git("-C", "payments", "rev-parse", "main").strip()
    assert git("--git-dir", str(bare_repository(service.home)), "rev-parse", "main").strip() == head


def test_a_changed_bare_repository_is_decided(service, new):
    bare = bare_repository(service.home)
    git("--git-dir", str(bare), "config", "receive.denyDeletes", "false")
    decided, _, err = new("payments", "--no-input")
    assert decided and "protect branch: done" in err
    assert not new("payments", "--no-input")[0]
    (bare / "platformctl-repository").unlink()  # no longer ours
    decided, _, err = new("payments", "--no-input", code=1)
    assert decided and "did not create" in err


def test_a_removed_bare_repository_is_created_again(service, new):
    import shutil

    shutil.rmtree(bare_repository(service.home))
    decided, _, err = new("payments", "--no-input")
    assert decided and "create repository: done" in err and "push: done" in err


@pytest.mark.parametrize("text", ["{not json", '{"format": 1, "key": 3}', "[]", '{"format": 1}', "\x00"])
def test_a_corrupted_record_is_ignored(service, text, new):
    decided_out, decided_err = service.out, service.err
    for entry in (service.home / "cache" / "new-service").iterdir():
        entry.write_text(text)
    decided, out, err = new("payments", "--no-input")
    assert decided and (out, err) == (decided_out, decided_err)
    assert not new("payments", "--no-input")[0]  # and recorded anew


def edit_record(platform_home: Path, edit, *, resum: bool) -> None:
    """Change the one record as ``edit`` says; ``resum``: keep its checksum consistent."""
    from platformctl.scaffold import recorded

    path = next((platform_home / "cache" / "new-service").iterdir())
    entry = json.loads(path.read_text())
    edit(entry)
    if resum:
        entry["sum"] = recorded._sum(entry)
    path.write_text(json.dumps(entry))


@pytest.mark.parametrize(
    "edit",
    [
        lambda e: e["document"].update(repository="elsewhere"),
        lambda e: e["document"].pop("next_steps"),
        lambda e: e["document"].update(resumed="yes"),
        lambda e: e.update(shown=[]),
        lambda e: e.update(files=[["only-a-path"]]),
    ],
)
def test_a_record_edited_under_its_key_is_ignored(service, edit, new):
    decided_out, decided_err = service.out, service.err
    edit_record(service.home, edit, resum=True)  # the key and the checksum still match
    decided, out, err = new("payments", "--no-input")
    assert decided and (out, err) == (decided_out, decided_err)  # no traceback


def test_an_altered_record_fails_its_checksum(service, new):
    decided_out, decided_err = service.out, service.err
    edit_record(service.home, lambda e: e.update(progress=["push: already done"]), resum=False)
    decided, out, err = new("payments", "--no-input")
    assert decided and (out, err) == (decided_out, decided_err)


def test_a_foreign_record_is_ignored(service, new):
    assert new("billing", "--no-input")[0]
    assert new("billing", "--no-input")[0]  # recorded too
    folder = service.home / "cache" / "new-service"
    entries = {json.loads(p.read_text())["document"]["service"]: p for p in folder.iterdir()}
    entries["payments"].write_text(entries["billing"].read_text())  # billing's record, payments' place
    decided, out, _ = new("payments", "--no-input")
    assert decided and "service payments" in out


def test_a_record_that_cannot_be_written_only_costs_a_decided_run(platform_home, new):
    (platform_home / "cache").mkdir(parents=True)
    (platform_home / "cache" / "new-service").write_text("in the way\n")
    converged(new)
    for _ in range(2):
        decided, out, _ = new("payments", "--no-input")
        assert decided and out.startswith("Already created:")


def test_a_held_service_lock_is_reported_as_by_a_decided_run(platform_home, new, monkeypatch):
    from platformctl.locks import hold_lock, lock_key

    monkeypatch.setenv("PLATFORMCTL_LOCK_WAIT", "0.1")  # recorded with it too: the key holds it
    converged(new)
    with hold_lock(platform_home, lock_key("payments"), doing="updating service payments", busy="busy"):
        recorded, _, err = new("payments", "--no-input", code=1)
    assert not recorded and "another platformctl is updating service payments" in err


def test_inside_github_actions_the_recorded_run_writes_the_same_outputs(service, tmp_path, new):
    outputs, summary = tmp_path / "outputs", tmp_path / "summary"
    actions = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary)}

    def written() -> tuple[bool, str, str]:
        outputs.write_text(""), summary.write_text("")
        decided, _, _ = new("payments", "--no-input", env=actions)
        return decided, re.sub(r"ghadelimiter_[0-9a-f-]+", "D", outputs.read_text()), summary.read_text()

    for entry in (service.home / "cache" / "new-service").iterdir():
        entry.unlink()
    decided = written()  # and recorded
    recorded = written()
    assert decided[0] and not recorded[0]
    assert decided[1:] == recorded[1:] and "service<<D\npayments\n" in recorded[1]


def test_the_recorded_path_spells_what_it_mirrors_as_the_decided_path_does():
    from platformctl.providers.local.repositories import MARKER
    from platformctl.scaffold import descriptor, recorded

    assert recorded.LOCAL_MARKER == MARKER
    assert recorded.DESCRIPTOR_FILE == descriptor.DESCRIPTOR_FILE
