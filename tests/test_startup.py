"""Start-up stays light: the entry point and --help load none of the heavy libraries."""

import subprocess
import sys

import pytest

# pydantic is left out: typer itself uses it to convert parameter values.
HEAVY = ("copier", "httpx", "git", "nacl", "jinja2", "yaml")

PROBE = """
import sys
from platformctl.cli.app import run
code = run(ARGS)
loaded = sorted(m for m in HEAVY if m in sys.modules)
print("LOADED=" + ",".join(loaded), file=sys.stderr)
"""


def probe(args):
    script = PROBE.replace("ARGS", repr(args)).replace("HEAVY", repr(HEAVY))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    line = next(line for line in proc.stderr.splitlines() if line.startswith("LOADED="))
    return [m for m in line.removeprefix("LOADED=").split(",") if m]


def test_importing_the_entry_point_loads_no_heavy_library():
    script = (
        "import sys, platformctl.__main__, platformctl.cli.app\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_version_loads_no_heavy_library():
    assert probe(["--version"]) == []


# The fast loop checks these with test_every_command_help_loads_no_heavy_library, whose one
# process runs --help first and then every group's and command's help (new service's too).
@pytest.mark.slow
def test_help_loads_no_heavy_library():
    assert probe(["--help"]) == []
    assert probe(["new", "service", "--help"]) == []


# Every group's and every command's --help, each run in one process, in order: a command that
# loads a heavy library is named by the first run after which the library is there.
EVERY_HELP = """
import contextlib, io, sys
from platformctl.cli.app import _full_root, run
run(["--help"])
app = _full_root()  # the root's help alone imports no group (test_root_help_imports_no_group)
seen = {}
for group in app.registered_groups:
    commands = [c.name for c in group.typer_instance.registered_commands]
    for args in ([group.name, "--help"], *([group.name, c, "--help"] for c in commands)):
        with contextlib.redirect_stdout(io.StringIO()):
            run(args)
        for module in HEAVY:
            if module in sys.modules:
                seen.setdefault(module, " ".join(args))
print("RUNS=" + str(sum(1 + len(g.typer_instance.registered_commands) for g in app.registered_groups)))
print("LOADED=" + repr(seen))
"""


def test_every_command_help_loads_no_heavy_library():
    script = EVERY_HELP.replace("HEAVY", repr(HEAVY))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    runs = int(next(line for line in out.splitlines() if line.startswith("RUNS="))[5:])
    assert runs >= 17  # seven groups and their commands: the loop really walked them
    assert next(line for line in out.splitlines() if line.startswith("LOADED=")) == "LOADED={}"


def test_root_help_imports_no_group():
    # The root's help lists the groups from cli/groups.py: importing their modules was most of
    # what its own code cost.
    script = (
        "import contextlib, io, sys\n"
        "from platformctl.cli.app import run\n"
        "from platformctl.cli.groups import GROUPS\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    run(['--help'])\n"
        "print(sorted({g[0] for g in GROUPS.values()} & {m.rpartition('.')[2] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_bad_name_fails_before_loading_heavy_libraries():
    assert probe(["new", "service", "Bad_Name!"]) == []


def _callbacks(group):
    """Every callback of a typer app: its own, its commands' and its groups', recursively."""
    yield group.registered_callback.callback if group.registered_callback else None
    yield from (command.callback for command in group.registered_commands)
    for sub in group.registered_groups:
        yield from _callbacks(sub.typer_instance)


def test_no_command_postpones_its_annotations():
    # typer compiles and evaluates string annotations every time it builds a command: a command
    # module with `from __future__ import annotations` costs every run that builds it.
    from platformctl.cli import app as cli_app

    callbacks = [c for c in _callbacks(cli_app._full_root()) if c is not None]
    assert len(callbacks) >= 20
    postponed = [
        f"{c.__module__}.{c.__name__}"
        for c in callbacks
        if any(isinstance(a, str) for a in c.__annotations__.values())
    ]
    assert postponed == []
