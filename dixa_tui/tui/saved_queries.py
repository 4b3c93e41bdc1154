"""Saved queries in the command palette: ``Find: NAME`` opens the Find screen on one and runs it.

The queries are the config file's ``[queries]`` (read off the event loop each time the
palette opens, so a query saved a moment ago, here or by the CLI, is there). The provider
hands the chosen query to the screen the palette was opened on, when that screen can open a
find (:class:`FindOpener`: the main screen, the Find screen itself). Names and texts are the
user's own words: shown literally, never as markup.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from dixa_tui.text import clean
from dixa_tui.tui.literal import join, lit

if TYPE_CHECKING:
    from dixa_tui.session.queries import SavedQuery

PREFIX = "Find: "


@runtime_checkable
class FindOpener(Protocol):
    """A screen that can open the Find screen on a saved query (None: an empty one)."""

    def open_find(self, saved: SavedQuery | None = None) -> None: ...


def _read() -> list[SavedQuery]:
    from dixa_tui.config import ConfigError
    from dixa_tui.session.queries import saved_queries

    try:
        return saved_queries()
    except ConfigError:  # the Find screen's own list says what is wrong with the file
        return []


class SavedQueryCommands(Provider):
    """One palette entry per saved query."""

    async def startup(self) -> None:
        self.queries: list[SavedQuery] = await asyncio.to_thread(_read)

    def _open(self, saved: SavedQuery) -> None:
        screen = self.screen
        if isinstance(screen, FindOpener):
            screen.open_find(saved)

    def _hit_parts(self, saved: SavedQuery) -> tuple[str, str]:
        title = PREFIX + clean(saved.name)
        return title, escape(clean(saved.text))

    async def discover(self) -> Hits:
        for saved in self.queries:
            title, help_text = self._hit_parts(saved)
            yield DiscoveryHit(lit(title), lambda chosen=saved: self._open(chosen), text=title,
                               help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for saved in self.queries:
            title, help_text = self._hit_parts(saved)
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, join(lit(title)), lambda chosen=saved: self._open(chosen),
                          text=title, help=help_text)
