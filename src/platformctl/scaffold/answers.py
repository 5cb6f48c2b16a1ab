"""Answers to a golden path's questions: parsing, coercion, validation, defaults, prompting.

Validation runs before anything is rendered, with the golden path's own copier validators
(Jinja expressions evaluated in a sandbox), so a bad answer is exit 2 and nothing is written.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import InputRequired, TemplateError, UsageError, option

if TYPE_CHECKING:
    from platformctl.scaffold.catalog import GoldenPath, Question

SERVICE_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
# Asks one question; returns the raw text typed (or BACK). ``error`` is the previous attempt's
# problem; ``position`` is (this question's number, how many will be asked).
Asker = Callable[["Question", Any, "str | None", "tuple[int, int]"], str]
# What an Asker returns to go back to the previous question.
BACK = "\x00back"


def validate_service_name(name: str) -> None:
    """Raise UsageError unless ``name`` is a lower-case DNS label of at most 63 characters."""
    from platformctl.names import check_name

    check_name("service", name)


def shown_value(value: Any, limit: int = 80) -> str:
    """``repr(value)`` for an error message, cut short: a 10 MB answer must not become a 10 MB line."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}… ({len(text)} characters)"


def parse_set_options(items: Iterable[str]) -> dict[str, str]:
    """Turn repeated ``--set KEY=VALUE`` into a mapping."""
    answers: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(
                f"{option('set')} expects KEY=VALUE, got {shown_value(item)}",
                hint=f"for example: {option('set')} port=8080",
            )
        answers[key.strip()] = value
    return answers


def read_answers_file(path: Path) -> dict[str, Any]:
    """Read answers from a YAML or JSON mapping file."""
    from platformctl.yamlfiles import load_yaml_file

    if not path.exists():  # a wrong path, not a syntax problem: the hint must not talk about YAML
        raise UsageError(
            f"answers file {path} does not exist",
            hint=f"check the path given to {option('answers_file')} "
            "(relative paths start in the current folder)",
        )
    data = load_yaml_file(
        path,
        what="answers file",
        error=UsageError,
        hint="write one 'question: answer' per line (YAML), or a JSON object",
    )
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise UsageError(f"answers file {path} must be a mapping of question names to answers")
    return data


def resolve_answers(
    golden_path: GoldenPath,
    given: Mapping[str, Any],
    *,
    ask: Asker | None = None,
    origin: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Answer every question: given answers first, then the terminal (``ask``), then defaults.

    Args:
        golden_path: the golden path whose questions to answer.
        given: answers from flags and files (values may be strings to coerce).
        ask: prompts for one answer; None when prompting is not allowed.
        origin: for error messages, where each given answer came from (e.g. ``--set port``).

    Raises:
        UsageError: an answer is unknown, of the wrong type or rejected by a validator.
        InputRequired: a question has no answer and no default, and ``ask`` is None.
    """
    origin = origin or {}
    known = {q.name: q for q in golden_path.questions}
    for key in given:
        if key not in known:
            settable = [q.name for q in golden_path.questions if q.asked and q.name != "service_name"]
            raise UsageError(
                f"{golden_path.name} has no question {shown_value(key)}",
                hint=f"the questions you can answer are: {', '.join(settable)}",
            )
        if not known[key].asked:
            raise UsageError(f"{key!r} is derived from other answers and cannot be set")
    from platformctl.scaffold.asking import answer_in_order

    answers, missing = answer_in_order(golden_path, given, ask, origin)
    if missing:
        raise InputRequired(
            f"no answer for {', '.join(missing)} and prompting is off",
            hint=_missing_hint(golden_path, missing),
        )
    _remember_secrets(golden_path, answers)
    return answers


def recorded_answers(golden_path: GoldenPath, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers that may be written down or shown: those of secret questions left out.

    As in copier's own answers file, a secret answer is never recorded; an update asks for it
    again (or takes its default).
    """
    secret = {q.name for q in golden_path.questions if q.secret}
    return {key: value for key, value in answers.items() if key not in secret}


def _remember_secrets(golden_path: GoldenPath, answers: Mapping[str, Any]) -> None:
    """Blank secret answers from every later error message and log line."""
    from platformctl.redact import remember_secret

    for question in golden_path.questions:
        if question.secret and answers.get(question.name) not in (None, ""):
            remember_secret(str(answers[question.name]))


def _missing_hint(golden_path: GoldenPath, missing: list[str]) -> str:
    secret = [name for name in missing if (q := golden_path.question(name)) is not None and q.secret]
    flags = " ".join(f"{option('set')} {name}=VALUE" for name in missing if name not in secret)
    if not secret:
        return f"pass {flags}"
    # Never suggest a secret on the command line: every user of the machine can read argv.
    where = f"put {', '.join(secret)} in an {option('answers_file')} (mode 0600)"
    return f"pass {flags} and {where}" if flags else where


def render_default(question: Question, answers: Mapping[str, Any]) -> Any:
    """A question's default, with Jinja expressions rendered against earlier answers."""
    default = question.default
    if isinstance(default, str) and "{" in default:
        rendered = render_expression(default, answers)
        return default if rendered is None else rendered
    return default


def check_answer(
    question: Question, raw: Any, answers: Mapping[str, Any], where: str, *, validate: bool = True
) -> Any:
    """Coerce one answer to its question's type and check its choices and (``validate``) validator."""
    value = coerce_answer(question, raw, where)
    given = "the secret value" if question.secret else shown_value(value)  # a secret is never echoed
    allowed = question.choice_values()
    if allowed is not None and value not in allowed:
        shown = ", ".join(str(a) for a in allowed)
        raise UsageError(f"{where}: {given} is not one of {shown}", hint=f"choose one of: {shown}")
    if validate and question.validator:
        message = render_expression(question.validator, {**answers, question.name: value})
        if message and message.strip():
            raise UsageError(
                f"{where}: {given} is invalid: {' '.join(message.split())}", hint=question.help or None
            )
    return value


_KIND_NAMES = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "json": "JSON",
    "yaml": "YAML",
    "str": "text",
}
_BOOLS = {
    "true": True,
    "yes": True,
    "y": True,
    "1": True,
    "on": True,
    "false": False,
    "no": False,
    "n": False,
    "0": False,
    "off": False,
}


