"""GitHub default-branch protection: a repository ruleset found by name, or classic protection.

Rulesets are the default (they stack, have an enforcement status, and read-only users can see
them). A ruleset has a numeric id, so ours is found by its name, ``platformctl-default-branch``.
Where the rulesets API answers 404 for a repository that exists (GitHub Enterprise Server
before rulesets), classic branch protection is used instead. Rulesets and classic protection
both need GitHub Pro/Team/Enterprise for private repositories: that refusal is reported as
a plan limit, not retried.

"Protected" means: changes through a pull request with at least one approval, no force push,
no deletion. Rules or settings someone added on top are kept.
"""

from __future__ import annotations

import json
from typing import Any

from platformctl.errors import ProviderError
from platformctl.providers.http import HttpClient
from platformctl.providers.httperrors import server_message, translate

RULESET_NAME = "platformctl-default-branch"
_PULL_REQUEST = {
    "required_approving_review_count": 1,
    "dismiss_stale_reviews_on_push": True,
    "require_code_owner_review": False,
    "require_last_push_approval": False,
    "required_review_thread_resolution": False,
}


def desired_ruleset() -> dict[str, Any]:
    """The ruleset platformctl owns (every ``pull_request`` parameter is required by the API)."""
    return {
        "name": RULESET_NAME,
        "target": "branch",
        "enforcement": "active",
        "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}},
        "rules": [
            {"type": "deletion"},
            {"type": "non_fast_forward"},
            {"type": "pull_request", "parameters": dict(_PULL_REQUEST)},
        ],
    }


class GitHubProtection:
    """Reads, compares and writes the default-branch protection of one repository."""

    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def plan(self, slug: str, branch: str) -> list[str]:
        """The requests of a first run (a repository this run created skips the reads)."""
        return [
            f"POST /repos/{slug}/rulesets {json.dumps(desired_ruleset(), sort_keys=True)} "
            f"(when the repository already existed: GET /repos/{slug}/rulesets, then "
            f"GET/PUT /repos/{slug}/rulesets/ID if a ruleset named {RULESET_NAME} is there)",
            f"PUT /repos/{slug}/branches/{branch}/protection, only where rulesets are unavailable",
        ]

    def ensure(self, slug: str, branch: str, *, fresh: bool) -> tuple[bool, str]:
        """Make the branch protected; return (changed, detail)."""
        if fresh:
            response = self._create(slug, retry_not_found=True)
            if response.status_code == 201:
                return True, f"ruleset {RULESET_NAME} created"
            if response.status_code == 404:
                return self._classic(slug, branch)
            # 422 "Name must be unique": a retried POST that did land; read and compare.
        ours = self._ours(slug)
        if ours is None:
            return self._classic(slug, branch)
        if not ours:
            response = self._create(slug, retry_not_found=False)
            if response.status_code != 201:
                raise translate(
                    "GitHub",
                    f"create ruleset {RULESET_NAME} on {slug}",
                    response,
                    self.http.service.token_hint,
                )
            return True, f"ruleset {RULESET_NAME} created"
        return self._converge(slug, ours[0])

    def _ours(self, slug: str) -> list[dict[str, Any]] | None:
        """The repository's own rulesets named ours; None where the rulesets API answers 404."""
        try:
            pages = self.http.paginate(
                f"/repos/{slug}/rulesets",
                params={"includes_parents": "false"},
                action=f"list the rulesets of {slug}",
            )
            rulesets = list(pages)
        except ProviderError as exc:
            if exc.status == 404:
                return None
            raise
        return [
            r
            for r in rulesets
            if r.get("name") == RULESET_NAME and r.get("source_type", "Repository") == "Repository"
        ]

    def _converge(self, slug: str, ruleset: dict[str, Any]) -> tuple[bool, str]:
        """Read our ruleset in full and put it back repaired when it no longer protects."""
        path = f"/repos/{slug}/rulesets/{ruleset['id']}"
        current = self.http.request("GET", path, action=f"read ruleset {RULESET_NAME} of {slug}").json()
        if _ruleset_protects(current):
            return False, f"ruleset {RULESET_NAME} in place"
        self.http.request(
            "PUT", path, json=_repaired(current), action=f"update ruleset {RULESET_NAME} of {slug}"
        )
        return True, f"ruleset {RULESET_NAME} updated"

    def _create(self, slug: str, *, retry_not_found: bool) -> Any:
        action = f"create ruleset {RULESET_NAME} on {slug}"
        response = self.http.request(
            "POST",
            f"/repos/{slug}/rulesets",
            json=desired_ruleset(),
            action=action,
            allow={404, 422},
            retry_not_found=retry_not_found,
        )
        if response.status_code == 422 and "unique" not in server_message(response).lower():
            raise translate("GitHub", action, response, self.http.service.token_hint)
        return response

    def _classic(self, slug: str, branch: str) -> tuple[bool, str]:
        path = f"/repos/{slug}/branches/{branch}/protection"
        response = self.http.request(
            "GET", path, action=f"read the protection of {branch} in {slug}", allow={404}
        )
        current = response.json() if response.status_code == 200 else None
        if current is not None and _classic_protects(current):
            return False, f"classic protection of {branch} in place (rulesets unavailable)"
        checks = (current or {}).get("required_status_checks")  # someone's required checks are kept
        kept = (
            {"strict": bool(checks.get("strict")), "contexts": list(checks.get("contexts") or [])}
            if checks
            else None
        )
        body = {
            "required_status_checks": kept,
            "enforce_admins": True,
            "required_pull_request_reviews": {"required_approving_review_count": 1},
            "restrictions": None,
            "allow_force_pushes": False,
            "allow_deletions": False,
        }
        self.http.request("PUT", path, json=body, action=f"protect {branch} of {slug}")
        return True, f"classic protection of {branch} set (rulesets unavailable)"


