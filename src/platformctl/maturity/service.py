"""One maturity assessment from start to end: model, answers, evidence, questions, score, history.

``assess_maturity`` is the single entry point the CLI calls. Terminal work is injected:
``ask`` shows one question (None when prompting is not allowed) and ``progress`` reports steps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from platformctl.errors import InputRequired, option
from platformctl.maturity.history import DEFAULT_HISTORY
from platformctl.maturity.unanswered import settle_unanswered

if TYPE_CHECKING:
    from collections.abc import Iterable

    from platformctl.maturity.checkout import CheckoutTree
    from platformctl.maturity.delivery_evidence import Measured
    from platformctl.maturity.detectors import Evidence, RepositoryTree
    from platformctl.maturity.history import Change, History, HistoryEntry
    from platformctl.maturity.model import MaturityModel
    from platformctl.maturity.org_scan import TreeSource
    from platformctl.maturity.questionnaire.answers import AnswerSet
    from platformctl.maturity.questionnaire.flow import Ask
    from platformctl.maturity.scoring import Assessment

DEFAULT_ANSWERS = Path("maturity-answers.yaml")
DEFAULT_SCAN_CACHE = DEFAULT_HISTORY.parent / "maturity-scan-cache.json"


@dataclass(frozen=True)
class MaturityRequest:
    """What to assess and what to keep."""

    model_file: Path | None = None
    answers_file: Path | None = None
    detect_paths: tuple[Path, ...] = ()
    org: str | None = None
    delivery_file: Path | None = None  # a saved ``assess delivery`` report
    scan_cache: Path = DEFAULT_SCAN_CACHE
    allow_unknown: bool = False
    review: bool = False
    save_answers_to: Path | None = None
    history_file: Path = DEFAULT_HISTORY
    save_history: bool = False
    answered_by: str = ""
    now: dt.datetime | None = None


@dataclass
class MaturityRun:
    """The outcome: the assessment and everything around it the reports show."""

    model: MaturityModel
    assessment: Assessment
    answers: AnswerSet
    evidence: dict[str, Evidence]
    repositories: list[str]
    history: History
    current: HistoryEntry
    change: Change | None
    generated_at: str
    history_saved: bool = False
    answers_saved_to: Path | None = None
    notes: list[str] = field(default_factory=list)


def assess_maturity(
    request: MaturityRequest,
    *,
    ask: Ask | None = None,
    progress: Callable[[str], None] = lambda _: None,
    tree_source: TreeSource | None = None,
) -> MaturityRun:
    """Run one assessment; ``tree_source`` (a provider) lists ``request.org``'s repositories.

    Raises:
        InputRequired: no answers and no terminal, or missing answers without --allow-unknown.
        ConfigError / UsageError: an invalid model, answers file or --detect path.
        QuestionnaireStopped: the person quit the interactive run (answers so far are saved).
    """
    from platformctl.maturity.model import load_model
    from platformctl.maturity.scoring import assess

    if ask is None and request.answers_file is None:
        raise _no_answers()
    now = (request.now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    model = load_model(request.model_file)
    answer_set, answers_path = _initial_answers(
        request, model, interactive=ask is not None, progress=progress
    )
    notes = _version_notes(model, answer_set)
    evidence, repositories = _scan(request, tree_source, notes, progress)
    measured = _measured(request, model, notes)
    answer_set, saved_to = _interactive(request, model, answer_set, answers_path, ask, evidence, now)
    notes += [f"answer moved to a renamed choice: {m}" for m in answer_set.migrations]
    answer_set = settle_unanswered(request, model, answer_set, measured, notes)
    saved_to = _save_requested(request, answer_set, model, saved_to)
    assessment = assess(model, answer_set.answers, evidence, measured)
    history, current, change = _recorded(request, assessment, answer_set, now)
    return MaturityRun(
        model,
        assessment,
        answer_set,
        evidence,
        repositories,
        history,
        current,
        change,
        now.isoformat(),
        request.save_history,
        saved_to,
        notes,
    )


def _no_answers() -> InputRequired:
    return InputRequired(
        f"no answers to score: pass {option('answers')} FILE (YAML or JSON) when not on a terminal",
        hint="run 'platformctl assess maturity' on a terminal once to write the file, "
        "or see 'platformctl docs maturity' for its format",
    )


def _version_notes(model: MaturityModel, answer_set: AnswerSet) -> list[str]:
    if answer_set.model_version and answer_set.model_version != model.version:
        return [
            f"the answers were written for model version {answer_set.model_version}; "
            f"scored with {model.version} (run with {option('review')} to revisit them)"
        ]
    return []


def _recorded(
    request: MaturityRequest, assessment: Assessment, answer_set: AnswerSet, now: dt.datetime
) -> tuple[History, HistoryEntry, Change | None]:
    """The history read, this run's entry (appended when asked) and the change since the last."""
    from platformctl.maturity.history import append_history, change_since, entry_for, read_history

    history = read_history(request.history_file)
    current = entry_for(assessment, now.isoformat(), answer_set.scope)
    change = change_since(history.previous_for(answer_set.scope), current)
    if request.save_history:
        append_history(history, current)
    return history, current, change


