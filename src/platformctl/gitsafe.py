"""The one way platformctl runs git: no hooks, no fsmonitor, no prompts.

Rendered, cloned and cached content is untrusted, and so is any configuration it could bring.
Every git command platformctl runs (plain subprocesses, GitPython, and copier's own git calls
while it renders) gets the settings below through git's environment configuration
(``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n``, git ≥ 2.31). That is git's
command-line level: it wins over every configuration file, a repository's ``.git/config``
included, so a ``core.hooksPath`` or ``core.fsmonitor`` planted there is never honoured.
Variables that would point git at another repository or add configuration
(``GIT_DIR``, ``GIT_CONFIG_PARAMETERS``…) are not passed on. No submodule is ever initialised,
updated or fetched, whatever a ``.gitmodules`` says.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import git

# git looks a hook up as <hooksPath>/<name>; below the null device nothing can exist.
HARDENED_CONFIG: tuple[tuple[str, str], ...] = (
    ("core.hooksPath", os.devnull),
    ("core.fsmonitor", "false"),
    ("protocol.ext.allow", "never"),  # remote helpers that run commands (ext::sh -c …)
    # Submodules: a golden path or a cloned repository may carry a .gitmodules naming any URL
    # (file:// to a private repository on this machine, an internal host). No submodule is
    # ever initialised: copier runs `git submodule update --init --recursive` on the templates it
    # clones, and with `submodule.active` set to a pathspec matching no path that inits nothing
    # (it also wins over `submodule.<name>.url`); no command recurses into one by default, even
    # when the user's own config says so.
    ("submodule.active", ":(exclude)*"),
    ("submodule.recurse", "false"),
    ("fetch.recurseSubmodules", "false"),
    ("push.recurseSubmodules", "no"),
    # And should anything still fetch for a submodule: every transport is "user", i.e. refused
    # for what git starts without the user (it marks those with GIT_PROTOCOL_FROM_USER=0), however
    # the user's config relaxed it (protocol.file.allow=always is common).
    ("protocol.allow", "user"),
    *((f"protocol.{name}.allow", "user") for name in ("file", "git", "http", "https", "ssh")),
)
_DROPPED = frozenset(
    {
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_PARAMETERS",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
        "GIT_PROTOCOL_FROM_USER",  # "0" inherited would refuse our own clones and pushes
    }
)


def git_variables(extra: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
    """The variables that harden one git command, with ``extra`` configuration entries after ours."""
    entries = [*HARDENED_CONFIG, *extra]
    env = {"GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_COUNT": str(len(entries))}
    for index, (key, value) in enumerate(entries):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


def git_env(extra: Sequence[tuple[str, str]] = (), base: Mapping[str, str] | None = None) -> dict[str, str]:
    """A whole process environment for git: ``base`` (``os.environ``) without inherited git
    configuration or repository locations, plus :func:`git_variables`."""
    base = os.environ if base is None else base
    env = {k: v for k, v in base.items() if not _inherited(k)}
    env.update(git_variables(extra))
    return env


def _inherited(name: str) -> bool:
    return name in _DROPPED or name.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))


def git_executable() -> str:
    """The ``git`` program on ``PATH``, looked up once per ``PATH`` value (every lookup walks
    ``PATH``; a service creation runs git a dozen times)."""
    return _which_git(os.environ.get("PATH", os.defpath))


@functools.lru_cache(maxsize=4)
def _which_git(path: str) -> str:
    return shutil.which("git", path=path) or "git"  # not found: let the run say so


def run_git(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    extra: Sequence[tuple[str, str]] = (),
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``git ARGS`` hardened (``env`` adds variables such as ``GIT_INDEX_FILE``, ``extra``
    configuration entries); never raises on a non-zero exit: the caller reads ``returncode``.

    Raises:
        subprocess.TimeoutExpired: ``timeout`` seconds passed (git has been killed).
    """
    return subprocess.run(
        [git_executable(), *args],
        cwd=cwd,
        env={**git_env(extra), **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )


def init_git(path: Path, *, branch: str, bare: bool = False, templates: bool = True) -> None:
    """``git init`` (hardened), without opening the repository; ``templates=False`` copies no
    template folder (git's sample hooks, or the user's ``init.templateDir``) into it.

    Raises:
        OSError: git failed.
    """
    args = ["init", "--quiet", f"--initial-branch={branch}", *(["--bare"] if bare else [])]
    args += [*([] if templates else ["--template="]), str(path)]
    proc = run_git(args)
    if proc.returncode != 0:
        raise OSError(f"git init {path} failed: {proc.stderr.strip() or proc.returncode}")


def commit_of(path: Path, ref: str) -> str | None:
    """The commit SHA ``ref`` names in the repository at ``path`` (a work tree or a git dir),
    or None when it names none."""
    done = run_git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=path)
    return done.stdout.strip() if done.returncode == 0 else None


def open_repo(path: Path | str) -> git.Repo:
    """``git.Repo(path)`` whose every git command is hardened.

    Raises:
        git.InvalidGitRepositoryError, git.NoSuchPathError: as ``git.Repo``.
    """
    import git

    return harden(git.Repo(path))


def harden(repo: git.Repo) -> git.Repo:
    """Make every later git command of ``repo`` (GitPython) run with :data:`HARDENED_CONFIG`."""
    repo.git.update_environment(**git_variables())
    return repo


def init_repo(path: Path, *, branch: str, bare: bool = False) -> git.Repo:
    """``git init`` (hardened) and the repository opened through :func:`open_repo`."""
    init_git(path, branch=branch, bare=bare)
    return open_repo(path)


def clone_repo(url: str, path: Path, *, no_checkout: bool = False) -> git.Repo:
    """``git clone`` (hardened): no hook of the clone's template or content runs.

    Raises:
        git.GitCommandError, git.exc.UnsafeProtocolError, git.exc.UnsafeOptionError: as GitPython.
    """
    import git

    return harden(git.Repo.clone_from(url, path, env=git_variables(), no_checkout=no_checkout))


@contextlib.contextmanager
def hardened_process(ceiling: Path | None = None) -> Iterator[None]:
    """Harden every git command started in this block, whoever starts it (copier's plumbum,
    dunamai), then restore the environment as it was.

    ``ceiling``: git started below this folder never looks above it for a repository, so a
    render inside someone else's clone never reads that clone's configuration.
    """
    from plumbum import local

    saved = dict(os.environ)
    for name in [k for k in os.environ if _inherited(k)]:
        del os.environ[name]
    os.environ.update(git_variables())
    if ceiling is not None:
        os.environ["GIT_CEILING_DIRECTORIES"] = str(ceiling.resolve())
    try:
        # plumbum copied os.environ when it was imported: hand it the current one.
        with local.env():
            local.env.clear()
            local.env.update(os.environ)
            yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
