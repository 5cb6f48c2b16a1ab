"""The command groups of the root app: the module and typer app of each, and its help.

A group's help is kept here rather than in its module so that ``platformctl --help``, which
lists every group with its help and nothing deeper, imports none of the group modules: they
are most of what the root help's own code costs. Each module's typer app takes its help from
:func:`group_help`, so the two never differ.
"""

# Each group: (its module under platformctl.cli, the typer app in it, its help). Plain tuples: a
# NamedTuple class would cost every run more than the rest of this module.
GROUPS: dict[str, tuple[str, str, str]] = {
    "new": ("new_cmd", "app", "Create things from golden paths."),
    "check": ("service_cmd", "check_app", "Check things against the platform."),
    "update": ("service_cmd", "update_app", "Update things to the platform's newest golden paths."),
    "golden-path": ("golden_path_cmd", "app", "List, inspect, lint, test and create golden paths."),
    "config": ("config_cmd", "app", "Show, create or trust the platform configuration."),
    "env": ("env_cmd", "app", "Self-service environments: plan, apply, converge."),
    "assess": ("assess_cmd", "app", "Assess the platform."),
    "fleet": (
        "fleet_cmd",
        "app",
        "See every service on its golden path; roll releases out as pull requests.",
    ),
    "delivery": (
        "delivery_cmd",
        "app",
        "Record delivery events (deployments, incidents) in the local store.",
    ),
    "adopt": ("adopt_cmd", "app", "Bring existing things under the platform."),
}


def group_help(name: str) -> str:
    """The help of command group ``name``: its typer app's, and its line in the root's help."""
    return GROUPS[name][2]
