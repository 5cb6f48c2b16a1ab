"""Bundled golden paths rendered once per test run, for the tests that only read a render.

Several files check the same renders (the defaults for each CI answer, the platform stack, the
lock files): each combination of answers is rendered once per test run, shared by its xdist
workers (``tests.helpers.once_per_run``), with the real copier and platformctl's own answer
handling (``gp_support.render``), and every later test asking for the same answers, in any
process, reads that render. The key is the resolved answers, so ``ci=github`` and the
default share one render. A test that changes files, or runs a tool that may write into the tree
(pip, terraform, npm, a deploy script), takes its own copy with :func:`copied_render`. The render
itself, and its refusals, stay tested where they are the subject (``gp_support.render``, the
``new service`` tests).
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

_RENDERS: dict[str, tuple[Path, dict[str, list[int]]]] = {}


def shared_render(golden_path: str, **answers: Any) -> Path:
    """The render of a bundled golden path for ``answers`` (service ``payments``), made once per
    test run: read it, never change it (see :func:`copied_render`)."""
    from platformctl.scaffold.answers import resolve_answers
    from platformctl.scaffold.catalog import bundled_root, load_golden_path
    from platformctl.scaffold.render import render_golden_path
    from tests.helpers import once_per_run

    gp = load_golden_path(bundled_root() / golden_path, origin="bundled", trusted=True)
    resolved = resolve_answers(gp, {"service_name": "payments", **answers})
    key = json.dumps([golden_path, resolved], sort_keys=True, default=str)
    if key not in _RENDERS:

        def render(folder: Path) -> None:
            render_golden_path(gp, copy.deepcopy(resolved), folder / "render")
            (folder / "state.json").write_text(json.dumps(_state(folder / "render")))

        name = f"render-{golden_path}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
        folder = once_per_run(name, render)
        _RENDERS[key] = (folder / "render", json.loads((folder / "state.json").read_text()))
    destination, state = _RENDERS[key]
    # A test that changed the render would change what every later test reads: say so.
    assert _state(destination) == state, f"a test changed the shared render {destination}: use copied_render"
    return destination


def _state(root: Path) -> dict[str, list[int]]:
    """Every path below ``root`` with its mode, size and modification time (as the state the
    render left is kept: in JSON)."""
    return {
        str(path.relative_to(root)): [st.st_mode, st.st_size, st.st_mtime_ns]
        for path in sorted(root.rglob("*"))
        for st in [path.lstat()]
    }


def copied_render(golden_path: str, destination: Path, **answers: Any) -> Path:
    """A test's own copy of :func:`shared_render` at ``destination``, free to change."""
    shutil.copytree(shared_render(golden_path, **answers), destination, symlinks=True)
    return destination
