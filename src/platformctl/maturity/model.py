"""The maturity model as data: its shape, and loading it with errors that name the line.

The built-in model is ``model.yaml`` next to this module (shipped inside the wheel); a
platform team passes its own with ``--model FILE``. Pydantic checks the shape; the checks in
``model_checks`` check what ties the parts together (ids, gates, detectors, bands).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from platformctl.errors import ConfigError, option
from platformctl.maturity.yamlpos import Lines, load_yaml_with_lines

MODEL_FORMAT = "platformctl.io/maturity/v1"
BUILTIN_SOURCE = "model.yaml (built-in)"

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
    range: tuple[Percent, Percent] | None = None  # a rate bucket (DORA Quick Check), in percent
    cluster: Literal["elite", "high", "medium", "low"] | None = None  # DORA 2024 cluster, context only
    replaces: list[ChoiceId] = Field(default_factory=list)  # ids older model versions used


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
    since: str = ""  # the model version that added it ("" = the first)
    quick_check: Literal["categorical", "rate"] | None = None  # a DORA Quick Check metric

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


class Aspect(_Strict):
    """A CNCF platform-engineering-maturity aspect, scored from the questions it names."""

    id: Id
    name: str
    questions: list[Id] = Field(min_length=1)


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
    pillars: list[Id] = Field(default_factory=list)  # dimensions shown as the IDP pillars profile
    aspects: list[Aspect] = Field(default_factory=list)
    aspect_levels: list[str] = Field(default_factory=list)  # one name per level, for aspects
    # At most this many gates of one level may be waived by n/a answers (see gates.py).
    gate_waivers_per_level: int = Field(1, ge=0)
    # Evidence rules on coverage need this many scanned repositories (see 'platformctl docs maturity').
    evidence_min_repositories: int = Field(3, ge=1)

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

    def band_of(self, score: float | Decimal | Fraction) -> int:
        """The level whose band holds ``score`` (bands are half-open; the top one is closed).

        Compared exactly: pass the rounded score, as reports show it.
        """
        from platformctl.maturity.exact import exact

        value = Fraction(score) if isinstance(score, Decimal) else exact(score)
        for level in self.levels:
            if exact(level.band[0]) <= value < exact(level.band[1]):
                return level.id
        return self.levels[-1].id if value >= exact(self.levels[-1].band[0]) else self.levels[0].id


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
        from platformctl.files import read_text
        from platformctl.yamlfiles import MODEL_MAX_BYTES

        text = read_text(
            path,
            what="model file",
            error=ConfigError,
            hint=f"pass an existing file to {option('model')}, or leave it out",
            max_bytes=MODEL_MAX_BYTES,
        )
        source = str(path)
    return parse_model(text, source)


def parse_model(text: str, source: str) -> MaturityModel:
    """Validate model YAML text; ``source`` names it in errors."""
    data, lines = load_yaml_with_lines(text, source)
    hint = (
        "fix the model file (see 'platformctl docs maturity'), "
        f"or run without {option('model')} for the built-in model"
    )
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a maturity model must be a mapping", hint=hint)
    try:
        model = MaturityModel.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, lines), hint=hint) from None
    from platformctl.maturity.model_checks import semantic_errors

    problems = semantic_errors(model)
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
