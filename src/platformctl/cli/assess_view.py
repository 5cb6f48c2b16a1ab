"""Terminal side of ``assess maturity``: the question prompt and the report on screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from platformctl.cli.io import IO
    from platformctl.maturity.questionnaire.flow import Ask, Prompt, Reply

KEYS = (
    "a number answers, Enter keeps the suggestion, s skips (unknown), n = not applicable, b = back, q = stop"
)


def make_asker(io: IO) -> Ask:
    """An ``ask`` function showing one question at a time on stderr and reading the reply."""
    started = False

    def ask(prompt: Prompt) -> Reply:
        nonlocal started
        if not started:
            io.err.print(
                f"[bold]Maturity questionnaire[/]: {prompt.total} questions. Keys: {KEYS}. "
                "Answers are saved as you go."
            )
            started = True
        _show(io.err, prompt)
        return _read(io, prompt)

    return ask


def _show(err: Console, p: Prompt) -> None:
    q = p.question
    err.print()
    err.print(f"[bold cyan]({p.position}/{p.total})[/] [dim]{escape(p.dimension.name)} · {escape(q.id)}[/]")
    err.print(f"[bold]{escape(' '.join(q.text.split()))}[/]")
    if q.help:
        err.print(f"[dim]{escape(q.help)}[/]")
    for number, choice in enumerate(q.choices, start=1):
        mark = "›" if choice.id == p.default else " "
        err.print(f" {mark} {number}) {escape(choice.label)}")
    if p.evidence is not None:
        err.print(f"   [cyan]evidence:[/] {escape(p.evidence.title)}: {escape(p.evidence.summary())}")
    if p.effect.cap:
        cap = q.index(p.effect.cap) + 1
        err.print(f"   [yellow]the evidence caps this answer at {cap}[/]; a higher answer is scored as {cap}")
    if p.current is not None and p.current.status != "answered":
        reason = f" ({escape(p.current.reason)})" if p.current.reason else ""
        err.print(f"   [dim]current answer: {p.current.status}{reason}[/]")


def _read(io: IO, p: Prompt) -> Reply:
    from platformctl.maturity.questionnaire.flow import Reply

    q = p.question
    default = str(q.index(p.default) + 1) if p.default else None
    while True:
        raw = io.prompt(f"Answer 1-{len(q.choices)}, s, n, b or q", default=default).strip().lower()
        if raw.isdigit() and 1 <= int(raw) <= len(q.choices):
            return Reply("answer", choice=q.choices[int(raw) - 1].id)
        if raw in ("s", "skip", "unknown", "?"):
            return Reply("skip")
        if raw in ("b", "back"):
            return Reply("back")
        if raw in ("q", "quit"):
            return Reply("quit")
        if raw in ("n", "na", "n/a"):
            reason = ""
            while not reason:
                reason = io.prompt("Why does it not apply? (a reason is required)").strip()
            return Reply("na", reason=reason)
        io.err.print(f"[red]Type a number from 1 to {len(q.choices)}, or s, n, b, q.[/]")


def render(out: Console, doc: dict[str, Any]) -> None:
    """The report on the terminal: headline, a table with a bar per dimension, gates, next steps."""
    from platformctl.maturity.report_markdown import change_line, headline, level_explanation, scope_text

    out.print(f"[bold]Platform maturity[/]  [bold cyan]{escape(headline(doc))}[/]")
    out.print(
        f"{escape(doc['level']['summary'])} [dim]Score band: level {doc['band']['level']} "
        f"({escape(doc['band']['name'])}).[/]"
    )
    out.print(f"[dim]{escape(scope_text(doc))}[/]")
    for line in (change_line(doc), level_explanation(doc)):
        if line:
            out.print(escape(line))
    out.print()
    out.print(_dimension_table(doc))
    _render_gates(out, doc)
    _render_waived(out, doc)
    _render_next(out, doc)
    _render_profiles(out, doc)
    _render_footer(out, doc)


def _dimension_table(doc: dict[str, Any]) -> Table:
    """One row per dimension: its score, a bar, its weight and how it was answered."""
    from rich.table import Table

    from platformctl.maturity.report_markdown import bar

    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for name, justify in (
        ("Dimension", "left"),
        ("Score", "right"),
        ("", "left"),
        ("Weight", "right"),
        ("Answers", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for d in doc["dimensions"]:
        score = "n/a" if d["excluded"] else f"{d['score']:.1f}"
        answers = f"{d['answered']} answered, {d['unknown']} unknown, {d['not_applicable']} n/a"
        table.add_row(
            escape(d["name"]),
            score,
            f"[cyan]{bar(d['score'], 20)}[/]",
            f"{d['weight']:.1f}%",
            answers + (" [yellow](incomplete)[/]" if d["incomplete"] else ""),
        )
    return table


def _render_gates(out: Console, doc: dict[str, Any]) -> None:
    # On screen, only the gates between here and the next level; the reports list them all.
    ceiling = doc["level"]["level"] + 1
    shown = [g for g in doc["failing_gates"] if g["level"] <= ceiling]
    if not shown:
        return
    out.print()
    out.print(f"[bold]Failing gates up to level {ceiling}[/]")
    for g in shown:
        out.print(
            f"  level {g['level']}  {escape(g['label'])} [dim]({escape(g['question'])})[/]: "
            f"needs “{escape(g['required_label'])}”, answer “{escape(g['actual_label'])}”"
        )
        if g["next_step"]:
            out.print(f"           [green]next:[/] {escape(g['next_step'])}")
    hidden = len(doc["failing_gates"]) - len(shown)
    if hidden:
        out.print(f"  [dim]and {hidden} more at higher levels (see --format markdown or html)[/]")


def _render_waived(out: Console, doc: dict[str, Any]) -> None:
    from platformctl.maturity.report_markdown import waived_line

    if not doc["waived_gates"]:
        return
    limit = doc["gate_waivers_per_level"]
    out.print()
    out.print(f"[bold]Waived gates[/] [dim](n/a; at most {limit} per level)[/]")
    for g in doc["waived_gates"]:
        out.print(f"  {escape(waived_line(g))}")


def _render_next(out: Console, doc: dict[str, Any]) -> None:
    from platformctl.maturity.report_markdown import gain_text

    recs = doc["recommendations"][:5]
    if not recs:
        return
    out.print()
    out.print("[bold]Next steps[/] [dim](the next level's gates first, then points)[/]")
    for i, r in enumerate(recs, start=1):
        unlocks = f" [yellow]unlocks: {escape('; '.join(r['unlocks']))}[/]" if r["unlocks"] else ""
        out.print(
            f"  {i}. [green]{gain_text(r)}[/] {escape(r['text'])} [dim]({escape(r['question'])})[/]{unlocks}"
        )


def _render_profiles(out: Console, doc: dict[str, Any]) -> None:
    from platformctl.maturity.report_profiles import quick_check_text

    if doc["pemm"]:
        aspects = ", ".join(f"{a['name']} {a['level_name'] or 'n/a'}" for a in doc["pemm"])
        out.print()
        out.print(f"[bold]CNCF PEMM aspects[/] {escape(aspects)}")
    if doc["dora_quick_check"]:
        out.print(f"[bold]DORA Quick Check[/] {escape(quick_check_text(doc['dora_quick_check']))}")


def _render_footer(out: Console, doc: dict[str, Any]) -> None:
    from platformctl.maturity.report_markdown import evidence_text

    capped = [a for a in doc["answers"] if a["capped"]]
    facts = [f"{len(doc['unknown'])} unknown", f"{len(doc['not_applicable'])} n/a"]
    if capped:
        facts.append(f"capped by evidence: {', '.join(a['question'] for a in capped)}")
    out.print()
    out.print(f"[dim]{escape(' · '.join(facts))}[/]")
    out.print(f"[dim]{escape(evidence_text(doc))}[/]")
    for a in capped:
        out.print(f"  [yellow]capped[/] {escape(a['question'])}: {escape(a['evidence']['because'])}")
    for note in doc["notes"]:
        out.print(f"[yellow]note:[/] {escape(note)}")
    if doc["answers_file"]:
        out.print(f"[dim]answers: {escape(doc['answers_file'])}[/]")
    if doc["history"]["saved"]:
        out.print(f"[dim]saved to history: {escape(doc['history']['file'])}[/]")
