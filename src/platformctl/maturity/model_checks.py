"""Checks of what ties a maturity model together, beyond the shape pydantic checks.

Unique ids, questions naming real dimensions and detectors, choices ascending with a next step,
evidence rules naming real choices, gates naming real questions and choices, and bands that
cover 0-100. Each problem is (path in the YAML document, message), so the caller can name the line.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from platformctl.maturity.model import MaturityModel, Question

RESERVED_ANSWERS = ("unknown", "n/a", "na")
Problem = tuple[tuple[str | int, ...], str]


def semantic_errors(model: MaturityModel) -> list[Problem]:
    """Every broken reference or inconsistency, as (path in the YAML, message)."""
    from platformctl.maturity.detector_rules import DETECTORS

    errors: list[Problem] = []
    errors += _duplicates("levels", [lv.id for lv in model.levels], "level")
    errors += _duplicates("dimensions", [d.id for d in model.dimensions], "dimension")
    errors += _duplicates("questions", [q.id for q in model.questions], "question")
    errors += _level_errors(model)
    dims = {d.id for d in model.dimensions}
    for i, q in enumerate(model.questions):
        at = ("questions", i)
        if q.dimension not in dims:
            errors.append(((*at, "dimension"), f"question '{q.id}' names unknown dimension '{q.dimension}'"))
        if q.detector is not None and q.detector not in DETECTORS:
            errors.append(
                (
                    (*at, "detector"),
                    f"question '{q.id}' names unknown detector '{q.detector}' "
                    f"(known: {', '.join(sorted(DETECTORS))})",
                )
            )
        errors += _choice_errors(q, at)
        errors += _rule_errors(q, at)
    used = {q.dimension for q in model.questions}
    errors += [
        (("dimensions", i), f"dimension '{d.id}' has no questions")
        for i, d in enumerate(model.dimensions)
        if d.id not in used
    ]
    errors += _gate_errors(model)
    errors += _profile_errors(model)
    return errors


def _profile_errors(model: MaturityModel) -> list[Problem]:
    out: list[Problem] = []
    dims = {d.id for d in model.dimensions}
    out += [
        (("pillars", i), f"pillar '{p}' is not a dimension")
        for i, p in enumerate(model.pillars)
        if p not in dims
    ]
    for i, aspect in enumerate(model.aspects):
        for j, qid in enumerate(aspect.questions):
            if qid not in model.by_id:
                out.append(
                    (("aspects", i, "questions", j), f"aspect '{aspect.id}' names unknown question '{qid}'")
                )
    if model.aspects and len(model.aspect_levels) != len(model.levels):
        out.append((("aspect_levels",), f"aspect_levels needs one name per level ({len(model.levels)})"))
    for i, q in enumerate(model.questions):
        ids = {c.id for c in q.choices}
        for j, c in enumerate(q.choices):
            if set(c.replaces) & ids:
                out.append(
                    (
                        ("questions", i, "choices", j, "replaces"),
                        f"question '{q.id}': 'replaces' names a current choice",
                    )
                )
        if q.quick_check == "rate" and any(c.range is None for c in q.choices):
            out.append(
                (("questions", i), f"question '{q.id}': a rate metric needs a 'range' on every choice")
            )
    return out


def _duplicates(section: str, ids: Sequence[str | int], what: str) -> list[Problem]:
    seen: set[str | int] = set()
    out: list[Problem] = []
    for i, item in enumerate(ids):
        if item in seen:
            out.append(((section, i), f"duplicate {what} id '{item}'"))
        seen.add(item)
    return out


def _level_errors(model: MaturityModel) -> list[Problem]:
    out: list[Problem] = []
    if [lv.id for lv in model.levels] != list(range(1, len(model.levels) + 1)):
        out.append((("levels",), "levels must be numbered 1, 2, 3, … in order"))
    low = 0.0
    for i, lv in enumerate(model.levels):
        if lv.band[0] != low or lv.band[1] <= lv.band[0]:
            out.append(
                (
                    ("levels", i, "band"),
                    f"level {lv.id} band {list(lv.band)} must start at {low:g} "
                    "and end above its start (bands cover 0-100 without gaps)",
                )
            )
        low = lv.band[1]
    if not math.isclose(low, 100.0):
        out.append((("levels",), "the last level's band must end at 100"))
    return out


def _choice_errors(q: Question, at: tuple[str | int, ...]) -> list[Problem]:
    out = _duplicates("", [c.id for c in q.choices], "choice")
    out = [((*at, "choices", p[1]), f"question '{q.id}': {m}") for p, m in out]
    for j, c in enumerate(q.choices):
        where = (*at, "choices", j)
        if c.id in RESERVED_ANSWERS:
            out.append((where, f"question '{q.id}': choice id '{c.id}' is reserved"))
        if j and c.points <= q.choices[j - 1].points:
            out.append(
                (
                    where,
                    f"question '{q.id}': choice '{c.id}' must have more points than the one "
                    "before it (choices go from worst to best)",
                )
            )
        if j < len(q.choices) - 1 and not c.recommendation:
            out.append(
                (where, f"question '{q.id}': choice '{c.id}' needs a recommendation (the next step from it)")
            )
    if q.max_points <= 0:
        out.append(((*at, "choices"), f"question '{q.id}': the best choice must have points above 0"))
    return out


def _rule_errors(q: Question, at: tuple[str | int, ...]) -> list[Problem]:
    out: list[Problem] = []
    if q.evidence and q.detector is None:
        out.append(((*at, "evidence"), f"question '{q.id}' has evidence rules but no detector"))
    for k, rule in enumerate(q.evidence):
        where = (*at, "evidence", k)
        if not rule.conditions():
            out.append((where, f"question '{q.id}': an evidence rule needs at least one condition"))
        if (rule.cap is None) == (rule.suggest is None):
            out.append(
                (where, f"question '{q.id}': an evidence rule needs exactly one of 'cap' or 'suggest'")
            )
        for name in ("cap", "suggest"):
            value = getattr(rule, name)
            if value is not None and q.choice(value) is None:
                out.append(
                    ((*where, name), f"question '{q.id}': evidence rule names unknown choice '{value}'")
                )
    return out


def _gate_errors(model: MaturityModel) -> list[Problem]:
    out: list[Problem] = []
    levels = {lv.id for lv in model.levels}
    for level_id, gates in model.gates.items():
        if level_id not in levels or level_id == model.levels[0].id:
            out.append((("gates", level_id), f"gates for level {level_id}: no such level above the first"))
        for k, gate in enumerate(gates):
            where = ("gates", level_id, k)
            question = model.by_id.get(gate.question)
            if question is None:
                out.append(
                    ((*where, "question"), f"gate '{gate.label}' names unknown question '{gate.question}'")
                )
            elif question.choice(gate.at_least) is None:
                out.append(
                    (
                        (*where, "at_least"),
                        f"gate '{gate.label}' names unknown choice '{gate.at_least}' "
                        f"of question '{gate.question}'",
                    )
                )
    return out
