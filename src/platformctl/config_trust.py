"""Which project files may steer state, code and tokens: a direnv-style allow list.

A ``platformctl.yaml`` found by walking up from the working directory may come from any
repository the user cloned. Until the user trusts it (``platformctl config trust``), it may
set defaults only (:data:`UNTRUSTED_ALLOWED`); everything that decides where state lives
(``home``), which code renders (``golden_paths``), where a token or a secret goes (``provider``
and ``org``, which choose the forge and the organisation a token creates repositories in, the
API URLs, the environment classes with their providers and protection rules) is ignored, with
one warning per setting. Trust is recorded per file path *and* content hash, so an edit (a
``git pull``) needs trusting again. The user file, ``--config`` and ``PLATFORMCTL_CONFIG`` are
the user's own choice and always trusted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from platformctl.config_schema import PlatformConfig
from platformctl.errors import ConfigError
from platformctl.files import atomic_write_text, user_config_dir

TRUST_FILE = "trusted-configs.json"
# Settings a project file may only set once trusted: each would send a token elsewhere.
TOKEN_URLS = ("github.api_url", "gitlab.url", "backstage.url")
# What an untrusted project file may set (docs/configuration.md): defaults of new services that
# send no token anywhere and the pacing of HTTP requests; every other field of PlatformConfig is
# dropped by restrict(). Not `provider` nor `org`: together they decide which forge a token is
# used on and which organisation it creates repositories in (docs/security.md: an untrusted
# file never moves a token).
UNTRUSTED_ALLOWED = frozenset({"owner", "golden_path", "http", "lock_wait"})
# Whole mappings dropped one entry at a time, so each warning names the entry.
_BY_ENTRY = ("golden_paths", "environments")


def _store(env: Mapping[str, str]) -> Path:
    # In the user's config dir, which no project file can move (unlike the platform home).
    return user_config_dir(env) / TRUST_FILE


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load(env: Mapping[str, str]) -> dict[str, str]:
    from platformctl.errors import PlatformctlError
    from platformctl.files import read_text
    from platformctl.yamlfiles import MAX_BYTES, parse_json_text

    store = _store(env)
    try:
        text = read_text(store, what="trust records", error=PlatformctlError, max_bytes=MAX_BYTES)
        data = parse_json_text(text, str(store))
    except (OSError, PlatformctlError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def is_trusted(path: Path, env: Mapping[str, str]) -> bool:
    """Whether the user trusted this very content of ``path``."""
    key = str(path.resolve())
    try:
        return _load(env).get(key) == _digest(path)
    except OSError:
        return False


def trust(path: Path, env: Mapping[str, str]) -> str:
    """Record the current content of ``path`` as trusted; return its SHA-256."""
    if not path.is_file():
        raise ConfigError(f"{path} is not a file", hint="name a platformctl.yaml to trust")
    trusted = _load(env)
    digest = _digest(path)
    trusted[str(path.resolve())] = digest
    atomic_write_text(_store(env), json.dumps(trusted, indent=2, sort_keys=True) + "\n", mode=0o600)
    return digest


def restrict(config: PlatformConfig) -> tuple[PlatformConfig, list[str]]:
    """``config`` without what an untrusted file may not set, and the dotted keys dropped."""
    dropped: list[str] = []
    updates: dict[str, object] = {}
    fields = [f for f in type(config).model_fields if f in config.model_fields_set - UNTRUSTED_ALLOWED]
    for field in fields:  # in the schema's order, so warnings come in a stable order
        value = getattr(config, field)
        if value is None:
            continue
        if field in _BY_ENTRY:
            dropped += [f"{field}.{name}" for name in value]
        elif field in {dotted.partition(".")[0] for dotted in TOKEN_URLS}:
            dropped += [f"{field}.{key}" for key in sorted(value.model_fields_set)]
        else:
            dropped.append(field)
        updates[field] = None
    return config.model_copy(update=updates), dropped
