"""Fixtures for tests against real servers started by ``.ci/integration.sh``.

The script exports ``PLATFORMCTL_IT=1`` and where the servers are (``PLATFORMCTL_IT_*``);
without them every test here is skipped, so the plain unit-suite command stays fast. The values
are read once at import: the suite's isolation fixture clears ``PLATFORMCTL_*`` for each test.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.fixtures import fast_http_env, github  # noqa: F401

IT = {k: v for k, v in os.environ.items() if k.startswith("PLATFORMCTL_IT")}
HERE = Path(__file__).parent

# What docs/environments.md says the kubeconfig user needs ("RBAC the kubeconfig user needs").
DOCUMENTED_RULES = [
    {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get", "list", "patch", "create", "delete"]},
    {
        "apiGroups": [""],
        "resources": ["resourcequotas", "limitranges", "configmaps", "secrets"],
        "verbs": ["get", "patch", "create", "delete"],
    },
    {
        "apiGroups": ["rbac.authorization.k8s.io"],
        "resources": ["rolebindings"],
        "verbs": ["get", "patch", "create", "delete"],
    },
    {
        "apiGroups": ["networking.k8s.io"],
        "resources": ["networkpolicies"],
        "verbs": ["get", "patch", "create", "delete"],
    },
    # RoleBindings to a cluster role need that role's permissions or `bind` on it.
    {
        "apiGroups": ["rbac.authorization.k8s.io"],
        "resources": ["clusterroles"],
        "verbs": ["bind"],
        "resourceNames": ["edit", "view"],
    },
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the integration tests unless the servers run (``bash .ci/integration.sh``)."""
    skip = pytest.mark.skip(reason="needs the real servers: run bash .ci/integration.sh")
    for item in items:
        if HERE in Path(str(item.fspath)).parents and not IT.get("PLATFORMCTL_IT"):
            item.add_marker(skip)


def need(name: str) -> str:
    """An ``PLATFORMCTL_IT_*`` value, or skip the test when that server is not running."""
    value = IT.get(f"PLATFORMCTL_IT_{name}")
    if not value:
        pytest.skip(f"PLATFORMCTL_IT_{name} is not set: that server is not running")
    return value


class Kube:
    """Direct requests to the real API server as ``system:masters`` (what kubectl would send)."""

    def __init__(self, kubeconfig: str) -> None:
        from platformctl.providers.kubernetes.kubeconfig import load_kubeconfig

        cluster = load_kubeconfig({"KUBECONFIG": kubeconfig})
        token = cluster.credentials().token
        self.client = httpx.Client(
            base_url=cluster.server,
            verify=cluster.ssl_context(),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=30,
        )

    def get(self, path: str) -> dict[str, Any] | None:
        response = self.client.get(path)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return dict(response.json())

    def send(self, method: str, path: str, body: Any, content_type: str, **params: str) -> httpx.Response:
        return self.client.request(
            method, path, content=json.dumps(body), params=params, headers={"Content-Type": content_type}
        )

    def ensure(self, path: str, body: dict[str, Any]) -> None:
        """Server-side apply as the tests' own manager (setup objects such as RBAC)."""
        response = self.send(
            "PATCH", path, body, "application/apply-patch+yaml", fieldManager="it-setup", force="true"
        )
        assert response.status_code in (200, 201), response.text


@pytest.fixture(scope="session")
def kube() -> Kube:
    """The admin client; binds the documented RBAC to the restricted user once."""
    api = Kube(need("KUBECONFIG"))
    rbac = "/apis/rbac.authorization.k8s.io/v1"
    api.ensure(
        f"{rbac}/clusterroles/platformctl-environments",
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": "platformctl-environments"},
            "rules": DOCUMENTED_RULES,
        },
    )
    api.ensure(
        f"{rbac}/clusterrolebindings/platformctl-environments",
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "platformctl-environments"},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "platformctl-environments",
            },
            "subjects": [
                {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "platformctl-limited"}
            ],
        },
    )
    return api


@pytest.fixture
def admin_kubeconfig(monkeypatch: pytest.MonkeyPatch, kube: Kube) -> Iterator[str]:
    """KUBECONFIG pointing at the real cluster as system:masters."""
    path = need("KUBECONFIG")
    monkeypatch.setenv("KUBECONFIG", path)
    yield path
