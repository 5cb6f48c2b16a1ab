"""What a render may not produce: a ``.git`` anywhere, or a link that leaves the render.

A template folder called ``{{ '.git' }}`` (or any expression yielding ``.git``, in any case)
would become the new service's git directory, its ``config`` and ``hooks`` then run by the
first git command. Copier's own ``.git`` exclusion sees only the literal name, so every path
copier renders is checked here *before* copier writes it (and before copier itself runs git in
the output), and the finished tree is checked again before platformctl runs git in it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Any


class ForbiddenRender(Exception):
    """The golden path renders something it may not; the message names the template file."""


def is_git_name(part: str) -> bool:
    """Whether one path component is git's directory under any spelling a file system accepts."""
    # Windows and macOS file systems fold case and ignore trailing dots and spaces.
    return part.rstrip(". ").casefold() == ".git"


def check_relative_path(rendered: PurePath, template_file: PurePath) -> None:
    """Refuse a rendered path with a ``.git`` component.

    Raises:
        ForbiddenRender: naming ``template_file``.
    """
    if any(is_git_name(part) for part in rendered.parts):
        raise ForbiddenRender(
            f"the template file {template_file.as_posix()} renders to {rendered.as_posix()}: "
            "a path with a '.git' component"
        )


@functools.cache
def guarded_worker() -> Any:
    """copier's ``Worker``, checking every path it renders (see the module docstring).

    It extends two private methods of copier's Worker; the test suite renders hostile golden
    paths through the real copier, so a copier release that changes them fails the tests.
    """
    from copier import Worker

    class GuardedWorker(Worker):
        @functools.cached_property
        def jinja_env(self) -> Any:
            from platformctl.scaffold.jinja_cache import bytecode_cache

            env = super().jinja_env
            env.bytecode_cache = bytecode_cache()  # the golden path's files, compiled once
            _reuse_compiled_strings(env)
            return env

        def _render_path(self, relpath: Path) -> Iterable[tuple[Path, Any]]:
            for rendered, context in super()._render_path(relpath):
                check_relative_path(rendered, relpath)
                yield rendered, context

        def _render_symlink(self, src_relpath: Path, dst_relpath: Path) -> None:
            super()._render_symlink(src_relpath, dst_relpath)
            link = Path(self.subproject.local_abspath) / dst_relpath
            if link.is_symlink():
                _check_link(link, Path(self.subproject.local_abspath), src_relpath)

    return GuardedWorker


def _reuse_compiled_strings(env: Any) -> None:
    """Compile each template string once per render.

    Copier compiles every string it renders each time: each question's type, default,
    validator and ``when:`` several times, each path part and the answers file's name once per
    file; compiling was a third of a render's time. A compiled template is rendered again with
    any context. Each call still runs the extensions' per-compile hook (``preprocess``: copier's
    ``yield`` tag resets its state there), and strings that may hold a ``yield`` tag are
    compiled anew as before. Compiled code is also remembered under the platform home
    (:mod:`platformctl.scaffold.jinja_cache`).
    """
    from platformctl.scaffold.jinja_cache import from_string as cached_from_string

    compile_string = env.from_string
    compiled: dict[str, Any] = {}

    def from_string(source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if (
            not isinstance(source, str)
            or globals is not None
            or template_class is not None
            or "yield" in source
        ):
            return compile_string(source, globals, template_class)
        env.preprocess(source)
        if source not in compiled:
            compiled[source] = cached_from_string(env, source)
        return compiled[source]

    env.from_string = from_string


def _check_link(link: Path, root: Path, template_file: PurePath) -> None:
    target = os.readlink(link)
    resolved = Path(os.path.normpath(link.parent / target))
    outside = not resolved.is_relative_to(root.resolve()) and not resolved.is_relative_to(root)
    inside_git = any(is_git_name(part) for part in PurePath(target).parts)
    if outside or inside_git:
        raise ForbiddenRender(
            f"the template file {template_file.as_posix()} is a link to {target}, "
            + ("outside the service" if outside else "into a '.git' folder")
        )


def check_rendered_tree(root: Path) -> None:
    """Walk a finished render (without following links) and refuse ``.git`` and escaping links.

    Raises:
        ForbiddenRender: naming the rendered path.
    """
    for current, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            path = Path(current) / name
            relative = path.relative_to(root)
            check_relative_path(relative, relative)
            if path.is_symlink():
                _check_link(path, root, relative)
