"""Secrets of a GitHub environment: sealed for the environment's public key, then remembered.

GitHub never returns a secret's value, so what was set is known afterwards only by the keyed
hash recorded locally with the ``updated_at`` GitHub reports for it
(:mod:`platformctl.providers.github.secret_state`): a later plan compares those.
"""

from __future__ import annotations

from urllib.parse import quote

from platformctl.contracts.environments import EnvironmentSpec
from platformctl.errors import InputRequired
from platformctl.providers.github import env_rules as rules
from platformctl.providers.github.secret_state import Recorded, SecretFingerprints
from platformctl.providers.http import HttpClient


def environment_path(slug: str, environment: str, rest: str = "") -> str:
    """The API path of environment ``environment`` of repository ``slug`` (and below it)."""
    return f"/repos/{slug}/environments/{quote(environment, safe='')}{rest}"


class EnvironmentSecrets:
    """Writes and records the secrets of the environments of one repository."""

    def __init__(self, http: HttpClient, slug: str, fingerprints: SecretFingerprints, *, scope: str) -> None:
        self.http = http
        self.slug = slug
        self.fingerprints = fingerprints
        self.scope = scope
        self._public_keys: dict[str, dict[str, str]] = {}

    def put(self, spec: EnvironmentSpec, name: str) -> int:
        """Seal secret ``name`` of ``spec`` and ``PUT`` it; the number of writes (1).

        Raises:
            InputRequired: the secret has no value (no source gave one).
        """
        value = spec.secrets[name].value
        if value is None:
            raise InputRequired(
                f"secret {name} has no value to set", hint="give it a source: env, file or stdin"
            )
        key = self._public_key(spec.name)
        body = {"encrypted_value": rules.seal(key["key"], value), "key_id": key["key_id"]}
        self.http.request(
            "PUT",
            environment_path(self.slug, spec.name, f"/secrets/{quote(name)}"),
            json=body,
            action=f"set secret {name} of environment {spec.name}",
        )
        return 1

    def _public_key(self, environment: str) -> dict[str, str]:
        if environment not in self._public_keys:  # one read per environment and run
            response = self.http.request(
                "GET",
                environment_path(self.slug, environment, "/secrets/public-key"),
                action=f"read the secrets key of environment {environment}",
            )
            self._public_keys[environment] = response.json()
        return self._public_keys[environment]

    def record(self, spec: EnvironmentSpec, names: list[str]) -> None:
        """Remember what was set, with the ``updated_at`` GitHub now reports for it."""
        if not names:
            return
        remote = {
            s["name"].upper(): s["updated_at"]
            for s in self.http.paginate(
                environment_path(self.slug, spec.name, "/secrets"),
                key="secrets",
                action=f"list the secrets of {spec.name}",
            )
        }
        records = {
            n: Recorded(spec.secrets[n].fingerprint, remote[n.upper()]) for n in names if n.upper() in remote
        }
        self.fingerprints.put(self.scope, spec.name, records)
