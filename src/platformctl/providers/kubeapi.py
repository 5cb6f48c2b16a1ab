"""The few Kubernetes API calls environments need: get, list, server-side apply, delete.

Authentication comes from the kubeconfig (bearer token or client certificate; an exec plugin's
token is fetched again once on a 401). Errors become ``ProviderError``/``AuthError`` carrying the
API server's own message (a ``Status`` object).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from platformctl import __version__
from platformctl.errors import AuthError, ProviderError
from platformctl.providers.kubeconfig import ClusterConfig

if TYPE_CHECKING:
    import httpx

APPLY_PATCH = "application/apply-patch+yaml"


class KubeApi:
    """A client of one cluster, created on first use."""

    def __init__(self, cluster: ClusterConfig, *, transport: Any = None) -> None:
        self.cluster = cluster
        self._transport = transport
        self._client: httpx.Client | None = None

    def get(self, path: str) -> dict[str, Any] | None:
        """The object at ``path``, or None when it does not exist."""
        response = self._send("GET", path)
        return None if response.status_code == 404 else self._json(response, path)

    def list(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """The items of a collection."""
        return list(self._json(self._send("GET", path, params=params), path).get("items") or [])

    def apply(self, path: str, body: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        """Server-side apply of ``body`` (JSON is valid YAML); returns the object as the server has it."""
        content = json.dumps(body, sort_keys=True).encode()
        response = self._send(
            "PATCH", path, params=params, content=content, headers={"Content-Type": APPLY_PATCH}
        )
        return self._json(response, path)

    def delete(self, path: str) -> dict[str, Any] | None:
        """Delete the object; None when it was already gone."""
        response = self._send("DELETE", path)
        return None if response.status_code == 404 else self._json(response, path)

    # -- plumbing ------------------------------------------------------------------------------
    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        import httpx

        client = self._http()
        extra = kwargs.pop("headers", {})
        for attempt in (1, 2):
            try:
                response = client.request(method, path, headers={**self._auth(), **extra}, **kwargs)
            except httpx.HTTPError as exc:
                raise ProviderError(
                    f"cannot reach the Kubernetes API at {self.cluster.server}: {type(exc).__name__}",
                    provider="kubernetes",
                    hint=f"check the cluster of kubeconfig context {self.cluster.context}",
                ) from None
            if response.status_code == 401 and attempt == 1 and self.cluster.user.get("exec"):
                self.cluster.credentials(refresh=True)  # the plugin's token may have expired early
                continue
            return response
        return response

    def _auth(self) -> dict[str, str]:
        token = self.cluster.credentials().token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def _http(self) -> httpx.Client:
        if self._client is None:
            import httpx

            verify: Any = True
            if self._transport is None and self.cluster.server.startswith("https://"):
                verify = self.cluster.ssl_context()
            self._client = httpx.Client(
                base_url=self.cluster.server,
                transport=self._transport,
                verify=verify,
                timeout=httpx.Timeout(30.0, connect=10.0),
                headers={"User-Agent": f"platformctl/{__version__}", "Accept": "application/json"},
            )
        return self._client

    def _json(self, response: httpx.Response, path: str) -> dict[str, Any]:
        if response.status_code < 400:
            return response.json()
        try:
            status = response.json()
            message = status.get("message") or response.reason_phrase
        except ValueError:
            message = response.reason_phrase
        code = response.status_code
        if code == 401 or (code == 403 and "being terminated" not in message):
            raise AuthError(
                f"Kubernetes API refused {path}: {message}",
                hint=f"check the credentials of kubeconfig context {self.cluster.context}",
            )
        hint = None
        if code == 409 and "conflict" in message.lower():
            hint = (
                "another field manager owns these fields: change them there, or hand them over "
                "(kubectl apply --server-side --force-conflicts --field-manager=platformctl)"
            )
        raise ProviderError(
            f"Kubernetes API {code} on {path}: {message}", provider="kubernetes", status=code, hint=hint
        )
