"""Markdown and HTML (with an inline SVG weekly trend) of the delivery document."""

from __future__ import annotations

from html import escape
from typing import Any

ROWS = (
    ("Deployment frequency", "deployment_frequency"),
    ("Change lead time", "change_lead_time"),
    ("Change fail rate", "change_fail_rate"),
    ("Failed deployment recovery time", "recovery_time"),
    ("Deployment rework rate", "rework_rate"),
)


def _h(hours: float | None) -> str:
    if hours is None:
        return "–"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} d"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %"


def cells(figures: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(metric, value, cluster) rows for one service's or the roll-up's figures."""
    df, lt, cfr = figures["deployment_frequency"], figures["change_lead_time"], figures["change_fail_rate"]
    rt, rw = figures["recovery_time"], figures["rework_rate"]
    restored = f"{rt['by_incident']} by incident resolution, {rt['by_next_deployment']} by next deployment"
    if rt["unrestored"]:
        restored += f", {rt['unrestored']} not restored in the window"
    return [
        (
            "Deployment frequency",
            f"{df['per_week']:.2f}/week ({df['successful']} successful of {df['deployments']})",
            df["cluster"] or "–",
        ),
        (
            "Change lead time",
            f"median {_h(lt['median_hours'])}, p90 {_h(lt['p90_hours'])} ({lt['changes']} changes)",
            lt["cluster"] or "–",
        ),
        (
            "Change fail rate",
            f"{_pct(cfr['percent'])} ({cfr['failed']} of {cfr['deployments']})",
            cfr["cluster"] or "–",
        ),
        (
            "Failed deployment recovery time",
            f"median {_h(rt['median_hours'])} ({restored})",
            rt["cluster"] or "–",
        ),
        ("Deployment rework rate", f"{_pct(rw['percent'])} ({rw['rework']} of {rw['deployments']})", "–"),
    ]


def forge_line(comparison: dict[str, Any]) -> str:
    """One service's comparison with GitLab's DORA API, in one line (ours minus GitLab's)."""
    if not comparison.get("available"):
        return f"not available ({comparison.get('reason') or 'no answer'})"
    m = comparison["metrics"]

    def one(key: str, label: str, show: Any) -> str:
        ours, theirs, gap = m[key]["platformctl"], m[key]["gitlab"], m[key]["difference"]
        delta = "" if gap is None else f", difference {gap:+g}"
        return f"{label} {show(theirs)} (ours {show(ours)}{delta})"

    return "; ".join(
        [
            one("successful_deployments", "deployments", lambda v: "–" if v is None else f"{v:g}"),
            one("lead_time_median_hours", "lead time from merge", _h),
            one("recovery_median_hours", "time to restore", _h),
            one("change_fail_rate", "change fail rate", _pct),
        ]
    )


def _md_table(figures: dict[str, Any]) -> list[str]:
    lines = ["| Metric | Value | DORA cluster |", "|---|---|---|"]
    lines += [f"| {m} | {v} | {c} |" for m, v, c in cells(figures)]
    return lines


def render_markdown(doc: dict[str, Any]) -> str:
    """The report as Markdown: roll-up, each service, the weekly trend."""
    w = doc["window"]
    lines = [
        "# Delivery performance",
        "",
        f"Environment `{doc['environment']}`, {w['since']} to {w['until']} ({w['days']:g} days).",
        f"Roll-up: {doc['rollup']}.",
        "",
        "## All services",
        "",
        *_md_table(doc["overall"]),
    ]
    for name, figures in doc["services"].items():
        lines += ["", f"## {name}", "", *_md_table(figures)]
        compared = doc.get("gitlab_dora", {}).get(name)
        if compared is not None:
            lines.append(f"| GitLab's DORA API | {forge_line(compared)} | – |")
    lines += [
        "",
        "## Weekly trend",
        "",
        "| Week from | Deployments | Failed | Median lead time |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {t['week_start'][:10]} | {t['deployments']} | {t['failed']} | {_h(t['lead_time_median_hours'])} |"
        for t in doc["trend"]
    ]
    return "\n".join(lines) + "\n"


def _bar(x: float, y: float, width: float, height: float, fill: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{fill}"/>'


def trend_svg(trend: list[dict[str, Any]], *, width: int = 720, height: int = 200) -> str:
    """Bars of deployments per week, failed ones stacked in red; inline, no external resources."""
    top = max([t["deployments"] for t in trend] + [1])
    slot = (width - 40) / max(1, len(trend))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="Deployments per week" font-size="11">'
    ]
    for i, t in enumerate(trend):
        x = 30 + i * slot
        full = (height - 40) * t["deployments"] / top
        bad = (height - 40) * t["failed"] / top
        parts.append(_bar(x, height - 20 - full, slot * 0.7, full, "#2f6fde"))
        if bad:
            parts.append(_bar(x, height - 20 - bad, slot * 0.7, bad, "#c62828"))
        parts.append(f'<text x="{x:.1f}" y="{height - 6}">{escape(t["week_start"][5:10])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(doc: dict[str, Any]) -> str:
    """One self-contained HTML page: tables per service and the weekly trend chart."""

    def table(figures: dict[str, Any]) -> str:
        rows = "".join(
            f"<tr><td>{escape(m)}</td><td>{escape(v)}</td><td>{escape(c)}</td></tr>"
            for m, v, c in cells(figures)
        )
        return f"<table><tr><th>Metric</th><th>Value</th><th>DORA cluster</th></tr>{rows}</table>"

    w = doc["window"]
    body = [
        "<h1>Delivery performance</h1>",
        f"<p>Environment <code>{escape(doc['environment'])}</code>, "
        f"{escape(w['since'])} to {escape(w['until'])}.</p>",
        f"<p>Roll-up: {escape(doc['rollup'])}.</p>",
        "<h2>All services</h2>",
        table(doc["overall"]),
        "<h2>Weekly trend</h2>",
        trend_svg(doc["trend"]),
    ]
    for name, figures in doc["services"].items():
        body += [f"<h2>{escape(name)}</h2>", table(figures)]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Delivery performance</title>'
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto}"
        "td,th{padding:.2rem .6rem;text-align:left}</style></head><body>" + "".join(body) + "</body></html>\n"
    )
