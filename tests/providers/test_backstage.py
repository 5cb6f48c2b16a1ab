"""BackstageCatalog against the Backstage fake, which reads catalog files from the GitHub fake."""

from __future__ import annotations

import pytest

from platformctl.contracts.repositories import CatalogEntity, RepositorySpec
from platformctl.errors import AuthError, ProviderError
from tests.providers.hosts import backstage_catalog, checkout, github_host

ENTITY = CatalogEntity("Component", "payments")


@pytest.fixture
def target(github, github_url, tmp_path):
    """A pushed repository holding catalog-info.yaml; the URL Backstage reads it from."""
    host = github_host(github_url)
    spec = RepositorySpec("acme", "payments")
    host.ensure_repository(spec)
    host.push(spec, checkout(tmp_path / "svc"), "main")
    return host.file_url(spec, "main", "catalog-info.yaml")


def test_registers_then_only_reads(backstage, backstage_url, target):
    catalog = backstage_catalog(backstage_url)
    first = catalog.register(ENTITY, target)
    assert first.changed and first.detail == f"component:default/payments from {target}"
    assert backstage.requests() == [
        "GET /api/catalog/locations/by-entity/component/default/payments",
        "POST /api/catalog/locations",
    ]
    assert backstage.log[1].body == {"type": "url", "target": target}
    assert backstage.entities == {"component:default/payments": "loc-1"}
    second = catalog.register(ENTITY, target)
    assert not second.changed and second.detail == "already registered"
    assert backstage.writes() == ["POST /api/catalog/locations"]


def test_not_yet_ingested_location_is_a_409_success(backstage, backstage_url, target):
    backstage.ingestion_lag = 1
    backstage_catalog(backstage_url).register(ENTITY, target)
    again = backstage_catalog(backstage_url).register(ENTITY, target)
    assert not again.changed and again.detail == "already registered"
    assert [e.status for e in backstage.log] == [404, 201, 404, 409]
    assert len(backstage.locations) == 1


def test_entity_from_another_location_is_left_alone(backstage, backstage_url, target):
    backstage.register("https://example.test/all.yaml", ["component:default/payments"])
    result = backstage_catalog(backstage_url).register(ENTITY, target)
    assert not result.changed and result.detail == "already in the catalog from https://example.test/all.yaml"
    assert backstage.writes() == []


def test_unreadable_target_and_bad_token(backstage, backstage_url, github_url):
    with pytest.raises(ProviderError, match="Unable to read url"):
        missing = f"{github_url}/acme/none/blob/main/catalog-info.yaml"
        backstage_catalog(backstage_url).register(ENTITY, missing)
    with pytest.raises(AuthError, match=r"Backstage rejected the token .*Missing or invalid credentials"):
        backstage_catalog(backstage_url, token="wrong-token").register(ENTITY, "x")


def test_preview_is_a_dry_run_that_stores_nothing(backstage, backstage_url, target, github_url):
    catalog = backstage_catalog(backstage_url)
    lines = catalog.preview(ENTITY, target)
    assert lines[-1] == "backstage: dry run accepted by the catalog: component:default/payments"
    assert (backstage.log[-1].method, backstage.log[-1].query) == ("POST", "dryRun=true")
    assert backstage.locations == {} and backstage.entities == {}
    missing = f"{github_url}/acme/none/blob/main/catalog-info.yaml"
    assert "cannot read" in catalog.preview(ENTITY, missing)[-1]
    catalog.register(ENTITY, target)
    already = f"backstage: component:default/payments is already in the catalog (from {target})"
    assert catalog.preview(ENTITY, target) == [f"{already}: nothing to register"]
    with pytest.raises(AuthError):
        backstage_catalog(backstage_url, token="wrong-token").preview(ENTITY, target)
