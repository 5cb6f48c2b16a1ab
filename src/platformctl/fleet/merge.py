"""One service's update in a temporary clone: exactly ``update service``'s merge, then a commit.

The clone lives under ``<home>/tmp`` and is removed afterwards (or by the next run, when this
one was killed). Commits get the date of the default branch's head, so the same merge of the
same golden path gives the same commit again: a resumed campaign recognises the branch it
pushed before it was interrupted.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platformctl.config import Settings
    from platformctl.contracts.change_requests import ChangeRequestHost, ForgeRepository
    from platformctl.fleet.journal import Campaign

CHECK_TIMEOUT = 30 * 60
OUTPUT_TAIL = 20


@dataclass
class MergeOutcome:
    """What merging the campaign's version into one service gave."""

    head: str
    from_version: str
    files: dict[str, list[str]]
    conflicts: list[str] = field(default_factory=list)
    check_failed: str | None = None  # the tail of the check command's output, when it failed


def merge_in_clone(
    host: ChangeRequestHost,
    repo: ForgeRepository,
    settings: Settings,
    campaign: Campaign,
    *,
    check: str | None = None,
) -> tuple[MergeOutcome, Path, contextlib.ExitStack]:
    """Clone ``repo``, merge the campaign's version, commit; the branch is ``campaign.branch``.

    Returns the outcome, the checkout and the stack that removes it (the caller pushes first).
    """
    from platformctl.scratch import scratch_dir

    stack = contextlib.ExitStack()
    try:
        # <home>/tmp: a run killed mid-service leaves its clone, and the next run removes it.
        tmp = stack.enter_context(scratch_dir(settings.home, "fleet-update"))
        checkout = tmp / repo.name
        shallow_clone(host, repo, checkout)
        outcome = _merge(checkout, settings, campaign)
        if check:
            outcome.check_failed = run_check(check, checkout)
    except BaseException:
        stack.close()
        raise
    return outcome, checkout, stack


def shallow_clone(host: ChangeRequestHost, repo: ForgeRepository, checkout: Path) -> None:
    """Clone one commit deep, then deepen only as far as the recorded pristine commit.

    The merge needs the pristine render and the history from it to the head (their merge
    base is the pristine commit itself), nothing older: a service with years of history is
    fetched as a few commits. Each deepening doubles the depth, so a pristine commit N
    commits back costs about log2(N) fetches. A descriptor that cannot be read, or a
    pristine commit that is not in the history at all, is left to ``update service``'s own
    error (after the whole history, in the second case).
    """
    from platformctl.errors import PlatformctlError
    from platformctl.scaffold.descriptor import read_descriptor

    host.clone(repo, checkout, depth=1)
    try:
        pristine = read_descriptor(checkout).golden_path.pristine_commit
    except PlatformctlError:
        return
    step = 8
    while not _has_commit(checkout, pristine) and _is_shallow(checkout):
        host.deepen(repo, checkout, step)
        step *= 2


def _has_commit(checkout: Path, sha: str) -> bool:
    from platformctl.gitsafe import run_git

    return run_git(["cat-file", "-e", f"{sha}^{{commit}}"], cwd=checkout).returncode == 0


def _is_shallow(checkout: Path) -> bool:
    return _git(checkout, "rev-parse", "--is-shallow-repository") == "true"


def _merge(checkout: Path, settings: Settings, campaign: Campaign) -> MergeOutcome:
    import git

    from platformctl.scaffold.gitwork import identity_env
    from platformctl.scaffold.lifecycle import update_service

    identity = identity_env(git.Repo(checkout))
    with _commit_date(checkout):
        result = update_service(checkout, settings, to=campaign.version, sets={}, ask=None)
        if result.conflicts:
            # Conflicts are committed with their markers: the draft pull request shows them.
            listed = "".join(f"\n- {name}" for name in result.conflicts)
            _git(checkout, "add", "--all")
            _git(
                checkout,
                "-c",
                f"user.name={identity['GIT_AUTHOR_NAME']}",
                "-c",
                f"user.email={identity['GIT_AUTHOR_EMAIL']}",
                "commit",
                "--no-verify",
                "--quiet",
                "-m",
                f"Update golden path {campaign.golden_path} from {result.from_version} to "
                f"{campaign.version} (conflicts)\n\nCommitted with conflict markers in:{listed}",
            )
    _git(checkout, "branch", "-M", campaign.branch)
    head = _git(checkout, "rev-parse", "HEAD")
    return MergeOutcome(head, result.from_version, result.files, list(result.conflicts))


@contextlib.contextmanager
def _commit_date(checkout: Path) -> Iterator[None]:
    """Every commit made inside gets the default branch head's date (deterministic commits).

    The update's git commands read the process environment, so it is set here and restored;
    campaigns write one service at a time, never from threads.
    """
    stamp = _git(checkout, "log", "-1", "--format=%ct")
    saved = {k: os.environ.get(k) for k in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE")}
    os.environ.update({k: f"{stamp} +0000" for k in saved})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def check_argv(command: str) -> list[str]:
    """The check command split like a shell would, without a shell (no pipes, no ``&&``).

    Raises:
        UsageError: unbalanced quotes or an empty command.
    """
    import shlex

    from platformctl.errors import UsageError, option

    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise UsageError(
            f"invalid {option('check')} {command!r}: {exc}", hint=f'for example {option("check")} "make test"'
        ) from None
    if not argv:
        raise UsageError(
            f"{option('check')} needs a command", hint=f'for example {option("check")} "make test"'
        )
    return argv


def run_check(command: str, checkout: Path) -> str | None:
    """Run the service's check command in the checkout; None when it passed, else its output's tail.

    The command is the user's own (a flag), run without a shell (``sh -c '…'`` if one is
    wanted); it runs the service's code, so no token is passed on.
    """
    from platformctl.credentials import is_credential_variable

    env = {k: v for k, v in os.environ.items() if not is_credential_variable(k)}
    try:
        proc = subprocess.run(
            check_argv(command),
            cwd=checkout,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=CHECK_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"timed out after {CHECK_TIMEOUT} s"
    except OSError as exc:
        return f"cannot run {command!r}: {exc.strerror}"
    if proc.returncode == 0:
        return None
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-OUTPUT_TAIL:]
    return "\n".join([f"exit {proc.returncode}", *tail])


def _git(checkout: Path, *args: str) -> str:
    from platformctl.errors import PlatformctlError

    proc = subprocess.run(
        ["git", "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", *args],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        raise PlatformctlError(f"git {args[0]} failed in the update checkout: {proc.stderr.strip()}")
    return proc.stdout.strip()
