"""A stateful fake of Backstage's catalog locations API (``/api/catalog``).

Registering a location reads the catalog file at its target, as Backstage does, from the
bare repositories of the GitHub/GitLab fakes (``readers``): a target nobody can read is a
404, a target already registered a 409 ``ConflictError``. Entities are looked up with
``GET /locations/by-entity/{kind}/{namespace}/{name}``; :attr:`ingestion_lag` makes that
answer 404 a few times after a registration (Backstage ingests asynchronously). Errors have
Backstage's shape ``{"error": {"name", "message"}, "request", "response": {"statusCode"}}``.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import yaml

from tests.fakes.base import FakeApp, Request, Response
from tests.fakes.githttp import GitHttpBackend


class BackstageFake(FakeApp):
    """Backstage's catalog: locations and the entities they bring."""

    label = "Backstage"

    def __init__(self, token: str | None = None, readers: Sequence[GitHttpBackend] = ()) -> None:
        super().__init__()
        self.token = token
        self.readers = list(readers)
        self.locations: dict[str, dict[str, Any]] = {}
        self.entities: dict[str, str] = {}  # entity ref → location id
        self.ingestion_lag = 0
        self._pending = 0
        self.ids = (f"loc-{n}" for n in itertools.count(1))
        self.add_route("POST", "/api/catalog/locations", self._create)
        self.add_route("GET", "/api/catalog/locations", self._list)
        self.add_route("GET", "/api/catalog/locations/by-entity/{kind}/{namespace}/{name}", self._by_entity)

    def register(self, target: str, entities: Sequence[str]) -> dict[str, Any]:
        """A location registered before the test (``entities`` as refs ``kind:ns/name``)."""
        location = {"id": next(self.ids), "type": "url", "target": target}
        self.locations[location["id"]] = location
        for ref in entities:
            self.entities[ref.lower()] = location["id"]
        return location

    def dispatch(self, request: Request) -> Response:
        """Bearer token (when the fake has one), known route, known body fields."""
        if self.token and request.headers.get("authorization") != f"Bearer {self.token}":
            return fail(request, 401, "AuthenticationError", "Missing or invalid credentials")
        route = self.match(request)
        if route is None:
            self.violations.append(f"{request.method} {request.raw_path}: no such route")
            return fail(request, 404, "NotFoundError", "Not found")
        if request.method == "POST":
            body = request.json() or {}
            unknown = set(body) - {"type", "target"}
            if unknown or not {"type", "target"} <= set(body):
                self.violations.append(f"POST {request.raw_path}: body {sorted(body)}")
                return fail(request, 400, "InputError", "Invalid request body")
        return route.handler(request)

    def _create(self, request: Request) -> Response:
        body = request.json()
        if any(loc["target"] == body["target"] for loc in self.locations.values()):
            message = f"Location {body['type']}:{body['target']} already exists"
            return fail(request, 409, "ConflictError", message)
        text = self._read(body["target"])
        if text is None:
            return fail(request, 404, "NotFoundError", f"Unable to read url, {body['target']}")
        documents = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
        if request.arg("dryRun") == "true":
            # As Backstage answers: the Location entity it would generate comes first.
            generated = {
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "Location",
                "metadata": {
                    "name": "generated-"
                    + hashlib.sha1(body["target"].encode(), usedforsecurity=False).hexdigest()
                },
                "spec": {"type": body["type"], "target": body["target"]},
            }
            return Response(
                201, {"location": {"id": "dry", **body}, "entities": [generated, *documents], "exists": False}
            )
        location = {"id": next(self.ids), "type": body["type"], "target": body["target"]}
        self.locations[location["id"]] = location
        for document in documents:
            meta = document.get("metadata") or {}
            namespace = meta.get("namespace", "default")
            ref = f"{document.get('kind', '')}:{namespace}/{meta.get('name', '')}".lower()
            self.entities[ref] = location["id"]
        self._pending = self.ingestion_lag
        return Response(201, {"location": location, "entities": documents, "exists": False})

    def _list(self, request: Request) -> Response:
        return Response(200, [{"data": location} for location in self.locations.values()])

    def _by_entity(self, request: Request) -> Response:
        params = request.params
        ref = f"{params['kind']}:{params['namespace']}/{params['name']}".lower()
        if ref not in self.entities or self._pending > 0:
            self._pending = max(0, self._pending - 1)
            return fail(request, 404, "NotFoundError", f"No location for entity '{ref}'")
        return Response(200, self.locations[self.entities[ref]])

    def _read(self, target: str) -> str | None:
        path = urlsplit(target).path.strip("/")
        repo, sep, rest = path.partition("/-/blob/")
        if not sep:
            repo, sep, rest = path.partition("/blob/")
        branch, _, file = rest.partition("/")
        for reader in self.readers:
            text = reader.read_file(repo, branch, file) if sep and reader.bare(repo).is_dir() else None
            if text is not None:
                return text
        return None


def fail(request: Request, status: int, name: str, message: str) -> Response:
    """Backstage's error shape."""
    return Response(
        status,
        {
            "error": {"name": name, "message": message},
            "request": {"method": request.method, "url": request.raw_path},
            "response": {"statusCode": status},
        },
    )
