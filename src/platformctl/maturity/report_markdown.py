"""The Markdown report (``--format markdown``) and its short form for a CI job summary."""

from __future__ import annotations

from typing import Any

BAR_WIDTH = 10


def bar(score: float, width: int = BAR_WIDTH) -> str:
    """A text bar for a 0-100 score, e.g. ``██████░░░░``."""
    filled = round(max(0.0, min(100.0, score)) / 100 * width)
    return "█" * filled + "░" * (width - filled)


def _cell(value: Any) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def headline(doc: dict[str, Any]) -> str:
    """``63.2/100 · level 2 (managed)``."""
    level = doc["level"]
    return f"{doc['score']:.1f}/100 · level {level['level']} ({level['name']})"


def change_line(doc: dict[str, Any]) -> str:
    """How the score moved since the last saved run, or an empty string."""
    change = doc["history"]["change"]
    if not change:
        return ""
    level = change["level"]
    moved = "unchanged" if level == 0 else f"{'up' if level > 0 else 'down'} {abs(level)}"
    note = " (the model changed since)" if change["model_changed"] else ""
    return f"Since {change['since'][:10]}: {change['score']:+.1f} points, level {moved}{note}."


def level_explanation(doc: dict[str, Any]) -> str:
    """Why the level is below the score band, naming the gates, or an empty string."""
    if doc["level"]["level"] >= doc["band"]["level"]:
        return ""
    blocking = [g for g in doc["failing_gates"] if g["level"] <= doc["band"]["level"]]
    names = "; ".join(f"{g['label']} ({g['question']})" for g in blocking)
    return (
        f"The score is in the band of level {doc['band']['level']} ({doc['band']['name']}), "
        f"but failing gates hold the level at {doc['level']['level']}: {names}."
    )


def render_markdown(doc: dict[str, Any], *, summary: bool = False, top: int = 10) -> str:
    """The report as Markdown; ``summary`` leaves out the answers and evidence tables."""
    out = [
        f"# Platform maturity: {headline(doc)}",
        "",
        f"*{_cell(doc['level']['summary'])}* Score band: level {doc['band']['level']} "
        f"({doc['band']['name']}). Model: {doc['model']['name']} {doc['model']['version']}. "
        f"Generated {doc['generated_at']}.",
        "",
    ]
    for line in (change_line(doc), level_explanation(doc)):
        if line:
            out += [line, ""]
    out += ["## Dimensions", "", "| Dimension | Score | | Weight | Answers |", "|---|---:|---|---:|---|"]
    for d in doc["dimensions"]:
        score = "n/a" if d["excluded"] else f"{d['score']:.1f}"
        counts = f"{d['answered']} answered, {d['unknown']} unknown, {d['not_applicable']} n/a"
        counts += " (incomplete)" if d["incomplete"] else ""
        out.append(f"| {_cell(d['name'])} | {score} | `{bar(d['score'])}` | {d['weight']:.0f}% | {counts} |")
    out.append("")
    if doc["failing_gates"]:
        out += [
            "## Failing gates",
            "",
            "| Level | Gate | Needs at least | Answer | Next step |",
            "|---:|---|---|---|---|",
        ]
        out += [
            f"| {g['level']} | {_cell(g['label'])} (`{g['question']}`) | {_cell(g['required_label'])} | "
            f"{_cell(g['actual_label'])} | {_cell(g['next_step'])} |"
            for g in doc["failing_gates"]
        ]
        out.append("")
    if doc["recommendations"]:
        out += [f"## Next steps (top {min(top, len(doc['recommendations']))}, by points gained)", ""]
        for i, r in enumerate(doc["recommendations"][:top], start=1):
            unlocks = f" Unlocks gate: {'; '.join(r['unlocks'])}." if r["unlocks"] else ""
            out.append(
                f"{i}. **+{r['gain']:.1f}** `{r['question']}`: {_cell(r['text'])} "
                f"(→ {_cell(r['to_label'])}).{unlocks}"
            )
        out.append("")
    if not summary:
        out += _answers(doc) + _evidence(doc)
    if doc["caveats"]:
        out += ["## Read with care", ""] + [f"- {_cell(c)}" for c in doc["caveats"]] + [""]
    return "\n".join(out)


def _answers(doc: dict[str, Any]) -> list[str]:
    out = ["## Answers", "", "| Question | Answer | Score | Evidence |", "|---|---|---:|---|"]
    for a in doc["answers"]:
        answer = {"unknown": "*unknown*", "n/a": f"*n/a*: {a['reason']}"}.get(a["status"], a["choice_label"])
        if a["capped"]:
            answer += f" → capped at: {a['effective_label']}"
        ev = a["evidence"]
        evidence = ev["shown"] if ev else ""
        if a["evidence_links"]:
            evidence += (" " if evidence else "") + " ".join(f"<{link}>" for link in a["evidence_links"])
        score = "" if a["score"] is None else f"{a['score']:.0f}"
        out.append(
            f"| {_cell(a['text'])} (`{a['question']}`) | {_cell(answer)} | {score} | {_cell(evidence)} |"
        )
    return [*out, ""]


def _evidence(doc: dict[str, Any]) -> list[str]:
    if not doc["evidence"]:
        return []
    count = len(doc["repositories"])
    out = [
        f"## Evidence ({count} repositor{'y' if count == 1 else 'ies'} scanned)",
        "",
        "| Detector | Found | Coverage | Examples |",
        "|---|---|---:|---|",
    ]
    for ev in doc["evidence"]:
        examples = ", ".join(f"`{e}`" for e in ev["examples"][:3])
        out.append(
            f"| {_cell(ev['title'])} | {_cell(', '.join(ev['kinds']) or '-')} | "
            f"{ev['coverage']:.0f}% | {_cell(examples)} |"
        )
    return [*out, ""]
