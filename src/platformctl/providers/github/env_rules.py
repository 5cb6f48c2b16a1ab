"""GitHub environment protection: reading it back, the body to send, branch policies, refusals.

Protection is what ``PUT /repos/{owner}/{repo}/environments/{name}`` sets: ``wait_timer``,
``prevent_self_review``, ``reviewers`` (``{type: User|Team, id}``) and
``deployment_branch_policy``. Only the settings the spec names are sent (GitHub refuses
reviewers and wait timers, even empty ones, on private repositories of plans without them);
settings the spec leaves out are kept as GitHub has them. Branch name patterns are deployment
branch policies, listed, created when missing and deleted when extra.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from platformctl.contracts.environment_fields import Protection
from platformctl.errors import ConfigError, ProviderError
from platformctl.providers.http import HttpClient
from platformctl.providers.httperrors import is_plan_gated, server_message, translate
from platformctl.providers.remote_environments import sorted_reviewers

DEFAULTS: dict[str, Any] = {"reviewers": [], "wait_timer": 0, "prevent_self_review": False, "branches": "all"}


def observed_protection(environment: Mapping[str, Any], patterns: list[str]) -> dict[str, Any]:
    """The protection of a GitHub environment in the spec's terms."""
    rules = {rule.get("type"): rule for rule in environment.get("protection_rules") or []}
    review = rules.get("required_reviewers") or {}
    reviewers = []
    for entry in review.get("reviewers") or []:
        who = entry.get("reviewer") or {}
        if entry.get("type") == "Team":
            reviewers.append({"team": who.get("slug") or str(who.get("id"))})
        else:
            reviewers.append({"user": who.get("login") or str(who.get("id"))})
    policy = environment.get("deployment_branch_policy")
    if policy is None:
        branches: Any = "all"
    elif policy.get("protected_branches"):
        branches = "protected"
    else:
        branches = sorted(patterns)
    wait_timer = int((rules.get("wait_timer") or {}).get("wait_timer") or 0)
    return {
        "reviewers": sorted_reviewers(reviewers),
        "wait_timer": wait_timer,
        "prevent_self_review": bool(review.get("prevent_self_review")),
        "branches": branches,
    }


def is_custom(environment: Mapping[str, Any]) -> bool:
    """Whether the environment deploys from branch name patterns."""
    policy = environment.get("deployment_branch_policy")
    return bool(policy and policy.get("custom_branch_policies"))


def user_set(protection: Protection | None) -> dict[str, Any]:
    """The protection settings the spec names, in the same terms as :func:`observed_protection`."""
    if protection is None:
        return {}
    out = protection.model_dump(mode="json", exclude_none=True)
    if "reviewers" in out:
        out["reviewers"] = sorted_reviewers(out["reviewers"])
    if isinstance(out.get("branches"), list):
        out["branches"] = sorted(set(out["branches"]))
    return out


def environment_body(
    protection: Protection | None, reviewer_ids: Mapping[tuple[str, str], int]
) -> dict[str, Any]:
    """The PUT body: only the settings the spec names."""
    wanted = user_set(protection)
    body: dict[str, Any] = {}
    if "wait_timer" in wanted:
        body["wait_timer"] = wanted["wait_timer"]
    if "prevent_self_review" in wanted:
        body["prevent_self_review"] = wanted["prevent_self_review"]
    if "reviewers" in wanted:
        body["reviewers"] = [
            {"type": "Team" if "team" in r else "User", "id": reviewer_ids[_key(r)]}
            for r in wanted["reviewers"]
        ]
    if "branches" in wanted:
        branches = wanted["branches"]
        body["deployment_branch_policy"] = (
            None
            if branches == "all"
            else {
                "protected_branches": branches == "protected",
                "custom_branch_policies": isinstance(branches, list),
            }
        )
    return body


def _key(reviewer: Mapping[str, str]) -> tuple[str, str]:
    kind = "team" if "team" in reviewer else "user"
    return kind, reviewer[kind]


