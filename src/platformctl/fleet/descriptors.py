"""Service descriptors read from a forge: validated once, remembered by content.

A descriptor is untrusted text: the first time a content is seen it goes through the one
YAML loader and the descriptor model. The validated result is kept in
``<home>/cache/fleet/descriptors.json`` keyed by the SHA-256 of the text, so a re-scan that
gets the same text (a 304) validates the stored model again instead of parsing YAML again.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.errors import ConfigError

if TYPE_CHECKING:
    from platformctl.scaffold.descriptor import ServiceDescriptor

MAX_ENTRIES = 20_000


class DescriptorReader:
    """Parse descriptors from several threads; use as a context manager (it saves the cache)."""

    def __init__(self, cache: Path | None) -> None:
        self.cache = cache
        self.known: dict[str, Any] = _load(cache) if cache else {}
        self.seen: dict[str, Any] = {}
        self.lock = threading.Lock()

    def __enter__(self) -> DescriptorReader:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.cache is not None and self.seen and self.seen.keys() != self.known.keys():
            from platformctl.files import atomic_write_text

            self.cache.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.cache, json.dumps(dict(list(self.seen.items())[:MAX_ENTRIES])))

    def parse(self, text: str) -> ServiceDescriptor:
        """The validated descriptor of ``text``.

        Raises:
            ConfigError: not YAML, or not a valid descriptor (the message names platform.yaml).
        """
        from pydantic import ValidationError

        from platformctl.scaffold.descriptor import ServiceDescriptor

        key = hashlib.sha256(text.encode()).hexdigest()
        with self.lock:
            stored = self.known.get(key)
        if stored is not None:
            try:
                descriptor = ServiceDescriptor.model_validate(stored)
            except ValidationError:
                descriptor = self._parse_text(text)
        else:
            descriptor = self._parse_text(text)
        with self.lock:
            self.seen[key] = descriptor.model_dump(by_alias=True, exclude_none=True)
        return descriptor

    def _parse_text(self, text: str) -> ServiceDescriptor:
        """The one YAML loader and the descriptor model, straight from the text (no file)."""
        from pydantic import ValidationError

        from platformctl.scaffold.descriptor import DESCRIPTOR_FILE, ServiceDescriptor
        from platformctl.yamlfiles import MAX_BYTES, parse_text

        if len(text.encode("utf-8")) > MAX_BYTES:
            raise ConfigError(
                f"{DESCRIPTOR_FILE}: larger than {MAX_BYTES // (1024 * 1024)} MiB",
                hint="a service descriptor is a few lines of YAML",
            )
        data, _ = parse_text(text, DESCRIPTOR_FILE, error=ConfigError)
        try:
            return ServiceDescriptor.model_validate(data)
        except ValidationError as exc:
            from platformctl.config import describe_validation_error

            raise ConfigError(
                f"{DESCRIPTOR_FILE}: {describe_validation_error(exc, ServiceDescriptor)}"
            ) from None


def _load(cache: Path) -> dict[str, Any]:
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
