"""Backstage catalog registration: ``POST /api/catalog/locations`` unless already registered.

Read first: ``GET /api/catalog/locations/by-entity/{kind}/{namespace}/{name}`` answers the
location an entity came from. Backstage ingests asynchronously, so a location registered a
moment ago may not show there yet; its ``POST`` then answers 409, which is success too.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from platformctl.contracts.repositories import CatalogEntity, StepResult
from platformctl.providers.answers import objects
from platformctl.providers.http import HttpClient


class BackstageCatalog:
    """Registers ``url`` locations in a Backstage catalog."""

    name = "backstage"

    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def plan(self, entity: CatalogEntity, target: str) -> list[str]:
        """The requests of a first registration."""
        return [
            f"backstage: GET /api/catalog{self._by_entity(entity)} (read; 404 means register)",
            f"backstage: POST /api/catalog/locations {json.dumps({'type': 'url', 'target': target})} "
            "(409 means already registered)",
        ]

    def preview(self, entity: CatalogEntity, target: str) -> list[str]:
        """``plan``, checked by Backstage: ``POST /locations?dryRun=true`` reads and processes the
        file without storing anything. A target Backstage cannot read yet (not pushed) keeps the
        plain plan; a wrong token is an error, as it would be in the real run."""
        found = self.http.request(
            "GET", self._by_entity(entity), allow={404}, action=f"read where {entity.ref} comes from"
        )
        if found.status_code == 200:
            origin = found.json().get("target", "")
            return [f"backstage: {entity.ref} is already in the catalog (from {origin}): nothing to register"]
        response = self.http.request(
            "POST",
            "/locations",
            params={"dryRun": "true"},
            json={"type": "url", "target": target},
            allow={400, 404, 409},
            action=f"check {target} with the catalog (dry run)",
        )
        answer = response.json() if response.status_code == 201 else {}
        if response.status_code == 409 or answer.get("exists"):
            return [f"backstage: {target} is already registered: nothing to register"]
        plan = self.plan(entity, target)
        if response.status_code != 201:
            return [
                *plan,
                f"backstage: dry run: Backstage cannot read {target} yet (the push makes it readable)",
            ]
        # The answer lists the Location entity Backstage generates for the target first: not news.
        entities = objects(answer.get("entities"))
        refs = [_ref(e) for e in entities if str(e.get("kind", "")).lower() != "location"]
        return [*plan, f"backstage: dry run accepted by the catalog: {', '.join(refs) or 'no entities'}"]

    def register(self, entity: CatalogEntity, target: str) -> StepResult:
        """Register ``target`` unless the entity already comes from a location."""
        found = self.http.request(
            "GET", self._by_entity(entity), allow={404}, action=f"read where {entity.ref} comes from"
        )
        if found.status_code == 200:
            location = found.json()
            origin = location.get("target", "")
            detail = "already registered" if origin == target else f"already in the catalog from {origin}"
            return StepResult("register in catalog", changed=False, detail=detail)
        response = self.http.request(
            "POST",
            "/locations",
            json={"type": "url", "target": target},
            allow={409},
            action=f"register {target} in the catalog",
        )
        if response.status_code == 409:
            return StepResult("register in catalog", changed=False, detail="already registered")
        return StepResult("register in catalog", changed=True, detail=f"{entity.ref} from {target}")

    @staticmethod
    def _by_entity(entity: CatalogEntity) -> str:
        parts = (entity.kind.lower(), entity.namespace, entity.name)
        return "/locations/by-entity/" + "/".join(quote(p, safe="") for p in parts)


def _ref(entity: dict[str, object]) -> str:
    meta = entity.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    kind = str(entity.get("kind", "")).lower()
    return f"{kind}:{meta.get('namespace') or 'default'}/{meta.get('name', '')}"
