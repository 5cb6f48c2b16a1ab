"""Shell completion: ``platformctl completion bash|zsh|fish`` prints the script to source.

The script calls platformctl back with ``_PLATFORMCTL_COMPLETE`` set to ``complete_SHELL``, the
instruction :func:`typer.completion.shell_complete` reads; commands and flags complete from the
command tree, and the completers below give golden-path names, the current service's
environment names and service folders. A completer never fails: whatever goes wrong (no
config, no service here) completes nothing.

What each shell hands over and gets back (typer's completion classes for the three shells):

- bash: ``COMP_WORDS`` (the words, joined by spaces) and ``COMP_CWORD`` (the index of the word
  being completed); one candidate per line.
- zsh: ``_TYPER_COMPLETE_ARGS`` (the words up to the cursor); zsh code to evaluate, an
  ``_arguments`` call with the candidates (quoted for zsh) or ``_files``.
- fish: ``_TYPER_COMPLETE_ARGS`` (the command line up to the cursor) and
  ``_TYPER_COMPLETE_FISH_ACTION``: ``get-args`` prints ``value<TAB>help`` lines, ``is-args``
  exits 0 when there are candidates (else fish offers files).
"""

# Annotations are evaluated when the module is imported, not postponed: typer would otherwise
# compile and evaluate each command's string annotations every time it builds it (cli/app.py).

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


SCRIPTS = {
    Shell.bash: r"""
# platformctl completion for bash: eval "$(platformctl completion bash)"
_platformctl_completion() {
    local candidate
    COMPREPLY=()
    while IFS= read -r candidate; do
        [[ -n $candidate ]] && COMPREPLY+=("$candidate")
    done < <(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD="$COMP_CWORD" \
        _PLATFORMCTL_COMPLETE=complete_bash platformctl 2>/dev/null)
    return 0
}
complete -o default -F _platformctl_completion platformctl
""",
    Shell.zsh: r"""
#compdef platformctl
# platformctl completion for zsh: eval "$(platformctl completion zsh)" (after compinit)
_platformctl_completion() {
    local reply
    reply="$(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" \
        _PLATFORMCTL_COMPLETE=complete_zsh platformctl 2>/dev/null)"
    eval "$reply"
}
if (( $+functions[compdef] )); then
    compdef _platformctl_completion platformctl
fi
""",
    Shell.fish: r"""
# platformctl completion for fish: platformctl completion fish | source
function __platformctl_complete --argument-names action
    env _TYPER_COMPLETE_ARGS=(commandline -cp) _TYPER_COMPLETE_FISH_ACTION=$action \
        _PLATFORMCTL_COMPLETE=complete_fish platformctl 2>/dev/null
end
complete --command platformctl --no-files --condition '__platformctl_complete is-args' \
    --arguments '(__platformctl_complete get-args)'
""",
}


def completion(
    shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish", show_default=False)],
) -> None:
    """Print the shell completion script for SHELL.

    Example: eval "$(platformctl completion bash)"

    Add that line to ~/.bashrc (zsh: 'eval "$(platformctl completion zsh)"' in ~/.zshrc; fish:
    'platformctl completion fish | source' in ~/.config/fish/config.fish).
    """
    import sys

    sys.stdout.write(SCRIPTS[shell].strip() + "\n")


def prepare() -> None:
    """Make the shells' completion protocol known when the shell is asking (the env var is set).

    typer registers its bash, zsh and fish completion classes (the protocol above) when it
    builds its own completion options; this public function of ``typer.completion`` does that
    registration, and the options it returns are not used (``completion`` prints our scripts).
    """
    import os

    if os.environ.get(COMPLETE_VAR):
        from typer.completion import get_completion_inspect_parameters

        get_completion_inspect_parameters()


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
