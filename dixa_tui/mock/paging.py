"""Dixa's cursor paging: ``pageLimit`` + an opaque ``pageKey``, and ``meta.next`` as a full URL.

Dixa documents ``pageKey`` as "base64 encoded form of pagination query parameters; do not
construct it", and lists "Invalid value for: query parameter pageKey" among its 400s. The
mock's key is base64 of a small JSON object (offset, limit, filters) and a tag: an HMAC of
them under a secret of this process, so a key the mock did not issue (garbage, a forged or an
edited one) is refused with that 400, as Dixa refuses one; clients must treat it as opaque.
``meta.next`` is built from the URL the request came in on (scheme, host, port, path), so it
points back at whichever mock answered, and is absent on the last page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import URL, QueryParams

DEFAULT_PAGE_LIMIT = 25
MAX_PAGE_LIMIT = 100
INT32_MAX = 2**31 - 1
_SECRET = secrets.token_bytes(32)  # signs the keys this process issues


class PagingError(ValueError):
    """A query parameter Dixa would refuse; ``str()`` is the 400 message."""


@dataclass(frozen=True)
class PageRequest:
    offset: int = 0
    limit: int = DEFAULT_PAGE_LIMIT
    filters: dict[str, str] = field(default_factory=dict)


def _tag(offset: int, limit: int, filters: dict[str, str]) -> str:
    fields = json.dumps([offset, limit, sorted(filters.items())], separators=(",", ":"))
    return hmac.new(_SECRET, fields.encode(), hashlib.sha256).hexdigest()[:32]


def encode_key(offset: int, limit: int, filters: dict[str, str]) -> str:
    raw = json.dumps({"o": offset, "l": limit, "f": filters, "t": _tag(offset, limit, filters)},
                     separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_key(key: str) -> PageRequest:
    try:
        payload = json.loads(base64.urlsafe_b64decode(key.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError):
        raise PagingError("Invalid value for: query parameter pageKey") from None
    fields = payload if isinstance(payload, dict) else {}
    offset, limit, filters, tag = (fields.get(k) for k in ("o", "l", "f", "t"))
    if (not isinstance(offset, int) or offset < 0 or not isinstance(limit, int)
            or not isinstance(filters, dict) or not isinstance(tag, str)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in filters.items())
            or not hmac.compare_digest(tag, _tag(offset, limit, filters))):
        raise PagingError("Invalid value for: query parameter pageKey")
    return PageRequest(offset, _clamp(limit), filters)


def _clamp(limit: int) -> int:
    return max(1, min(MAX_PAGE_LIMIT, limit))


def parse_page_request(params: QueryParams, filter_names: Sequence[str] = ()) -> PageRequest:
    """Offset, limit and filters from the query: a ``pageKey`` carries all three; a
    ``pageLimit`` or filter given next to it wins (Dixa lets callers resize between pages)."""
    key = params.get("pageKey")
    page = _decode_key(key) if key is not None else PageRequest()
    limit = page.limit
    text = params.get("pageLimit")
    if text is not None:
        try:
            number = int(text.strip())
        except ValueError:
            number = INT32_MAX + 1
        if not -INT32_MAX - 1 <= number <= INT32_MAX:  # Dixa declares it int32
            raise PagingError("Invalid value for: query parameter pageLimit")
        limit = _clamp(number)
    filters = dict(page.filters)
    for name in filter_names:
        value = params.get(name)
        if value is not None:
            if not value.strip():
                raise PagingError(f"Invalid value for: query parameter {name}")
            filters[name] = value
    return PageRequest(page.offset, limit, filters)


def page_of(
    items: Sequence[Any], page: PageRequest, url: URL, render: Callable[[Any], Any]
) -> dict[str, Any]:
    """``{"data": [...], "meta": {...}}`` for one page of ``items``; only that page is
    rendered."""
    end = page.offset + page.limit
    meta: dict[str, str] = {}
    if page.offset > 0:
        previous = max(0, page.offset - page.limit)
        meta["previous"] = _link(url, previous, page)
    if end < len(items):
        meta["next"] = _link(url, end, page)
    body: dict[str, Any] = {"data": [render(i) for i in items[page.offset:end]]}
    if meta:
        body["meta"] = meta
    return body


def _link(url: URL, offset: int, page: PageRequest) -> str:
    key = encode_key(offset, page.limit, page.filters)
    return str(url.replace(query=urlencode({"pageKey": key})))
