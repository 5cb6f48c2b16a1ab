"""Shell completion: ``platformctl completion bash|zsh|fish`` prints the script to source.

The script calls platformctl back with ``_PLATFORMCTL_COMPLETE`` set (typer's completion
protocol); commands and flags complete from the command tree, and the completers below give
golden-path names, the current service's environment names and service folders. A completer
never fails: whatever goes wrong (no config, no service here) completes nothing.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

COMPLETE_VAR = "_PLATFORMCTL_COMPLETE"


class Shell(StrEnum):
    """The shells a completion script is written for."""

    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion(
    shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish", show_default=False)],
) -> None:
    """Print the shell completion script for SHELL.

    Example: eval "$(platformctl completion bash)"

    Add that line to ~/.bashrc (zsh: 'eval "$(platformctl completion zsh)"' in ~/.zshrc; fish:
    'platformctl completion fish | source' in ~/.config/fish/config.fish).
    """
    import sys

    from typer._completion_shared import get_completion_script

    script = get_completion_script(prog_name="platformctl", complete_var=COMPLETE_VAR, shell=shell.value)
    sys.stdout.write(script.strip() + "\n")


def prepare() -> None:
    """Register typer's completion classes when the shell is asking (the env var is set)."""
    import os

    if os.environ.get(COMPLETE_VAR):
        from typer._completion_classes import completion_init

        completion_init()


def golden_paths(incomplete: str) -> list[str]:
    """Names of the bundled and configured golden paths."""
    try:
        from platformctl.config import load_settings
        from platformctl.scaffold.catalog import list_golden_paths

        names = [gp.name for gp in list_golden_paths(load_settings())]
    except Exception:  # completion must never print a traceback into the shell
        return []
    return [name for name in names if name.startswith(incomplete)]


def environments(incomplete: str) -> list[str]:
    """Environments of the service here: the names in ``platform.yaml`` and those the local
    store holds (preview environments made with ``--ttl``); patterns such as ``pr-*`` are left out."""
    try:
        names = set(_descriptor_environments(Path.cwd())) | set(_stored_environments(Path.cwd()))
    except Exception:  # as above
        return []
    return sorted(name for name in names if name.startswith(incomplete))


def service_dirs(incomplete: str) -> list[str]:
    """Folders below the one being typed that hold a service (a ``platform.yaml``)."""
    base = Path(incomplete).parent if incomplete and not incomplete.endswith("/") else Path(incomplete or ".")
    try:
        candidates = [p for p in base.iterdir() if p.is_dir() and (p / "platform.yaml").is_file()]
    except OSError:
        return []
    shown = [str(p) if str(base) != "." or incomplete.startswith("./") else p.name for p in candidates]
    return sorted(name for name in shown if name.startswith(incomplete))


def _service_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "platform.yaml").is_file():
            return folder
    return None


def _descriptor_environments(start: Path) -> list[str]:
    from platformctl.scaffold.descriptor import read_descriptor

    root = _service_root(start)
    if root is None:
        return []
    return [name for name in read_descriptor(root).environments if not any(c in name for c in "*?[")]


def _stored_environments(start: Path) -> list[str]:
    from platformctl.config import load_settings
    from platformctl.providers.local.environments import LocalEnvironments
    from platformctl.scaffold.descriptor import read_descriptor

    root = _service_root(start)
    if root is None:
        return []
    service = read_descriptor(root).name
    store: Any = LocalEnvironments(load_settings().home)
    return [summary.name for summary in store.list_environments(service)]
