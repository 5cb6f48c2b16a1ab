"""The Kubernetes fake behaves like an API server; the provider's waits and refusals, in-process."""

from __future__ import annotations

import json

import httpx
import pytest

from platformctl.contracts.environment_fields import KubernetesFields, Quota
from platformctl.contracts.environments import EnvironmentSpec
from platformctl.environments.apply import destroy_environment, reap_environments
from platformctl.environments.plan import plan_environment, plan_teardown
from platformctl.errors import ProviderError
from platformctl.providers.kubernetes.environments import KubernetesEnvironments
from platformctl.providers.kubernetes.kubeconfig import ClusterConfig
from tests.environments.conftest import FAKE_TOKEN
from tests.fakes.kubernetes import KubernetesFake

APPLY = "application/apply-patch+yaml"


@pytest.fixture
def fake():
    return KubernetesFake()


@pytest.fixture
def client(fake):
    return httpx.Client(
        transport=httpx.WSGITransport(app=fake),
        base_url="http://k8s",
        headers={"Authorization": f"Bearer {FAKE_TOKEN}"},
    )


def apply(client, path, body, **params):
    return client.patch(
        path,
        content=json.dumps(body),
        headers={"Content-Type": APPLY},
        params={"fieldManager": "me", "fieldValidation": "Strict", **params},
    )


def quota(hard, name="q", ns="n"):
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"hard": hard},
    }


NS_BODY = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}
Q_PATH = "/api/v1/namespaces/n/resourcequotas/q"


def test_fake_creates_merges_and_dry_runs(fake, client):
    assert apply(client, "/api/v1/namespaces/n", NS_BODY, dryRun="All").status_code == 201
    assert fake.objects == {} and fake.writes == 0
    assert apply(client, "/api/v1/namespaces/n", NS_BODY).status_code == 201
    created = client.get("/api/v1/namespaces/n").json()
    assert created["status"]["phase"] == "Active"
    assert created["metadata"]["managedFields"][0]["manager"] == "me"
    assert apply(client, Q_PATH, quota({"cpu": "1", "pods": "2"})).status_code == 201
    assert apply(client, Q_PATH, quota({"cpu": "2"})).status_code == 200
    assert fake.get("resourcequotas", "q", "n")["spec"]["hard"] == {"cpu": "2"}  # dropped field released


