"""The Prometheus endpoint."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families


def _samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_requests_are_counted_by_route_template(client: TestClient) -> None:
    key = ("http_requests_total", (("method", "GET"), ("route", "/"), ("status", "200")))
    before = _samples(client).get(key, 0.0)
    client.get("/")
    client.get("/")
    assert _samples(client)[key] == before + 2


def test_unknown_paths_share_one_label(client: TestClient) -> None:
    client.get("/no/such/path")
    key = ("http_requests_total", (("method", "GET"), ("route", "unmatched"), ("status", "404")))
    assert _samples(client)[key] >= 1


def test_latency_histogram_is_exposed(client: TestClient) -> None:
    client.get("/")
    names = {name for name, _ in _samples(client)}
    assert "http_request_duration_seconds_bucket" in names
    assert "http_request_duration_seconds_count" in names
