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

from platformctl.errors import UsageError

if TYPE_CHECKING:
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
        hint=f"to change answers, run 'platformctl update service --set KEY=VALUE' in {shown_path}; "
        f"for another golden path or provider, choose a new name (or --dir); "
        f"to finish {name} as recorded, re-run 'platformctl new service {name}' without those flags",
    )
