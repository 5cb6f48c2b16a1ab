"""The plan: a pure diff of desired against observed resources, for every provider at once.

Reading happens first for every provider, then the diff, then (in ``apply``) the writes, so a
spec a provider would reject (a server-side dry run) fails before anything is written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from platformctl.contracts.environment_fields import parse_ttl
from platformctl.contracts.environments import (
    Action,
    EnvironmentProvider,
    EnvironmentSpec,
    Observed,
    Resource,
    ResourceChange,
)

ACTIONS: tuple[Action, ...] = ("create", "update", "delete", "unchanged")


@dataclass(frozen=True)
class EnvironmentPlan:
    """Every change to every resource of one environment, in the order they will be applied."""

    spec: EnvironmentSpec
    changes: tuple[ResourceChange, ...]
    observed: Mapping[str, Observed]

    @property
    def pending(self) -> list[ResourceChange]:
        """The changes that write something."""
        return [c for c in self.changes if c.action != "unchanged"]

    @property
    def has_changes(self) -> bool:
        """Whether applying the plan writes anything."""
        return bool(self.pending)

    @property
    def notes(self) -> list[str]:
        """What providers said they leave out of the spec (e.g. a feature the plan lacks)."""
        return [f"{name}: {note}" for name, seen in self.observed.items() for note in seen.notes]

    def counts(self) -> dict[str, int]:
        """How many resources per action."""
        found = Counter(c.action for c in self.changes)
        return {action: found.get(action, 0) for action in ACTIONS}


def diff_resources(
    provider: str, desired: Sequence[Resource], observed: Sequence[Resource]
) -> list[ResourceChange]:
    """Compare desired with observed resources of one provider, by (kind, name).

    Creates and updates come in desired order, then deletes in reverse observed order (so that
    what was made first is removed last). A desired secret with an empty fingerprint (its value
    was not available) is compared by presence only; an observed secret without a fingerprint
    (the provider cannot tell) is always set again.
    """
    seen = {r.key: r for r in observed}
    wanted = {r.key for r in desired}
    changes = []
    for res in desired:
        old = seen.get(res.key)
        action: Action
        if old is None:
            action = "create"
        elif _same(res, old):
            action = "unchanged"
        else:
            action = "update"
        changes.append(
            ResourceChange(
                provider=provider,
                kind=res.kind,
                name=res.name,
                action=action,
                secret=res.secret,
                before=None if old is None else dict(old.fields),
                after=dict(res.fields),
            )
        )
    for res in reversed(observed):
        if res.key not in wanted:
            changes.append(
                ResourceChange(
                    provider=provider,
                    kind=res.kind,
                    name=res.name,
                    action="delete",
                    before=dict(res.fields),
                    secret=res.secret,
                )
            )
    return changes


def _same(desired: Resource, observed: Resource) -> bool:
    if desired.secret:
        wanted, held = desired.fields.get("fingerprint"), observed.fields.get("fingerprint")
        if wanted == "":
            return True
        return held is not None and held == wanted and _rest(desired) == _rest(observed)
    return dict(desired.fields) == dict(observed.fields)


def _rest(resource: Resource) -> dict[str, Any]:
    return {k: v for k, v in resource.fields.items() if k != "fingerprint"}


def field_changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, prefix: str = ""
) -> list[tuple[str, Any, Any]]:
    """The leaf fields that differ, as (dotted path, old, new); ``None`` stands for absent."""
    before, after = before or {}, after or {}
    out: list[tuple[str, Any, Any]] = []
    for key in sorted(set(before) | set(after), key=str):
        old, new = before.get(key), after.get(key)
        if isinstance(old, Mapping | None) and isinstance(new, Mapping | None) and (old or new):
            out.extend(field_changes(old, new, f"{prefix}{key}."))
        elif old != new:
            out.append((f"{prefix}{key}", old, new))
    return out


def resolve_expiry(spec: EnvironmentSpec, observed: Mapping[str, Observed], now: datetime) -> EnvironmentSpec:
    """Fix the spec's expiry: kept while the TTL is unchanged, else counted from ``now``.

    Keeping it is what makes a re-run with the same ``--ttl`` write nothing.
    """
    if spec.ttl is None:
        return replace(spec, expires_at=None)
    for seen in observed.values():
        if seen.meta and seen.meta.ttl == spec.ttl and seen.meta.expires_at is not None:
            return replace(spec, expires_at=seen.meta.expires_at)
    return replace(spec, expires_at=now.replace(microsecond=0) + parse_ttl(spec.ttl))


def plan_environment(
    spec: EnvironmentSpec, providers: Mapping[str, EnvironmentProvider], now: datetime
) -> EnvironmentPlan:
    """Read every provider of the spec, then diff desired against observed for each.

    Args:
        spec: the desired environment (its ``providers`` name the keys of ``providers``).
        providers: constructed providers by name.
        now: the clock, for the expiry of a new TTL.
    """
    observed = {name: providers[name].read(spec) for name in spec.providers}
    spec = resolve_expiry(spec, observed, now)
    changes: list[ResourceChange] = []
    for name in spec.providers:
        desired = providers[name].desired(spec, observed[name])
        # A provider may learn something worth saying only while planning (a cluster: fields
        # another manager owns); such notes join those of the read.
        later = getattr(providers[name], "planning_notes", None)
        if later is not None and (found := tuple(later())):
            observed[name] = replace(observed[name], notes=(*observed[name].notes, *found))
        changes.extend(diff_resources(name, desired, observed[name].resources))
    return EnvironmentPlan(spec=spec, changes=tuple(changes), observed=observed)


def plan_teardown(spec: EnvironmentSpec, providers: Mapping[str, EnvironmentProvider]) -> EnvironmentPlan:
    """Every resource the providers hold for the environment, to be deleted."""
    observed = {name: providers[name].read(spec) for name in spec.providers}
    changes = [
        change for name in spec.providers for change in diff_resources(name, [], observed[name].resources)
    ]
    return EnvironmentPlan(spec=spec, changes=tuple(changes), observed=observed)
