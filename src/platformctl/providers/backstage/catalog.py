"""Backstage catalog registration: ``POST /api/catalog/locations`` unless already registered.

Read first: ``GET /api/catalog/locations/by-entity/{kind}/{namespace}/{name}`` answers the
location an entity came from. Backstage ingests asynchronously, so a location registered a
moment ago may not show there yet; its ``POST`` then answers 409, which is success too.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from platformctl.contracts.repositories import CatalogEntity, StepResult
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
