"""Apply a plan through its providers; tear environments down; list and reap them.

Providers are applied in the order the spec names them, each with only its pending changes.
A provider applies its own changes as one unit where it can (the local store: one transaction);
across providers a failure stops the run and the error says what was already applied. Because
every run reads before it writes, running ``env up`` again converges.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from platformctl.contracts.environments import EnvironmentProvider, EnvironmentSummary
from platformctl.environments.plan import EnvironmentPlan
from platformctl.errors import PlatformctlError, ProviderError

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ApplyResult:
    """What an apply did: the plan it followed and the writes per provider."""

    plan: EnvironmentPlan
    writes: Mapping[str, int] = field(default_factory=dict)

    @property
    def total_writes(self) -> int:
        """Writes across all providers."""
        return sum(self.writes.values())


def apply_plan(
    plan: EnvironmentPlan, providers: Mapping[str, EnvironmentProvider], progress: Progress | None = None
) -> ApplyResult:
    """Make the plan's pending changes, provider after provider.

    Raises:
        PlatformctlError: a provider failed; the message names what was applied before it.
    """
    writes: dict[str, int] = {}
    for name in plan.spec.providers:
        pending = [c for c in plan.pending if c.provider == name]
        if not pending:
            continue
        if progress:
            progress(f"{name}: applying {len(pending)} change{'s' if len(pending) != 1 else ''}")
        try:
            writes[name] = providers[name].apply(plan.spec, pending)
        except PlatformctlError as exc:
            raise _partial(exc, name, writes) from None
    return ApplyResult(plan=plan, writes=writes)


def destroy_environment(
    plan: EnvironmentPlan, providers: Mapping[str, EnvironmentProvider], progress: Progress | None = None
) -> ApplyResult:
    """Remove the environment from every provider that holds something of it (reverse order)."""
    writes: dict[str, int] = {}
    for name in reversed(plan.spec.providers):
        if not plan.observed[name].exists:
            continue
        if progress:
            progress(f"{name}: removing {plan.spec.name}")
        try:
            writes[name] = providers[name].destroy(plan.spec.service, plan.spec.name)
        except PlatformctlError as exc:
            raise _partial(exc, name, writes) from None
    return ApplyResult(plan=plan, writes=writes)


def _partial(exc: PlatformctlError, failed: str, writes: Mapping[str, int]) -> PlatformctlError:
    done = ", ".join(f"{p} ({n} writes)" for p, n in writes.items() if n)
    if not done:
        return exc
    message = f"{failed}: {exc.message} (already applied: {done})"
    hint = exc.hint or "fix the cause and run the same command again: it continues where this stopped"
    error = (
        type(exc)(message, hint=hint)
        if not isinstance(exc, ProviderError)
        else ProviderError(message, hint=hint, provider=exc.provider, status=exc.status)
    )
    return error


def list_environments(service: str, providers: Iterable[EnvironmentProvider]) -> list[EnvironmentSummary]:
    """The service's environments in every provider, sorted by name then provider."""
    found = [summary for provider in providers for summary in provider.list_environments(service)]
    return sorted(found, key=lambda s: (s.name, s.provider))


@dataclass(frozen=True)
class ReapResult:
    """Expired environments removed (or, with dry_run, that would be) and those kept."""

    removed: list[EnvironmentSummary]
    kept: list[EnvironmentSummary]
    dry_run: bool = False


def reap_environments(
    service: str,
    providers: Mapping[str, EnvironmentProvider],
    now: datetime,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ReapResult:
    """Destroy every environment of ``service`` whose expiry is before ``now``."""
    removed: list[EnvironmentSummary] = []
    kept: list[EnvironmentSummary] = []
    for summary in list_environments(service, providers.values()):
        if summary.expires_at is None or summary.expires_at > now:
            kept.append(summary)
            continue
        if not dry_run:
            if progress:
                progress(f"{summary.provider}: removing expired {summary.name}")
            providers[summary.provider].destroy(service, summary.name)
        removed.append(summary)
    return ReapResult(removed=removed, kept=kept, dry_run=dry_run)
