"""The environment routes of the GitHub and GitLab fakes refuse what the real services refuse.

Without this, a provider test passing against a lenient fake would prove little.
"""

from __future__ import annotations

import base64

import httpx

from tests.fakes.fixtures import GITHUB_TOKEN, GITLAB_TOKEN

ENV = "/repos/acme/payments/environments/staging"


def github_client(url):
    return httpx.Client(
        base_url=url,
        headers={"Authorization": f"Bearer {GITHUB_TOKEN}", "Accept": "application/vnd.github+json"},
    )


def test_github_fake_checks_bodies_against_the_description(github, github_envs, github_url):
    with github_client(github_url) as client:
        bad = client.put(ENV, json={"reviewers": [{"type": "Bot", "id": 1}]})
        assert bad.status_code == 422 and "Invalid request" in bad.json()["message"]
        assert len(github.violations) == 1 and "reviewers/0/type" in github.violations[0]
        github.violations.clear()
        assert client.put(ENV, json={}).status_code == 200
        plain = base64.b64encode(b"not sealed").decode()
        key_id = client.get(f"{ENV}/secrets/public-key").json()["key_id"]
        refused = client.put(f"{ENV}/secrets/S", json={"encrypted_value": plain, "key_id": key_id})
        assert refused.status_code == 422 and "cannot be decrypted" in refused.json()["message"]
        assert client.post(f"{ENV}/variables", json={"name": "a", "value": "1"}).status_code == 201
        assert client.post(f"{ENV}/variables", json={"name": "A", "value": "2"}).status_code == 409
        assert client.get(f"{ENV}/variables/a").json()["name"] == "A"
        policies = client.post(f"{ENV}/deployment-branch-policies", json={"name": "main"})
        assert policies.status_code == 404  # branch patterns need custom_branch_policies first


def test_github_fake_gates_protection_by_plan(github, github_envs, github_url):
    github.repo("acme", "payments").visibility = "private"
    with github_client(github_url) as client:
        gated = client.put(ENV, json={"wait_timer": 0})
        assert gated.status_code == 422 and "billing plan" in gated.json()["message"]
        assert client.put(ENV, json={"prevent_self_review": True}).status_code == 200
        github.orgs["acme"].plan = "free"
        assert client.put(ENV, json={}).status_code == 403


def test_gitlab_fake_asks_for_the_scope_filter_and_knows_its_fields(gitlab, gitlab_envs, gitlab_url):
    project = gitlab.projects["acme/payments"]
    gitlab_envs.add_variable(project, "LOG_LEVEL", "warning")
    gitlab_envs.add_variable(project, "LOG_LEVEL", "info", scope="staging")
    base = f"/api/v4/projects/{project.id}/variables"
    with httpx.Client(base_url=gitlab_url, headers={"PRIVATE-TOKEN": GITLAB_TOKEN}) as client:
        ambiguous = client.put(f"{base}/LOG_LEVEL", json={"value": "debug"})
        assert ambiguous.status_code == 409 and "filter[environment_scope]" in ambiguous.json()["message"]
        scoped = client.put(
            f"{base}/LOG_LEVEL", params={"filter[environment_scope]": "staging"}, json={"value": "debug"}
        )
        assert scoped.status_code == 200
        assert gitlab_envs.variable(project, "LOG_LEVEL", "*")["value"] == "warning"
        taken = client.post(base, json={"key": "LOG_LEVEL", "value": "x", "environment_scope": "staging"})
        assert taken.status_code == 400 and "has already been taken" in taken.text
        unmaskable = client.post(base, json={"key": "S", "value": "short", "masked": True})
        assert unmaskable.status_code == 400
        unknown = client.post(base, json={"key": "K", "value": "v", "scope": "staging"})
        assert unknown.status_code == 400
        assert gitlab.violations and "unknown fields ['scope']" in gitlab.violations[0]
        gitlab.violations.clear()
        env = client.post(f"/api/v4/projects/{project.id}/environments", json={"name": "qa"}).json()
        assert client.delete(f"/api/v4/projects/{project.id}/environments/{env['id']}").status_code == 403
        gitlab_envs.premium = False
        assert client.get(f"/api/v4/projects/{project.id}/protected_environments").status_code == 403
