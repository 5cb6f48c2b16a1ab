"""``platformctl env up|down|list|status|reap``."""

# Annotations are evaluated when the module is imported, not postponed: typer would otherwise
# compile and evaluate each command's string annotations every time it builds it (cli/app.py).

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from platformctl.cli import env_load, env_recorded
from platformctl.cli.completion import environments, service_dirs
from platformctl.cli.context import command_context
from platformctl.cli.groups import group_help
from platformctl.cli.options import DryRunOpt, JsonOpt, NoInputOpt

if TYPE_CHECKING:
    from platformctl.cli.context import AppContext
    from platformctl.contracts.environments import EnvironmentSpec

app = typer.Typer(help=group_help("env"), no_args_is_help=True)

NameArg = Annotated[
    str,
    typer.Argument(
        help="Environment name, e.g. staging or pr-123", show_default=False, autocompletion=environments
    ),
]
ServiceDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--service-dir",
        help="The service checkout (default: walk up from here)",
        file_okay=False,
        autocompletion=service_dirs,
        show_default=False,
    ),
]
ProviderOpt = Annotated[
    list[str] | None,
    typer.Option("--provider", help="local, kubernetes, github or gitlab, repeatable (default: spec)"),
]
ClassOpt = Annotated[
    str | None, typer.Option("--class", help="Environment class (default: from platform.yaml)")
]
TtlOpt = Annotated[str | None, typer.Option("--ttl", help="Lifetime, e.g. 3d; `env reap` removes it after")]


@app.command("up")
def up(
    ctx: typer.Context,
    name: NameArg,
    ttl: TtlOpt = None,
    env_class: ClassOpt = None,
    var: Annotated[list[str] | None, typer.Option("--var", help="Variable KEY=VALUE (repeatable)")] = None,
    secret: Annotated[
        list[str] | None,
        typer.Option(
            "--secret", help="Secret source NAME=env:VAR | NAME=file:PATH | NAME=stdin (repeatable)"
        ),
    ] = None,
    provider: ProviderOpt = None,
    service_dir: ServiceDirOpt = None,
    dry_run: DryRunOpt = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking (on a terminal)")] = False,
    force_conflicts: Annotated[
        bool,
        typer.Option(
            "--force-conflicts",
            help="Kubernetes: take back fields another field manager changed (server-side apply force)",
        ),
    ] = False,
    no_input: NoInputOpt = False,
    json: JsonOpt = False,
) -> None:
    """Plan the environment at every provider, then apply only the difference.

    On a terminal the plan is shown and you are asked before anything is applied (--yes skips
    the question); without a terminal it is never asked.

    Example: platformctl env up pr-123 --class preview --ttl 3d
    """
    state = command_context(ctx, json=json, no_input=no_input)
    bare = not (ttl or env_class or var or secret or provider or dry_run or force_conflicts)
    if bare and env_recorded.answer_from_record(state, name, service_dir):
        return  # converged, and nothing the plan depends on changed since it was recorded
    from platformctl.cli import env_render
    from platformctl.environments.apply import apply_plan
    from platformctl.environments.plan import plan_environment

    flags = env_load.spec_flags(env_class, ttl, var or [], secret or [], provider or [])
    conflicts = "force" if force_conflicts else "report" if dry_run else "refuse"
    spec, providers = env_load.load(
        state, name, flags, service_dir, secrets_required=not dry_run, ttl_flag=True, conflicts=conflicts
    )
    _mask_secrets(state, spec)
    with env_load.lock_for(state, spec, "applying", dry_run=dry_run):  # read, plan and apply as one
        plan = plan_environment(spec, providers, state.clock())
        if dry_run or not plan.has_changes:
            _publish(state, plan.spec, writes=0)
            state.io.emit(
                env_render.plan_document(plan, dry_run=dry_run, writes=0),
                lambda out: env_render.render_plan(out, plan, dry_run=dry_run),
            )
            if bare:
                env_recorded.remember(state, name, service_dir, plan)
            return
        if not state.io.json:
            env_render.render_plan(state.io.err, plan, dry_run=False)
        if not yes and state.io.can_prompt():
            _confirm_apply(state, name)
        result = apply_plan(plan, providers, progress=state.io.step)
    _publish(state, plan.spec, writes=result.total_writes)
    state.io.emit(
        env_render.plan_document(plan, dry_run=False, writes=result.total_writes),
        lambda out: env_render.render_applied(out, result),
    )


@app.command("down")
def down(
    ctx: typer.Context,
    name: NameArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Remove a production-class environment")] = False,
    env_class: ClassOpt = None,
    provider: ProviderOpt = None,
    service_dir: ServiceDirOpt = None,
    dry_run: DryRunOpt = False,
    no_input: NoInputOpt = False,
    json: JsonOpt = False,
) -> None:
    """Remove everything `env up` made for the environment (Kubernetes: waits for the namespace).

    Example: platformctl env down pr-123
    """
    from platformctl.cli import env_render
    from platformctl.environments.apply import destroy_environment
    from platformctl.environments.plan import plan_teardown

    state = command_context(ctx, json=json, no_input=no_input)
    flags = env_load.spec_flags(env_class, None, [], [], provider or [])
    spec, providers = env_load.load(state, name, flags, service_dir, secrets_required=False)
    # Ask before taking the lock: a person thinking must not block other runs.
    if not dry_run and spec.production and not yes and plan_teardown(spec, providers).has_changes:
        _confirm_production(state, name)
    with env_load.lock_for(state, spec, "removing", dry_run=dry_run):
        plan = plan_teardown(spec, providers)
        if dry_run or not plan.has_changes:
            state.io.emit(
                env_render.plan_document(plan, dry_run=dry_run, writes=0),
                lambda out: env_render.render_plan(out, plan, dry_run=dry_run, teardown=True),
            )
            return
        if not state.io.json:
            env_render.render_plan(state.io.err, plan, dry_run=False, teardown=True)
        result = destroy_environment(plan, providers, progress=state.io.step)
    state.io.emit(
        env_render.plan_document(plan, dry_run=False, writes=result.total_writes),
        lambda out: env_render.render_applied(out, result, teardown=True),
    )


