"""The bulk editor: one edit set for every marked target, staged the way the editor stages
one target's (the same value input and picker), then planned and reviewed before anything
is sent.

Each target holds its own values, so nothing here shows "now": the plan reads every target
(at Dixa's pace) and shows each one's before -> after. What can be judged without a target
is judged here, by the same rules (``domain.patch``): an option that does not exist, an
archived attribute, a wrong shape block the review; warnings are shown and asked about
again before sending. The review is the :class:`~dixa_tui.tui.screens.bulk_review.
BulkReviewScreen`; coming back from it keeps the edit set, and a sent run closes both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from dixa_tui.domain.bulk_rows import TARGET_NOUNS
from dixa_tui.domain.patch import (
    DefinitionIndex,
    PatchPlan,
    StagedEdit,
    Target,
    build_patch,
    format_value,
)
from dixa_tui.text import plural
from dixa_tui.tui.literal import join, lit
from dixa_tui.tui.screens.confirm import ConfirmScreen
from dixa_tui.tui.screens.staging import StagingScreen
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.fitline import FitLine
from dixa_tui.tui.widgets.footer import Footer
from dixa_tui.tui.widgets.payload import problems_view
from dixa_tui.tui.widgets.value_input import UNSTAGED, ValueInput

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.api.rows import DefinitionFields
    from dixa_tui.tui.context import Ui

NAMES_SHOWN = 6  # targets named in the line above the list; the rest are counted


class BulkEditorScreen(StagingScreen[bool]):
    """Dismisses True when the review sent something, else False."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "review", "Review the plan", id="bulk_editor.review",
                priority=True, tooltip="Read every marked target and show the plan: before "
                                       "-> after per target, nothing sent yet"),
        # The editor's ids: one keymap entry moves the key in both editors.
        Binding("ctrl+n", "clear_value", "Stage clear (null)", id="editor.clear",
                priority=True, tooltip="Stage clearing the value (sends null)"),
        Binding("ctrl+l", "unstage", "Unstage", id="editor.unstage", priority=True,
                tooltip="Unstage the highlighted attribute's edit"),
        Binding("enter", "value", "Edit value", show=False, id="editor.value",
                tooltip="Edit the highlighted attribute's value"),
        Binding("escape", "back", "Back / close", id="editor.back",
                tooltip="Go back one step: the value, the list, then close the editor"),
        Binding("question_mark", "app.help", "Help", show=False, id="app.help",
                tooltip="Show every key of every screen"),
    ]
    DEFAULT_CSS = """
    BulkEditorScreen { align: center middle; }
    BulkEditorScreen > #bulk-editor {
        width: 100%; height: 100%; border: thick $accent; background: $surface;
    }
    BulkEditorScreen #bulk-targets { padding: 0 1; }
    BulkEditorScreen #bulk-top { height: 2fr; min-height: 5; }
    BulkEditorScreen #attributes { width: 1fr; min-width: 34; border: round $panel-lighten-2; }
    BulkEditorScreen #attributes:focus { border: round $accent; }
    BulkEditorScreen #edit-set-box {
        height: 1fr; max-height: 10; min-height: 3; border: round $panel-lighten-2;
        padding: 0 1;
    }
    BulkEditorScreen #problems { height: auto; max-height: 3; padding: 0 1; }
    BulkEditorScreen #buttons { height: auto; }
    BulkEditorScreen #status { width: 1fr; height: 1; padding: 0 1; }
    BulkEditorScreen #review { margin-left: 1; min-width: 22; height: 1; border: none; }
    """

    def __init__(self, ui: Ui, definitions: Sequence[CustomAttributeDefinition],
                 targets: Sequence[Target], names: Mapping[Target, str]) -> None:
        super().__init__()
        self.ui = ui
        self.index = DefinitionIndex(definitions)
        self.targets = list(dict.fromkeys(t.normalized() for t in targets))
        self.names = {t.normalized(): n for t, n in names.items()}
        self.kind = self.targets[0].kind
        self.noun = TARGET_NOUNS[self.kind]
        entity = self.targets[0].entity_type
        self.rows = [d for d in definitions if d.entity_type == entity]
        self.staged: dict[str, Any] = {}  # definition id -> value (None clears), in order
        self.editing: CustomAttributeDefinition | None = None

    def compose(self) -> ComposeResult:
        count = plural(len(self.targets), self.noun)
        with Vertical(id="bulk-editor") as box:
            box.border_title = f"Edit {count} · one edit set for all of them"
            yield FitLine(id="bulk-targets")
            with Horizontal(id="bulk-top"):
                yield DefinitionList(id="attributes")
                yield ValueInput(id="value")
            with VerticalScroll(id="edit-set-box") as edit_set:
                edit_set.border_title = f"The edit set (for each of the {count})"
                yield Static(id="edit-set")
            yield Static(id="problems")
            with Horizontal(id="buttons"):
                yield Static(id="status")
                key = self.ui.key_hint("bulk_editor.review", "ctrl+t")
                yield Button(f"Review the plan ({key})", id="review", variant="primary")
            yield ErrorBar()
        yield Footer()

    def on_mount(self) -> None:
        names = [self.names.get(t, t.describe()) for t in self.targets]
        short = [f"#{t.id}" if t.kind == "conversation" else self.names.get(t, t.id)
                 for t in self.targets]
        more = f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else ""
        head = lit("Targets: ", "bold")
        self.query_one("#bulk-targets", FitLine).say(
            join(head, lit(", ".join(names[:NAMES_SHOWN]) + more)),
            join(head, lit(", ".join(short[:NAMES_SHOWN]) + more)),
            join(head, lit(plural(len(names), self.noun))))
        listing = self.query_one("#attributes", DefinitionList)
        entity = self.targets[0].entity_type
        listing.border_title = f"{entity} attributes"
        listing.set_rows(self.rows, empty_text=f"This organization has no {entity} attributes.")
        self._refresh()
        listing.focus()

    # -- the value area -------------------------------------------------------------------

    @on(DefinitionList.Highlighted, "#attributes")
    def _highlighted(self, event: DefinitionList.Highlighted) -> None:
        event.stop()
        self._show_value(self._model(event.definition))

    def _model(self, row: DefinitionFields | None) -> CustomAttributeDefinition | None:
        """The list's rows are this editor's own models: a row is found by its id."""
        return self.index.by_id.get(row.id) if row is not None else None

    def _show_value(self, definition: CustomAttributeDefinition | None) -> None:
        self.editing = definition
        value = self.query_one(ValueInput)
        if definition is None:
            value.show(None)
            return
        value.show(definition, known=False, staged=self.staged.get(definition.id, UNSTAGED))

    def action_value(self) -> None:
        if self.editing is None:  # enter before the list's first highlight was heard
            self._show_value(self._model(self.query_one("#attributes", DefinitionList)
                                         .highlighted))
        if self.editing is not None and not self.query_one(ValueInput).focus_value():
            self.notify("This attribute cannot be edited: the reason is shown on the right.",
                        timeout=3)

    # -- the edit set ---------------------------------------------------------------------

    def plan(self) -> PatchPlan:
        """The edit set judged by the value rules, against the first target (what depends
        on the target itself is judged per target by the plan)."""
        return build_patch(self.index, self.targets[0], self.staged_edits())

    def edit_set(self) -> Text:
        if not self.staged:
            return lit("Nothing staged yet: pick an attribute, then type or pick a value. "
                       "Every marked target gets the same edits.", "dim")
        lines = []
        for key, value in self.staged.items():
            definition = self.index.by_id.get(key)
            name = definition.label or definition.identifier if definition else key
            shown = lit("clear (null)", "bold yellow") if value is None else \
                lit(format_value(definition, value), "bold green")
            lines.append(join(lit(f"{name}: ", "bold"), lit("-> "), shown))
        return Text("\n").join(lines)

    def label(self) -> str:
        """The edit set in a few words, for the review's title."""
        names = [(d.label or d.identifier) if (d := self.index.by_id.get(k)) else k
                 for k in self.staged]
        return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")

    def _refresh(self) -> None:
        plan = self.plan()
        self.query_one("#edit-set", Static).update(self.edit_set())
        names = {d.id: d.label or d.identifier for d in self.rows}
        shown = [p for p in plan.problems if p.code != "nothing-staged"]
        key = self.ui.key_hint("bulk_editor.review", "ctrl+t")
        self.query_one("#problems", Static).update(
            Text("") if not self.staged else problems_view(shown, names) if shown else
            lit(f"✔ No problems: {key} reads every target and shows the plan.", "green"))
        self.query_one("#review", Button).disabled = not self.staged or bool(plan.errors)
        count = len(self.staged)
        text = (f"{plural(count, 'edit')} staged for {plural(len(self.targets), self.noun)}"
                if count else "No edits staged")
        self.query_one("#status", Static).update(lit(text, "dim"))

    # -- on to the review -----------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "review":
            self.action_review()

    def action_review(self) -> None:
        from dixa_tui.tui.bulk_run import BulkSource
        from dixa_tui.tui.screens.bulk_review import BulkReviewScreen

        if not self.staged:
            self.notify("Nothing is staged: edit a value first.", timeout=3)
            return
        plan = self.plan()
        if plan.errors:
            self.notify("Fix the errors shown under the edit set first; nothing was read or "
                        "sent.", severity="error", timeout=4)
            return
        edits = tuple(StagedEdit(key, value) for key, value in self.staged.items())
        source = BulkSource(tuple(self.targets), dict(self.names), edits, label=self.label())
        self.app.push_screen(BulkReviewScreen(self.ui, source), self._reviewed)

    def _reviewed(self, wrote: bool | None) -> None:
        if wrote:
            self.dismiss(True)

    # -- leaving --------------------------------------------------------------------------

    def action_back(self) -> None:
        listing = self.query_one("#attributes", DefinitionList)
        if self.query_one(ErrorBar).shown:
            self.query_one(ErrorBar).clear()
            return
        if not listing.has_focus:
            listing.focus()
            return
        if self.staged:
            def answered(yes: bool | None) -> None:
                if yes:
                    self.dismiss(False)

            self.app.push_screen(ConfirmScreen("Discard the edit set?", lit(self.loss()),
                                               yes="Discard", no="Keep editing"), answered)
            return
        self.dismiss(False)

    def loss(self) -> str:
        """What closing (or quitting) now throws away."""
        count = len(self.staged)
        return (f"{plural(count, 'staged edit')} for {plural(len(self.targets), self.noun)} "
                "will be lost: nothing has been sent.")
