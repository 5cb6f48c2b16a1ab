"""A re-run of ``new service`` on a folder that already holds the service.

A re-run finishes what an interrupted run started; it must never pretend to have done what it
was asked when the service was made differently. So what the re-run asks (golden path,
provider, repository, answers given explicitly) is compared with what ``platform.yaml`` records,
and any difference is refused by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import UsageError, option

if TYPE_CHECKING:
    from platformctl.contracts.repositories import RepositoryHost
    from platformctl.scaffold.create import ServicePlan
    from platformctl.scaffold.descriptor import ServiceDescriptor


@dataclass(frozen=True)
class Asked:
    """What a re-run asked for explicitly; None (or absent) means "whatever was recorded"."""

    golden_path: str | None = None
    provider: str | None = None
    slug: str | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)


def existing_service(target: Path, name: str) -> ServiceDescriptor | None:
    """The descriptor of service ``name`` when ``target`` already holds it (a re-run), else None."""
    from platformctl.scaffold.descriptor import DESCRIPTOR_FILE, read_descriptor

    if not ((target / DESCRIPTOR_FILE).is_file() and (target / ".git").is_dir()):
        return None
    descriptor = read_descriptor(target)
    return descriptor if descriptor.name == name else None


def differences(recorded: ServiceDescriptor, asked: Asked) -> list[str]:
    """Each way ``asked`` differs from ``recorded``, in words, e.g. ``owner: 'a' recorded, 'b' asked``."""
    from platformctl.scaffold.answers import shown_value

    found: list[str] = []
    pairs = (
        ("golden path", recorded.golden_path.name, asked.golden_path),
        ("provider", recorded.repository.provider, asked.provider),
        ("repository", recorded.repository.slug, asked.slug),
    )
    for what, was, now in pairs:
        if now is not None and now != was:
            found.append(f"{what} {was} recorded, {now} asked")
    answers = recorded.golden_path.answers
    for key, value in asked.answers.items():
        if key in answers and answers[key] != value:
            found.append(f"{key} {shown_value(answers[key])} recorded, {shown_value(value)} asked")
    return found


def refuse_differences(recorded: ServiceDescriptor, shown_path: str, found: list[str]) -> None:
    """Raise the usage error that names every difference and the two ways forward.

    Raises:
        UsageError: always (exit 2).
    """
    name = recorded.name
    raise UsageError(
        f"{shown_path} already holds service {name}, made differently: {'; '.join(found)}",
        hint=f"to change answers, run 'platformctl update service {option('set', command='update service')} "
        f"KEY=VALUE' in {shown_path}; "
        f"for another golden path or provider, choose a new name (or {option('directory')}); "
        f"to finish {name} as recorded, re-run 'platformctl new service {name}' without those flags",
    )


@dataclass(frozen=True)
class Decision:
    """What a real run would do: ``create``, ``resume`` or ``conflict``, and why."""

    action: str
    reason: str


def decide(plan: ServicePlan, host: RepositoryHost) -> Decision:
    """Read the host (and the target folder, which ``plan.resume`` already did) and decide as the
    real run would: its push refuses a branch at the host with history the checkout lacks."""
    from platformctl.scaffold.gitwork import DEFAULT_BRANCH

    request = plan.request
    slug = plan.location.slug
    published, unread = _published(plan, host)
    if unread:
        action = "resume" if plan.resume else "create"
        return Decision(action, f"{slug} was not read ({unread}): the real run reads it first")
    if not plan.resume:
        if published is None:
            return Decision("create", f"{request.target} and {slug} {DEFAULT_BRANCH} do not exist yet")
        return Decision(
            "conflict",
            f"{slug} already has a {DEFAULT_BRANCH} branch ({published[:12]}) with other history: "
            "it is not this service's repository",
        )
    import git

    repo = git.Repo(request.target)
    local = repo.commit(DEFAULT_BRANCH).hexsha
    if published is None or published == local or _is_ancestor(repo, published, local):
        return Decision("resume", f"{request.target} already holds {request.name}: the remaining steps run")
    return Decision(
        "conflict",
        f"{slug} {DEFAULT_BRANCH} ({published[:12]}) has history that {request.target} lacks",
    )


def _published(plan: ServicePlan, host: RepositoryHost) -> tuple[str | None, str]:
    """The host's head of the default branch, or why it could not be read (no token, no owner)."""
    from platformctl.errors import AuthError
    from platformctl.scaffold.gitwork import DEFAULT_BRANCH

    if "{" in plan.location.slug:  # the owner is a placeholder until a token says who we are
        return None, f"no {option('org')} and no token to ask for the owner"
    try:
        return host.published_head(plan.request.repository, DEFAULT_BRANCH), ""
    except AuthError:
        return None, "no token"


def _is_ancestor(repo: Any, ancestor: str, head: str) -> bool:
    import git

    try:
        return bool(repo.is_ancestor(ancestor, head))
    except git.GitCommandError:  # the ancestor is not even in this repository
        return False
