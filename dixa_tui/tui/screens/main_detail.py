"""The main screen's right side and top line: the highlighted definition in detail, the target
(an end user or a conversation) with its current values, and what opens from there (the
editor, the history, the schema diff, the usage census).

The detail pane is mounted after the first frame (its option tree is the heaviest widget of
the screen); until then a frame of the same size holds its place. It shows the model of the
highlighted row once the models are read (``main_load``), then the copy fetched by id.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import on
from textual.timer import Timer

from dixa_tui.text import clean
from dixa_tui.tui.literal import join, lit
from dixa_tui.tui.messages import (
    DetailLoaded,
    Request,
    RequestFailed,
    TargetRead,
    TargetsWritten,
)
from dixa_tui.tui.screens.main_load import LoadingPart
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.fitline import FitLine

if TYPE_CHECKING:
    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.api.rows import DefinitionFields
    from dixa_tui.domain.patch import Target
    from dixa_tui.session.early import EarlyStart
    from dixa_tui.session.queries import SavedQuery
    from dixa_tui.session.targets import TargetState
    from dixa_tui.tui.context import Ui
    from dixa_tui.tui.messages import BulkFileRead
    from dixa_tui.tui.widgets.detail import DetailPane

ENTITY_NOTES = {"Contact": "(end user)", "Conversation": "(conversation)"}
SHOW_DELAY = 0.03  # seconds the cursor rests before the detail pane follows it
DETAIL_DELAY = 0.15  # seconds the cursor rests before the detail is fetched


class DetailPart(LoadingPart):
    """The detail pane, the target bar and the target's values in the list."""

    def __init__(self, ui: Ui, *, early: EarlyStart | None = None) -> None:
        super().__init__(ui, early=early)
        self.target: Target | None = None
        self.target_state: TargetState | None = None
        self.current: dict[str, Any] = {}
        self.details: dict[str, CustomAttributeDefinition] = {}
        self._detail_timer: Timer | None = None
        self._show_timer: Timer | None = None
        # Find asked for before the definitions were read: it opens once they are (the
        # list may already show, from the demo's packaged list or the start-up cache).
        self._find_waiting: tuple[SavedQuery | None] | None = None

    @property
    def target_name(self) -> str:
        """A name for the target, for people ("" without one)."""
        return self.target_state.name if self.target_state is not None else ""

    async def mount_detail(self) -> None:
        """The detail pane in the place held for it (after the first frame)."""
        from dixa_tui.tui.widgets.detail import DetailPane

        slot = self.query_one("#detail-slot")
        await self.query_one("#panes").mount(DetailPane(id="detail"), before=slot)
        await slot.remove()
        self._show_highlighted()

    def _pane(self) -> DetailPane | None:
        from dixa_tui.tui.widgets.detail import DetailPane

        panes = self.query(DetailPane)
        return panes.first() if panes else None

    def models_shown(self) -> None:
        self.details = {}
        self._show_values()
        self._show_target()
        self._show_highlighted()
        self.open_waiting_find()

    def open_waiting_find(self) -> None:
        """The Find asked for while loading, now that it can open (else still waiting)."""
        if self._find_waiting is not None and self.ui.connected and self.definitions \
                and self.app.screen is self:
            (saved,) = self._find_waiting
            self._find_waiting = None
            self.open_find(saved)

    # -- the target bar -------------------------------------------------------------------

    def _show_target(self) -> None:
        bar = self.query_one("#target-bar", FitLine)
        head = lit("Target: ", "bold")
        if self.target is None or self.target_state is None:
            key = self.ui.key_hint("main.target", "t")
            bar.say(join(head, lit(f"none — press {key} to choose an end user or a "
                                   "conversation")),
                    join(head, lit(f"none — press {key} to choose one")))
            return
        entity = self.target.entity_type
        count = sum(1 for d in self.definitions if d.entity_type == entity)
        filled = sum(1 for v in self.current.values() if v not in (None, "", []))
        title = lit(self.target_state.title, "bold")
        edit, change = self.ui.key_hint("main.edit", "e"), self.ui.key_hint("main.target", "t")
        bar.say(join(head, title, lit(f" · {filled} of {count} {entity} attributes set · "
                                      f"{edit} edits · {change} changes")),
                join(head, title, lit(f" · {filled} of {count} set · {edit} edits")),
                join(head, title, lit(f" · {filled} of {count} set")),
                join(head, title))

    def _show_values(self) -> None:
        listing = self.query_one(DefinitionList)
        if self.target is None or not self.definitions:
            listing.set_values(None)
            return
        from dixa_tui.domain.patch import format_value

        entity = self.target.entity_type
        values = {d.id: format_value(d, self.current.get(d.id)) for d in self.definitions
                  if d.entity_type == entity}
        # A row of the other kind has no value here: it says whose attribute it is instead,
        # which also stands in for the Entity column narrow terminals leave out.
        notes = {d.id: ENTITY_NOTES.get(d.entity_type, f"({d.entity_type})")
                 for d in self.definitions if d.entity_type != entity}
        listing.set_values(values, notes)

    # -- the detail -----------------------------------------------------------------------

    @on(DefinitionList.Highlighted)
    def _highlighted(self, event: DefinitionList.Highlighted) -> None:
        """Rest the cursor a moment before the detail follows: typing in the filter or
        holding ``j`` moves it many times a second, and only the last one matters."""
        for timer in (self._show_timer, self._detail_timer):
            if timer is not None:
                timer.stop()
        self._show_timer = self.set_timer(SHOW_DELAY, self._show_highlighted)
        if event.definition is not None and event.definition.id not in self.details:
            self._detail_timer = self.set_timer(DETAIL_DELAY, self._fetch_detail)

    def _show_highlighted(self) -> None:
        self._show_detail(self._model(self.query_one(DefinitionList).highlighted))

    def _model(self, row: DefinitionFields | None) -> CustomAttributeDefinition | None:
        """The model of a row: itself once the models are read, or the copy fetched by id."""
        if row is None:
            return None
        return self.by_id.get(row.id) or self.details.get(row.id)

    def _fetch_detail(self) -> None:
        definition = self.query_one(DefinitionList).highlighted
        if definition is None or definition.id in self.details or not self.ui.connected:
            return
        ident = definition.id
        self.ui.run(self, Request.DETAIL, lambda session: session.get_definition(ident),
                    lambda fetched: DetailLoaded(ident, fetched), context=ident)

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        fetched = message.definition
        listed = self.by_id.get(message.definition_id)
        # The same as the list's copy (the usual case): keep the list's object, which is
        # frozen out of the collector and whose option index the tree already has.
        self.details[message.definition_id] = listed if listed == fetched else fetched
        highlighted = self.query_one(DefinitionList).highlighted
        if highlighted is not None and highlighted.id == message.definition_id:
            self._show_detail(self._model(highlighted))

    def _show_detail(self, definition: CustomAttributeDefinition | None) -> None:
        pane = self._pane()
        if pane is None:
            return
        if definition is None:
            reading = self.query_one(DefinitionList).highlighted is not None
            pane.show(None, waiting="Reading the definitions…" if reading else None)
            return
        fresh = self.details.get(definition.id)
        source = ("fetched by id (GET /custom-attributes/{id})" if fresh else
                  "from the list; fetching the full definition…")
        shown = fresh or definition
        before = pane.definition
        pane.show(shown, current=self._current_text(shown), source=source)
        moved = before is None or before.id != shown.id  # not when the fetched copy arrives
        if moved and self.query_text.strip() and shown.input_type == "Select" and \
                not pane.browser.search_input.value:
            from dixa_tui.domain.search import terms

            # Only the words its own names do not explain: those found it by an option.
            names = f"{shown.label}\n{shown.identifier}".lower()
            by_option = [t for t in terms(self.query_text) if t not in names]
            pane.browser.option_tree.reveal_matching(by_option)

    def _current_text(self, definition: CustomAttributeDefinition) -> str | None:
        if self.target is None or definition.entity_type != self.target.entity_type:
            return None
        from dixa_tui.domain.patch import format_value

        return format_value(definition, self.current.get(definition.id))

    def on_request_failed(self, message: RequestFailed) -> None:
        if message.request in (Request.START, Request.DEFINITIONS):
            self._find_waiting = None  # it would open unasked after a retry minutes later
        if message.request is Request.DETAIL:
            pane = self._pane()
            if pane is not None and pane.definition is not None and \
                    pane.definition.id == message.context:
                pane.show(pane.definition, current=self._current_text(pane.definition),
                          source="from the list: fetching by id failed (see below)")

    def _detail_tree(self) -> Any:
        pane = self._pane()
        if pane is None or pane.definition is None or pane.definition.input_type != "Select":
            self.notify("The highlighted definition is not a Select.", timeout=2)
            return None
        return pane.browser.option_tree

    def action_find_option(self) -> None:
        pane = self._pane()
        if self._detail_tree() is not None and pane is not None:
            pane.browser.query_one("#option-search").focus()

    def action_expand_all(self) -> None:
        tree = self._detail_tree()
        if tree is not None:
            tree.expand_everything()

    def action_collapse_all(self) -> None:
        tree = self._detail_tree()
        if tree is not None:
            tree.collapse_everything()

    # -- copying --------------------------------------------------------------------------

    def action_copy_id(self) -> None:
        definition = self.query_one(DefinitionList).highlighted
        if definition is None:
            self.notify("No definition is highlighted.", timeout=2)
            return
        self.app.copy_to_clipboard(definition.id)
        self.notify(f"Copied the id of {clean(definition.label)}: {clean(definition.id)}",
                    title="Copied", timeout=3, markup=False)

    def action_copy_path(self) -> None:
        tree = self._detail_tree()
        if tree is None:
            return
        path = tree.highlighted_path
        if not path:
            self.notify("Move the cursor onto an option in the tree first.", timeout=3)
            return
        text = json.dumps([o.value for o in path], ensure_ascii=False)
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied the option path {clean(text)}", title="Copied", timeout=3,
                    markup=False)

    # -- the target -----------------------------------------------------------------------

    def action_target(self) -> None:
        if not self.ui.connected:
            self.notify("Not connected yet.", timeout=2)
            return
        from dixa_tui.tui.screens.target import TargetScreen

        self.app.push_screen(TargetScreen(self.ui, self.target), self._target_chosen)

    def _target_chosen(self, chosen: TargetState | None) -> None:
        if chosen is not None:
            self.set_target(chosen)

    def set_target(self, state: TargetState) -> None:
        self.target_state = state
        self.target, self.current = state.target, dict(state.values)
        self._show_values()
        self._show_target()
        self._show_highlighted()

    def _load_target_values(self) -> None:
        target = self.target
        if target is None:
            return
        self.ui.run(self, Request.TARGET_VALUES, lambda session: session.read_target(target),
                    TargetRead, context=target)

    def on_target_read(self, message: TargetRead) -> None:
        if message.state.target == self.target:
            self.set_target(message.state)

    # -- the other screens ----------------------------------------------------------------

    def action_schema_diff(self) -> None:
        if not self.ui.connected:
            self.notify("Not connected yet.", timeout=2)
            return
        from dixa_tui.tui.screens.schema_diff import SchemaDiffScreen

        self.app.push_screen(SchemaDiffScreen(self.ui))

    def action_usage(self) -> None:
        if not self.ui.connected:
            self.notify("Not connected yet.", timeout=2)
            return
        from dixa_tui.tui.screens.usage import UsageScreen

        self.app.push_screen(UsageScreen(self.ui))

    def action_edit(self) -> None:
        if not self.definitions:
            self.notify("The definitions have not loaded yet.", timeout=3)
            return
        if self.target_state is None:
            self.notify(f"Choose a target first: press {self.ui.key_hint('main.target', 't')}, "
                        f"then {self.ui.key_hint('main.edit', 'e')} to edit its values.",
                        timeout=4)
            self.action_target()
            return
        from dixa_tui.tui.screens.editor import EditorScreen

        highlighted = self.query_one(DefinitionList).highlighted
        state = replace(self.target_state, values=dict(self.current))
        editor = EditorScreen(self.ui, self.definitions, state,
                              start=highlighted.id if highlighted else None)
        self.app.push_screen(editor, self._edited)

    def _edited(self, values: dict[str, Any] | None) -> None:
        """After a successful send the editor returns the values Dixa now holds."""
        if values is None or self.target_state is None:
            return
        self.set_target(replace(self.target_state, values={**self.current, **values}))
        self._load_target_values()

    def action_find(self) -> None:
        self.open_find()

    def open_find(self, saved: SavedQuery | None = None) -> None:
        """The Find screen, on ``saved`` (run at once) or on a new query."""
        if not self.ui.connected or not self.definitions:
            if self._find_waiting is None:
                self.notify("Find opens as soon as the definitions are read (its pickers "
                            "choose from them).", timeout=3)
            self._find_waiting = (saved,)
            return
        self._find_waiting = None
        from dixa_tui.tui.screens.find import FindScreen

        self.app.push_screen(FindScreen(self.ui, self.definitions, saved=saved))

    def action_bulk_file(self) -> None:
        if not self.ui.connected:
            self.notify("Not connected yet.", timeout=2)
            return
        from dixa_tui.tui.screens.bulk_dialogs import PlanFileScreen

        self.app.push_screen(PlanFileScreen(self.ui), self._bulk_file_chosen)

    def _bulk_file_chosen(self, read: BulkFileRead | None) -> None:
        if read is None:
            return
        from dixa_tui.tui.bulk_run import BulkSource
        from dixa_tui.tui.screens.bulk_review import BulkReviewScreen

        source = BulkSource(path=read.path, data=read.data, plan=read.plan)
        self.app.push_screen(BulkReviewScreen(self.ui, source))

    def on_targets_written(self, message: TargetsWritten) -> None:
        """A bulk run wrote these targets: the one on screen is read again."""
        if self.target is not None and self.target.normalized() in {
                t.normalized() for t in message.targets}:
            self._load_target_values()

    def action_history(self) -> None:
        if self.ui.session is None:
            self.notify("Still starting: try again in a moment.", timeout=2)
            return
        from dixa_tui.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.ui), self._history_closed)

    def _history_closed(self, wrote: bool | None) -> None:
        """An undo sent from the history may have changed the target on screen."""
        if wrote:
            self._load_target_values()