def test_fake_defaults_a_limit_range_request_to_its_limit_as_the_server_does(fake, client):
    apply(client, "/api/v1/namespaces/n", NS_BODY)
    body = {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "l", "namespace": "n"},
        "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}}]},
    }
    made = apply(client, "/api/v1/namespaces/n/limitranges/l", body).json()
    assert made["spec"]["limits"] == [
        {"type": "Container", "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "500m"}}
    ]


def test_fake_rejects_what_a_server_rejects(fake, client):
    apply(client, "/api/v1/namespaces/n", NS_BODY)
    bad = {**quota({"cpu": "1"}), "spec": {"hardd": {"cpu": "1"}}}
    invalid = apply(client, Q_PATH, bad)
    assert invalid.status_code == 422 and invalid.json()["reason"] == "Invalid"
    assert "hardd" in invalid.json()["message"]
    no_manager = client.patch(Q_PATH, content=json.dumps(quota({})), headers={"Content-Type": APPLY})
    assert no_manager.status_code == 400
    merge_patch = client.patch(
        Q_PATH,
        content="{}",
        params={"fieldManager": "me"},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert merge_patch.status_code == 415
    assert (
        apply(client, "/api/v1/namespaces/other/resourcequotas/q", quota({}, ns="other")).status_code == 404
    )
    assert (
        httpx.Client(transport=httpx.WSGITransport(app=fake), base_url="http://k8s").get(Q_PATH).status_code
        == 401
    )


def test_fake_conflicts_between_managers_unless_forced(fake, client):
    apply(client, "/api/v1/namespaces/n", NS_BODY)
    apply(client, Q_PATH, quota({"cpu": "1"}))
    fake.apply_as("kubectl", quota({"cpu": "3"}))
    conflict = apply(client, Q_PATH, quota({"cpu": "1"}))
    assert conflict.status_code == 409
    body = conflict.json()  # the shape kube-apiserver answers (checked against a real one)
    assert body["reason"] == "Conflict"
    assert body["message"] == 'Apply failed with 1 conflict: conflict with "kubectl": .spec.hard.cpu'
    assert body["details"]["causes"] == [
        {"reason": "FieldManagerConflict", "message": 'conflict with "kubectl"', "field": ".spec.hard.cpu"}
    ]
    fake.patch_as("kubectl-edit", quota({"cpu": "4"}))
    edited = apply(client, Q_PATH, quota({"cpu": "1"})).json()
    assert edited["details"]["causes"][0]["message"] == 'conflict with "kubectl-edit" using v1'
    fake.patch_as("kubectl-edit", quota({"cpu": "3"}))
    same_value = apply(client, Q_PATH, quota({"cpu": "3"}))
    assert same_value.status_code == 200  # agreeing on a value is shared ownership, not a conflict
    assert apply(client, Q_PATH, quota({"cpu": "5"}), force="true").status_code == 200
    assert fake.get("resourcequotas", "q", "n")["spec"]["hard"]["cpu"] == "5"


def test_fake_namespace_terminates_then_disappears_with_its_objects(fake, client):
    apply(client, "/api/v1/namespaces/n", NS_BODY)
    apply(client, Q_PATH, quota({"cpu": "1"}))
    assert client.delete("/api/v1/namespaces/n").json()["status"]["phase"] == "Terminating"
    assert apply(client, Q_PATH, quota({"cpu": "2"})).status_code == 403
    assert client.get("/api/v1/namespaces/n").status_code == 200
    assert client.get("/api/v1/namespaces/n").status_code == 404
    assert fake.objects == {}


def provider(fake, clock):
    cluster = ClusterConfig(context="test", server="http://k8s", user={"token": FAKE_TOKEN})
    return KubernetesEnvironments(
        cluster,
        transport=httpx.WSGITransport(app=fake),
        sleep=clock.sleep,
        clock=clock.monotonic,
        delete_timeout=30,
    )


class Clock:
    def __init__(self):
        self.now = 0.0

    def sleep(self, seconds):
        self.now += seconds

    def monotonic(self):
        return self.now


def env_spec(**kwargs):
    base = {
        "service": "svc",
        "name": "pr-1",
        "environment_class": "preview",
        "providers": ("kubernetes",),
        "kubernetes": KubernetesFields(namespace="custom-ns", quota=Quota(pods=3)),
    }
    return EnvironmentSpec(**{**base, **kwargs})


def test_stuck_finalizers_are_named_after_the_timeout(fake):
    clock = Clock()
    providers = {"kubernetes": provider(fake, clock)}
    from platformctl.environments.apply import apply_plan

    apply_plan(plan_environment(env_spec(), providers, clock_now()), providers)
    assert fake.get("namespaces", "custom-ns") is not None  # the configured namespace name
    fake.objects[("namespaces", "", "custom-ns")]["metadata"]["finalizers"] = ["example.com/backup"]
    with pytest.raises(ProviderError) as stuck:
        destroy_environment(plan_teardown(env_spec(), providers), providers)
    assert (
        "namespace custom-ns is still terminating after 30s; finalizers: example.com/backup, kubernetes"
        in stuck.value.message
    )
    assert clock.now >= 30


def test_reap_with_an_injected_clock(fake):
    from datetime import timedelta

    from platformctl.environments.apply import apply_plan

    clock = Clock()
    providers = {"kubernetes": provider(fake, clock)}
    apply_plan(plan_environment(env_spec(ttl="3d"), providers, clock_now()), providers)
    assert reap_environments("svc", providers, clock_now() + timedelta(days=2)).removed == []
    dry = reap_environments("svc", providers, clock_now() + timedelta(days=4), dry_run=True)
    assert [s.name for s in dry.removed] == ["pr-1"] and fake.get("namespaces", "custom-ns") is not None
    done = reap_environments("svc", providers, clock_now() + timedelta(days=4))
    assert [s.name for s in done.removed] == ["pr-1"]
    assert fake.get("namespaces", "custom-ns") is None


def clock_now():
    from datetime import UTC, datetime

    return datetime(2026, 5, 1, tzinfo=UTC)
