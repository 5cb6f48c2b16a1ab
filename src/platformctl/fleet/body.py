"""The title, body and labels of an update pull request, and the marker a re-run reads back.

The marker is an HTML comment at the end of the body: the campaign, the golden path's
fingerprint, the head platformctl pushed and the conflicted files. It is read from a server
answer, so it is parsed strictly and only compared, never executed or trusted for paths.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from platformctl.contracts.change_requests import ChangeRequestDraft
from platformctl.fleet.discovery import CHECK_FAILED_LABEL, CONFLICT_LABEL

if TYPE_CHECKING:
    from platformctl.contracts.change_requests import ForgeRepository
    from platformctl.fleet.journal import Campaign
    from platformctl.fleet.merge import MergeOutcome
    from platformctl.scaffold.catalog import GoldenPath

MARKER = "platformctl-fleet"
_MARKER = re.compile(r"<!-- platformctl-fleet (\{[^\n]*\}) -->")
MAX_CHANGELOG = 20_000
MAX_FILES = 200


def request_draft(
    gp: GoldenPath, campaign: Campaign, repo: ForgeRepository, merged: MergeOutcome, fingerprint: str
) -> ChangeRequestDraft:
    """The pull request for one service: a draft labelled as a conflict when the merge conflicted."""
    labels = ["platformctl"]
    if merged.conflicts:
        labels.append(CONFLICT_LABEL)
    if merged.check_failed is not None:
        labels.append(CHECK_FAILED_LABEL)
    title = f"Update golden path {gp.name} from {merged.from_version} to {campaign.version}"
    if merged.conflicts:
        title += f" ({len(merged.conflicts)} conflicts)"
    marker = {"campaign": campaign.name, "fingerprint": fingerprint, "head": merged.head}
    marker["conflicts"] = merged.conflicts  # type: ignore[assignment]
    body = _body(gp, campaign, merged) + f"\n\n<!-- {MARKER} {json.dumps(marker, sort_keys=True)} -->\n"
    return ChangeRequestDraft(
        branch=campaign.branch,
        base=repo.default_branch,
        title=title,
        body=body,
        draft=bool(merged.conflicts) or merged.check_failed is not None,
        labels=tuple(labels),
    )


def _body(gp: GoldenPath, campaign: Campaign, merged: MergeOutcome) -> str:
    from platformctl.fleet.changelog import changes_between

    parts = [
        f"This updates the service from golden path **{gp.name}** {merged.from_version} to "
        f"**{campaign.version}** with `platformctl fleet update`: the new pristine render is merged "
        "into the service, so local edits are kept. Merge it with a merge commit, not a squash.",
    ]
    changes = changes_between(gp.path, merged.from_version, campaign.version)
    if len(changes) > MAX_CHANGELOG:
        changes = changes[:MAX_CHANGELOG] + "\n\n… (cut; see the golden path's CHANGELOG.md)"
    parts.append(
        "## Changes in the golden path\n\n"
        + (changes or "The golden path has no changelog entries for these versions.")
    )
    parts.append("## Files changed\n\n" + _files(merged.files))
    if merged.conflicts:
        listed = "\n".join(f"- `{_code(name)}`" for name in merged.conflicts)
        parts.append(
            "## Conflicts\n\nThese files were edited in the service and changed by the golden path. "
            f"They are committed **with conflict markers**: resolve them on this branch.\n\n{listed}"
        )
    if merged.check_failed is not None:
        tail = merged.check_failed.replace("```", "'''")
        parts.append(
            f"## Check failed\n\nThe service's check command failed after the merge:\n\n```\n{tail}\n```"
        )
    return "\n\n".join(parts)


def _files(files: dict[str, list[str]]) -> str:
    lines = [
        f"- {mark} `{_code(name)}`"
        for kind, mark in (("changed", "changed"), ("added", "added"), ("removed", "removed"))
        for name in files.get(kind, [])
    ]
    if not lines:
        return "None (only the service descriptor)."
    more = len(lines) - MAX_FILES
    return "\n".join(lines[:MAX_FILES]) + (f"\n- … and {more} more" if more > 0 else "")


def _code(name: str) -> str:
    """A file name inside a Markdown code span: no backticks, no line breaks."""
    return name.replace("`", "'").replace("\n", " ").replace("\r", " ")


def labels_complete(labels: tuple[str, ...], marker: dict[str, Any]) -> bool:
    """Whether a pull request carries the labels its marker calls for (a run interrupted
    between opening it and labelling it leaves them missing)."""
    wanted = {"platformctl", *([CONFLICT_LABEL] if marker.get("conflicts") else [])}
    return wanted <= set(labels)


def parse_marker(body: str) -> dict[str, Any]:
    """The marker of a body platformctl wrote (empty when absent or malformed)."""
    matches = _MARKER.findall(body or "")
    if not matches:
        return {}
    try:
        data = json.loads(matches[-1])
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
