"""Compiled golden-path templates remembered under the platform home (scaffold/jinja_cache.py).

Every run here is a real ``python -m platformctl`` process: the cache matters across processes.
A cache file holds code that runs in the process, so a file this user did not write alone (a
foreign mode, a link, another format, garbage) must never run; the hostile files below would
create a marker file if they did, and ``test_own_cache_files_are_used`` shows that they would.
"""

from __future__ import annotations

import marshal
import os
import shutil
import stat
from pathlib import Path

import pytest

from tests.helpers import build_golden_path, configure_golden_path

HOME = Path(".local/share/platformctl")


def _cache(isolation: Path) -> Path:
    return isolation / HOME / "cache" / "jinja"


def _tree(root: Path) -> dict[str, bytes]:
    """The rendered files (``platform.yaml`` records the commit and the repository: left out)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts and p.name != "platform.yaml"
    }


def _new(cli_process, where: str) -> Path:
    """The same service, each time in another folder and at another local organisation."""
    result = cli_process(
        "new", "service", "svc", "--no-input", "--set", "organization=acme", "--org", where, "--dir", where
    )
    assert result.exit_code == 0, result.stderr
    return Path(where).absolute()


def _hostile(path: Path, marker: Path) -> None:
    """Replace a cache file with one of the right format whose code writes ``marker``."""
    header = path.read_bytes().split(b"\n", 2)
    code = compile(f"open({str(marker)!r}, 'w').write('ran')", "<cache>", "exec")
    path.write_bytes(b"\n".join(header[:2]) + b"\n" + marshal.dumps(code))


@pytest.fixture
def warm(cli_process, isolation, tmp_path) -> Path:
    """A first service has filled the cache; its render is the reference."""
    _new(cli_process, "first")
    cache = _cache(isolation)
    files = list(cache.iterdir())
    assert files, "the first render remembers its compiled templates"
    assert stat.S_IMODE(cache.stat().st_mode) & 0o077 == 0
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    return cache


def test_a_warm_cache_renders_the_same_files(cli_process, isolation, tmp_path, warm):
    second = _tree(_new(cli_process, "second"))
    shutil.rmtree(isolation / HOME / "cache")
    third = _tree(_new(cli_process, "third"))  # compiled afresh
    assert len(second) > 30
    assert second == third


def test_own_cache_files_are_used(cli_process, tmp_path, warm):
    # The control for the tests below: a file of the right shape, the user's alone, does run.
    marker = tmp_path / "ran"
    for path in warm.iterdir():
        _hostile(path, marker)
    cli_process("new", "service", "second", "--no-input")  # fails: the code is not a template
    assert marker.exists()


@pytest.mark.parametrize(
    "how",
    [
        "file writable by others",
        pytest.param("folder writable by others", marks=pytest.mark.slow),
        pytest.param("link", marks=pytest.mark.slow),
    ],
)
def test_foreign_cache_files_never_run(cli_process, tmp_path, warm, how):
    marker = tmp_path / "ran"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for path in warm.iterdir():
        _hostile(path, marker)
        if how == "file writable by others":
            path.chmod(0o666)
        elif how == "link":
            target = elsewhere / path.name
            path.rename(target)
            path.symlink_to(target)
    if how == "folder writable by others":
        warm.chmod(0o777)
    assert _tree(_new(cli_process, "second")) == _tree(tmp_path / "work" / "first")
    assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_cache_files_of_another_user_never_run(cli_process, tmp_path, warm):
    marker = tmp_path / "ran"
    for path in warm.iterdir():
        _hostile(path, marker)
        os.chown(path, 12345, 12345)
    _new(cli_process, "second")
    assert not marker.exists()


@pytest.mark.parametrize(
    "damage",
    ["garbage", *(pytest.param(d, marks=pytest.mark.slow) for d in ("truncated", "other format", "empty"))],
)
def test_damaged_cache_files_are_compiled_again(cli_process, isolation, tmp_path, warm, damage):
    for path in warm.iterdir():
        data = path.read_bytes()
        path.write_bytes(
            {
                "garbage": b"\x00\xff" * 50,
                "truncated": data[: len(data) // 2],
                "other format": data.replace(b"platformctl-jinja-", b"platformctl-jinjx-", 1),
                "empty": b"",
            }[damage]
        )
    assert _tree(_new(cli_process, "second")) == _tree(tmp_path / "work" / "first")
    # What could not be read was compiled and written again.
    assert all(path.read_bytes().startswith(b"platformctl-jinja-1\n") for path in warm.iterdir())


def test_a_dry_run_adds_nothing_to_the_cache(cli_process, isolation):
    result = cli_process("new", "service", "svc", "--no-input", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert not _cache(isolation).exists()


def test_the_same_text_under_other_delimiters_is_compiled_for_them(cli_process, isolation, tmp_path):
    # One file name, the same text in two golden paths: only the delimiters differ.
    name = "[[ service_name ]]-{{ service_name }}.txt.jinja"
    squared = "_envops:\n  variable_start_string: '[['\n  variable_end_string: ']]'\n"
    for gp, envops in (("plain", ""), ("squared", squared)):
        path = build_golden_path(tmp_path / gp, name=gp, files={name: "x"}, extra_copier=envops)
        configure_golden_path(tmp_path / "work", gp, path)
    for gp in ("plain", "squared", "plain", "squared"):  # the second of each from the cache
        result = cli_process("new", "service", "svc", "--no-input", "-g", gp, "--org", gp, "--dir", gp)
        assert result.exit_code == 0, result.stderr
        shown = sorted(p.name for p in (tmp_path / "work" / gp).iterdir() if p.suffix == ".txt")
        assert shown == (["[[ service_name ]]-svc.txt"] if gp == "plain" else ["svc-{{ service_name }}.txt"])
        shutil.rmtree(tmp_path / "work" / gp)
        shutil.rmtree(isolation / HOME / "repositories")
    assert _cache(isolation).is_dir()
