"""Fixtures for environment tests: a service checkout, the local store, a Kubernetes API fake."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.environments.hosts import github_envs, gitlab_envs, run_github, run_gitlab  # noqa: F401
from tests.fakes.fixtures import fast_http_env, github, github_url, gitlab, gitlab_url  # noqa: F401
from tests.fakes.kubernetes import KubernetesFake
from tests.fakes.loopback import serve

DESCRIPTOR = """\
apiVersion: platformctl/v1
name: payments
owner: team-payments
golden_path:
  name: python-service
  version: 0.1.0
  source: bundled
  pristine_commit: 0123456789abcdef0123456789abcdef01234567
  answers: {{service_name: payments}}
repository: {repository}
environments:
{environments}
"""

STAGING = """\
  staging:
    class: staging
    providers: [{providers}]
    variables: {{LOG_LEVEL: info, REGION: eu-west-1}}
    secrets:
      DB_PASSWORD: {{env: TEST_DB_PASSWORD}}
    protection: {{wait_timer: 5, reviewers: [{{team: platform}}], branches: protected}}
    kubernetes:
      quota: {{cpu: "2", memory: 4Gi, pods: 20}}
      limits: {{cpu: 500m, memory: 512Mi}}
      rbac: {{group: team-payments, role: edit}}
      network_policy: true
  production:
    class: production
    providers: [{providers}]
  "pr-*":
    class: preview
    providers: [{providers}]
"""


LOCAL_REPOSITORY = "{provider: local, slug: local/payments, url: /nowhere}"


def write_service(
    folder: Path,
    providers: str = "local",
    environments: str | None = None,
    repository: str = LOCAL_REPOSITORY,
) -> Path:
    """A service checkout with a platform.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    envs = environments if environments is not None else STAGING.format(providers=providers)
    text = DESCRIPTOR.format(environments=envs.rstrip() or "  {}", repository="{repository}")
    (folder / "platform.yaml").write_text(text.replace("{repository}", repository))
    return folder


def set_descriptor_field(folder: Path, env: str, key: str, value: Any) -> None:
    """Change one field of one environment in platform.yaml (as a person editing it would)."""
    import yaml

    path = folder / "platform.yaml"
    data = yaml.safe_load(path.read_text())
    if value is None:
        data["environments"][env].pop(key, None)
    else:
        data["environments"][env][key] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False))


class LocalStore:
    """Read-only looks into the local provider's database."""

    def __init__(self, home: Path) -> None:
        self.path = home / "state" / "environments.db"

    def _query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        if not self.path.exists():
            return []
        with sqlite3.connect(self.path) as db:
            return db.execute(sql, args).fetchall()

    @property
    def writes(self) -> int:
        rows = self._query("SELECT count(*) FROM journal")
        return rows[0][0] if rows else 0

    def resources(self, env: str = "staging") -> dict[tuple[str, str], dict[str, Any]]:
        rows = self._query("SELECT kind, name, fields FROM resources WHERE environment=?", env)
        return {(k, n): json.loads(f) for k, n, f in rows}

    def execute(self, sql: str, *args: Any) -> None:
        with sqlite3.connect(self.path) as db:
            db.execute(sql, args)


@pytest.fixture
def platform_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "platform-home"
    monkeypatch.setenv("PLATFORMCTL_HOME", str(home))
    monkeypatch.setenv("TEST_DB_PASSWORD", "correct horse battery staple")
    return home


@pytest.fixture
def store(platform_home: Path) -> LocalStore:
    return LocalStore(platform_home)


FAKE_TOKEN = "test-token"


def write_kubeconfig(path: Path, server: str, token: str = FAKE_TOKEN, namespace: str | None = None) -> Path:
    """A kubeconfig with one context using a bearer token."""
    context: dict[str, Any] = {"cluster": "fake", "user": "dev"}
    if namespace:
        context["namespace"] = namespace
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "fake",
        "clusters": [{"name": "fake", "cluster": {"server": server}}],
        "contexts": [{"name": "fake", "context": context}],
        "users": [{"name": "dev", "user": {"token": token}}],
    }
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def kube(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform_home: Path) -> Iterator[KubernetesFake]:
    """A Kubernetes API fake on a loopback port, with KUBECONFIG pointing at it."""
    fake = KubernetesFake()
    with serve(fake) as url:
        monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "kubeconfig", url)))
        yield fake
