"""A find's matches as a worklist: the table, the marks count always in view, and what to do
with the rows: the marked ones edited together, one opened in the editor.

Editing the marked posts :class:`~dixa_tui.tui.messages.EditTargets` (it bubbles to the app,
which opens the bulk editor): this widget only says which conversations and who they are.
One row opens in the :class:`~dixa_tui.tui.screens.editor.EditorScreen`, and what Dixa
holds after a send shows in its row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from dixa_tui.tui.literal import gap, join, lit
from dixa_tui.tui.messages import EditTargets
from dixa_tui.tui.widgets.found_table import FoundTable

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.tui.context import Ui


def _range_keys(down: str, up: str) -> str:
    """``shift+↓/↑`` for the default keys, each named whole otherwise."""
    down, up = (k.replace("down", "↓").replace("up", "↑") for k in (down, up))
    shared = "shift+"
    if down.startswith(shared) and up.startswith(shared):
        return f"{down}/{up.removeprefix(shared)}"
    return f"{down}/{up}"


class Worklist(Vertical):
    """The matches and the marks line under them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit_marked", "Edit marked", id="find.edit_marked",
                tooltip="Edit the marked conversations together in the bulk editor"),
        Binding("E", "edit_one", "Edit this one", show=False, id="find.edit_one",
                tooltip="Open the highlighted conversation in the editor (enter too)"),
    ]
    DEFAULT_CSS = """
    Worklist { height: 1fr; }
    Worklist > FoundTable { height: 1fr; border: round $panel-lighten-2; }
    Worklist > FoundTable:focus { border: round $accent; }
    Worklist > #find-marks { height: 1; padding: 0 1; background: $boost; }
    """

    def __init__(self, ui: Ui, definitions: Sequence[CustomAttributeDefinition], *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.ui = ui
        self.definitions = definitions

    def compose(self) -> ComposeResult:
        yield FoundTable(id="found")
        yield Static(id="find-marks")

    @property
    def table(self) -> FoundTable:
        return self.query_one(FoundTable)

    def _key(self, binding_id: str, default: str) -> str:
        return self.ui.key_hint(binding_id, default)

    @on(FoundTable.MarksChanged)
    def _marks_changed(self, event: FoundTable.MarksChanged) -> None:
        event.stop()
        ranges = _range_keys(self._key("marks.range_down", "shift+down"),
                             self._key("marks.range_up", "shift+up"))
        keys = (f"{self._key('marks.toggle', 'space')} marks · "
                f"{self._key('marks.all', 'ctrl+a')} all · {ranges} a range · "
                f"{self._key('find.edit_marked', 'e')} edits the marked · enter opens one")
        self.query_one("#find-marks", Static).update(join(
            lit(f"{event.count} of {event.rows} marked", "bold"), gap(),
            lit("· " + keys, "dim")))

    def action_edit_marked(self) -> None:
        from dixa_tui.domain.patch import Target
        from dixa_tui.session.targets import conversation_name

        marked = self.table.marked()
        if not marked:
            self.notify(f"Nothing is marked: {self._key('marks.toggle', 'space')} marks the "
                        f"highlighted row, {self._key('marks.all', 'ctrl+a')} marks them all.",
                        timeout=4)
            return
        targets = [Target("conversation", str(f.conversation_id)) for f in marked]
        names = {t: conversation_name(f.conversation)
                 for t, f in zip(targets, marked, strict=True)}
        self.post_message(EditTargets(targets, names))

    @on(DataTable.RowSelected, "#found")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_one()

    def action_edit_one(self) -> None:
        from dixa_tui.domain.patch import Target
        from dixa_tui.session.targets import TargetState, conversation_name
        from dixa_tui.tui.screens.editor import EditorScreen

        table = self.table
        found = table.highlighted
        if found is None:
            self.notify("No match is highlighted.", timeout=2)
            return
        state = TargetState(Target("conversation", str(found.conversation_id)),
                            conversation_name(found.conversation), dict(found.values),
                            found.conversation)
        start = table.attributes[0].id if table.attributes else None

        def edited(values: dict[str, Any] | None) -> None:
            if values:
                table.update_found(replace(found, values={**found.values, **values}))

        self.app.push_screen(EditorScreen(self.ui, self.definitions, state, start=start),
                             edited)
