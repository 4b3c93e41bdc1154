"""The Find screen's worklist: matches as rows, one column per chosen attribute, and marks.

Rows arrive one at a time while a find runs (:meth:`FoundTable.add_found`), so a row is
appended, never the table rebuilt. Values show as people read them (a Select's label path,
``Delivery > Damaged``; a Text as is), cleaned of escape sequences. Marks are the shared
:class:`~dixa_tui.tui.marks.Marks` with the shared keys (:data:`MARK_BINDINGS`); the table
says each change with :class:`FoundTable.MarksChanged`, so the screen keeps the count in
view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import DataTable

from dixa_tui.tui.literal import lit
from dixa_tui.tui.marks import MARK_BINDINGS, Marks

if TYPE_CHECKING:
    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.session.find import Found

MARK = "●"
MARK_KEY = "mark"
# The attributes come right after the conversation's number (they are what the list is for,
# and must show on a narrow terminal), then Dixa's own fields.
FIXED = (("Created (UTC)", "created"), ("Status", "status"), ("Channel", "channel"))
VALUE_WIDTH = 36  # cells a value column shows at most (a long path is cut, with an ellipsis)


def _cut(text: Text, width: int = VALUE_WIDTH) -> Text:
    if text.cell_len <= width:
        return text
    text.truncate(width, overflow="ellipsis")
    return text


class FoundTable(DataTable[Text]):
    """Matches of one find, in the order they were confirmed; ``marks`` by conversation id."""

    BINDINGS: ClassVar[list[BindingType]] = [*MARK_BINDINGS]

    class MarksChanged(Message):
        """The marks changed: ``count`` of ``rows`` are marked now."""

        def __init__(self, count: int, rows: int) -> None:
            super().__init__()
            self.count = count
            self.rows = rows

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.marks: Marks[int] = Marks()
        self.found: dict[int, Found] = {}
        self.order: list[int] = []
        self.attributes: tuple[CustomAttributeDefinition, ...] = ()

    # -- rows -----------------------------------------------------------------------------

    def start(self, attributes: Sequence[CustomAttributeDefinition]) -> None:
        """Empty the table (rows and marks) for a new find showing ``attributes``."""
        self.clear(columns=True)
        self.marks.clear()
        self.found, self.order = {}, []
        self.attributes = tuple(attributes)
        self.add_column(Text(" "), key=MARK_KEY, width=1)
        self.add_column(Text("Conversation"), key="conversation")
        for definition in self.attributes:
            name = definition.label or definition.identifier or definition.id
            self.add_column(_cut(lit(name, "bold"), VALUE_WIDTH), key=definition.id)
        for label, key in FIXED:
            self.add_column(Text(label), key=key)
        self._changed()

    def add_found(self, found: Found) -> None:
        """Append a match (a conversation already listed is updated in place)."""
        key = found.conversation_id
        if key in self.found:
            self.update_found(found)
            return
        self.found[key] = found
        self.order.append(key)
        self.add_row(*self._cells(found), key=str(key))
        self._changed()

    def update_found(self, found: Found) -> None:
        """Show a listed conversation's values as they are now (after an edit)."""
        key = found.conversation_id
        if key not in self.found:
            return
        self.found[key] = found
        for column, cell in zip(self.columns, self._cells(found), strict=True):
            self.update_cell(str(key), column, cell)

    def _cells(self, found: Found) -> list[Text]:
        from dixa_tui.domain.export_values import label_text

        conversation = found.conversation
        created = conversation.created_at.strftime("%Y-%m-%d %H:%M") \
            if conversation.created_at else ""
        cells = [self._mark_cell(found.conversation_id), lit(f"#{found.conversation_id}")]
        for definition in self.attributes:
            shown = label_text(definition, found.values.get(definition.id))
            cells.append(_cut(lit(shown)) if shown else lit("-", "dim"))
        return [*cells, lit(created), lit(conversation.state or ""),
                lit(conversation.channel or "")]

    def _mark_cell(self, key: int) -> Text:
        return Text(MARK, "bold") if key in self.marks else Text(" ")

    @property
    def highlighted(self) -> Found | None:
        if not self.order or not 0 <= self.cursor_row < len(self.order):
            return None
        return self.found[self.order[self.cursor_row]]

    def marked(self) -> list[Found]:
        """The marked matches, in the table's order."""
        return [self.found[k] for k in self.marks.in_order(self.order) if k in self.found]

    def values_of(self, key: int) -> Mapping[str, Any]:
        found = self.found.get(key)
        return dict(found.values) if found is not None else {}

    # -- marks ----------------------------------------------------------------------------

    def _changed(self) -> None:
        self.post_message(self.MarksChanged(self.marks.count, len(self.order)))

    def _redraw_marks(self, keys: Sequence[int] | None = None) -> None:
        for key in self.order if keys is None else keys:
            self.update_cell(str(key), MARK_KEY, self._mark_cell(key))
        self._changed()

    def _cursor_key(self) -> int | None:
        found = self.highlighted
        return found.conversation_id if found is not None else None

    def action_toggle_mark(self) -> None:
        key = self._cursor_key()
        if key is not None:
            self.marks.toggle(key)
            self._redraw_marks([key])

    def action_mark_all(self) -> None:
        self.marks.mark_all(self.order)
        self._redraw_marks()

    def _mark_range(self, step: int) -> None:
        key = self._cursor_key()
        if key is None:
            return
        self.marks.extend(self.order, key)
        row = max(0, min(len(self.order) - 1, self.cursor_row + step))
        self.move_cursor(row=row)
        self.marks.extend(self.order, self.order[row])
        self._redraw_marks()

    def action_mark_down(self) -> None:
        self._mark_range(1)

    def action_mark_up(self) -> None:
        self._mark_range(-1)
