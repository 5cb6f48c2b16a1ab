"""Render a golden path with copier into a fresh directory."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import TemplateError, UsageError

if TYPE_CHECKING:
    from platformctl.scaffold.catalog import GoldenPath


# Copier drops these only for templates without _subdirectory; pip compiles the .py files of an
# installed golden path into __pycache__, so they must never reach a service.
ALWAYS_EXCLUDED = ("__pycache__", "*.pyc", "*.pyo", ".DS_Store")


def render_golden_path(golden_path: GoldenPath, answers: dict[str, Any], destination: Path) -> list[str]:
    """Render ``golden_path`` with ``answers`` into the empty folder ``destination``.

    Copier tasks, migrations and Jinja extensions run only when the golden path is trusted;
    an untrusted one that needs them is refused before anything runs, and renders without the
    environment's secrets (see :func:`visible_environment`).

    Returns:
        The rendered files, relative to ``destination``, sorted.

    Raises:
        TemplateError: copier refused or failed to render.
    """
    from copier.errors import CopierError, UnsafeTemplateError

    from platformctl.scaffold.render_guard import ForbiddenRender, check_rendered_tree

    try:
        _run_copier(golden_path, answers, destination)
        check_rendered_tree(destination)
    except ForbiddenRender as exc:
        raise UsageError(
            f"golden path {golden_path.name!r} from {golden_path.origin}: {exc}",
            hint="a golden path may not write git's own files ('.git') nor links leaving the "
            "service; nothing was kept and no git command ran in the render",
        ) from None
    except UnsafeTemplateError as exc:
        # Copier's message ends with advice about its own --trust flag: keep the first line.
        lines = str(exc).strip().splitlines()
        reason = lines[0].rstrip(".") if lines else "unsafe features"
        raise TemplateError(
            f"golden path {golden_path.name!r} from {golden_path.origin} wants to run code "
            f"({reason}) and its source is not trusted",
            hint=f"if you trust it, set 'trusted: true' under golden_paths.{golden_path.name} "
            "in platformctl.yaml",
        ) from None
    except (CopierError, ValueError, OSError) as exc:
        detail = _git_failure(exc) or (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise TemplateError(
            f"rendering golden path {golden_path.name!r} failed: {detail}",
            hint="nothing was written; fix the golden path or the answers and try again",
        ) from exc
    except Exception as exc:  # Jinja errors in template files surface as many types
        raise TemplateError(
            f"rendering golden path {golden_path.name!r} failed: {type(exc).__name__}: {exc}",
            hint="nothing was written; this is a bug in the golden path",
        ) from exc
    return list_files(destination)


def _git_failure(exc: BaseException) -> str | None:
    """``git SUBCOMMAND: fatal: …`` when copier's own git call failed (e.g. ``git submodule
    update`` on a ``.gitmodules`` git refuses, such as ``update = !command``), else None."""
    argv, stderr = getattr(exc, "argv", None), getattr(exc, "stderr", None)
    if not isinstance(argv, list) or not isinstance(stderr, str) or len(argv) < 2:
        return None
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    fatal = next((line for line in lines if line.startswith("fatal:")), lines[-1] if lines else "")
    command = " ".join(str(arg) for arg in argv[1:3] if not str(arg).startswith("-"))
    return f"git {command}: {fatal}" if fatal else f"git {command} failed"


def _run_copier(golden_path: GoldenPath, answers: dict[str, Any], destination: Path) -> None:
    from platformctl.gitsafe import hardened_process
    from platformctl.scaffold.render_guard import guarded_worker

    # Order matters: hide the secrets first, then harden git, so copier's git sees both.
    with warnings.catch_warnings(), _environment_for(golden_path), hardened_process(destination.parent):
        warnings.simplefilter("ignore")
        # vcs_ref HEAD: a golden path that is a git work tree (a git source's checkout at its
        # ref, or a local folder) renders as it is, not at its latest tag as copier would.
        with (
            guarded_worker()(
                src_path=str(golden_path.path),
                dst_path=destination,
                data=answers,
                defaults=True,
                overwrite=True,
                quiet=True,
                unsafe=golden_path.trusted,
                exclude=list(ALWAYS_EXCLUDED),
                vcs_ref="HEAD",
            ) as worker,
            _without_git_unless_needed(golden_path, worker),
        ):
            worker.run_copy()


@contextlib.contextmanager
def _without_git_unless_needed(golden_path: GoldenPath, worker: Any) -> Iterator[None]:
    """Copier without ``git`` on its ``PATH`` when the golden path is not a git work tree and
    runs no tasks.

    Copier asks git about the template only when it is a repository's top folder, and otherwise
    runs git once per rendered file (``git config --get core.fileMode`` in the destination, for
    its executable-bit sync, a no-op in a folder that is not yet a repository): some 40 processes
    for a golden path, each finding nothing. Copier looks git up through plumbum's environment,
    which :func:`platformctl.gitsafe.hardened_process` hands it; there it gets a ``PATH`` below
    the null device, where nothing can be found. Tasks are commands: they keep the real ``PATH``.
    """
    if (golden_path.path / ".git").exists():
        yield
        return
    from plumbum import local

    with contextlib.ExitStack() as hidden:
        hidden.enter_context(local.env(PATH=os.devnull))
        if worker.template.tasks:  # read with git hidden: copier caches "not a git template"
            hidden.close()
        yield


# What an untrusted template may read of the environment: what git and copier need to run.
_VISIBLE = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "LANG",
        "LANGUAGE",
        "TERM",
        "TZ",
        "TMPDIR",
        "TEMP",
        "TMP",
        "SYSTEMROOT",
        "PATHEXT",
        "COMSPEC",
        "GIT_EXEC_PATH",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_SYSTEM",
        "GIT_CONFIG_NOSYSTEM",
    }
)
_VISIBLE_PREFIXES = ("LC_", "XDG_", "GIT_AUTHOR_", "GIT_COMMITTER_")


def visible_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables an untrusted golden path may see.

    Copier's Jinja filters include ansible's ``expandvars``, so ``{{ '$GH_TOKEN' | expandvars }}``
    in an untrusted template would write a token (or any secret the environment holds) into the
    new service, which is then pushed. Such a template sees only the variables above.
    """
    env = os.environ if env is None else env
    return {k: v for k, v in env.items() if k in _VISIBLE or k.startswith(_VISIBLE_PREFIXES)}


@contextlib.contextmanager
def _environment_for(golden_path: GoldenPath) -> Iterator[None]:
    if golden_path.trusted:
        yield
        return
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(visible_environment(saved))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def list_files(root: Path) -> list[str]:
    """Files below ``root`` (not inside ``.git``), as sorted POSIX paths."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    )