def _rules(ruleset: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rule.get("type"): rule for rule in ruleset.get("rules") or []}


def _ruleset_protects(ruleset: dict[str, Any]) -> bool:
    rules = _rules(ruleset)
    include = ((ruleset.get("conditions") or {}).get("ref_name") or {}).get("include") or []
    pull = (rules.get("pull_request") or {}).get("parameters") or {}
    return (
        ruleset.get("enforcement") == "active"
        and ruleset.get("target", "branch") == "branch"
        and "~DEFAULT_BRANCH" in include
        and "deletion" in rules
        and "non_fast_forward" in rules
        and int(pull.get("required_approving_review_count") or 0) >= 1
    )


def _repaired(ruleset: dict[str, Any]) -> dict[str, Any]:
    """The ruleset with our rules restored and everything else someone added kept."""
    desired = desired_ruleset()
    rules = _rules(ruleset)
    for wanted in desired["rules"]:
        rule = wanted
        if wanted["type"] == "pull_request" and "pull_request" in rules:
            params = {**_PULL_REQUEST, **(rules["pull_request"].get("parameters") or {})}
            count = int(params["required_approving_review_count"] or 0)
            rule = {
                "type": "pull_request",
                "parameters": {
                    **{k: params[k] for k in _PULL_REQUEST},
                    "required_approving_review_count": max(1, count),
                },
            }
        rules[rule["type"]] = rule
    ref_name = (ruleset.get("conditions") or {}).get("ref_name") or {}
    include = sorted({*(ref_name.get("include") or []), "~DEFAULT_BRANCH"})
    return {
        **desired,
        "rules": [_writable(r) for r in rules.values()],
        "conditions": {"ref_name": {"include": include, "exclude": ref_name.get("exclude") or []}},
    }


def _writable(rule: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rule.items() if k in ("type", "parameters")}


def _classic_protects(protection: dict[str, Any]) -> bool:
    reviews = protection.get("required_pull_request_reviews") or {}
    return (
        int(reviews.get("required_approving_review_count") or 0) >= 1
        and not (protection.get("allow_force_pushes") or {}).get("enabled")
        and not (protection.get("allow_deletions") or {}).get("enabled")
    )
