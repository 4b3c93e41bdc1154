"""The detail pane: every field of one definition, and a Select's option tree.

Fed by the main screen (the list's copy at once, then the copy fetched by id); it never
fetches anything itself. Every value from Dixa is rendered literally.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from dixa_tui.domain.options import OptionLike, option_counts
from dixa_tui.text import clean, plural
from dixa_tui.tui.literal import join, lit
from dixa_tui.tui.widgets.option_tree import OptionBrowser

if TYPE_CHECKING:
    from dixa_tui.api.models import CustomAttributeDefinition


def readable_time(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def option_summary(options: Sequence[OptionLike]) -> str:
    # Counted level by level: a path per option costs milliseconds at thousands of options.
    counts = option_counts(options)
    if not counts.total:
        return "no options"
    levels, off = counts.levels, counts.deactivated
    text = (f"{plural(counts.total, 'option')} · {counts.top} top level · "
            f"{plural(levels, 'level')}")
    return text + (f" · {off} deactivated" if off else "")


LONG_FIELD = 1_000  # characters of one field shown: folding 10,000 costs a frame's budget


def field(value: str, style: str = "", *, single_line: bool = True) -> Text:
    """A field's text, literally; past ``LONG_FIELD`` characters it is cut and says so (the
    CLI's ``definitions show`` prints all of it)."""
    text = clean(value, single_line=single_line)
    if len(text) <= LONG_FIELD:
        return lit(text, style, single_line=single_line)
    return join(lit(text[:LONG_FIELD], style, single_line=single_line),
                lit(f" … {len(text) - LONG_FIELD:,} more characters "
                    "(dixa-tui definitions show prints them all)", "dim italic"))


def _yes(flag: bool) -> Text:
    return lit("yes", "bold") if flag else lit("no", "dim")


def fields_table(definition: CustomAttributeDefinition, current: str | None,
                 source: str, width: int = 0) -> Table | Group:
    """Every field in two columns. An id is never folded across lines: where ``width``
    (the room the pane has; 0: plenty) is too narrow for it beside its name, the id gets a
    line of its own under the name."""
    d = definition
    rows: list[tuple[str, Text]] = [
        ("Label", field(d.label or "(no label)")),
        ("Identifier", field(d.identifier or "(none)")),
        ("Id", lit(d.id)),
        ("Entity", lit(d.entity_type)),
        ("Input type", lit(d.input_type)),
    ]
    spec = d.input_definition
    if d.input_type == "Text":
        placeholder = getattr(spec, "placeholder", None)
        rows.append(("Placeholder", field(placeholder) if placeholder else lit("(none)", "dim")))
    elif d.input_type == "Select":
        rows.append(("Options", lit(option_summary(d.options))))
    else:
        rows.append(("Editing", lit("read-only: dixa-tui does not know this input type",
                                    "italic")))
    rows += [
        ("Required", _yes(d.is_required)),
        ("Archived", _yes(d.is_archived)),
        ("Deactivated", _yes(d.is_deactivated)),
        ("Created", lit(readable_time(d.created_at))),
        ("Updated", lit(readable_time(d.updated_at))),
        ("Description", field(d.description, single_line=False) if d.description
         else lit("(none)", "dim")),
    ]
    if current is not None:
        rows.append(("Current value", field(current, "bold")))
    rows.append(("Source", lit(source, "dim italic")))
    names = max(len(name) for name, _ in rows)
    if not width or names + 1 + len(d.id) <= width:
        return _grid(rows, names)
    at = next(i for i, (name, _) in enumerate(rows) if name == "Id")
    whole_id = join(lit("Id", "bold"), "\n", lit(d.id))
    return Group(_grid(rows[:at], names), whole_id, _grid(rows[at + 1:], names))


def _grid(rows: Sequence[tuple[str, Text]], names: int) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True, width=names)
    table.add_column(overflow="fold")
    for name, value in rows:
        table.add_row(name, value)
    return table


class DetailPane(Vertical):
    """``show()`` a definition; a Select also gets its option tree below the fields."""

    DEFAULT_CSS = """
    DetailPane { border: round $panel-lighten-2; border-title-color: $text-muted; }
    DetailPane:focus-within { border: round $accent; }
    DetailPane #detail-scroll { height: auto; max-height: 60%; }
    DetailPane.-text #detail-scroll { max-height: 100%; }
    DetailPane #detail-scroll { scrollbar-size-vertical: 1; }
    DetailPane #detail-fields { padding: 0 0 0 1; }
    DetailPane OptionBrowser { height: 1fr; }
    DetailPane.-text OptionBrowser { display: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-text")  # no option tree until a Select shows
        self.definition: CustomAttributeDefinition | None = None
        self.border_title = "Detail"
        self._shown: tuple[str | None, str] = (None, "")  # current value, source

    def on_resize(self) -> None:
        """The fields are laid out for the width (an id gets its own line when narrow)."""
        if self.definition is not None:
            current, source = self._shown
            self._fields(self.definition, current, source)

    def _fields(self, definition: CustomAttributeDefinition, current: str | None,
                source: str) -> None:
        fields = self.query_one("#detail-fields", Static)
        width = max(0, self.content_region.width - 2)  # the padding, and the scrollbar
        fields.update(fields_table(definition, current, source, width))

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-scroll"):
            yield Static("Select a definition to see its fields.", id="detail-fields")
        yield OptionBrowser(id="detail-options")

    @property
    def browser(self) -> OptionBrowser:
        return self.query_one(OptionBrowser)

    def show(self, definition: CustomAttributeDefinition | None, *, current: str | None = None,
             source: str = "", waiting: str | None = None) -> None:
        """Show ``definition``; None shows ``waiting`` (what the pane waits for), else that
        nothing is selected."""
        fields = self.query_one("#detail-fields", Static)
        if definition is None:
            self.definition = None
            self.border_title = "Detail"
            fields.update(waiting or "Nothing selected.")
            self.set_class(True, "-text")
            return
        same_options = (self.definition is not None and self.definition.id == definition.id
                        and self.definition.input_definition == definition.input_definition)
        self.definition = definition
        self._shown = (current, source)
        self.border_title = lit(f"Detail · {definition.input_type}")
        self._fields(definition, current, source)
        is_select = definition.input_type == "Select"
        self.set_class(not is_select, "-text")
        if is_select and not same_options:
            self.browser.set_options(definition.options)
