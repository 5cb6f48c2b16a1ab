"""The maturity model as data: its shape, and loading it with errors that name the line.

The built-in model is ``model.yaml`` next to this module (shipped inside the wheel); a
platform team passes its own with ``--model FILE``. Pydantic checks the shape; the checks in
``_semantic_errors`` check what ties the parts together (ids, gates, detectors, bands).
"""

from __future__ import annotations

import math
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from platformctl.errors import ConfigError
from platformctl.maturity.yamlpos import Lines, load_yaml_with_lines

MODEL_FORMAT = "platformctl.io/maturity/v1"
BUILTIN_SOURCE = "model.yaml (built-in)"
RESERVED_ANSWERS = ("unknown", "n/a", "na")

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]
ChoiceId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Weight = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(_Strict):
    """A maturity level and its score band [low, high)."""

    id: int = Field(ge=1)
    name: str
    summary: str
    band: tuple[Percent, Percent]


class Dimension(_Strict):
    """An area of the platform, weighted relative to the others."""

    id: Id
    name: str
    weight: Weight
    description: str = ""


class Choice(_Strict):
    """One answer to a question; ``recommendation`` is the step from it to the next choice."""

    id: ChoiceId
    label: str
    points: float = Field(ge=0, allow_inf_nan=False)
    recommendation: str | None = None


class EvidenceRule(_Strict):
    """When the detector's findings meet every condition, cap the answer or suggest one."""

    kinds_at_least: int | None = Field(None, ge=0)
    kinds_at_most: int | None = Field(None, ge=0)
    coverage_at_least: Percent | None = None
    coverage_below: Percent | None = None
    cap: ChoiceId | None = None
    suggest: ChoiceId | None = None

    def conditions(self) -> dict[str, float]:
        """The conditions that are set."""
        fields = ("kinds_at_least", "kinds_at_most", "coverage_at_least", "coverage_below")
        return {f: getattr(self, f) for f in fields if getattr(self, f) is not None}


class Question(_Strict):
    """A question with ordered choices (worst first)."""

    id: Id
    dimension: Id
    text: str
    help: str = ""
    weight: Weight = 1.0
    choices: list[Choice] = Field(min_length=2)
    detector: str | None = None
    evidence: list[EvidenceRule] = Field(default_factory=list)

    def choice(self, choice_id: str) -> Choice | None:
        """The choice with this id, if any."""
        return next((c for c in self.choices if c.id == choice_id), None)

    def index(self, choice_id: str) -> int:
        """The position of a choice (0 = worst); the choice must exist."""
        return next(i for i, c in enumerate(self.choices) if c.id == choice_id)

    @property
    def max_points(self) -> float:
        """Points of the best choice."""
        return self.choices[-1].points


class Gate(_Strict):
    """A requirement for a level: the answer to ``question`` is at least ``at_least``."""

    question: Id
    at_least: ChoiceId
    label: str


class MaturityModel(_Strict):
    """The whole model: levels, gates, dimensions, questions, caveats."""

    model: Literal["platformctl.io/maturity/v1"]
    version: str = Field(min_length=1)
    name: str
    levels: list[Level] = Field(min_length=2)
    gates: dict[int, list[Gate]] = Field(default_factory=dict)
    dimensions: list[Dimension] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    caveats: list[str] = Field(default_factory=list)

    @cached_property
    def by_id(self) -> dict[str, Question]:
        """Questions by id."""
        return {q.id: q for q in self.questions}

    def question(self, question_id: str) -> Question:
        """The question with this id (it must exist)."""
        return self.by_id[question_id]

    def dimension(self, dimension_id: str) -> Dimension:
        """The dimension with this id (it must exist)."""
        return next(d for d in self.dimensions if d.id == dimension_id)

    def level(self, level_id: int) -> Level:
        """The level with this number (it must exist)."""
        return next(lv for lv in self.levels if lv.id == level_id)

    def band_of(self, score: float) -> int:
        """The level whose band holds ``score`` (bands are half-open; the top one is closed)."""
        for level in self.levels:
            if level.band[0] <= score < level.band[1]:
                return level.id
        return self.levels[-1].id if score >= self.levels[-1].band[0] else self.levels[0].id


def load_model(path: Path | None = None) -> MaturityModel:
    """Load and validate the model at ``path``, or the built-in one.

    Raises:
        ConfigError: unreadable file, invalid YAML, wrong shape or broken references; the
            message names the file and line, e.g. ``model.yaml:42: gate ... unknown question``.
    """
    if path is None:
        from importlib.resources import files

        text, source = (files("platformctl.maturity") / "model.yaml").read_text("utf-8"), BUILTIN_SOURCE
    else:
        try:
            text, source = path.read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            raise ConfigError(f"cannot read model file {path}: {exc.strerror}",
                              hint="pass an existing file to --model, or leave it out") from None
    return parse_model(text, source)