@app.command("status")
def status(
    ctx: typer.Context,
    name: NameArg,
    env_class: ClassOpt = None,
    provider: ProviderOpt = None,
    service_dir: ServiceDirOpt = None,
    json: JsonOpt = False,
) -> None:
    """Compare the environment with its spec; exit 3 when it has drifted (for CI).

    Example: platformctl env status staging --json

    Exit codes: 0 in sync, 3 drifted, 2 unknown environment or bad flags.
    """
    from platformctl.cli import env_render
    from platformctl.environments.plan import plan_environment
    from platformctl.errors import CheckFailed

    state = command_context(ctx, json=json)
    flags = env_load.spec_flags(env_class, None, [], [], provider or [])
    spec, providers = env_load.load(state, name, flags, service_dir, secrets_required=False)
    plan = plan_environment(spec, providers, state.clock())
    state.io.emit(env_render.status_document(plan), lambda out: env_render.render_status(out, plan))
    if plan.has_changes:
        count = len(plan.pending)
        taken = bool(getattr(providers.get("kubernetes"), "conflicts", None))  # fields of other managers
        raise CheckFailed(
            f"environment {name} differs from its spec in {count} resource{'s' * (count != 1)}",
            hint=f"run 'platformctl env up {name}{' --force-conflicts' * taken}' to converge",
        )


@app.command("list")
def list_(ctx: typer.Context, service_dir: ServiceDirOpt = None, json: JsonOpt = False) -> None:
    """The service's environments at every provider, with state and expiry.

    Example: platformctl env list --json
    """
    from platformctl.cli import env_render
    from platformctl.environments.apply import list_environments

    state = command_context(ctx, json=json)
    descriptor, _, providers = env_load.service_providers(state, service_dir)
    found = list_environments(descriptor.name, providers.values())
    state.io.emit(
        env_render.list_document(descriptor.name, found, state.clock()),
        lambda out: env_render.render_list(out, descriptor.name, found, state.clock()),
    )


@app.command("reap")
def reap(
    ctx: typer.Context, service_dir: ServiceDirOpt = None, dry_run: DryRunOpt = False, json: JsonOpt = False
) -> None:
    """Remove the service's environments whose TTL has expired (run it nightly in CI).

    Example: platformctl env reap --dry-run
    """
    import functools

    from platformctl.cli import env_render
    from platformctl.environments.apply import reap_environments
    from platformctl.environments.locking import environment_lock

    state = command_context(ctx, json=json)
    descriptor, _, providers = env_load.service_providers(state, service_dir)
    settings = state.settings()
    lock = functools.partial(environment_lock, settings.home, doing="removing", wait=settings.lock_wait)
    result = reap_environments(
        descriptor.name, providers, state.clock(), dry_run=dry_run, progress=state.io.step, lock=lock
    )
    state.io.emit(env_render.reap_document(result), lambda out: env_render.render_reap(out, result))


# -- helpers -------------------------------------------------------------------------------
def _confirm_apply(state: "AppContext", name: str) -> None:
    from platformctl.errors import PlatformctlError

    if state.io.prompt(f"Apply this plan to {name}?", default="y", choices=["y", "n"]).strip().lower() != "y":
        raise PlatformctlError("not applied: nothing was changed", hint="pass --yes to apply without asking")


def _confirm_production(state: "AppContext", name: str) -> None:
    from platformctl.errors import InputRequired, UsageError

    if not state.io.can_prompt():
        raise InputRequired(
            f"{name} is a production-class environment",
            hint=f"pass --yes to remove it: platformctl env down {name} --yes",
        )
    answer = state.io.prompt(f"Remove production environment {name}? Type its name to confirm")
    if answer.strip() != name:
        raise UsageError("not confirmed; nothing was removed")


def _publish(state: "AppContext", spec: "EnvironmentSpec", *, writes: int) -> None:
    """Step outputs and a summary line inside GitHub Actions (nothing elsewhere)."""
    if not state.io.in_github_actions:
        return
    from platformctl.cli import gha

    outputs = {
        "environment": spec.name,
        "writes": str(writes),
        "expires_at": spec.expires_at.isoformat() if spec.expires_at else "",
    }
    if "kubernetes" in spec.providers:
        outputs["namespace"] = spec.namespace
    gha.publish(
        outputs,
        f"### Environment `{spec.name}` of `{spec.service}`\n\n"
        f"{writes} write(s) at {', '.join(spec.providers)}",
        state.io.env,
    )


def _mask_secrets(state: "AppContext", spec: "EnvironmentSpec") -> None:
    if state.io.in_github_actions:
        from platformctl.cli import gha

        for value in spec.secrets.values():
            if value.value:
                gha.mask(value.value)
