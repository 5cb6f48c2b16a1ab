"""Conditional reads for the one HTTP policy: answers kept with their ``ETag``.

:meth:`HttpClient.paginate <platformctl.providers.http.HttpClient.paginate>` takes a
:class:`ConditionalCache`: each page it asks again carries ``If-None-Match`` with the ETag it
was last answered with, and a ``304 Not Modified`` is answered from the cache (its items and its
next-page link), so a re-read of an unchanged listing costs no body and, on GitHub, no rate
limit. The entries are plain JSON (the caller persists them where it keeps its other cache);
only the entries used by the current run are kept by :meth:`ConditionalCache.used`, so pages
no longer asked do not pile up.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode


class ConditionalCache:
    """Pages by request URL: ``{"etag", "items", "next"}``."""

    def __init__(self, entries: Mapping[str, Any] | None = None) -> None:
        self._entries: dict[str, Any] = {
            k: v for k, v in (entries or {}).items() if _valid(v)
        }  # a malformed entry (hand-edited file) is a miss, never an error
        self._used: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.hits = 0

    @staticmethod
    def key(url: str, params: Mapping[str, Any] | None) -> str:
        """The cache key of one page: its path or URL and its sorted query."""
        return url + ("?" + urlencode(sorted((str(k), str(v)) for k, v in params.items())) if params else "")

    def etag(self, key: str) -> str | None:
        """The ETag to send with ``If-None-Match``, or None when nothing is kept."""
        with self._lock:
            entry = self._entries.get(key)
            return str(entry["etag"]) if entry else None

    def answer(self, key: str) -> tuple[list[Any], str | None]:
        """The kept items and next-page link of a page the server said has not changed."""
        with self._lock:
            entry = self._entries[key]
            self._used[key] = entry
            self.hits += 1
            return list(entry["items"]), entry["next"]

    def keep(self, key: str, etag: str, items: list[Any], next_url: str | None) -> None:
        """Remember a page answered with ``etag`` (an answer without one is not kept)."""
        if not etag:
            return
        entry = {"etag": etag, "items": items, "next": next_url}
        with self._lock:
            self._entries[key] = self._used[key] = entry

    def used(self) -> dict[str, Any]:
        """The entries read or written since this cache was made: what is worth saving."""
        with self._lock:
            return dict(self._used)


def _valid(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("etag"), str)
        and isinstance(entry.get("items"), list)
        and (entry.get("next") is None or isinstance(entry.get("next"), str))
    )