def parse_model(text: str, source: str) -> MaturityModel:
    """Validate model YAML text; ``source`` names it in errors."""
    data, lines = load_yaml_with_lines(text, source)
    hint = "fix the model file (see docs/maturity.md), or run without --model for the built-in model"
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a maturity model must be a mapping", hint=hint)
    try:
        model = MaturityModel.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, lines), hint=hint) from None
    problems = _semantic_errors(model)
    if problems:
        path, message = problems[0]
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
        raise ConfigError(f"{lines.where(path)}: {message}{more if len(problems) > 1 else ''}", hint=hint)
    return model


def _describe(exc: ValidationError, lines: Lines) -> str:
    # A typo shows up twice (an unknown field and a missing one); the unknown one explains it.
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    loc = err["loc"]
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or "(top level)"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field"
    elif err["type"] == "missing":
        msg = "missing required field"
    count = len(exc.errors())
    extra = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
    return f"{lines.where(loc)}: {field}: {msg}{extra}"


def _semantic_errors(model: MaturityModel) -> list[tuple[tuple[str | int, ...], str]]:
    """Every broken reference or inconsistency, as (path in the YAML, message)."""
    from platformctl.maturity.detector_rules import DETECTORS

    errors: list[tuple[tuple[str | int, ...], str]] = []
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
            errors.append(((*at, "detector"), f"question '{q.id}' names unknown detector '{q.detector}' "
                           f"(known: {', '.join(sorted(DETECTORS))})"))
        errors += _choice_errors(q, at)
        errors += _rule_errors(q, at)
    used = {q.dimension for q in model.questions}
    errors += [(("dimensions", i), f"dimension '{d.id}' has no questions")
               for i, d in enumerate(model.dimensions) if d.id not in used]
    errors += _gate_errors(model)
    return errors


def _duplicates(section: str, ids: list, what: str) -> list:
    seen: set = set()
    out = []
    for i, item in enumerate(ids):
        if item in seen:
            out.append(((section, i), f"duplicate {what} id '{item}'"))
        seen.add(item)
    return out


def _level_errors(model: MaturityModel) -> list:
    out = []
    if [lv.id for lv in model.levels] != list(range(1, len(model.levels) + 1)):
        out.append((("levels",), "levels must be numbered 1, 2, 3, … in order"))
    low = 0.0
    for i, lv in enumerate(model.levels):
        if lv.band[0] != low or lv.band[1] <= lv.band[0]:
            out.append((("levels", i, "band"), f"level {lv.id} band {list(lv.band)} must start at {low:g} "
                        "and end above its start (bands cover 0-100 without gaps)"))
        low = lv.band[1]
    if not math.isclose(low, 100.0):
        out.append((("levels",), "the last level's band must end at 100"))
    return out


def _choice_errors(q: Question, at: tuple) -> list:
    out = _duplicates("", [c.id for c in q.choices], "choice")
    out = [((*at, "choices", p[1]), f"question '{q.id}': {m}") for p, m in out]
    for j, c in enumerate(q.choices):
        where = (*at, "choices", j)
        if c.id in RESERVED_ANSWERS:
            out.append((where, f"question '{q.id}': choice id '{c.id}' is reserved"))
        if j and c.points <= q.choices[j - 1].points:
            out.append((where, f"question '{q.id}': choice '{c.id}' must have more points than the one "
                        "before it (choices go from worst to best)"))
        if j < len(q.choices) - 1 and not c.recommendation:
            out.append((where, f"question '{q.id}': choice '{c.id}' needs a recommendation "
                        "(the next step from it)"))
    if q.max_points <= 0:
        out.append(((*at, "choices"), f"question '{q.id}': the best choice must have points above 0"))
    return out


def _rule_errors(q: Question, at: tuple) -> list:
    out = []
    if q.evidence and q.detector is None:
        out.append(((*at, "evidence"), f"question '{q.id}' has evidence rules but no detector"))
    for k, rule in enumerate(q.evidence):
        where = (*at, "evidence", k)
        if not rule.conditions():
            out.append((where, f"question '{q.id}': an evidence rule needs at least one condition"))
        if (rule.cap is None) == (rule.suggest is None):
            out.append((where, f"question '{q.id}': an evidence rule needs exactly one of "
                        "'cap' or 'suggest'"))
        for name in ("cap", "suggest"):
            value = getattr(rule, name)
            if value is not None and q.choice(value) is None:
                out.append(((*where, name),
                            f"question '{q.id}': evidence rule names unknown choice '{value}'"))
    return out


def _gate_errors(model: MaturityModel) -> list:
    out = []
    levels = {lv.id for lv in model.levels}
    for level_id, gates in model.gates.items():
        if level_id not in levels or level_id == model.levels[0].id:
            out.append((("gates", level_id), f"gates for level {level_id}: no such level above the first"))
        for k, gate in enumerate(gates):
            where = ("gates", level_id, k)
            question = model.by_id.get(gate.question)
            if question is None:
                out.append(((*where, "question"),
                            f"gate '{gate.label}' names unknown question '{gate.question}'"))
            elif question.choice(gate.at_least) is None:
                out.append(((*where, "at_least"),
                            f"gate '{gate.label}' names unknown choice '{gate.at_least}' "
                            f"of question '{gate.question}'"))
    return out
