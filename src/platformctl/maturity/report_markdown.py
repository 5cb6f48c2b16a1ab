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


def scope_text(doc: dict[str, Any]) -> str:
    """What was assessed, e.g. ``Scope: Acme payments`` (or that the answers do not say)."""
    return f"Scope: {doc['scope']}" if doc["scope"] else "Scope: not set (add 'scope:' to the answers file)"


def gain_text(rec: dict[str, Any]) -> str:
    """``+2.5``, or ``?`` for a step whose worth depends on an answer not known yet."""
    return "?" if rec["gain"] is None else f"+{rec['gain']:.1f}"


def waived_line(gate: dict[str, Any]) -> str:
    """One waived gate and its reason, e.g. ``level 3 Infrastructure as code (std.iac): n/a, ...``."""
    status = "over the limit, so it fails" if gate["over_limit"] else "waived"
    return f"level {gate['level']} {gate['label']} ({gate['question']}): n/a ({status}): {gate['reason']}"


def evidence_text(doc: dict[str, Any]) -> str:
    """How many repositories back the evidence, and which ones (or that none did)."""
    names = doc["repositories"]
    if not names:
        return "Evidence: no repository scanned, so no answer is capped or corroborated."
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    capped = [a for a in doc["answers"] if a["capped"]]
    caps = f"; {len(capped)} answer(s) capped" if capped else "; no answer capped"
    return (
        f"Evidence: {len(names)} repositor{'y' if len(names) == 1 else 'ies'} scanned ({shown}){caps}; "
        f"caps on coverage need at least {doc['evidence_min_repositories']} repositories."
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
        f"{_cell(scope_text(doc))}. {_cell(evidence_text(doc))}",
        "",
    ]
    if doc["notes"]:
        out += [f"> Note: {_cell(n)}" for n in doc["notes"]] + [""]
    for line in (change_line(doc), level_explanation(doc)):
        if line:
            out += [line, ""]
    out += _dimensions(doc) + _failing_gates(doc) + _waived(doc) + _next_steps(doc, top)
    capped = [a for a in doc["answers"] if a["capped"]]
    if summary and capped:
        out += ["## Answers capped by evidence", ""]
        out += [f"- `{a['question']}`: {_cell(a['evidence']['because'])}" for a in capped] + [""]
    from platformctl.maturity.report_profiles import profiles_markdown

    out += profiles_markdown(doc, _cell)
    if not summary:
        out += _answers(doc) + _evidence(doc)
    if doc["caveats"]:
        out += ["## Read with care", ""] + [f"- {_cell(c)}" for c in doc["caveats"]] + [""]
    return "\n".join(out)


def _dimensions(doc: dict[str, Any]) -> list[str]:
    out = ["## Dimensions", "", "| Dimension | Score | | Weight | Answers |", "|---|---:|---|---:|---|"]
    for d in doc["dimensions"]:
        score = "n/a" if d["excluded"] else f"{d['score']:.1f}"
        counts = f"{d['answered']} answered, {d['unknown']} unknown, {d['not_applicable']} n/a"
        counts += " (incomplete)" if d["incomplete"] else ""
        out.append(f"| {_cell(d['name'])} | {score} | `{bar(d['score'])}` | {d['weight']:.0f}% | {counts} |")
    return [*out, ""]


def _failing_gates(doc: dict[str, Any]) -> list[str]:
    if not doc["failing_gates"]:
        return []
    out = [
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
    return [*out, ""]


def _next_steps(doc: dict[str, Any], top: int) -> list[str]:
    if not doc["recommendations"]:
        return []
    count = min(top, len(doc["recommendations"]))
    out = [f"## Next steps (top {count}: the next level's gates first, then points)", ""]
    for i, r in enumerate(doc["recommendations"][:top], start=1):
        unlocks = f" Unlocks gate: {'; '.join(r['unlocks'])}." if r["unlocks"] else ""
        target = f" (→ {_cell(r['to_label'])})" if r["to_label"] else ""
        out.append(f"{i}. **{gain_text(r)}** `{r['question']}`: {_cell(r['text'])}{target}.{unlocks}")
    return [*out, ""]


def _waived(doc: dict[str, Any]) -> list[str]:
    limit = doc["gate_waivers_per_level"]
    if not doc["waived_gates"]:
        return []
    out = [
        "## Waived gates",
        "",
        f"An n/a answer waives a gate; at most {limit} per level (past that they fail).",
        "",
        "| Level | Gate | Reason | Effect |",
        "|---:|---|---|---|",
    ]
    for g in doc["waived_gates"]:
        effect = "fails: over the limit" if g["over_limit"] else "waived"
        out.append(
            f"| {g['level']} | {_cell(g['label'])} (`{g['question']}`) | {_cell(g['reason'])} | {effect} |"
        )
    return [*out, ""]


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
