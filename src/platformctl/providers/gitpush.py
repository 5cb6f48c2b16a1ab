"""Push a service's branch to a remote host over HTTPS, the token supplied per command.

The token reaches git as an ``Authorization`` header through git's own environment
configuration (``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n``, git ≥ 2.31),
scoped to the host's URL, the way ``actions/checkout`` scopes its ``extraheader``. So it is in
no file (``.git/config`` keeps the plain clone URL), not in argv (which every user of the
machine can read), and git never prints it. Credential helpers are switched off for these
commands so a stale stored password is never tried instead, and git never prompts.
"""

from __future__ import annotations

import base64
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from platformctl.contracts.repositories import RepositorySpec, StepResult
from platformctl.errors import AuthError, ForeignRepository, ProviderError
from platformctl.logsetup import logger
from platformctl.providers.http import Clock, RetryPolicy, SystemClock
from platformctl.providers.tokens import Token
from platformctl.redact import redact

log = logger("platformctl.git")  # the CLI's handler, configured once a logger is asked for
_TRANSIENT = re.compile(
    r"RPC failed; (HTTP 5\d\d|curl (18|52|55|56|92))|connection (was )?reset|remote end hung up|early EOF|"
    r"returned error: 5\d\d|"
    r"Failed to connect|Could not resolve host|timed out|Empty reply|transfer closed|Recv failure|"
    r"unexpected disconnect|SSL_ERROR",
    re.IGNORECASE,
)
_CLIENT_ERROR = re.compile(r"(RPC failed; HTTP|returned error:) 4\d\d")  # refused: retrying will not help
_AUTH = re.compile(
    r"Authentication failed|returned error: 40[13]|could not read Username|"
    r"Access denied|Permission to .+ denied|Invalid username or password",
    re.IGNORECASE,
)
_MISSING = re.compile(
    r"Repository not found|repository '.+' not found|returned error: 404|"
    r"does not appear to be a git repository",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class GitCredentials:
    """Who git says it is over HTTPS: GitHub takes ``x-access-token``, GitLab ``oauth2``."""

    username: str
    token: Token | None
    permission: str  # what a push needs, for the error message: "contents: write"


class GitRemote:
    """``git ls-remote`` and ``git push`` with per-command credentials and bounded retries."""

    def __init__(
        self,
        label: str,
        credentials: GitCredentials,
        policy: RetryPolicy | None = None,
        clock: Clock | None = None,
        token_hint: str = "",
    ) -> None:
        self.label = label
        self.credentials = credentials
        self.policy = policy or RetryPolicy()
        self.clock: Clock = clock or SystemClock()
        self.token_hint = token_hint

    def environment(self, url: str) -> dict[str, str]:
        """The process environment for git talking to ``url``: header scoped to its origin,
        hooks and fsmonitor off (gitsafe)."""
        from platformctl.gitsafe import git_env

        entries = [("credential.helper", "")]
        if self.credentials.token is not None:
            parts = urlsplit(url)
            pair = f"{self.credentials.username}:{self.credentials.token.reveal()}".encode()
            entries.append(
                (
                    f"http.{parts.scheme}://{parts.netloc}/.extraHeader",
                    "Authorization: Basic " + base64.b64encode(pair).decode(),
                )
            )
        env = git_env(extra=entries)
        env.update({"GCM_INTERACTIVE": "never", "GIT_ASKPASS": "", "SSH_ASKPASS": ""})
        return env

    def remote_head(self, url: str, branch: str, *, just_created: bool = False) -> str | None:
        """The commit ``branch`` points to at the host, or None if the branch does not exist."""
        out = self._git(
            ["ls-remote", "--heads", url, f"refs/heads/{branch}"],
            url,
            f"read {branch} of {url}",
            just_created=just_created,
        )
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            if ref == f"refs/heads/{branch}":
                return sha
        return None

    def push(self, workdir: Path, url: str, branch: str, *, just_created: bool = False) -> None:
        """Push ``branch`` to ``url`` (fast-forward only) after pointing ``origin`` at it."""
        _ensure_origin(workdir, url)
        refspec = f"refs/heads/{branch}:refs/heads/{branch}"
        self._git(
            ["-C", str(workdir), "push", "--porcelain", "origin", refspec],
            url,
            f"push {branch} to {url}",
            just_created=just_created,
        )

    def _git(self, args: list[str], url: str, action: str, *, just_created: bool) -> str:
        attempt = 0
        while True:
            attempt += 1
            log.debug("git %s", " ".join(args))
            proc = subprocess.run(
                ["git", *args],
                capture_output=True,
                text=True,
                check=False,
                stdin=subprocess.DEVNULL,
                env=self.environment(url),
                timeout=900,
            )
            if proc.returncode == 0:
                return proc.stdout
            detail = _last_lines(redact(proc.stderr))
            missing = just_created and _MISSING.search(proc.stderr)  # not visible yet after our create
            refused = _CLIENT_ERROR.search(proc.stderr)
            transient = bool(missing or (not refused and _TRANSIENT.search(proc.stderr)))
            if transient and attempt < self.policy.max_attempts:
                ceiling = min(self.policy.backoff_cap, self.policy.backoff * 2 ** (attempt - 1))
                delay = ceiling / 2 + self.clock.random() * ceiling / 2
                log.warning(
                    "git could not %s (%s); retrying in %.1f s (attempt %d of %d)",
                    action,
                    detail,
                    delay,
                    attempt + 1,
                    self.policy.max_attempts,
                )
                self.clock.sleep(delay)
                continue
            raise self._failure(action, detail, proc.stderr)

    def _failure(self, action: str, detail: str, stderr: str) -> Exception:
        if _AUTH.search(stderr):
            lacking = self.credentials.permission
            return AuthError(
                f"{self.label} refused to {action}: the token lacks {lacking} ({detail})",
                hint=f"grant the token {lacking}" if self.credentials.token else self.token_hint,
            )
        return ProviderError(
            f"git could not {action}: {detail}",
            provider=self.label.lower(),
            hint="re-run the same command: it resumes where it stopped",
        )


def remote_branch_head(remote: GitRemote, url: str, branch: str, *, origin: str) -> str | None:
    """The commit ``branch`` points to at ``url``, read only when ``url`` is on ``origin``
    (the token never goes elsewhere; an off-host URL reads as unknown, and ``publish`` refuses it)."""
    if _origin(url) is None or _origin(url) != _origin(origin):
        return None
    return remote.remote_head(url, branch)


def publish(
    remote: GitRemote,
    spec: RepositorySpec,
    workdir: Path,
    branch: str,
    url: str,
    *,
    known_empty: bool,
    origin: str,
) -> StepResult:
    """Push ``branch`` unless the host has that commit; refuse a branch with other history.

    ``url`` is the clone URL the host's API reported; the token goes along only if it is on
    ``origin`` (the configured web URL). ``known_empty`` skips the read when this very run
    created the repository.
    """
    if _origin(url) is None or _origin(url) != _origin(origin):
        raise ProviderError(
            f"{remote.label} reported the clone URL {url} for {spec.slug}, which is not on {origin}: "
            "the token is not sent there",
            provider=remote.label.lower(),
            hint="check the API URL setting: it must name the same host as the clone URLs",
        )
    head = _git_out(workdir, "rev-parse", f"refs/heads/{branch}")
    remote_head = None if known_empty else remote.remote_head(url, branch)
    if remote_head == head:
        return StepResult("push", changed=False, detail=f"{branch} at {head[:12]}")
    if remote_head is not None and not _is_ancestor(workdir, remote_head, head):
        raise ForeignRepository(
            f"{spec.slug} already exists at {remote.label} and its {branch} branch has other history: "
            "it is not this service's repository",
            hint="choose another service name or --org, or rename or delete that repository first",
            provider=remote.label.lower(),
        )
    remote.push(workdir, url, branch, just_created=known_empty)
    return StepResult("push", changed=True, detail=f"{branch} at {head[:12]}")


def _origin(url: str) -> tuple[str, str, int | None] | None:
    """Scheme, host and port (None for the scheme's default); None for a malformed URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = None if parts.port == {"https": 443, "http": 80}.get(scheme) else parts.port
    except ValueError:
        return None
    return scheme, (parts.hostname or "").lower(), port


def _git_out(workdir: Path, *args: str) -> str:
    from platformctl.gitsafe import run_git

    proc = run_git(["-C", str(workdir), *args])
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, ["git", *args], proc.stdout, proc.stderr)
    return proc.stdout.strip()


def _is_ancestor(workdir: Path, ancestor: str, head: str) -> bool:
    from platformctl.gitsafe import run_git

    proc = run_git(["-C", str(workdir), "merge-base", "--is-ancestor", ancestor, head])
    return proc.returncode == 0  # 1: not an ancestor; 128: the commit is not even here


def _ensure_origin(workdir: Path, url: str) -> None:
    from platformctl.gitsafe import run_git

    current = run_git(["-C", str(workdir), "remote", "get-url", "origin"])
    if current.returncode != 0:
        _git_out(workdir, "remote", "add", "origin", url)
    elif current.stdout.strip() != url:
        _git_out(workdir, "remote", "set-url", "origin", url)


def _last_lines(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    wanted = [line for line in lines if line.startswith(("fatal:", "error:", "remote:", "!"))] or lines
    return " ".join(wanted[-2:]) if wanted else "git failed"