def resolve_reviewers(
    http: HttpClient, owner: str, protection: Protection | None
) -> dict[tuple[str, str], int]:
    """The numeric ids GitHub wants for reviewers, read by login and team slug.

    Raises:
        ConfigError: a user or team that does not exist (or the token cannot see).
    """
    ids: dict[tuple[str, str], int] = {}
    for reviewer in user_set(protection).get("reviewers", []):
        kind, name = _key(reviewer)
        path = f"/orgs/{quote(owner)}/teams/{quote(name)}" if kind == "team" else f"/users/{quote(name)}"
        response = http.request("GET", path, action=f"read {kind} {name}", allow={404})
        if response.status_code == 404:
            where = f"team {name} in {owner}" if kind == "team" else f"user {name}"
            raise ConfigError(
                f"reviewer {where} does not exist at GitHub (or the token cannot see it)",
                hint="check protection.reviewers in platform.yaml or the environment class",
            )
        ids[(kind, name)] = int(response.json()["id"])
    return ids


def put_environment(
    http: HttpClient, slug: str, name: str, body: dict[str, Any], private: bool | None
) -> None:
    """``PUT`` the environment; plan-gated and version-gated refusals become clear errors."""
    action = f"create or update environment {name} of {slug}"
    response = http.request(
        "PUT", f"/repos/{slug}/environments/{quote(name, safe='')}", json=body, action=action, allow={422}
    )
    if response.status_code != 422:
        return
    message = server_message(response)
    if "prevent_self_review" in message and "permitted" in message:
        raise ProviderError(
            f"GitHub cannot set prevent_self_review on environment {name}: this GitHub "
            f"version does not know it ({message})",
            provider="github",
            status=422,
            hint="remove protection.prevent_self_review for this GitHub (Enterprise Server)",
        )
    if is_plan_gated(message):
        gated: list[str] = [f for f in ("reviewers", "wait_timer") if f in body] or sorted(body)
        where = "a private repository" if private else "this repository"
        raise ProviderError(
            f"GitHub refused the protection of environment {name} in {slug}: {' and '.join(gated)} on "
            f"{where} need a plan that includes them (GitHub Enterprise for private repositories), "
            f"which this account lacks ({message})",
            provider="github",
            status=422,
            hint=f"remove {' and '.join(gated)} from the environment's protection, make the repository "
            "public, or upgrade the plan",
        )
    raise translate("GitHub", action, response, http.service.token_hint)


def branch_policies(http: HttpClient, slug: str, name: str) -> dict[str, int]:
    """``{pattern: policy id}`` of environment ``name``'s deployment branch policies."""
    return {
        p["name"]: int(p["id"])
        for p in http.paginate(
            f"/repos/{slug}/environments/{quote(name, safe='')}/deployment-branch-policies",
            key="branch_policies",
            action=f"list the branch patterns of environment {name}",
        )
    }


def sync_branch_policies(
    http: HttpClient, slug: str, name: str, wanted: list[str], current: Mapping[str, int]
) -> int:
    """Create missing branch name patterns and delete extra ones; return the writes."""
    base = f"/repos/{slug}/environments/{quote(name, safe='')}/deployment-branch-policies"
    writes = 0
    for pattern in wanted:
        if pattern not in current:
            # 303 (the pattern exists already) is followed to the existing policy: nothing to do.
            http.request(
                "POST", base, json={"name": pattern}, action=f"add branch pattern {pattern} to {name}"
            )
            writes += 1
    for pattern, ident in current.items():
        if pattern not in wanted:
            http.request("DELETE", f"{base}/{ident}", allow={404}, action=f"remove branch pattern {pattern}")
            writes += 1
    return writes


def seal(public_key: str, value: str) -> str:
    """``value`` in a libsodium sealed box for the environment's public key, base64-encoded."""
    from nacl.public import PublicKey, SealedBox

    box = SealedBox(PublicKey(base64.b64decode(public_key)))
    return base64.b64encode(box.encrypt(value.encode("utf-8"))).decode("ascii")
