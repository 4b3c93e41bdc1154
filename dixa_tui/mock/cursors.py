"""The search pages an organization has handed out a ``pageKey`` for.

Dixa documents ``pageKey`` as opaque ("do not try to construct or change"), so the mock's
keys are random tokens that name a kept result list and a position in it: a key it did not
issue names nothing and is refused. The oldest are forgotten first once ``MAX_CURSORS`` are
kept, so a long-running ``mock serve`` does not grow without bound.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

MAX_CURSORS = 10_000


@dataclass(frozen=True)
class Cursor:
    """What a ``pageKey`` names: the ids its search found (one list, shared by every page
    of that search), where the page starts, and the page size asked for before."""

    ids: list[int]
    offset: int
    limit: int


class Cursors:
    """Issued keys -> the page each names."""

    def __init__(self) -> None:
        self._by_key: dict[str, Cursor] = {}

    def issue(self, cursor: Cursor) -> str:
        while len(self._by_key) >= MAX_CURSORS:
            del self._by_key[next(iter(self._by_key))]
        key = secrets.token_urlsafe(18)
        self._by_key[key] = cursor
        return key

    def get(self, key: str) -> Cursor | None:
        return self._by_key.get(key)

    def __len__(self) -> int:
        return len(self._by_key)
