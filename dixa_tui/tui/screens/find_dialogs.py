"""The Find screen's small dialogs: which attributes to show, a saved query to open, and the
name to save the query under.

Each is a modal that gives back one answer (or None when closed); the Find screen does the
rest. Names and query texts come from the config file, labels from the organization: shown
literally.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from dixa_tui.tui.literal import join, lit
from dixa_tui.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.session.queries import SavedQuery

__all__ = ["ColumnsScreen", "SaveQueryScreen", "SavedQueriesScreen"]

_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 100%; max-width: 100; height: auto; max-height: 90%;
    border: round $primary; background: $surface; padding: 0 1;
}}
{name} .hint {{ height: auto; color: $text-muted; }}
{name} OptionList, {name} SelectionList {{ height: auto; max-height: 24; }}
{name} Input {{ height: 1; border: none; padding: 0 1; background: $boost; }}
{name} Input:focus {{ border: none; background: $primary 25%; }}
{name} .problem {{ height: auto; color: $error; }}
"""


class ColumnsScreen(ModalScreen[list[str] | None]):
    """Tick the Conversation attributes to show as columns (none: the default ones).
    Dismisses with the chosen definition ids in the list's order."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="columns.close",
                tooltip="Close without changing the columns"),
        Binding("f5", "done", "Use these", id="columns.done",
                tooltip="Show the ticked attributes as columns"),
    ]
    DEFAULT_CSS = _CSS.format(name="ColumnsScreen")

    def __init__(self, definitions: Sequence[CustomAttributeDefinition],
                 chosen: Sequence[str], done_key: str = "f5") -> None:
        super().__init__()
        self.attributes = [d for d in definitions if d.entity_type == "Conversation"]
        self.chosen = list(chosen)
        self.done_key = done_key

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Columns"
            yield Static(lit(f"space ticks · {self.done_key} shows the ticked ones (none "
                             "ticked: the attributes the query tests, else every one that "
                             "is not archived) · esc closes"), classes="hint")
            yield SelectionList[str](*[
                (join(lit(d.label or d.identifier or d.id, "bold"), "  ",
                      lit(f"{d.identifier} · {d.input_type}"
                          + (" · archived" if d.is_archived else ""), "dim")),
                 d.id, d.id in self.chosen) for d in self.attributes], id="columns")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_done(self) -> None:
        ticked = set(self.query_one(SelectionList).selected)
        self.dismiss([d.id for d in self.attributes if d.id in ticked])

    def action_close(self) -> None:
        self.dismiss(None)


class SavedQueriesScreen(ModalScreen["SavedQuery | None"]):
    """The config file's saved queries; enter opens one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="saved.close",
                tooltip="Close the list without opening a query"),
    ]
    DEFAULT_CSS = _CSS.format(name="SavedQueriesScreen")

    def __init__(self, queries: Sequence[SavedQuery], where: str) -> None:
        super().__init__()
        self.queries = list(queries)
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Saved queries"
            yield Static(lit(f"From [queries] in {self.where} · enter opens and runs one · "
                             "esc closes"), classes="hint")
            yield OptionList(*[Option(join(lit(q.name, "bold"), "  ", lit(q.text, "dim")),
                                      id=str(i)) for i, q in enumerate(self.queries)],
                             id="saved")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#saved")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.queries[int(event.option.id or 0)])

    def action_close(self) -> None:
        self.dismiss(None)


class SaveQueryScreen(ModalScreen[str | None]):
    """The name to save the query under (a name in use is replaced: the list says so)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="save.close",
                tooltip="Close without saving the query"),
    ]
    DEFAULT_CSS = _CSS.format(name="SaveQueryScreen")

    def __init__(self, text: str, taken: Sequence[str] = ()) -> None:
        super().__init__()
        self.text = text
        self.taken = list(taken)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Save the query"
            yield Static(lit(self.text, "bold", single_line=False))
            yield Static(lit("Its name in the config file's [queries] (find conversations "
                             "--saved NAME runs it too) · enter saves · esc closes"),
                         classes="hint")
            yield Input(placeholder="a name, e.g. empty-reason", id="save-name")
            yield Static(classes="problem", id="save-problem")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed, "#save-name")
    def _typing(self, event: Input.Changed) -> None:
        event.stop()
        from dixa_tui.config_edit import name_problem

        name = event.value
        problem = name_problem(name) if name else None
        note = problem or (f"'{name}' is saved already: saving replaces it."
                           if name in self.taken else "")
        self.query_one("#save-problem", Static).update(lit(note))

    @on(Input.Submitted, "#save-name")
    def _done(self, event: Input.Submitted) -> None:
        event.stop()
        from dixa_tui.config_edit import name_problem

        problem = name_problem(event.value)
        if problem is not None:
            self.query_one("#save-problem", Static).update(lit(problem[:1].upper()
                                                               + problem[1:] + "."))
            return
        self.dismiss(event.value)

    def action_close(self) -> None:
        self.dismiss(None)
