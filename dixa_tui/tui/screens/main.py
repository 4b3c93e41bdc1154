"""The main screen: definitions on the left, the highlighted one in detail on the right.

This screen owns the browsing state (the definitions, the filter, the toggles, the sort, the
target and its current values, the detail cache). It asks the session through its
:class:`~dixa_tui.tui.context.Ui`; each answer comes back as its own message, and the
handlers below update the state and then the widgets. The app tells it when the session has
started, is connected, or still needs a key, with messages too.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, LoadingIndicator

from dixa_tui.text import clean
from dixa_tui.tui.literal import join, lit
from dixa_tui.tui.messages import (
    Connected,
    DefinitionsLoaded,
    DetailLoaded,
    KeyMissing,
    Request,
    RequestFailed,
    Retrying,
    SessionStarted,
    TargetRead,
    TargetsWritten,
)
from dixa_tui.tui.saved_queries import SavedQueryCommands
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.detail import DetailPane
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.fitline import FitLine
from dixa_tui.tui.widgets.footer import Footer
from dixa_tui.tui.widgets.header import StatusHeader

if TYPE_CHECKING:
    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.api.salvage import SkippedDefinition
    from dixa_tui.domain.patch import Target
    from dixa_tui.domain.search import DefinitionSearch
    from dixa_tui.session.core import Session
    from dixa_tui.session.queries import SavedQuery
    from dixa_tui.session.schema import Listed
    from dixa_tui.session.targets import TargetState
    from dixa_tui.tui.context import Ui
    from dixa_tui.tui.messages import BulkFileRead

SORTS = ("Dixa's order", "by entity type", "by label")
ENTITY_NOTES = {"Contact": "(end user)", "Conversation": "(conversation)"}
SHOW_DELAY = 0.03  # seconds the cursor rests before the detail pane follows it
DETAIL_DELAY = 0.15  # seconds the cursor rests before the detail is fetched
INDEX_AFTER = 0.05  # seconds after the list shows that the search index is built


class MainScreen(Screen[None]):
    COMMANDS: ClassVar[set[Any]] = {SavedQueryCommands}  # "Find: NAME" per saved query
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="main.filter",
                tooltip="Filter the definitions by label, identifier, id or option label"),
        Binding("t", "target", "Target", id="main.target",
                tooltip="Choose the end user or conversation to see and edit"),
        Binding("e", "edit", "Edit", id="main.edit",
                tooltip="Edit the target's attribute values"),
        Binding("r", "refresh", "Refresh", id="main.refresh",
                tooltip="Reload the definitions and the target's values"),
        Binding("a", "toggle_archived", "Archived", show=False, id="main.toggle_archived",
                tooltip="Show or hide archived definitions"),
        Binding("d", "toggle_deactivated", "Deactivated", show=False,
                id="main.toggle_deactivated",
                tooltip="Show or hide deactivated definitions"),
        Binding("s", "sort", "Sort", show=False, id="main.sort",
                tooltip="Change the order: Dixa's, by entity type, by label"),
        Binding("c", "copy_id", "Copy id", show=False, id="main.copy_id",
                tooltip="Copy the highlighted definition's id"),
        Binding("y", "copy_path", "Copy option path", show=False, id="main.copy_path",
                tooltip="Copy the highlighted option's path as JSON"),
        Binding("f", "find_option", "Find option", show=False, id="main.find_option",
                tooltip="Search the options of the highlighted Select"),
        Binding("E", "expand_all", "Expand all options", show=False, id="main.expand_all",
                tooltip="Open every option of the highlighted Select"),
        Binding("C", "collapse_all", "Collapse all options", show=False,
                id="main.collapse_all",
                tooltip="Fold every option of the highlighted Select"),
        Binding("D", "schema_diff", "Schema diff", show=False, id="main.schema_diff",
                tooltip="Compare two schemas: this profile, another, a saved snapshot, a file"),
        Binding("U", "usage", "Usage census", show=False, id="main.usage",
                tooltip="How the Conversation attributes are filled in, over a find query"),
        Binding("H", "history", "History", show=False, id="main.history",
                tooltip="Every write from this machine: see one in full, undo it"),
        Binding("F", "find", "Find conversations", show=False, id="main.find",
                tooltip="Find conversations by their values and work through them"),
        Binding("B", "bulk_file", "Bulk plan file", show=False, id="main.bulk_file",
                tooltip="Open a bulk plan file (or a CSV or JSONL input) to review and send"),
        Binding("escape", "escape", "Back", show=False, id="main.escape",
                tooltip="Go back one step: the error, then the filter"),
        Binding("down", "to_list", "To the list", show=False, id="main.to_list",
                tooltip="Move from the filter box to the list"),
    ]

    def __init__(self, ui: Ui, *, demo: bool = False, profile_name: str | None = None) -> None:
        super().__init__()
        self.ui = ui
        self._demo = demo
        self._profile_name = profile_name
        self.definitions: list[CustomAttributeDefinition] = []
        self.search: DefinitionSearch | None = None
        self.query_text = ""
        self.show_archived = False
        self.show_deactivated = False
        self.sort = 0
        self.target: Target | None = None
        self.target_state: TargetState | None = None
        self.current: dict[str, Any] = {}
        self.details: dict[str, CustomAttributeDefinition] = {}
        self._detail_timer: Timer | None = None
        self._show_timer: Timer | None = None
        self._hidden = (0, 0)  # archived, deactivated (and not archived): counted at load
        self.skipped: tuple[SkippedDefinition, ...] = ()  # unreadable items of the last load
        self._warned: tuple[SkippedDefinition, ...] = ()  # what the warning last said
        self.fetching = False

    @property
    def target_name(self) -> str:
        """A name for the target, for people ("" without one)."""
        return self.target_state.name if self.target_state is not None else ""

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        yield FitLine(id="target-bar")
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield Input(placeholder="Filter: label, identifier, id or option label",
                            id="filter")
                yield FitLine(id="list-status")
                yield LoadingIndicator(id="loading")
                yield DefinitionList(id="definitions")
            yield DetailPane(id="detail")
        yield ErrorBar(id="errors")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        self.query_one("#loading").display = False
        header = self.query_one(StatusHeader)  # the badge is known before any lookup
        header.demo = self._demo
        header.profile = "demo" if self._demo else self._profile_name or "…"
        self._show_target()
        self.query_one(DefinitionList).show_message("Starting…")
        self.query_one(DefinitionList).focus()

    # -- header and target bar ------------------------------------------------------------

    def on_session_started(self, message: SessionStarted) -> None:
        """The profile and the keymap are known: the header names them, hints follow the
        keymap."""
        session = message.session
        profile = session.profile
        header = self.query_one(StatusHeader)
        header.profile = profile.name
        header.url = f"{profile.base_url}/{profile.api_version}"
        header.badge_name = profile.badge
        header.demo = session.demo
        header.read_only = profile.read_only
        self._show_target()

    def on_key_missing(self, message: KeyMissing) -> None:
        key = self.ui.key_hint("app.key", "K")
        self.query_one(DefinitionList).show_message(
            f"No API key yet: enter one ({key}) to load the definitions.")

    def on_connected(self, message: Connected) -> None:
        self.load_definitions()

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

    # -- loading definitions --------------------------------------------------------------

    def load_definitions(self) -> None:
        self.fetching = True
        self.query_one("#loading").display = True
        self.query_one(DefinitionList).show_message("Loading definitions…")
        # The client decodes and parses a large answer with the collector paused, and keeps
        # the definitions out of its way afterwards (``api.gcpause``): they live as long as
        # the screen.
        # With the profile's ``snapshots = true`` the list is saved as a snapshot too.
        self.ui.run(self, Request.DEFINITIONS, _listed,
                    lambda listed: DefinitionsLoaded(listed.read, listed.problem))

    def on_definitions_loaded(self, message: DefinitionsLoaded) -> None:
        from dixa_tui.domain.search import DefinitionSearch

        self.fetching = False
        self.query_one("#loading").display = False
        self.query_one(ErrorBar).clear()
        read = message.read
        if message.snapshot_problem is not None:
            self.notify(f"The snapshot of this list was not saved: "
                        f"{clean(message.snapshot_problem)}", title="Snapshot",
                        severity="warning", timeout=8, markup=False)
        self.definitions, self.details = read.definitions, {}
        self.skipped = read.skipped
        self._warn_skipped()
        self.search = DefinitionSearch(self.definitions)
        self._hidden = (sum(d.is_archived for d in self.definitions),
                        sum(d.is_deactivated and not d.is_archived for d in self.definitions))
        self._refilter()
        self._show_values()
        self._show_target()
        # The search index is built once the list is on screen, not before it.
        self.set_timer(INDEX_AFTER, partial(self._prepare_search, self.search))

    def _prepare_search(self, search: DefinitionSearch) -> None:
        from dixa_tui.api.gcpause import gc_paused

        with gc_paused(keep=True):  # the index lives as long as the definitions
            search.prepare()

    def _warn_skipped(self) -> None:
        """Unreadable definitions are said once: again only when a reload finds others."""
        if not self.skipped or self.skipped == self._warned:
            return
        from dixa_tui.api.salvage import skipped_lines

        self._warned = self.skipped
        lines = skipped_lines(self.skipped)
        text = "\n".join(clean(line) for line in lines)
        self.notify(text, title="Some definitions could not be read", severity="warning",
                    timeout=12, markup=False)

    def on_retrying(self, message: Retrying) -> None:
        """While the first load is retried, the empty list says which try it is on (the
        message goes on to the app, which shows the toast)."""
        if message.request is Request.DEFINITIONS and self.fetching and not self.definitions:
            notice = message.notice
            self.query_one(DefinitionList).show_message(
                f"Loading definitions… {notice.which()} "
                f"(the last failed: {notice.reason.removeprefix(notice.operation + ': ')})")

    def on_request_failed(self, message: RequestFailed) -> None:
        """Stop what waited for the request; the message goes on to the app, which shows it."""
        if message.request is Request.START:
            self.query_one(DefinitionList).show_message(
                "Could not start: see the message below.")
        if message.request is Request.DETAIL:
            pane = self.query_one(DetailPane)
            if pane.definition is not None and pane.definition.id == message.context:
                pane.show(pane.definition, current=self._current_text(pane.definition),
                          source="from the list: fetching by id failed (see below)")
        if message.request is Request.DEFINITIONS:
            self.fetching = False
            self.query_one("#loading").display = False
            if not self.definitions:
                self.query_one(DefinitionList).show_message(
                    "Not loaded: see the message below.")

    # -- the list -------------------------------------------------------------------------

    def visible_rows(self) -> list[CustomAttributeDefinition]:
        if self.search is None:
            return []
        order = [self.definitions[i] for i in self.search.filter(self.query_text)]
        rows = [d for d in order if (self.show_archived or not d.is_archived)
                and (self.show_deactivated or not d.is_deactivated)]
        if self.sort == 1:
            rows.sort(key=lambda d: d.entity_type)
        elif self.sort == 2 and not self.query_text:
            rows.sort(key=lambda d: d.label.casefold())
        return rows

    def _refilter(self) -> None:
        listing = self.query_one(DefinitionList)
        keep = listing.highlighted.id if listing.highlighted else None
        rows = self.visible_rows()
        hidden_archived, hidden_off = self._hidden
        empty = (f"No definition matches {self.query_text!r}: esc clears the filter."
                 if self.query_text else "No definitions in this organization.")
        listing.set_rows(rows, keep=keep, empty_text=empty)
        shown = f"{len(rows)} of {len(self.definitions)}"
        unreadable = [f"{len(self.skipped)} unreadable"] if self.skipped else []
        toggles = (("archived", "A", "a", self.show_archived, hidden_archived),
                   ("deactivated", "D", "d", self.show_deactivated, hidden_off))
        hidden = [t for t in toggles if not t[3]]
        on = [t for t in toggles if t[3]]
        # The short form names the flags as the list's RAD column does (A, D).
        long, short = [shown, *unreadable], [shown, *unreadable]
        if hidden:
            long.append("hidden: " + ", ".join(f"{n} {name} ({key})"
                                               for name, _, key, _, n in hidden))
            short.append("hidden: " + ", ".join(f"{n} {letter}" for _, letter, _, _, n in hidden)
                         + f" ({', '.join(t[2] for t in hidden)})")
        if on:
            long.append("shown: " + ", ".join(f"{name} ({key})" for name, _, key, _, _ in on))
            short.append("shown: " + ", ".join(t[1] for t in on)
                         + f" ({', '.join(t[2] for t in on)})")
        self.query_one("#list-status", FitLine).say(
            lit(" · ".join(long), "dim"), lit(" · ".join(short), "dim"),
            lit(" · ".join([shown, *unreadable]), "dim"))
        order = (SORTS[self.sort] if self.sort == 1 or not self.query_text
                 else "best match first")
        self.query_one("#left").border_title = f"Definitions · {order} (s)"

    def _show_values(self) -> None:
        listing = self.query_one(DefinitionList)
        if self.target is None:
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

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self._refilter()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(DefinitionList).focus()

    def action_to_list(self) -> None:
        """Down in the filter box moves to the list (elsewhere the focused widget has it)."""
        if self.focused is self.query_one("#filter"):
            self.query_one(DefinitionList).focus()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_toggle_archived(self) -> None:
        self.show_archived = not self.show_archived
        self._refilter()

    def action_toggle_deactivated(self) -> None:
        self.show_deactivated = not self.show_deactivated
        self._refilter()

    def action_sort(self) -> None:
        self.sort = (self.sort + 1) % len(SORTS)
        self._refilter()
        self.notify(f"Sorted: {SORTS[self.sort]}.", timeout=2)

    def action_refresh(self) -> None:
        if not self.ui.connected:
            self.notify("Not connected yet.", timeout=2)
            return
        self.load_definitions()
        if self.target is not None:
            self._load_target_values()

    def action_escape(self) -> None:
        """Back out one step: the error, then the filter (its text goes with it, and the
        cursor back to the list, so the next ``/`` opens a fresh filter rather than typing
        a slash into the old one)."""
        box = self.query_one("#filter", Input)
        listing = self.query_one(DefinitionList)
        if self.query_one(ErrorBar).shown:
            self.query_one(ErrorBar).clear()
        elif box.display:
            box.value = ""
            box.display = False
            listing.focus()
        elif self.focused is not listing:
            listing.focus()

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
        self._show_detail(self.query_one(DefinitionList).highlighted)

    def _fetch_detail(self) -> None:
        definition = self.query_one(DefinitionList).highlighted
        if definition is None or definition.id in self.details or not self.ui.connected:
            return
        ident = definition.id
        self.ui.run(self, Request.DETAIL, lambda session: session.get_definition(ident),
                    lambda fetched: DetailLoaded(ident, fetched), context=ident)

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        fetched = message.definition
        listed = next((d for d in self.definitions if d.id == message.definition_id), None)
        # The same as the list's copy (the usual case): keep the list's object, which is
        # frozen out of the collector and whose option index the tree already has.
        self.details[message.definition_id] = listed if listed == fetched else fetched
        highlighted = self.query_one(DefinitionList).highlighted
        if highlighted is not None and highlighted.id == message.definition_id:
            self._show_detail(highlighted)

    def _show_detail(self, definition: CustomAttributeDefinition | None) -> None:
        pane = self.query_one(DetailPane)
        if definition is None:
            pane.show(None)
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

    def _detail_tree(self) -> Any:
        pane = self.query_one(DetailPane)
        if pane.definition is None or pane.definition.input_type != "Select":
            self.notify("The highlighted definition is not a Select.", timeout=2)
            return None
        return pane.browser.option_tree

    def action_find_option(self) -> None:
        if self._detail_tree() is not None:
            self.query_one(DetailPane).browser.query_one("#option-search").focus()

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
        self._show_detail(self.query_one(DefinitionList).highlighted)

    def _load_target_values(self) -> None:
        target = self.target
        if target is None:
            return
        self.ui.run(self, Request.TARGET_VALUES, lambda session: session.read_target(target),
                    TargetRead, context=target)

    def on_target_read(self, message: TargetRead) -> None:
        if message.state.target == self.target:
            self.set_target(message.state)

    # -- the schema diff --------------------------------------------------------------------

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

    # -- editing --------------------------------------------------------------------------

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

    # -- find ------------------------------------------------------------------------------

    def action_find(self) -> None:
        self.open_find()

    def open_find(self, saved: SavedQuery | None = None) -> None:
        """The Find screen, on ``saved`` (run at once) or on a new query."""
        if not self.ui.connected or not self.definitions:
            self.notify("The definitions have not loaded yet: the Find screen picks from "
                        "them.", timeout=3)
            return
        from dixa_tui.tui.screens.find import FindScreen

        self.app.push_screen(FindScreen(self.ui, self.definitions, saved=saved))

    # -- history --------------------------------------------------------------------------

    def action_history(self) -> None:
        if self.ui.session is None:
            self.notify("Still starting: try again in a moment.", timeout=2)
            return
        from dixa_tui.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.ui), self._history_closed)

    # -- bulk edits -----------------------------------------------------------------------

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

    def _history_closed(self, wrote: bool | None) -> None:
        """An undo sent from the history may have changed the target on screen."""
        if wrote:
            self._load_target_values()

    def _edited(self, values: dict[str, Any] | None) -> None:
        """After a successful send the editor returns the values Dixa now holds."""
        if values is None or self.target_state is None:
            return
        self.set_target(replace(self.target_state, values={**self.current, **values}))
        self._load_target_values()


async def _listed(session: Session) -> Listed:
    from dixa_tui.session.schema import list_definitions

    return await list_definitions(session)
