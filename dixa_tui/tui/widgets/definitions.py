"""The definitions list: a virtual, line-rendered table that stays instant at 10,000 rows.

Only the visible lines are ever rendered, so replacing the rows (each filter keystroke) costs
nothing but a refresh. A row is anything with a definition's list fields
(``api.rows.DefinitionFields``): the light rows painted first, then the models. Columns are
fitted to the width in priority order, so the list reads well at 80 columns and uses the room
on wide terminals. The first line is a sticky header.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from dixa_tui.text import clean
from dixa_tui.tui.columns import Column, cell_texts, fit_columns, row_cells

if TYPE_CHECKING:
    from dixa_tui.api.rows import DefinitionFields


class DefinitionList(ScrollView, can_focus=True):
    """Rows of definitions; the screen decides which, in which order."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="definitions.down",
                tooltip="Move down the list"),
        Binding("up,k", "cursor_up", "Up", show=False, id="definitions.up",
                tooltip="Move up the list"),
        Binding("g,home", "first", "First", show=False, id="definitions.first",
                tooltip="Jump to the first definition"),
        Binding("G,end", "last", "Last", show=False, id="definitions.last",
                tooltip="Jump to the last definition"),
        Binding("pagedown", "page_down", "Page down", show=False, id="definitions.page_down",
                tooltip="Move down the list a page"),
        Binding("pageup", "page_up", "Page up", show=False, id="definitions.page_up",
                tooltip="Move up the list a page"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "definition-list--header", "definition-list--cursor", "definition-list--muted",
        "definition-list--value", "definition-list--empty", "definition-list--note",
    }
    DEFAULT_CSS = """
    DefinitionList { height: 1fr; overflow-x: hidden; }
    DefinitionList > .definition-list--header { text-style: bold; color: $text-muted; }
    DefinitionList > .definition-list--cursor { background: $surface-lighten-2; }
    DefinitionList:focus > .definition-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    DefinitionList > .definition-list--muted { color: $text-disabled; }
    DefinitionList > .definition-list--value { color: $text-accent; }
    DefinitionList > .definition-list--empty { color: $text-muted; text-style: italic; }
    DefinitionList > .definition-list--note { color: $text-muted; text-style: italic; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The row under the cursor changed (None when the list is empty)."""

        def __init__(self, definition_list: DefinitionList,
                     definition: DefinitionFields | None) -> None:
            super().__init__()
            self.definition_list = definition_list
            self.definition = definition

        @property
        def control(self) -> DefinitionList:
            return self.definition_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._rows: Sequence[DefinitionFields] = ()
        self._values: Mapping[str, str] | None = None
        self._notes: Mapping[str, str] = {}
        self._empty_text = "Loading definitions…"
        self._cells: dict[str, tuple[DefinitionFields, dict[str, str]]] = {}
        self._paint_styles: dict[str, Style] | None = None

    # -- state in -----------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[DefinitionFields]:
        return self._rows

    @property
    def highlighted(self) -> DefinitionFields | None:
        return self._rows[self.cursor] if 0 <= self.cursor < len(self._rows) else None

    def set_rows(self, rows: Sequence[DefinitionFields], *, keep: str | None = None,
                 cursor: int | None = None, empty_text: str = "No definitions.") -> None:
        """Show ``rows`` with the cursor on row ``cursor``, or on the definition with id
        ``keep`` if present (found by a scan: give ``cursor`` where rows are many)."""
        self._rows = rows
        self._empty_text = empty_text
        target = cursor or 0
        if cursor is None and keep is not None:
            target = next((i for i, d in enumerate(rows) if d.id == keep), 0)
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        self.cursor = target
        self.refresh()

    def set_values(self, values: Mapping[str, str] | None,
                   notes: Mapping[str, str] | None = None) -> None:
        """Current values of the target by definition id (already readable), or None;
        ``notes`` by definition id, shown in the value column, dimmed, for rows that have
        no value because they do not apply to the target."""
        self._values = values
        self._notes = notes or {}
        self._cells.clear()
        self.refresh()

    def show_message(self, text: str) -> None:
        """Replace the rows with a one-line message (e.g. while loading)."""
        self.set_rows((), empty_text=text)

    # -- cursor ---------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._rows) - 1)) if self._rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.highlighted))

    def _scroll_to_cursor(self) -> None:
        visible = max(self.scrollable_content_region.height - 1, 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._rows) - 1

    def action_page_down(self) -> None:
        self.cursor += max(self.scrollable_content_region.height - 2, 1)

    def action_page_up(self) -> None:
        self.cursor -= max(self.scrollable_content_region.height - 2, 1)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.cursor = round(self.scroll_y) + event.y - 1

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)
        self._scroll_to_cursor()

    # -- rendering ------------------------------------------------------------------------

    def _row_cells(self, definition: DefinitionFields) -> dict[str, str]:
        """The cleaned text of a row, computed once per definition (and per set of values)."""
        cached = self._cells.get(definition.id)
        if cached is not None and cached[0] is definition:  # a refresh brings new objects
            return cached[1]
        values = self._values
        cells = row_cells(definition, values.get(definition.id, self._notes.get(definition.id, ""))
                          if values is not None else None)
        self._cells[definition.id] = (definition, cells)
        return cells

    def render_lines(self, crop: Region) -> list[Strip]:
        """Styles are looked up once per paint, not once per line (each lookup walks CSS)."""
        self._paint_styles = {name: self.get_component_rich_style(f"definition-list--{name}")
                              for name in ("header", "empty", "muted", "cursor", "value",
                                           "note")}
        self._paint_styles["base"] = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._paint_styles = None

    def _style(self, name: str) -> Style:
        if self._paint_styles is not None:
            return self._paint_styles[name]
        if name == "base":
            return self.rich_style
        return self.get_component_rich_style(f"definition-list--{name}")

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        columns = fit_columns(width, self._values is not None)
        base = self._style("base")
        if y == 0:
            header = self._style("header")
            return self._strip({c.key: c.title for c in columns}, columns, base + header, width)
        index = round(self.scroll_y) + y - 1
        if not self._rows:
            if y == 1:
                style = base + self._style("empty")
                text = set_cell_size(" " + clean(self._empty_text), width)
                return Strip([Segment(text, style)])
            return Strip.blank(width, base)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        definition = self._rows[index]
        style = base
        if definition.is_archived or definition.is_deactivated:
            style += self._style("muted")
        if index == self.cursor:
            style += self._style("cursor")
        cells = self._row_cells(definition)
        kind = "note" if definition.id in self._notes else "value"
        value_style = style if index == self.cursor else style + self._style(kind)
        return self._strip(cells, columns, style, width, value_style)

    @staticmethod
    def _strip(cells: Mapping[str, Any], columns: Sequence[Column], style: Style,
               width: int, value_style: Style | None = None) -> Strip:
        segments: list[Segment] = []
        for i, (column, cell) in enumerate(zip(columns, cell_texts(cells, columns),
                                               strict=True)):
            cell_style = value_style if column.key == "value" and value_style else style
            segments.append(Segment(cell, cell_style))
            if i < len(columns) - 1:
                segments.append(Segment(" ", style))
        strip = Strip(segments)
        return strip.adjust_cell_length(width, style)
