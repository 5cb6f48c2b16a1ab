"""Turn an HTTP error answer into the PlatformctlError a person can act on.

401 and permission 403s become :class:`AuthError` (exit 4) naming the missing permission
(GitHub's ``X-Accepted-GitHub-Permissions``, classic-token scopes, GitLab's ``scope``);
plan-gated answers and validation errors become :class:`ProviderError` (exit 1) carrying
the server's own message. Every text passes through :func:`redact`.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from platformctl.errors import AuthError, PlatformctlError, ProviderError
from platformctl.redact import redact

if TYPE_CHECKING:
    import httpx

_PLAN_GATE = re.compile(
    r"upgrade to github|billing plan|plan include|not available (on|for) (your|this) plan|"
    r"requires? (a )?(paid|premium|enterprise)|make this repository public|higher tier|licensed feature",
    re.IGNORECASE,
)
_SCOPE = re.compile(r'scope="([^"]+)"')


def body_of(response: httpx.Response) -> Any:
    """The JSON body, or the text when it is not JSON."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return response.text


def server_message(response: httpx.Response) -> str:
    """The server's explanation, from GitHub, GitLab or Backstage error shapes (one line)."""
    body = body_of(response)
    parts: list[str] = []
    if isinstance(body, dict):
        message = body.get("message")
        error = body.get("error")
        if isinstance(message, dict):  # GitLab: {"message": {"name": ["has already been taken"]}}
            parts += [
                f"{field} {', '.join(map(str, msgs if isinstance(msgs, list) else [msgs]))}"
                for field, msgs in message.items()
            ]
        elif message:
            parts.append(str(message))
        if isinstance(error, dict):  # Backstage: {"error": {"name": "ConflictError", "message": ...}}
            parts.append(str(error.get("message") or error.get("name") or ""))
        elif error:
            parts.append(str(body.get("error_description") or error))
        parts += [_github_error(item) for item in body.get("errors") or [] if _github_error(item)]
    elif isinstance(body, str) and body.strip():
        parts.append(body.strip().splitlines()[0][:200])
    text = "; ".join(p.strip().rstrip(".") for p in parts if p and p.strip()) or response.reason_phrase
    return redact(" ".join(text.split()))


def _github_error(item: Any) -> str:
    if isinstance(item, str):
        return item
    if not isinstance(item, dict):
        return ""
    if item.get("message"):
        return str(item["message"])
    fields = [str(item[k]) for k in ("resource", "field", "code") if item.get(k)]
    return " ".join(fields)


def missing_permission(response: httpx.Response) -> str | None:
    """What the token lacks, as the server tells it, or None."""
    headers = response.headers
    accepted = headers.get("x-accepted-github-permissions")
    if accepted:
        options = [
            ", ".join(p.strip().replace("=", ": ") for p in alt.split(",") if p.strip())
            for alt in accepted.split(";")
            if alt.strip()
        ]
        return "the permission " + " or ".join(options)
    wanted = {s.strip() for s in headers.get("x-accepted-oauth-scopes", "").split(",") if s.strip()}
    granted = {s.strip() for s in headers.get("x-oauth-scopes", "").split(",") if s.strip()}
    if wanted - granted:
        return "the scope " + " or ".join(sorted(wanted - granted))
    match = _SCOPE.search(headers.get("www-authenticate", ""))
    body = body_of(response)
    scope = match.group(1) if match else (body.get("scope") if isinstance(body, dict) else None)
    return f"the scope {scope}" if scope else None


def is_rate_limited(response: httpx.Response) -> bool:
    """A primary or secondary rate limit (403/429), told apart from a permission 403."""
    if response.status_code == 429:
        return True
    if response.status_code != 403:
        return False
    if response.headers.get("x-ratelimit-remaining") == "0" or "retry-after" in response.headers:
        return True
    return "rate limit" in server_message(response).lower()


def is_plan_gated(message: str) -> bool:
    """Whether a refusal says the account's plan lacks the feature."""
    return bool(_PLAN_GATE.search(message))


def translate(label: str, action: str, response: httpx.Response, token_hint: str) -> PlatformctlError:
    """The error to raise for a failed request that will not be retried.

    Args:
        label: the service's display name (``GitHub``).
        action: what was being done, as a verb phrase (``create repository acme/x``).
        response: the final answer.
        token_hint: how to provide a token (the variables to set).
    """
    status = response.status_code
    message = server_message(response)
    if status == 401:
        return AuthError(
            f"{label} rejected the token while trying to {action} (401: {message})", hint=token_hint
        )
    if status in (403, 422) and is_plan_gated(message):
        return ProviderError(
            f"{label} cannot {action}: the account's plan lacks this feature ({message})",
            hint="use a plan that includes it, or change the request (e.g. a public "
            "repository); see 'platformctl docs providers'",
            provider=label.lower(),
            status=status,
        )
    if status == 403 and not is_rate_limited(response):
        lacking = missing_permission(response)
        what = f"the token lacks {lacking}" if lacking else "permission denied"
        return AuthError(
            f"{label} refused to {action}: {what} (403: {message})",
            hint=f"grant the token {lacking}" if lacking else token_hint,
        )
    if status == 404:
        return ProviderError(
            f"{label} cannot {action}: not found (404: {message})",
            hint="check the names, and that the token can see them (private resources "
            "answer 404 to tokens that cannot read them)",
            provider=label.lower(),
            status=status,
        )
    if status in (403, 429) or status >= 500:
        return ProviderError(
            f"{label} did not {action}: {status} {message} (after retries)",
            hint="re-run the same command later: it resumes where it stopped",
            provider=label.lower(),
            status=status,
        )
    return ProviderError(
        f"{label} refused to {action} ({status}: {message})", provider=label.lower(), status=status
    )
