"""GitHub Actions adapters: step outputs, the job summary, annotations and masks.

Active only when ``GITHUB_ACTIONS=true``. The formats follow the workflow-commands
documentation and ``actions/toolkit`` (``command.ts``, ``file-command.ts``).

Values reach the runner escaped: an annotation is one line whatever its message holds
(control characters made visible, then the runner's own ``%0A`` escaping), every output uses
the heredoc form with a random delimiter, and the summary keeps its own line breaks only.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from platformctl.textsafe import escape_controls

_OUTPUT_NAME_FORBIDDEN = ("<<", "=", "\n", "\r")


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotate_error(message: str, *, title: str = "platformctl", stream: TextIO | None = None) -> None:
    """Print an ``::error::`` annotation on stderr (the runner reads commands from both streams)."""
    title = _escape_data(escape_controls(title)).replace(":", "%3A").replace(",", "%2C")
    # Line breaks are the runner's %0A (data, never a new command); other controls made visible.
    data = _escape_data(escape_controls(message, keep="\n\r"))
    (stream or sys.stderr).write(f"::error title={title}::{data}\n")


def mask(value: str, stream: TextIO | None = None) -> None:
    """Ask the runner to mask a secret in every later log line.

    The runner matches masks within one log line, so a multi-line value (a key, a certificate)
    is masked line by line as well as whole (lines of 4 characters or more: a mask of ``{`` would
    blank every brace of the log).
    """
    lines = [line.strip() for line in value.splitlines() if len(line.strip()) >= 4]
    for part in dict.fromkeys([value, *lines] if len(lines) > 1 else [value]):
        (stream or sys.stderr).write(f"::add-mask::{_escape_data(part)}\n")


def write_outputs(outputs: Mapping[str, str], env: Mapping[str, str] = os.environ) -> None:
    """Append step outputs to ``$GITHUB_OUTPUT`` using the heredoc form with a random delimiter."""
    target = env.get("GITHUB_OUTPUT")
    if not target:
        return
    lines = []
    for name, value in outputs.items():
        if not name or any(part in name for part in _OUTPUT_NAME_FORBIDDEN):
            raise ValueError(f"output name {escape_controls(name)!r} cannot be written")
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        if delimiter in value:  # the toolkit refuses this too
            raise ValueError(f"output {name!r} contains its delimiter")
        lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    with Path(target).open("a", encoding="utf-8") as handle:
        handle.write("".join(lines))


def write_summary(markdown: str, env: Mapping[str, str] = os.environ) -> None:
    """Append Markdown to the job summary (``$GITHUB_STEP_SUMMARY``)."""
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as handle:
        # Markdown keeps its own line structure; ESC, CR, bidi overrides and the like are escaped.
        handle.write(escape_controls(markdown, keep="\n\t").rstrip("\n") + "\n\n")


def publish(outputs: Mapping[str, str], summary: str, env: Mapping[str, str] = os.environ) -> None:
    """Write outputs and a summary when running inside GitHub Actions; otherwise do nothing."""
    if env.get("GITHUB_ACTIONS") != "true":
        return
    write_outputs(outputs, env)
    write_summary(summary, env)
