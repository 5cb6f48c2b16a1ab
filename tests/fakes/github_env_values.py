"""Secrets and variables of the GitHub fake's environments (see tests.fakes.github_environments).

Secrets are kept only as the sealed box the client sent; a box that does not open with the
fake's private key, or a foreign ``key_id``, is refused with 422. Names are stored upper case.
Creating an existing variable is a 409 (not in the OpenAPI description, but what GitHub does).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from tests.fakes.base import Answer, Request, Response
from tests.fakes.github import error

if TYPE_CHECKING:
    from nacl.public import PrivateKey

    from tests.fakes.github import GitHubFake
    from tests.fakes.github_environments import Environment

KEY_ID = "568250167242549743"


class ValueRoutes:
    """Handlers of the secret and variable routes; mixed into the environment routes."""

    fake: GitHubFake
    private_key: PrivateKey

    def _env(self, request: Request) -> Environment:
        raise NotImplementedError

    def _now(self) -> str:
        raise NotImplementedError

    # -- secrets -------------------------------------------------------------------------------------
    def public_key(self, request: Request) -> Response:
        self._env(request)
        key = base64.b64encode(bytes(self.private_key.public_key)).decode()
        return Response(200, {"key_id": KEY_ID, "key": key})

    def list_secrets(self, request: Request) -> Response:
        env = self._env(request)
        items = [
            {"name": n, "created_at": s["created_at"], "updated_at": s["updated_at"]}
            for n, s in sorted(env.secrets.items())
        ]
        return Response(200, {"total_count": len(items), "secrets": items})

    def put_secret(self, request: Request) -> Response:
        env, body = self._env(request), request.json()
        if body["key_id"] != KEY_ID:
            return error(422, "Bad request - key_id does not match the public key")
        try:
            from nacl.public import SealedBox

            SealedBox(self.private_key).decrypt(base64.b64decode(body["encrypted_value"]))
        except Exception:
            return error(422, "Bad request - encrypted_value cannot be decrypted")
        name, now = request.params["secret_name"].upper(), self._now()
        created = name not in env.secrets
        stamp = env.secrets.get(name, {}).get("created_at", now)
        env.secrets[name] = {
            "encrypted_value": body["encrypted_value"],
            "key_id": body["key_id"],
            "created_at": stamp,
            "updated_at": now,
        }
        return Response(201, {}) if created else Response(204, None)

    def delete_secret(self, request: Request) -> Response:
        env = self._env(request)
        if env.secrets.pop(request.params["secret_name"].upper(), None) is None:
            return error(404, "Not Found")
        return Response(204, None)

    # -- variables ---------------------------------------------------------------------------------
    def _variable_json(self, name: str, var: dict[str, str]) -> dict[str, str]:
        return {
            "name": name,
            "value": var["value"],
            "created_at": var["created_at"],
            "updated_at": var["updated_at"],
        }

    def list_variables(self, request: Request) -> Response:
        env = self._env(request)
        per_page = min(int(request.arg("per_page") or 10), 30)
        page = int(request.arg("page") or 1)
        names = sorted(env.variables)
        chunk = names[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(names):
            headers["Link"] = (
                f"<{self.fake.base_url(request)}{request.raw_path}?per_page={per_page}"
                f'&page={page + 1}>; rel="next"'
            )
        items = [self._variable_json(n, env.variables[n]) for n in chunk]
        return Response(200, {"total_count": len(names), "variables": items}, headers)

    def create_variable(self, request: Request) -> Response:
        env, body = self._env(request), request.json()
        name = body["name"].upper()
        if name in env.variables:
            return error(409, "Already exists - Variable already exists")
        now = self._now()
        env.variables[name] = {"value": body["value"], "created_at": now, "updated_at": now}
        return Response(201, {})

    def _variable(self, request: Request) -> tuple[Environment, str]:
        env, name = self._env(request), request.params["name"].upper()
        if name not in env.variables:
            raise Answer(error(404, "Not Found"))
        return env, name

    def get_variable(self, request: Request) -> Response:
        env, name = self._variable(request)
        return Response(200, self._variable_json(name, env.variables[name]))

    def update_variable(self, request: Request) -> Response:
        env, name = self._variable(request)
        body = request.json() or {}
        var = env.variables.pop(name)
        new_name = (body.get("name") or name).upper()
        env.variables[new_name] = {**var, "value": body.get("value", var["value"]), "updated_at": self._now()}
        return Response(204, None)

    def delete_variable(self, request: Request) -> Response:
        env, name = self._variable(request)
        del env.variables[name]
        return Response(204, None)
