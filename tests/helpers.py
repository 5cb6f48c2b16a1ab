"""Builders for test fixtures: small golden paths written inline."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

FAST_LOOP = False  # set by tests/conftest.py: the run deselects the slow tests
RUN_FOLDER: list[Path] = []  # set by tests/conftest.py: the folder every process of this run shares


def examples(full: int) -> int:
    """Hypothesis examples for a property: ``full`` in the full suite, a quarter (at least 25)
    in the fast loop, where the full suite's run is the thorough one."""
    return max(25, full // 4) if FAST_LOOP else full


def build_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: dedented text}`` under ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def build_golden_path(
    root: Path,
    *,
    name: str = "tiny",
    version: str = "1.0.0",
    questions: str = "",
    files: dict[str, str] | None = None,
    extra_copier: str = "",
) -> Path:
    """A minimal golden path: service_name plus ``questions`` and template ``files``."""
    copier_yml = (
        "_subdirectory: template\n"
        + extra_copier
        + "service_name:\n  type: str\n"
        + textwrap.dedent(questions)
    )
    return build_tree(
        root,
        {
            "golden-path.yaml": f"name: {name}\nversion: {version}\ndescription: A tiny test service\n"
            "environments:\n  staging: {class: staging}\n",
            "copier.yml": copier_yml,
            **{
                f"template/{k}": v
                for k, v in (files or {"README.md.jinja": "# {{ service_name }}\n"}).items()
            },
        },
    )


def configure_golden_path(workdir: Path, name: str, path: Path, *, trusted: bool = False) -> None:
    """Name a golden path in the working directory's platformctl.yaml, and trust that file as
    its owner would ('platformctl config trust'): an untrusted project file names no golden path.
    ``trusted`` is the golden path's own flag (may its copier tasks run)."""
    config = workdir / "platformctl.yaml"
    existing = config.read_text() if config.exists() else "golden_paths:\n"
    config.write_text(existing + f"  {name}:\n    path: {path}\n    trusted: {str(trusted).lower()}\n")
    trust_project_file(config)


def trust_project_file(config: Path) -> None:
    """``platformctl config trust`` for ``config``, in-process."""
    import os

    from platformctl.config_trust import trust

    trust(config, os.environ)


def built_once(
    folder: Path,
    build: Callable[[Path], None],
    monkeypatch: pytest.MonkeyPatch,
    *,
    platform_home: bool = True,
) -> Path:
    """A test's own copy of what ``build(root)`` makes, built once per test process; returns root.

    For setups whose subject is not the build (services to run fleet commands on): the first test
    builds under ``folder/live`` and keeps a copy in ``folder/saved``; every later one gets that
    copy back at ``folder/live``. Checkouts, bare repositories, records and the trusted project
    file hold absolute paths, so the copy lives at the very path it was built at and the state is
    byte for byte the one the real commands left. The test runs with ``root/home`` as HOME (git
    config included), ``root/platform-home`` as the platform home (``platform_home=False``: the
    default one under that HOME), in ``root/work``.
    """
    live, saved = folder / "live", folder / "saved"
    if live.exists():
        shutil.rmtree(live)
    if saved.exists():
        shutil.copytree(saved, live, symlinks=True)
    else:
        for name in ("home", "work"):
            (live / name).mkdir(parents=True)
    monkeypatch.setenv("HOME", str(live / "home"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(live / "home" / ".gitconfig"))
    if platform_home:
        monkeypatch.setenv("PLATFORMCTL_HOME", str(live / "platform-home"))
    monkeypatch.chdir(live / "work")  # after the copy: a removed folder is no working directory
    if not saved.exists():
        build(live)
        shutil.copytree(live, saved, symlinks=True)
    return live


def once_per_run(name: str, make: Callable[[Path], None]) -> Path:
    """The folder ``make(folder)`` filled, made once per test run and shared by every process of
    it (the xdist workers): for read-only results (a built wheel, a render that tests only read),
    never for state a test changes (:func:`built_once`). The first process to ask makes it under
    a lock while the others wait; a ``make`` that fails leaves nothing, and the next one to ask
    tries again. Outside a run (no ``RUN_FOLDER``) it is made in a folder of this process."""
    import atexit
    import fcntl
    import tempfile

    if not RUN_FOLDER:
        RUN_FOLDER.append(Path(tempfile.mkdtemp(prefix="platformctl-run-")))
        atexit.register(shutil.rmtree, RUN_FOLDER[0], True)
    base = RUN_FOLDER[0]
    folder, done = base / name, base / f"{name}.done"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir()
            try:
                make(folder)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            done.touch()
    return folder


_LOADED = """
import sys
from platformctl.cli.app import run
code = run({args!r})
print("LOADED=" + ",".join(m for m in {names!r} if m in sys.modules), file=sys.stderr)
sys.exit(code)
"""


def loaded_modules(args: list[str], names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` a run of ``platformctl ARGS`` in a fresh process (stdin and stdout not
    a terminal) has imported when it ends; the run must succeed."""
    proc = subprocess.run(
        [sys.executable, "-c", _LOADED.format(args=args, names=names)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    line = next(line for line in proc.stderr.splitlines() if line.startswith("LOADED="))
    return [m for m in line.removeprefix("LOADED=").split(",") if m]


class TerminalStream(io.StringIO):
    """A captured stream that answers ``isatty()`` as a person's terminal does."""

    def isatty(self) -> bool:
        return True


def at_a_terminal(args: list[str], env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    """Run ``platformctl ARGS`` in-process with stdout and stderr that say they are a terminal
    (what the product asks before drawing a spinner, a bar or a wait line) and stdin empty:
    its exit code, stdout and stderr. For the variants that must draw nothing even there (CI,
    ``--json``); a real terminal (pexpect) stays for what is drawn."""
    import os

    from platformctl.cli.app import run
    from platformctl.cli.context import AppContext
    from platformctl.cli.io import IO

    out, err = TerminalStream(), TerminalStream()
    console = IO(
        env={**os.environ, "TERM": "xterm-256color", **(env or {})},
        stdin=io.StringIO(""),
        stdout=out,
        stderr=err,
    )
    code = run(args, context=AppContext(io=console))
    return code, out.getvalue(), err.getvalue()
