"""Marks on a list of targets (k9s and lazygit style): the state, and the keys every list
that marks shares, so a user marks the same way in a user's conversations, lookup results
and a Find worklist.

:class:`Marks` is plain state (no widget): the list that owns it calls :meth:`toggle`,
:meth:`mark_all`, :meth:`extend` (``shift`` + movement marks a range from the anchor) and
shows :attr:`count` somewhere always visible. Keys are marked in the order they were marked
first; :meth:`in_order` gives them in a list's own order.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Generic, TypeVar

from textual.binding import Binding

K = TypeVar("K", bound=Hashable)

MARK_BINDINGS: list[Binding] = [
    Binding("space", "toggle_mark", "Mark or unmark the highlighted row", show=False,
            id="marks.toggle", tooltip="Mark or unmark the highlighted row"),
    Binding("ctrl+a", "mark_all", "Mark every row (again: unmark them all)", show=False,
            id="marks.all", tooltip="Mark every row (again: unmark them all)"),
    Binding("shift+down", "mark_down", "Mark this row and move down (a range)", show=False,
            id="marks.range_down", tooltip="Mark this row and move down (a range)"),
    Binding("shift+up", "mark_up", "Mark this row and move up (a range)", show=False,
            id="marks.range_up", tooltip="Mark this row and move up (a range)"),
]


class Marks(Generic[K]):
    """Which rows are marked. ``anchor`` is where a shift-range started."""

    def __init__(self) -> None:
        self._marked: dict[K, None] = {}
        self.anchor: K | None = None

    def __contains__(self, key: object) -> bool:
        return key in self._marked

    def __len__(self) -> int:
        return len(self._marked)

    @property
    def count(self) -> int:
        return len(self._marked)

    def toggle(self, key: K) -> bool:
        """Mark ``key``, or unmark it; True when it is marked now."""
        self.anchor = key
        if key in self._marked:
            del self._marked[key]
            return False
        self._marked[key] = None
        return True

    def mark(self, key: K) -> None:
        self._marked[key] = None

    def mark_all(self, keys: Iterable[K]) -> int:
        """Mark every key; when every one of them was marked already, unmark them all
        (one key toggles). Returns the count marked now."""
        keys = list(keys)
        if keys and all(k in self._marked for k in keys):
            for k in keys:
                self._marked.pop(k, None)
        else:
            for k in keys:
                self._marked[k] = None
        return self.count

    def extend(self, order: Sequence[K], to: K) -> None:
        """Mark every key from the anchor (or ``to`` itself) to ``to``, in ``order``."""
        start = self.anchor if self.anchor in order else to
        if to not in order or start is None:
            return
        i, j = sorted((order.index(start), order.index(to)))
        for key in order[i:j + 1]:
            self._marked[key] = None
        self.anchor = start

    def clear(self) -> None:
        self._marked.clear()
        self.anchor = None

    def keep(self, keys: Iterable[K]) -> None:
        """Forget marks on keys no longer listed (the list changed)."""
        present = set(keys)
        self._marked = {k: None for k in self._marked if k in present}

    def in_order(self, order: Sequence[K]) -> list[K]:
        """The marked keys in ``order``, then any marked key not in it."""
        listed = [k for k in order if k in self._marked]
        return listed + [k for k in self._marked if k not in set(listed)]