def coerce_answer(question: Question, raw: Any, where: str) -> Any:
    """``raw`` as the question's type: values from YAML files arrive typed, from flags as text.

    Raises:
        UsageError: ``raw`` is not of that type (``where`` names its origin).
    """
    kind = question.type
    try:
        return _coerce_text(kind, raw.strip()) if isinstance(raw, str) else _coerce_native(kind, raw)
    except (ValueError, TypeError):
        given = "something else" if question.secret else shown_value(raw)
        raise UsageError(f"{where}: expected {_KIND_NAMES.get(kind, kind)}, got {given}") from None


def _coerce_native(kind: str, raw: Any) -> Any:
    number = isinstance(raw, int | float) and not isinstance(raw, bool)
    if kind in ("yaml", "json"):
        return raw
    if kind == "int" and number and float(raw).is_integer():
        return int(raw)
    if kind == "float" and number:
        return float(raw)
    if kind == "str" and number:
        return str(raw)
    if kind == "bool" and isinstance(raw, bool):
        return raw
    raise TypeError(kind)


def _coerce_text(kind: str, text: str) -> Any:
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "bool":
        return _BOOLS[text.lower()] if text.lower() in _BOOLS else _fail(text)
    if kind == "json":
        return json.loads(text)
    if kind == "yaml":
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(text) from exc
    return text


def _fail(text: str) -> Any:
    raise ValueError(text)


def render_expression(source: str, context: Mapping[str, Any]) -> str | None:
    """Render a golden path's Jinja expression (a default, a validator, a ``when:``) in a sandbox.

    Returns None when it needs something we lack (copier then decides).

    Raises:
        TemplateError: the expression is broken.
    """
    import jinja2

    try:
        rendered: str = _compiled(source).render(**context)
        return rendered
    except jinja2.UndefinedError:
        return None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"cannot evaluate the golden path expression {source!r}: {exc}") from None


@functools.lru_cache(maxsize=512)
def _compiled(source: str) -> Any:
    """The compiled template of ``source``: the same expressions are rendered again and again
    (every ``when:`` at every prompt, to count the questions left), and their compiled code
    is remembered under the platform home (see :mod:`platformctl.scaffold.jinja_cache`)."""
    from platformctl.scaffold.jinja_cache import from_string

    return from_string(_sandbox(), source)


def template_variables(source: str) -> set[str]:
    """The names a Jinja template reads from its context (empty when it does not parse)."""
    import jinja2
    from jinja2 import meta

    try:
        return set(meta.find_undeclared_variables(_sandbox().parse(source)))
    except jinja2.TemplateSyntaxError:
        return set()


@functools.cache
def _sandbox() -> Any:
    """One sandboxed environment per process: building it (and its filters) is the costly part.

    ``expandvars`` sees only the variables an untrusted render sees: a default must not turn
    into a token that is then recorded in platform.yaml.
    """
    import os

    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from platformctl.scaffold.render import visible_environment

    env = SandboxedEnvironment(extensions=_extensions(), undefined=jinja2.StrictUndefined)
    if "expandvars" in env.filters:
        env.filters["expandvars"] = lambda text: _expand(str(text), visible_environment(os.environ))
    return env


def _expand(text: str, variables: Mapping[str, str]) -> str:
    """``$NAME`` and ``${NAME}`` from ``variables``; others are left as written (as os.path does)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return variables.get(name, match.group(0))

    return re.sub(r"\$(?:(\w+)|\{([^}]*)\})", value, text)


def _extensions() -> list[str]:
    try:
        import jinja2_ansible_filters  # noqa: F401  (copier's own filters: regex_search, ...)
    except ImportError:  # pragma: no cover - copier depends on it
        return []
    return ["jinja2_ansible_filters.AnsibleCoreFiltersExtension"]
