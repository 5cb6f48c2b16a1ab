"""The profiles in the Markdown and HTML reports: IDP pillars, CNCF PEMM aspects, DORA Quick Check.

Both renderings come from the same lines (``profile_rows``), so they cannot disagree.
"""

from __future__ import annotations

from html import escape
from typing import Any

MEASURED_NAMES = {
    "onboarding_days": ("Onboarding", "days"),
    "deployment_minutes": ("Deployment time", "minutes"),
    "mttr_hours": ("Mean time to restore (MTTR)", "hours"),
}


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def profile_tables(doc: dict[str, Any]) -> list[tuple[str, str, list[str], list[list[str]]]]:
    """(title, note, header, rows) for each profile the document has."""
    out = []
    if doc["pillars"]:
        rows = [[p["name"], _num(p["score"])] for p in doc["pillars"]]
        out.append(
            ("IDP pillars", "The four pillars of an internal developer platform.", ["Pillar", "Score"], rows)
        )
    if doc["pemm"]:
        rows = [
            [a["name"], _num(a["score"]), a["level_name"] or "n/a", ", ".join(a["questions"])]
            for a in doc["pemm"]
        ]
        note = "CNCF Platform Engineering Maturity Model: each aspect evolves on its own."
        out.append(("CNCF PEMM aspects", note, ["Aspect", "Score", "Level", "From"], rows))
    qc = doc["dora_quick_check"]
    if qc:
        rows = [
            [
                m["question"],
                m["service"] or "(not named)",
                m["label"] or m["status"],
                _num(m["value"]),
                m["cluster"] or "-",
            ]
            for m in qc["metrics"]
        ]
        out.append(
            (
                "DORA Quick Check",
                quick_check_text(qc),
                ["Metric", "Service", "Answer", "0-10", "2024 cluster"],
                rows,
            )
        )
    if doc["measured"]:
        rows = [[MEASURED_NAMES[k][0], f"{v:g} {MEASURED_NAMES[k][1]}"] for k, v in doc["measured"].items()]
        out.append(
            ("Measured (return on investment)", "Reported as given; not scored.", ["Figure", "Value"], rows)
        )
    return out


def quick_check_text(qc: dict[str, Any]) -> str:
    """One paragraph: the 0-10 score, its parts, the benchmark and how the metrics are scoped."""
    if qc["score"] is None:
        return "No DORA metric answered yet."
    bench = qc["benchmark"]
    side = "above" if bench["difference"] > 0 else ("below" if bench["difference"] < 0 else "at")
    text = (
        f"Delivery score {qc['score']:.1f}/10 (throughput {_num(qc['throughput'])}, stability "
        f"{_num(qc['stability'])}; {qc['answered']} of {len(qc['metrics'])} metrics answered), "
        f"{abs(bench['difference']):.1f} {side} the {bench['source']} mean of {bench['mean']:.1f} "
        f"(± {bench['sd']:.1f}; {bench['in_sd']:+.2f} standard deviations)."
    )
    if qc["blended"]:
        services = ", ".join(qc["services"])
        text += (
            f" Warning: the metrics describe different services ({services}); DORA metrics are per service."
        )
    elif qc["unscoped"]:
        text += " Name the service the metrics describe ('service:' in the answers file)."
    return text


def profiles_markdown(doc: dict[str, Any], cell: Any) -> list[str]:
    """Markdown sections; ``cell`` escapes a table cell."""
    out: list[str] = []
    for title, note, header, rows in profile_tables(doc):
        out += [
            f"## {title}",
            "",
            cell(note),
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
        ]
        out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
        out.append("")
    return out


def profiles_html(doc: dict[str, Any]) -> str:
    """HTML sections."""
    parts = []
    for title, note, header, rows in profile_tables(doc):
        head = "".join(f"<th>{escape(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in rows)
        parts.append(
            f'<section><h2>{escape(title)}</h2><p class="muted">{escape(note)}</p>'
            f"<table><tr>{head}</tr>{body}</table></section>"
        )
    return "".join(parts)
