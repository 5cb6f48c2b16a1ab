"""``Link`` pagination for :meth:`~platformctl.providers.http.HttpClient.paginate`.

Each page is one request through the client's policy (retries, bounds, translation); the next
page is the ``rel="next"`` link followed verbatim, and only to the client's own origin, since the
token goes with every page. With a :class:`~platformctl.providers.httpcache.ConditionalCache`,
a page is asked with ``If-None-Match`` and a 304 is answered from the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from platformctl.errors import ProviderError
from platformctl.providers.answers import AnswerShapeError, kind_of, require_objects
from platformctl.providers.httpcache import ConditionalCache

if TYPE_CHECKING:
    from platformctl.providers.http import HttpClient


def pages(
    client: HttpClient,
    path: str,
    *,
    action: str,
    params: Mapping[str, Any] | None,
    key: str | None,
    per_page: int,
    cache: ConditionalCache | None,
    trim: Callable[[Any], Any] | None,
) -> Iterator[Any]:
    """Every item of the list endpoint at ``path`` (see :meth:`HttpClient.paginate`)."""
    url: str | None = path
    query: dict[str, Any] | None = {**(params or {}), "per_page": per_page}
    while url:
        page_key = ConditionalCache.key(url, query)
        etag = cache.etag(page_key) if cache else None
        headers = {"If-None-Match": etag} if etag else None
        response = client.request("GET", url, action=action, params=query, headers=headers)
        if cache and etag and response.status_code == 304:
            items, url = cache.answer(page_key)
        else:
            items = _items(response, key, trim)
            url = response.links.get("next", {}).get("url")
            if cache is not None:
                cache.keep(page_key, response.headers.get("etag", ""), items, url)
        query = None
        if url and not same_origin(httpx.URL(url), client.base_url):
            # The token goes with every page: never to another host, nor over plain http.
            raise ProviderError(
                f"{client.service.label} sent a next-page link to another host: {url}",
                provider=client.service.key,
            )
        yield from items


def _items(response: httpx.Response, key: str | None, trim: Callable[[Any], Any] | None) -> list[Any]:
    """The page's objects (the list itself, or the one under ``key``), each ``trim``-med."""
    data = response.json()
    found = (data.get(key) or []) if key else data
    endpoint = response.extensions["platformctl.endpoint"]
    if not isinstance(found, list):
        raise AnswerShapeError(endpoint, f"{kind_of(found)} where a list is expected")
    require_objects(found, endpoint)
    return [trim(item) for item in found] if trim is not None else list(found)


def same_origin(url: httpx.URL, base: httpx.URL) -> bool:
    """Scheme, host and port all equal (a relative link inherits the base's)."""
    if not url.is_absolute_url:
        return True
    return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)
