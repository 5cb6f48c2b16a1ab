"""Compiled golden-path templates remembered under the platform home (scaffold/jinja_cache.py).

The cache matters across processes. The runs here are in-process, each starting from what a
fresh process starts with: the per-process state of the cache (which folders were found to be
ours) and the compiled expressions of ``scaffold.answers`` are forgotten before every run, so
every compiled template comes from the cache files or the compiler, as in a new process.
``test_own_cache_files_are_used`` shows that both an in-process run and a fresh process load
the files: a cache file holds code that runs in the process, so a file this user did not write
alone (a foreign mode, a link, another format, garbage) must never run; the hostile files below
would create a marker file if they did. The first service that fills the cache (``warm``) is
made once per test process and copied back for each test that starts from it.
"""

from __future__ import annotations

import marshal
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import build_golden_path, built_once, configure_golden_path

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


@pytest.fixture
def fresh(cli) -> Any:
    """``cli``, each run starting with the cache's per-process state of a fresh process."""
    from platformctl.scaffold import answers, jinja_cache

    def run(*args: str) -> Any:
        jinja_cache._CHECKED.clear()  # the folder is checked again, once, as in a new process
        answers._compiled.cache_clear()  # no expression compiled by an earlier run
        return cli(*args)

    return run


def _new(fresh, where: str) -> Path:
    """The same service, each time in another folder and at another local organisation."""
    result = fresh(
        "new", "service", "svc", "--no-input", "--set", "organization=acme", "--org", where, "--dir", where
    )
    assert result.exit_code == 0, result.stderr
    return Path(where).absolute()


def _hostile(path: Path, marker: Path) -> None:
    """Replace a cache file with one of the right format whose code writes ``marker``."""
    header = path.read_bytes().split(b"\n", 2)
    code = compile(f"open({str(marker)!r}, 'w').write('ran')", "<cache>", "exec")
    path.write_bytes(b"\n".join(header[:2]) + b"\n" + marshal.dumps(code))


@pytest.fixture(scope="session")
def warm_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warm cache's folder in this test process (see :func:`tests.helpers.built_once`)."""
    return tmp_path_factory.mktemp("warm-jinja")


@pytest.fixture
def warm(fresh, warm_folder, monkeypatch) -> Path:
    """A first service has filled the cache; its render (``work/first``) is the reference.

    Made once per test process by the real run (from a fresh process's state, as every run
    here) and copied back for each test at the path it was built at, cache files with their
    modes (:func:`tests.helpers.built_once`): HOME is ``root/home``, the working directory
    ``root/work``."""
    root = built_once(warm_folder, lambda root: _new(fresh, "first"), monkeypatch, platform_home=False)
    cache = _cache(root / "home")
    files = list(cache.iterdir())
    assert files, "the first render remembers its compiled templates"
    assert stat.S_IMODE(cache.stat().st_mode) & 0o077 == 0
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    return cache


def test_a_warm_cache_renders_the_same_files(fresh, warm):
    second = _tree(_new(fresh, "second"))
    shutil.rmtree(warm.parent)  # every cache of the platform home
    third = _tree(_new(fresh, "third"))  # compiled afresh
    assert len(second) > 30
    assert second == third


def test_own_cache_files_are_used(cli_process, fresh, tmp_path, warm):
    # The control for the tests below: a file of the right shape, the user's alone, does run,
    # in-process as in a fresh process (written by another one).
    marker = tmp_path / "ran"
    for path in warm.iterdir():
        _hostile(path, marker)
    fresh("new", "service", "second", "--no-input")  # fails: the code is not a template
    assert marker.exists()
    marker.unlink()
    cli_process("new", "service", "third", "--no-input")
    assert marker.exists()


@pytest.mark.parametrize(
    "how",
    [
        "file writable by others",
        pytest.param("folder writable by others", marks=pytest.mark.slow),
        pytest.param("link", marks=pytest.mark.slow),
    ],
)
def test_foreign_cache_files_never_run(fresh, tmp_path, warm, how):
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
    assert _tree(_new(fresh, "second")) == _tree(Path("first").absolute())
    assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_cache_files_of_another_user_never_run(fresh, tmp_path, warm):
    marker = tmp_path / "ran"
    for path in warm.iterdir():
        _hostile(path, marker)
        os.chown(path, 12345, 12345)
    _new(fresh, "second")
    assert not marker.exists()


@pytest.mark.parametrize(
    "damage",
    ["garbage", *(pytest.param(d, marks=pytest.mark.slow) for d in ("truncated", "other format", "empty"))],
)
def test_damaged_cache_files_are_compiled_again(fresh, warm, damage):
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
    assert _tree(_new(fresh, "second")) == _tree(Path("first").absolute())
    # What could not be read was compiled and written again.
    assert all(path.read_bytes().startswith(b"platformctl-jinja-1\n") for path in warm.iterdir())


def test_a_dry_run_adds_nothing_to_the_cache(fresh, isolation):
    result = fresh("new", "service", "svc", "--no-input", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert not _cache(isolation).exists()


def test_the_same_text_under_other_delimiters_is_compiled_for_them(fresh, isolation, tmp_path):
    # One file name, the same text in two golden paths: only the delimiters differ.
    name = "[[ service_name ]]-{{ service_name }}.txt.jinja"
    squared = "_envops:\n  variable_start_string: '[['\n  variable_end_string: ']]'\n"
    for gp, envops in (("plain", ""), ("squared", squared)):
        path = build_golden_path(tmp_path / gp, name=gp, files={name: "x"}, extra_copier=envops)
        configure_golden_path(tmp_path / "work", gp, path)
    for gp in ("plain", "squared", "plain", "squared"):  # the second of each from the cache
        result = fresh("new", "service", "svc", "--no-input", "-g", gp, "--org", gp, "--dir", gp)
        assert result.exit_code == 0, result.stderr
        shown = sorted(p.name for p in (tmp_path / "work" / gp).iterdir() if p.suffix == ".txt")
        assert shown == (["[[ service_name ]]-svc.txt"] if gp == "plain" else ["svc-{{ service_name }}.txt"])
        shutil.rmtree(tmp_path / "work" / gp)
        shutil.rmtree(isolation / HOME / "repositories")
    assert _cache(isolation).is_dir()
