"""The HTML report: one self-contained file (inline CSS and SVG, no scripts, no CDN)."""

from __future__ import annotations

from html import escape
from typing import Any

from platformctl.errors import option
from platformctl.maturity.report_markdown import (
    change_line,
    evidence_text,
    gain_text,
    headline,
    level_explanation,
    scope_text,
)
from platformctl.maturity.report_profiles import profiles_html
from platformctl.maturity.svg import profile, trend

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;margin:0;background:#f6f7f9}
main{max-width:1040px;margin:0 auto;padding:24px}
section{background:#fff;border:1px solid #e3e6eb;border-radius:8px;padding:16px 20px;margin:16px 0}
h1{font-size:26px;margin:0 0 4px}h2{font-size:18px;margin:0 0 12px}
.muted{color:#5b6475}.score{font-size:44px;font-weight:700}.badge{display:inline-block;padding:2px 10px;
border-radius:12px;background:#5b6475;color:#fff;font-weight:600;margin-left:8px}
.level-1{background:#b3261e}.level-2{background:#a04a00}.level-3{background:#2f6fde}.level-4{background:#1e7b34}
.grid{display:grid;grid-template-columns:1fr;gap:16px;justify-items:center}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eef0f3;vertical-align:top}
th{font-weight:600;color:#5b6475}.num{text-align:right;white-space:nowrap}
.bar{background:#eef0f3;border-radius:4px;height:10px;min-width:120px}.bar>span{display:block;height:10px;
border-radius:4px;background:#2f6fde}.warn{color:#a04a00}.bad{color:#b3261e}.ok{color:#1e7b34}
ol li{margin:4px 0}code{font-size:13px;background:#f1f3f6;padding:1px 4px;border-radius:3px}
svg{max-width:100%;height:auto}
@media print{body{background:#fff}section{break-inside:avoid}}
"""


def render_html(doc: dict[str, Any]) -> str:
    """The report as one HTML page."""
    title = f"Platform maturity: {headline(doc)}"
    body = [
        _header(doc),
        _profile(doc),
        _trend(doc),
        _gates(doc),
        _waived(doc),
        _recommendations(doc),
        profiles_html(doc),
        _answers(doc),
        _evidence(doc),
        _caveats(doc),
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(part for part in body if part)
        + "\n</main>\n</body>\n</html>\n"
    )


def _header(doc: dict[str, Any]) -> str:
    level = doc["level"]
    lines = [line for line in (change_line(doc), level_explanation(doc)) if line]
    scope = f" · {escape(doc['scope'])}" if doc["scope"] else ""
    return (
        f"<section><h1>Platform maturity{scope}</h1>"
        f'<div><span class="score">{doc["score"]:.1f}</span><span class="muted">/100</span>'
        f'<span class="badge level-{level["level"]}">'
        f"Level {level['level']} · {escape(level['name'])}</span></div>"
        f'<p>{escape(level["summary"])} <span class="muted">Score band: level {doc["band"]["level"]} '
        f"({escape(doc['band']['name'])}).</span></p>"
        + "".join(f"<p>{escape(line)}</p>" for line in lines)
        + f'<p class="scope">{escape(scope_text(doc))}. {escape(evidence_text(doc))}</p>'
        + "".join(f'<p class="warn">Note: {escape(n)}</p>' for n in doc["notes"])
        + f'<p class="muted">{escape(doc["model"]["name"])} {escape(doc["model"]["version"])} · '
        f"generated {escape(doc['generated_at'])}</p></section>"
    )


def _profile(doc: dict[str, Any]) -> str:
    dims = doc["dimensions"]
    chart = profile([d["name"] for d in dims], [None if d["excluded"] else d["score"] for d in dims])
    rows = "".join(
        f"<tr><td>{escape(d['name'])}{_incomplete(d)}</td>"
        f'<td class="num">{_score(d)}</td>'
        f'<td><div class="bar"><span style="width:{max(0.0, min(100.0, d["score"])):.1f}%"></span></div></td>'
        f'<td class="num">{d["weight"]:.0f}%</td></tr>'
        for d in dims
    )
    return (
        f'<section><h2>Dimensions</h2><div class="grid"><div>{chart}</div><table>'
        f'<tr><th>Dimension</th><th class="num">Score</th><th></th><th class="num">Weight</th></tr>'
        f"{rows}</table></div></section>"
    )


def _incomplete(dimension: dict[str, Any]) -> str:
    return ' <span class="warn">(incomplete)</span>' if dimension["incomplete"] else ""


def _score(dimension: dict[str, Any]) -> str:
    return "n/a" if dimension["excluded"] else f"{dimension['score']:.1f}"


def _trend(doc: dict[str, Any]) -> str:
    points = [(p["at"], p["score"]) for p in doc["history"]["trend"]]
    if len(points) < 2:
        return (
            '<section><h2>Trend</h2><p class="muted">This is the first run of this scope: no trend yet. '
            f"It grows with every run saved with <code>{option('save')}</code>.</p></section>"
        )
    return f"<section><h2>Trend</h2>{trend(points)}</section>"


def _gates(doc: dict[str, Any]) -> str:
    if not doc["failing_gates"]:
        waived = len(doc["waived_gates"])
        text = f"Every gate passes, {waived} of them waived (see below)." if waived else "Every gate passes."
        return f'<section><h2>Gates</h2><p class="ok">{text}</p></section>'
    rows = "".join(
        f'<tr><td class="num">{g["level"]}</td>'
        f"<td>{escape(g['label'])} <code>{escape(g['question'])}</code></td>"
        f'<td>{escape(g["required_label"])}</td><td class="bad">{escape(g["actual_label"])}</td>'
        f"<td>{escape(g['next_step'])}</td></tr>"
        for g in doc["failing_gates"]
    )
    return (
        '<section><h2>Failing gates</h2><table><tr><th class="num">Level</th><th>Gate</th>'
        f"<th>Needs at least</th><th>Answer</th><th>Next step</th></tr>{rows}</table></section>"
    )


def _waived(doc: dict[str, Any]) -> str:
    if not doc["waived_gates"]:
        return ""
    over = '<span class="bad">fails: over the limit</span>'
    rows = "".join(
        f'<tr><td class="num">{g["level"]}</td><td>{escape(g["label"])} <code>{escape(g["question"])}</code>'
        f"</td><td>{escape(g['reason'])}</td><td>{over if g['over_limit'] else 'waived'}</td></tr>"
        for g in doc["waived_gates"]
    )
    limit = doc["gate_waivers_per_level"]
    return (
        f'<section><h2>Waived gates</h2><p class="muted">An n/a answer waives a gate; at most {limit} '
        "per level (past that they fail).</p>"
        '<table><tr><th class="num">Level</th><th>Gate</th><th>Reason</th><th>Effect</th></tr>'
        f"{rows}</table></section>"
    )


def _recommendations(doc: dict[str, Any]) -> str:
    if not doc["recommendations"]:
        return ""
    items = "".join(
        f'<li><strong>{gain_text(r)}</strong> {escape(r["text"])} <span class="muted">'
        f"(<code>{escape(r['question'])}</code>"
        + (f" → {escape(r['to_label'])}" if r["to_label"] else "")
        + ")</span>"
        + (f' <span class="warn">Unlocks: {escape("; ".join(r["unlocks"]))}</span>' if r["unlocks"] else "")
        + "</li>"
        for r in doc["recommendations"][:10]
    )
    return (
        f"<section><h2>Next steps: the next level's gates first, then points</h2><ol>{items}</ol></section>"
    )


def _answers(doc: dict[str, Any]) -> str:
    names = {d["id"]: d["name"] for d in doc["dimensions"]}
    rows = []
    for a in doc["answers"]:
        answer = {
            "unknown": '<em class="warn">unknown</em>',
            "n/a": f"<em>n/a</em>: {escape(a['reason'])}",
        }.get(a["status"], escape(a["choice_label"]))
        if a["capped"]:
            answer += f' <span class="bad">→ capped at: {escape(a["effective_label"])}</span>'
        ev = a["evidence"]
        evidence = escape(ev["shown"]) if ev else ""
        links = " ".join(
            f'<a href="{escape(link)}">{escape(link)}</a>'
            for link in a["evidence_links"]
            if link.startswith(("http://", "https://"))
        )
        score = "" if a["score"] is None else f"{a['score']:.0f}"
        dimension = names.get(a["dimension"], a["dimension"])
        rows.append(
            f"<tr><td>{escape(dimension)}</td><td>{escape(a['text'])} "
            f'<code>{escape(a["question"])}</code></td><td>{answer}</td><td class="num">{score}</td>'
            f"<td>{evidence} {links}</td></tr>"
        )
    return (
        "<section><h2>Answers</h2><table><tr><th>Dimension</th><th>Question</th><th>Answer</th>"
        f'<th class="num">Score</th><th>Evidence</th></tr>{"".join(rows)}</table></section>'
    )


def _evidence(doc: dict[str, Any]) -> str:
    if not doc["evidence"]:
        return ""
    rows = "".join(
        f"<tr><td>{escape(ev['title'])}</td><td>{escape(', '.join(ev['kinds']) or '-')}</td>"
        f'<td class="num">{ev["coverage"]:.0f}%</td><td>{escape(", ".join(ev["examples"][:3]))}</td></tr>'
        for ev in doc["evidence"]
    )
    count = len(doc["repositories"])
    return (
        f"<section><h2>Evidence from {count} repositor{'y' if count == 1 else 'ies'}</h2>"
        "<table><tr><th>Detector</th>"
        f'<th>Found</th><th class="num">Coverage</th><th>Examples</th></tr>{rows}</table></section>'
    )


def _caveats(doc: dict[str, Any]) -> str:
    if not doc["caveats"]:
        return ""
    items = "".join(f"<li>{escape(c)}</li>" for c in doc["caveats"])
    return f'<section><h2>Read with care</h2><ul class="muted">{items}</ul></section>'
