"""``new service`` at the terminal: answers confirmed after questions, the placeholder warning,
and what a failure after rendering should say (the answers are settled in
:mod:`platformctl.scaffold.prepare`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.scaffold.prepare import shown_path

if TYPE_CHECKING:
    from platformctl.cli.context import AppContext
    from platformctl.scaffold.catalog import GoldenPath
    from platformctl.scaffold.create import ServiceRequest


def where_things_are(exc: Exception, request: ServiceRequest) -> Exception:
    """A failure once the service is rendered says where it is and that a re-run finishes it."""
    from platformctl.errors import ForeignRepository, PlatformctlError
    from platformctl.scaffold.rerun import existing_service

    if isinstance(exc, ForeignRepository) or existing_service(request.target, request.name) is None:
        return exc  # nothing of this run is left behind: the error stands as it is
    where = f"the service is in {shown_path(request.target)}; re-run the same command to finish it"
    if isinstance(exc, OSError):
        path = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f)
        return PlatformctlError(f"{path}: {exc.strerror}" if path else str(exc), hint=where)
    if isinstance(exc, PlatformctlError):
        exc.hint = f"{exc.hint}; {where}" if exc.hint else where
    return exc


def confirm_answers(ask: Any, gp: GoldenPath, answers: dict[str, Any], target: Path) -> None:
    """After questions were asked on the terminal: the answers, and a last chance to stop."""
    from platformctl.cli.prompting import QuestionPrompter

    if not isinstance(ask, QuestionPrompter) or not ask.asked:
        return
    from platformctl.scaffold.answers import shown_value

    secret = {q.name for q in gp.questions if q.secret}
    rows = [(k, "(secret)" if k in secret else shown_value(v)) for k, v in answers.items()]
    if not ask.confirm(f"Create {answers.get('service_name')} in {shown_path(target)} with:", rows):
        from platformctl.errors import PlatformctlError

        raise PlatformctlError(
            "not created: nothing was written", hint="run the command again to answer anew"
        )


def warn_placeholder_org(state: AppContext, org: str) -> None:
    """The golden path's organisation default is a placeholder: say once where it will land."""
    state.io.warn(
        f"no 'org' setting: the service uses the placeholder organisation {org!r} "
        f"(container image ghcr.io/{org}/…, CODEOWNERS @{org}/…, CI); set 'org' in "
        "platformctl.yaml ('platformctl config init' asks for it), or pass --set organization=ORG"
    )
