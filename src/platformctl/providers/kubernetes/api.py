"""The few Kubernetes API calls environments need: get, list, server-side apply, delete.

Requests go through the one HTTP policy (``providers/http.py``: timeouts, retries on 5xx and
429, error translation) under the ``http.*`` settings, like every other provider's. The
kubeconfig gives the server, TLS trust and client certificate (in the transport's SSL context)
and the bearer token; an exec plugin's token is fetched again once on a 401.

A server-side apply that touches a field another field manager owns answers 409 with the
conflicting managers and fields in ``details.causes``: that is raised as ``FieldConflict``,
which names them, so callers can report drift instead of a raw error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from platformctl.errors import AuthError, ProviderError
from platformctl.providers.http import HttpClient, RetryPolicy, Service, WaitObserver, build_client
from platformctl.providers.httperrors import server_message
from platformctl.providers.kubernetes.kubeconfig import ClusterConfig
from platformctl.providers.tokens import Token

APPLY_PATCH = "application/apply-patch+yaml"
_MANAGER = re.compile(r'conflict with "([^"]*)"')


@dataclass(frozen=True)
class Conflict:
    """One field another field manager owns with another value."""

    manager: str
    field: str


class FieldConflict(ProviderError):
    """A server-side apply refused with 409 because other field managers own some fields."""

    def __init__(self, message: str, conflicts: tuple[Conflict, ...], *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, provider="kubernetes", status=409)
        self.conflicts = conflicts


class KubeApi:
    """A client of one cluster, created on first use."""

    def __init__(
        self,
        cluster: ClusterConfig,
        *,
        transport: Any = None,
        clock: Any = None,
        policy: RetryPolicy | None = None,
        on_wait: WaitObserver | None = None,
    ) -> None:
        self.cluster = cluster
        self._transport = transport
        self._clock = clock
        self._policy = policy
        self._on_wait = on_wait
        self._client: HttpClient | None = None

    def get(self, path: str) -> dict[str, Any] | None:
        """The object at ``path``, or None when it does not exist."""
        response = self._send("GET", path, f"read {path}")
        return None if response.status_code == 404 else response.json()

    def list_items(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """The items of a collection."""
        return list(self._send("GET", path, f"list {path}", params=params).json().get("items") or [])

    def apply(self, path: str, body: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        """Server-side apply of ``body`` (JSON is valid YAML); returns the object as the server has it."""
        verb = "dry-run apply" if params.get("dryRun") else "apply"
        response = self._send(
            "PATCH",
            path,
            f"{verb} {body['kind']} {body['metadata']['name']}",
            params=params,
            json=body,
            headers={"Content-Type": APPLY_PATCH},
        )
        answer: dict[str, Any] = response.json()
        return answer

    def delete(self, path: str) -> dict[str, Any] | None:
        """Delete the object; None when it was already gone."""
        response = self._send("DELETE", path, f"delete {path}")
        return None if response.status_code == 404 else response.json()

    # -- plumbing ------------------------------------------------------------------------------
    def _send(self, method: str, path: str, action: str, **kwargs: Any) -> httpx.Response:
        for attempt in (1, 2):
            response = self._http().request(method, path, action=action, allow=(401, 403, 404, 409), **kwargs)
            if response.status_code == 401 and attempt == 1 and self.cluster.user.get("exec"):
                self.cluster.credentials(refresh=True)  # the plugin's token may have expired early
                self._client = None
                continue
            break
        if response.status_code in (401, 403, 409):
            conflicts = _conflicts(response) if response.status_code == 409 else ()
            if conflicts:
                raise FieldConflict(f"{action}: {_describe(conflicts)}", conflicts)
            raise self._refusal(response, action)
        return response

    def _http(self) -> HttpClient:
        if self._client is None:
            transport = self._transport
            if transport is None and self.cluster.server.startswith("https://"):
                transport = httpx.HTTPTransport(verify=self.cluster.ssl_context())
            token = self.cluster.credentials().token
            bearer = Token(token, f"kubeconfig context {self.cluster.context}") if token else None
            service = _KubeService(
                "kubernetes",
                "Kubernetes",
                self.cluster.server,
                {"Accept": "application/json"},
                bearer,
                token_required=False,
            )
            self._client = build_client(
                service, self._policy, transport=transport, clock=self._clock, on_wait=self._on_wait
            )
        return self._client

    def _refusal(self, response: httpx.Response, action: str) -> Exception:
        message, code = server_message(response), response.status_code
        context = self.cluster.context
        if code == 401 or (code == 403 and "being terminated" not in message):
            return AuthError(
                f"the Kubernetes API refused to {action} ({code}: {message})",
                hint=f"check the credentials and RBAC of kubeconfig context {context}",
            )
        return ProviderError(
            f"the Kubernetes API refused to {action} ({code}: {message})",
            provider="kubernetes",
            status=code,
        )


class _KubeService(Service):
    @property
    def token_hint(self) -> str:
        return "check the user of the kubeconfig context (KUBECONFIG or ~/.kube/config)"


def _conflicts(response: httpx.Response) -> tuple[Conflict, ...]:
    """The (manager, field) pairs of an apply conflict, from the Status ``details.causes``."""
    try:
        body = response.json()
    except ValueError:
        return ()
    if not isinstance(body, dict) or body.get("reason") != "Conflict":
        return ()
    causes = (body.get("details") or {}).get("causes") or []
    found = []
    for cause in causes if isinstance(causes, list) else []:
        if not isinstance(cause, dict) or cause.get("reason") != "FieldManagerConflict":
            continue
        manager = _MANAGER.search(str(cause.get("message") or ""))
        found.append(Conflict(manager[1] if manager else "another manager", str(cause.get("field") or "")))
    return tuple(found)


def _describe(conflicts: tuple[Conflict, ...]) -> str:
    """``.spec.hard.pods is managed by "kubectl-patch"`` for each field, one line."""
    return "; ".join(f'{c.field or "a field"} is managed by "{c.manager}"' for c in conflicts)