def _measured(request: MaturityRequest, model: MaturityModel, notes: list[str]) -> dict[str, Measured]:
    if request.delivery_file is None:
        return {}
    from platformctl.maturity.delivery_evidence import load_delivery_report, measured_answers

    measured = measured_answers(model, load_delivery_report(request.delivery_file))
    notes.append(
        f"{len(measured)} delivery question(s) measured from {request.delivery_file}: "
        + (", ".join(measured) or "none (the report has no samples)")
    )
    return measured


def _initial_answers(
    request: MaturityRequest, model: MaturityModel, *, interactive: bool, progress: Callable[[str], None]
) -> tuple[AnswerSet, Path]:
    from platformctl.maturity.questionnaire.answers import AnswerSet, read_answers

    path = request.answers_file or DEFAULT_ANSWERS
    if request.answers_file is None and not path.exists():
        return AnswerSet(), path
    if interactive and not path.exists():
        return AnswerSet(source=str(path)), path  # a new file, written as questions are answered
    answer_set = read_answers(path, model)
    if interactive:
        done = len(model.questions) - len(answer_set.missing(model))
        progress(f"resuming from {path} ({done}/{len(model.questions)} answered)")
    return answer_set, path


def _scan(
    request: MaturityRequest, source: TreeSource | None, notes: list[str], progress: Callable[[str], None]
) -> tuple[dict[str, Evidence], list[str]]:
    from platformctl.maturity.checkout import checkout_trees
    from platformctl.maturity.detectors import detect_all

    trees: list[RepositoryTree] = _real_repositories(checkout_trees(list(request.detect_paths)), notes)
    if request.org and source is not None:
        from platformctl.maturity.org_scan import scan_org

        scan = scan_org(source, request.org, request.scan_cache, progress=progress)
        trees += scan.trees
        notes.append(
            f"{len(scan.trees)} repositories of {request.org} listed "
            f"({scan.fetched} fetched, {scan.reused} unchanged since the last scan; "
            "detectors that need file contents only see checkouts)"
        )
        if scan.truncated:
            notes.append(f"listing truncated by the host for: {', '.join(scan.truncated)}")
    if not trees:
        if request.detect_paths or request.org:
            notes.append("no repository scanned: no evidence, so no answer is capped or corroborated")
        return {}, []
    per_tree = progress if request.detect_paths and not request.org else None  # 500 lines help nobody
    return detect_all(trees, progress=per_tree), [t.name for t in trees]


def _real_repositories(trees: Iterable[CheckoutTree], notes: list[str]) -> list[RepositoryTree]:
    """Only git work trees with at least one file count: an empty or plain folder is no evidence."""
    real: list[RepositoryTree] = []
    for tree in trees:
        if (tree.root / ".git").exists() and tree.paths():
            real.append(tree)
        else:
            notes.append(
                f"{option('detect')} {tree.name}: not a git repository with files; not counted as evidence"
            )
    return real


def _interactive(
    request: MaturityRequest,
    model: MaturityModel,
    answer_set: AnswerSet,
    path: Path,
    ask: Ask | None,
    evidence: dict[str, Evidence],
    now: dt.datetime,
) -> tuple[AnswerSet, Path | None]:
    """Ask what is missing (everything with ``review``) on a terminal; the answers and where saved."""
    if ask is None or not (answer_set.missing(model) or request.review):
        return answer_set, None
    from platformctl.maturity.questionnaire.flow import QuestionnaireStopped, run_questionnaire

    target = request.save_answers_to or path
    try:
        answer_set = run_questionnaire(
            model,
            answer_set,
            ask,
            evidence=evidence,
            review=request.review,
            answered_by=request.answered_by,
            answered_at=now.date().isoformat(),
            on_change=lambda answers: _save(target, answers, model),
        )
    except QuestionnaireStopped as exc:
        if not target.exists():
            raise
        raise QuestionnaireStopped(
            f"{exc.message}; the answers so far are saved in {target}",
            hint="resume with: platformctl assess maturity "
            f"{option('answers', command='assess maturity')} {target}",
        ) from None
    _save(target, answer_set, model)
    return answer_set, target


def _save_requested(
    request: MaturityRequest, answer_set: AnswerSet, model: MaturityModel, saved_to: Path | None
) -> Path | None:
    """Where the answers are saved: where the questionnaire saved them, else the file asked for."""
    if request.save_answers_to is not None and saved_to is None:
        _save(request.save_answers_to, answer_set, model)
        return request.save_answers_to
    return saved_to


def _save(path: Path, answer_set: AnswerSet, model: MaturityModel) -> None:
    from platformctl.maturity.questionnaire.answers import save_answers

    save_answers(path, answer_set, model)
