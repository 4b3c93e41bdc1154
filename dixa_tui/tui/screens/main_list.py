"""The main screen's list as it shows: which definitions, in which order, and its status line.

What is shown is decided by a :class:`~dixa_tui.tui.listing.Listing` (no Textual); this part
paints it in ``#definitions``, says in ``#list-status`` how many are shown and hidden and what
the list is not yet (cached, being checked; a filter waiting for the search index), and names
the order in the ``#left`` pane's title. Where the definitions come from is ``main_load``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from dixa_tui.tui.listing import Listing
from dixa_tui.tui.literal import lit
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.fitline import FitLine

if TYPE_CHECKING:
    from dixa_tui.api.rows import DefinitionFields
    from dixa_tui.domain.search import DefinitionSearch
    from dixa_tui.tui.context import Ui

INDEX_NOW = 2_000  # definitions indexed at once; more are indexed in steps (main_load)


class ListPart(Screen[None]):
    """The list's state (:attr:`listing`) and its painting; the main screen builds on it."""

    def __init__(self, ui: Ui) -> None:
        super().__init__()
        self.ui = ui
        self.listing = Listing()

    @property
    def search(self) -> DefinitionSearch | None:
        return self.listing.search

    @property
    def query_text(self) -> str:
        return self.listing.query

    @query_text.setter
    def query_text(self, value: str) -> None:
        self.listing.query = value

    @property
    def show_archived(self) -> bool:
        return self.listing.show_archived

    @property
    def show_deactivated(self) -> bool:
        return self.listing.show_deactivated

    @property
    def sort(self) -> int:
        return self.listing.sort

    def visible_rows(self) -> list[DefinitionFields]:
        return list(self.listing.rows())

    def _refilter(self) -> None:
        """Paint the rows the listing answers, the cursor kept on its definition."""
        listing = self.query_one(DefinitionList)
        if not self.listing.base:
            return
        search = self.listing.search
        if self.listing.waiting and search is not None:
            done, total = search.progress
            if total - done <= INDEX_NOW:  # little left: finish it rather than wait
                search.prepare()
        highlighted = listing.highlighted
        rows = self.listing.rows()
        cursor = 0
        position = self.listing.position(highlighted.id if highlighted else None)
        if position is not None:
            try:
                cursor = rows.order.index(position)
            except ValueError:
                cursor = 0
        query = self.listing.query
        empty = (f"No definition matches {query!r}: esc clears the filter."
                 if self.listing.filtered else "No definitions in this organization.")
        listing.set_rows(rows, cursor=cursor, empty_text=empty)
        self._show_status()

    def _show_status(self) -> None:
        """The status line: how many are shown and hidden, and what the list waits for."""
        shown = len(self.query_one(DefinitionList).rows)
        long, short, tiny = self.listing.status(shown)
        notes = [*self.list_notes(), *self._waiting()]
        if notes:
            longer, shorter = " · ".join(n[0] for n in notes), " · ".join(n[1] for n in notes)
            long, short, tiny = f"{longer} · {long}", f"{shorter} · {short}", f"{shorter} · {tiny}"
        self.query_one("#list-status", FitLine).say(lit(long, "dim"), lit(short, "dim"),
                                                    lit(tiny, "dim"))
        self.query_one("#left").border_title = (
            f"Definitions · {self.listing.order_name()} ({self.ui.key_hint('main.sort', 's')})")

    def list_notes(self) -> list[tuple[str, str]]:
        """What the list is not yet, as (long, short) wordings: where it comes from."""
        return []

    def _waiting(self) -> list[tuple[str, str]]:
        if not self.listing.waiting:
            return []
        search = self.listing.search
        done, total = search.progress if search is not None else (0, len(self.listing.base))
        return [(f"filter waits for the index ({done:,} of {total:,})", "filter waits")]
