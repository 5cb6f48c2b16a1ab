"""``fleet status`` as Markdown and as a self-contained HTML page with inline SVG charts.

Every value comes from repositories (untrusted): Markdown cells get pipes and control
characters escaped, HTML gets ``html.escape``.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from platformctl.fleet.discovery import FleetService, FleetStatus

COLUMNS = (
    "repository",
    "golden path",
    "version",
    "newest",
    "behind",
    "owner",
    "environments",
    "update",
    "last activity",
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def row_cells(service: FleetService) -> list[str]:
    """The cells of one service's row, as plain text."""
    if service.error is not None:
        return [
            service.repository,
            "invalid platform.yaml",
            service.error,
            "",
            "",
            "",
            "",
            "",
            service.last_activity or "",
        ]
    request = service.update_request
    update = f"#{request['number']} {request['state']}" if request else ""
    behind = "?" if service.behind is None else str(service.behind)
    return [
        service.repository,
        service.golden_path or "",
        service.version or "",
        service.newest or "not available",
        behind,
        service.owner or "",
        ", ".join(service.environments),
        update,
        service.last_activity or "",
    ]


def summary_lines(status: FleetStatus) -> list[str]:
    """The summary as sentences."""
    summary = status.summary()
    lines = [
        f"{summary['services']} services on a golden path out of {summary['repositories']} repositories "
        f"(adoption {summary['adoption']:.0%}); {summary['on_newest']:.0%} on the newest version, "
        f"{summary['behind']} behind",
    ]
    if summary["invalid"]:
        lines.append(f"{summary['invalid']} repositories have an invalid platform.yaml")
    for gp, versions in summary["versions"].items():
        lines.append(f"{gp}: " + ", ".join(f"{v} × {n}" for v, n in versions.items()))
    return lines


def markdown(status: FleetStatus) -> str:
    """A Markdown report (also the GitHub Actions job summary)."""
    out = [f"# Fleet of {_md(status.org or 'the local forge')} ({_md(status.provider)})", ""]
    out += [f"- {_md(line)}" for line in summary_lines(status)]
    out += ["", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    out += ["| " + " | ".join(_md(c) for c in row_cells(s)) + " |" for s in status.services]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return _CONTROL.sub("?", text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def html_report(status: FleetStatus) -> str:
    """A self-contained HTML page: an adoption chart, a rollout chart, the table."""
    summary = status.summary()
    e = html.escape
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{e(_CONTROL.sub('?', c))}</td>" for c in row_cells(s)) + "</tr>"
        for s in status.services
    )
    head = "".join(f"<th>{e(c)}</th>" for c in COLUMNS)
    items = "".join(f"<li>{e(line)}</li>" for line in summary_lines(status))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fleet of {e(status.org or "the local forge")}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24}}table{{border-collapse:collapse}}
td,th{{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left}}th{{background:#f6f8fa}}
figure{{display:inline-block;margin:0 2rem 1rem 0}}</style></head><body>
<h1>Fleet of {e(status.org or "the local forge")} ({e(status.provider)})</h1>
<ul>{items}</ul>
<figure><figcaption>Adoption</figcaption>{adoption_svg(summary)}</figure>
<figure><figcaption>Rollout: services per version</figcaption>{rollout_svg(summary["versions"])}</figure>
<table><thead><tr>{head}</tr></thead><tbody>
{rows}
</tbody></table></body></html>
"""


def adoption_svg(summary: dict[str, Any]) -> str:
    """One bar: services on a golden path against all repositories."""
    total = max(int(summary["repositories"]), 1)
    width = round(300 * int(summary["services"]) / total)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="50" role="img" '
        f'aria-label="adoption {summary["adoption"]:.0%}">'
        '<rect x="0" y="10" width="300" height="20" fill="#d0d7de"/>'
        f'<rect x="0" y="10" width="{width}" height="20" fill="#2da44e"/>'
        f'<text x="0" y="46" font-size="12">{summary["services"]} of {summary["repositories"]} '
        f"({summary['adoption']:.0%})</text></svg>"
    )


PALETTE = ("#0969da", "#2da44e", "#bf8700", "#cf222e", "#8250df", "#57606a")


def rollout_svg(versions: dict[str, dict[str, int]]) -> str:
    """One stacked bar per golden path: how many services are on each version."""
    height = 30 * max(len(versions), 1) + 10
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="560" '
        f'height="{height}" role="img" aria-label="rollout">'
    ]
    for row, (gp, counts) in enumerate(versions.items()):
        y, x, total = 10 + 30 * row, 160.0, max(sum(counts.values()), 1)
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{html.escape(gp)}</text>')
        for index, (version, count) in enumerate(counts.items()):
            width = 380 * count / total
            colour = PALETTE[index % len(PALETTE)]
            label = html.escape(f"{version}: {count}")
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="20" fill="{colour}">'
                f"<title>{label}</title></rect>"
            )
            parts.append(f'<text x="{x + 3:.1f}" y="{y + 14}" font-size="11" fill="#fff">{label}</text>')
            x += width
    parts.append("</svg>")
    return "".join(parts)
