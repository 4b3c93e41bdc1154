"""What the definitions list shows: which definitions, in which order, and what its status
line says. No Textual: the main screen feeds it and paints what it answers.

The list is first painted from light rows (``api.rows``, or the start-up cache's), then from
the models once they are read; both read the same fields (``api.rows.DefinitionFields``).
The filter needs the search index (``domain.search``), which is built from the models in
steps: a query typed before it is ready is kept (:attr:`Listing.waiting`) and applied as
soon as it is. At 50,000 definitions nothing here copies the list per keystroke: the rows
shown are a view (:class:`Rows`) of positions into it, and every pass over it runs in C.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from dixa_tui.api.rows import DefinitionFields
    from dixa_tui.domain.search import DefinitionSearch

SORTS = ("Dixa's order", "by entity type", "by label")
# A definition's two flags in one byte (bit 0 archived, bit 1 deactivated) -> each flag.
_ARCHIVED = bytes(flags & 1 for flags in range(256))
_ONLY_DEACTIVATED = bytes(flags == 2 for flags in range(256))  # (deactivated, not archived)


class Rows(Sequence["DefinitionFields"]):
    """The rows shown: ``base[order[i]]``, without copying them."""

    def __init__(self, base: Sequence[DefinitionFields], order: list[int]) -> None:
        self._base = base
        self.order = order

    def __len__(self) -> int:
        return len(self.order)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    @overload
    def __getitem__(self, index: int) -> DefinitionFields: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[DefinitionFields]: ...

    def __getitem__(self, index: int | slice) -> DefinitionFields | Sequence[DefinitionFields]:
        if isinstance(index, slice):
            return [self._base[i] for i in self.order[index]]
        return self._base[self.order[index]]


class Listing:
    """The definitions, the filter, the toggles and the order of the list."""

    def __init__(self) -> None:
        self.base: Sequence[DefinitionFields] = ()
        self.search: DefinitionSearch | None = None
        self.query = ""
        self.show_archived = False
        self.show_deactivated = False
        self.sort = 0
        self.unreadable = 0  # items of the list that could not be read
        self._archived = b""  # one byte per definition: 1 when archived
        self._deactivated = b""  # ... when deactivated and not archived
        self._positions: dict[str, int] | None = None
        self._by_label: list[int] | None = None
        self._entities: list[str] | None = None
        self._visible: tuple[tuple[bool, bool], bytes] | None = None

    def set_base(self, base: Sequence[DefinitionFields],
                 search: DefinitionSearch | None = None) -> None:
        """Show ``base`` (rows, or the models with their search index)."""
        self.base, self.search = base, search
        # One pass over the definitions (50,000 take 2-3 ms a pass): bit 0 archived, bit 1
        # deactivated; then each flag apart, in C.
        both = bytes(d.is_archived | d.is_deactivated << 1 for d in base)
        self._archived = both.translate(_ARCHIVED)
        self._deactivated = both.translate(_ONLY_DEACTIVATED)
        self._positions = None
        self._by_label = None
        self._entities = None
        self._visible = None

    @property
    def hidden(self) -> tuple[int, int]:
        """(archived, deactivated and not archived) in the whole list."""
        return self._archived.count(1), self._deactivated.count(1)

    @property
    def waiting(self) -> bool:
        """A query is typed and the index to answer it is not ready yet."""
        return bool(self.query.strip()) and (self.search is None or not self.search.prepared)

    @property
    def filtered(self) -> bool:
        return bool(self.query.strip()) and not self.waiting

    def position(self, definition_id: str | None) -> int | None:
        """Where the definition with this id is in :attr:`base` (None: not there)."""
        if definition_id is None:
            return None
        if self._positions is None:
            self._positions = {}
            for i, d in enumerate(self.base):
                self._positions.setdefault(d.id, i)
        return self._positions.get(definition_id)

    def rows(self) -> Rows:
        """The definitions shown, in the order shown."""
        visible = self._visible_flags()
        if self.filtered:
            assert self.search is not None
            order = self.search.filter(self.query)
        elif self.sort == 2:
            order = self._label_order()
        else:  # Dixa's order (sorted by entity below, for sort 1): the visible ones, one pass
            order = list(compress(range(len(self.base)), visible))
            visible = b""
        if visible.count(0):
            order = list(compress(order, map(visible.__getitem__, order)))
        if self.sort == 1:
            if self._entities is None:
                self._entities = [d.entity_type for d in self.base]
            order.sort(key=self._entities.__getitem__)
        return Rows(self.base, order)

    def _visible_flags(self) -> bytes:
        """One byte per definition: 1 when the toggles show it."""
        toggles = (self.show_archived, self.show_deactivated)
        if self._visible is None or self._visible[0] != toggles:
            size = len(self.base)
            hidden = 0
            if not self.show_archived:
                hidden |= int.from_bytes(self._archived, "big")
            if not self.show_deactivated:
                hidden |= int.from_bytes(self._deactivated, "big")
            ones = int.from_bytes(b"\x01" * size, "big")
            self._visible = toggles, (ones ^ hidden).to_bytes(size, "big")
        return self._visible[1]

    def _label_order(self) -> list[int]:
        if self._by_label is None:
            labels = [d.label.casefold() for d in self.base]
            self._by_label = sorted(range(len(self.base)), key=labels.__getitem__)
        return list(self._by_label)

    def order_name(self) -> str:
        """How the list is ordered, for its title."""
        return SORTS[self.sort] if self.sort == 1 or not self.filtered else "best match first"

    def status(self, shown: int) -> tuple[str, str, str]:
        """The status line's wordings, longest first, for ``shown`` rows."""
        head = [f"{shown} of {len(self.base)}"]
        if self.unreadable:
            head.append(f"{self.unreadable} unreadable")
        hidden_archived, hidden_off = self.hidden
        toggles = (("archived", "A", "a", self.show_archived, hidden_archived),
                   ("deactivated", "D", "d", self.show_deactivated, hidden_off))
        hidden = [t for t in toggles if not t[3]]
        on = [t for t in toggles if t[3]]
        # The short form names the flags as the list's RAD column does (A, D).
        long, short = list(head), list(head)
        if hidden:
            long.append("hidden: " + ", ".join(f"{n} {name} ({key})"
                                               for name, _, key, _, n in hidden))
            short.append("hidden: " + ", ".join(f"{n} {letter}" for _, letter, _, _, n in hidden)
                         + f" ({', '.join(t[2] for t in hidden)})")
        if on:
            long.append("shown: " + ", ".join(f"{name} ({key})" for name, _, key, _, _ in on))
            short.append("shown: " + ", ".join(t[1] for t in on)
                         + f" ({', '.join(t[2] for t in on)})")
        return " · ".join(long), " · ".join(short), " · ".join(head)

