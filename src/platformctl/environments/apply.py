"""Apply a plan through its providers; tear environments down; list and reap them.

Providers are applied in the order the spec names them, each with only its pending changes.
A provider applies its own changes as one unit where it can (the local store: one transaction);
across providers a failure stops the run and the error says what was already applied. Because
every run reads before it writes, running ``env up`` again converges.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from platformctl.contracts.environments import EnvironmentProvider, EnvironmentSummary
from platformctl.environments.plan import EnvironmentPlan
from platformctl.errors import PlatformctlError, ProviderError

Progress = Callable[[str], None]
Locker = Callable[[str, str], AbstractContextManager[object]]


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
        PlatformctlError: a provider failed; the message and hint say what was applied before it,
            what of the failing provider's changes may have been, and what was not attempted.
    """
    writes: dict[str, int] = {}
    batches = [(n, [c for c in plan.pending if c.provider == n]) for n in plan.spec.providers]
    batches = [(n, changes) for n, changes in batches if changes]
    for index, (name, pending) in enumerate(batches):
        if progress:
            progress(f"{name}: applying {len(pending)} change{'s' if len(pending) != 1 else ''}")
        try:
            writes[name] = providers[name].apply(plan.spec, pending)
        except PlatformctlError as exc:
            counts = [(n, len(c)) for n, c in batches]
            raise _partial(exc, counts, index, writes, _atomic(providers[name]), "applied") from None
    return ApplyResult(plan=plan, writes=writes)


def destroy_environment(
    plan: EnvironmentPlan, providers: Mapping[str, EnvironmentProvider], progress: Progress | None = None
) -> ApplyResult:
    """Remove the environment from every provider that holds something of it (reverse order)."""
    writes: dict[str, int] = {}
    holders = [n for n in reversed(plan.spec.providers) if plan.observed[n].exists]
    for index, name in enumerate(holders):
        if progress:
            progress(f"{name}: removing {plan.spec.name}")
        try:
            writes[name] = providers[name].destroy(plan.spec.service, plan.spec.name)
        except PlatformctlError as exc:
            counts = [(n, len(plan.observed[n].resources)) for n in holders]
            raise _partial(exc, counts, index, writes, _atomic(providers[name]), "removed") from None
    return ApplyResult(plan=plan, writes=writes)


def _atomic(provider: EnvironmentProvider) -> bool:
    """Whether the provider applies a batch all or nothing (the local store: one transaction)."""
    return bool(getattr(provider, "atomic", False))


def _partial(
    exc: PlatformctlError,
    counts: list[tuple[str, int]],
    failed: int,
    writes: Mapping[str, int],
    atomic: bool,
    verb: str,
) -> PlatformctlError:
    """The provider's error, its hint saying exactly what was and was not done, per provider."""
    name, size = counts[failed]
    done = [f"{p} ({writes.get(p, 0)} writes)" for p, n in counts[:failed] if writes.get(p, 0)]
    later = [f"{p} ({_changes(n)})" for p, n in counts[failed + 1 :]]
    at_failed = (
        f"{name}: none of its {_changes(size)} (all or nothing)"
        if atomic
        else f"{name}: only those of its {_changes(size)} before the failure"
    )
    summary = (
        f"{verb}: {', '.join(done) or 'nothing before ' + name}; {at_failed}; "
        f"not attempted: {', '.join(later) or 'nothing'}"
    )
    hint = f"{summary}. Fix the cause and run the same command again: it does only what is missing"
    if exc.hint:
        hint = f"{exc.hint}. {hint}"
    message = f"{name}: {exc.message} (already {verb}: {', '.join(done)})" if done else exc.message
    error = (
        ProviderError(message, hint=hint, provider=exc.provider, status=exc.status)
        if isinstance(exc, ProviderError)
        else type(exc)(message, hint=hint)
    )
    error.details = {
        verb: [{"provider": p, "writes": writes.get(p, 0), "of": n} for p, n in counts[:failed]],
        "failed": {"provider": name, "of": size, "all_or_nothing": atomic},
        "not_attempted": [{"provider": p, "of": n} for p, n in counts[failed + 1 :]],
    }
    return error


def _changes(count: int) -> str:
    return f"{count} change{'s' if count != 1 else ''}"


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
    lock: Locker | None = None,
) -> ReapResult:
    """Destroy every environment of ``service`` whose expiry is before ``now``.

    With ``lock`` (``lock(service, environment)``), each removal holds that environment's lock
    and re-reads its expiry first: a concurrent ``env up`` may just have renewed it. An
    environment whose lock another run holds is kept (it is in use) and reported.
    """
    from platformctl.locks import LockBusy

    removed: list[EnvironmentSummary] = []
    kept: list[EnvironmentSummary] = []
    for summary in list_environments(service, providers.values()):
        if not _expired(summary, now):
            kept.append(summary)
            continue
        if dry_run:
            removed.append(summary)
            continue
        try:
            with lock(service, summary.name) if lock else nullcontext():
                current = _current(providers[summary.provider], service, summary.name)
                if current is None or not _expired(current, now):
                    kept += [current] if current else []
                    continue
                if progress:
                    progress(f"{summary.provider}: removing expired {summary.name}")
                providers[summary.provider].destroy(service, summary.name)
        except LockBusy as exc:
            if progress:
                progress(f"{summary.provider}: kept {summary.name}: {exc.message}")
            kept.append(summary)
            continue
        removed.append(summary)
    return ReapResult(removed=removed, kept=kept, dry_run=dry_run)


def _expired(summary: EnvironmentSummary, now: datetime) -> bool:
    return summary.expires_at is not None and summary.expires_at <= now


def _current(provider: EnvironmentProvider, service: str, name: str) -> EnvironmentSummary | None:
    """The environment as the provider holds it now (None: someone removed it meanwhile)."""
    return next((s for s in provider.list_environments(service) if s.name == name), None)
