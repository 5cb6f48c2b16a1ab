"""`new service` registering in a real Backstage catalog backend (started by .ci/integration.sh).

The repository host is the GitHub fake, whose pushes go to real ``git http-backend`` over
loopback with authentication required. Backstage reads ``catalog-info.yaml`` over loopback HTTP
from the blob URL platformctl registers: a small front on the port the backend's
``backend.reading.allow`` names serves blobs from the fake's bare repositories.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from tests.fakes.fixtures import GITHUB_TOKEN
from tests.fakes.github import GitHubFake
from tests.fakes.server import serve
from tests.integration.conftest import need

GOLDEN_PATHS = ("python-service", "node-service", "go-service")


@pytest.fixture
def files_url(github: GitHubFake) -> Iterator[str]:
    """The GitHub fake, plus ``/{owner}/{repo}/blob/{branch}/{path}`` from its bare repositories."""
    port = int(need("FILES_PORT"))

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        parts = environ.get("PATH_INFO", "").split("/")
        if len(parts) > 5 and parts[3] == "blob" and environ["REQUEST_METHOD"] == "GET":
            bare = github.git.bare(f"{parts[1]}/{parts[2]}")
            shown = subprocess.run(
                [
                    "git",
                    "--git-dir",
                    str(bare),
                    "show",
                    f"{unquote(parts[4])}:{unquote('/'.join(parts[5:]))}",
                ],
                capture_output=True,
                check=False,
            )
            status = "200 OK" if shown.returncode == 0 else "404 Not Found"
            start_response(
                status, [("Content-Type", "text/plain"), ("Content-Length", str(len(shown.stdout)))]
            )
            return [shown.stdout]
        return github(environ, start_response)

    with serve(app, port=port) as url:
        yield url


@pytest.fixture
def catalog() -> httpx.Client:
    """The real catalog API with the static external-access token."""
    return httpx.Client(
        base_url=need("BACKSTAGE_URL") + "/api/catalog",
        headers={"Authorization": f"Bearer {need('BACKSTAGE_TOKEN')}"},
        timeout=30,
    )


@pytest.fixture
def new_service(cli_process, files_url, fast_http_env, tmp_path):
    def run(name: str, *extra: str, token: str | None = None) -> Any:
        env = {
            **fast_http_env,
            "PLATFORMCTL_GITHUB_API_URL": files_url,
            "PLATFORMCTL_BACKSTAGE_URL": need("BACKSTAGE_URL"),
            "GH_TOKEN": GITHUB_TOKEN,
            "BACKSTAGE_TOKEN": token or need("BACKSTAGE_TOKEN"),
        }
        args = ("new", "service", name, "--provider", "github", "--org", "acme", "--owner", "team-payments")
        return cli_process(*args, *extra, "--no-input", "--json", env=env, cwd=tmp_path / "work", timeout=300)

    return run


def wait_for_entity(catalog: httpx.Client, name: str, timeout: float = 90) -> dict[str, Any]:
    """Poll until the catalog has processed the component (Backstage ingests asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        found = catalog.get("/entities", params={"filter": f"kind=component,metadata.name={name}"}).json()
        if found:
            return dict(found[0])
        assert time.monotonic() < deadline, f"component {name} not in the catalog after {timeout}s"
        time.sleep(1)


def errors_of(entity: dict[str, Any]) -> list[Any]:
    return [item for item in (entity.get("status") or {}).get("items") or [] if item.get("level") == "error"]


def test_new_service_registers_and_the_entity_appears(new_service, catalog, files_url):
    result = new_service("payments")
    assert result.exit_code == 0, result.stderr
    target = f"{files_url}/acme/payments/blob/main/catalog-info.yaml"
    assert target in [item["data"]["target"] for item in catalog.get("/locations").json()]
    entity = wait_for_entity(catalog, "payments")
    assert entity["metadata"]["annotations"]["backstage.io/managed-by-location"] == f"url:{target}"
    assert errors_of(entity) == []
    again = new_service("payments")
    assert again.exit_code == 0, again.stderr
    assert again.json()["changed"] is False


def test_a_location_registered_but_not_yet_found_by_entity_is_a_409_success(files_url, catalog, github):
    from platformctl.contracts.repositories import CatalogEntity, RepositorySpec
    from tests.providers.hosts import backstage_catalog, checkout, github_host

    host = github_host(files_url)
    spec = RepositorySpec("acme", "orders")
    host.ensure_repository(spec)
    host.push(spec, checkout(Path.cwd() / "orders", name="orders"), "main")
    target = host.file_url(spec, "main", "catalog-info.yaml")
    first = catalog.post("/locations", json={"type": "url", "target": target})
    assert first.status_code == 201, first.text
    registrar = backstage_catalog(need("BACKSTAGE_URL"), need("BACKSTAGE_TOKEN"))
    # An entity the location does not declare is never found by entity: the POST must answer 409.
    result = registrar.register(CatalogEntity("Component", "not-declared-there"), target)
    assert not result.changed and result.detail == "already registered"


def test_a_wrong_token_is_exit_4_and_dry_run_asks_the_catalog_with_dry_run_true(
    new_service, catalog, files_url
):
    wrong = new_service("billing", token="not-the-" + "static-token")
    assert wrong.exit_code == 4, wrong.stderr
    assert "error: Backstage" in wrong.stderr and "hint:" in wrong.stderr
    assert "not-the-static-token" not in wrong.stderr + wrong.stdout
    # The repository was pushed before the catalog refused: a dry run now lets Backstage read
    # and process the file (POST /locations?dryRun=true) without registering it.
    dry = new_service("billing", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "dry run accepted by the catalog: component:default/billing" in dry.stdout
    target = f"{files_url}/acme/billing/blob/main/catalog-info.yaml"
    assert target not in [item["data"]["target"] for item in catalog.get("/locations").json()]
    assert new_service("billing").exit_code == 0
    assert wait_for_entity(catalog, "billing")["metadata"]["name"] == "billing"


def test_dry_run_true_processes_without_storing(catalog, files_url, github):
    from platformctl.contracts.repositories import RepositorySpec
    from tests.providers.hosts import checkout, github_host

    host = github_host(files_url)
    spec = RepositorySpec("acme", "ledger")
    host.ensure_repository(spec)
    host.push(spec, checkout(Path.cwd() / "ledger", name="ledger"), "main")
    target = host.file_url(spec, "main", "catalog-info.yaml")
    dry = catalog.post("/locations", params={"dryRun": "true"}, json={"type": "url", "target": target})
    assert dry.status_code == 201, dry.text
    found = [(e["kind"], e["metadata"]["name"]) for e in dry.json()["entities"]]
    assert found[0][0] == "Location" and found[0][1].startswith("generated-")  # as the fake answers
    assert found[1:] == [("Component", "ledger")]
    assert all(loc["data"]["target"] != target for loc in catalog.get("/locations").json())


@pytest.mark.parametrize("golden_path", GOLDEN_PATHS)
def test_the_bundled_golden_paths_catalog_files_are_accepted(new_service, catalog, golden_path):
    name = f"svc-{golden_path.split('-')[0]}"
    result = new_service(name, "--golden-path", golden_path)
    assert result.exit_code == 0, result.stderr
    entity = wait_for_entity(catalog, name)
    assert errors_of(entity) == [], errors_of(entity)
    assert entity["spec"]["owner"] == "group:team-payments"
