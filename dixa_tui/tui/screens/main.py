"""The main screen: definitions on the left, the highlighted one in detail on the right.

This screen owns the browsing state. It is built in layers, one idea each: the list and where
its definitions come from (``main_load.LoadingPart``), the detail and the target
(``main_detail.DetailPart``), and here the layout, the keys and the start-up messages. It asks
the session through its :class:`~dixa_tui.tui.context.Ui`; each answer comes back as its own
message. The app tells it when the session has started, is connected, or still needs a key.

The first frame holds only what it shows (the header, the list, the status lines, and the
filter box, hidden, for a filter typed ahead); the detail pane and the footer are mounted once
it is out, in places held for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from dixa_tui.tui.listing import SORTS
from dixa_tui.tui.messages import Connected, KeyMissing, MainReady, SessionStarted
from dixa_tui.tui.painted import after_painted
from dixa_tui.tui.saved_queries import SavedQueryCommands
from dixa_tui.tui.screens.main_detail import DetailPart
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.fitline import FitLine
from dixa_tui.tui.widgets.header import StatusHeader

if TYPE_CHECKING:
    from dixa_tui.session.early import EarlyStart
    from dixa_tui.tui.context import Ui

__all__ = ["SORTS", "MainScreen"]


class MainScreen(DetailPart):
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

    def __init__(self, ui: Ui, *, demo: bool = False, profile_name: str | None = None,
                 early: EarlyStart | None = None) -> None:
        super().__init__(ui, early=early)
        self._demo = demo
        self._profile_name = profile_name

    def compose(self) -> ComposeResult:
        """What the first frame shows (and, hidden, the error bar, so that no failure can come
        before it, and the filter box, so that no typing can); the detail pane and the footer
        are mounted once the frame is out."""
        yield StatusHeader(id="header")
        yield FitLine(id="target-bar")
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                # Hidden until asked for, but there from the start: a ``/`` and the text
                # typed after it before the first frame reach it, not the list's keys.
                box = Input(placeholder="Filter: label, identifier, id or option label",
                            id="filter")
                box.display = False
                yield box
                yield FitLine(id="list-status")
                yield DefinitionList(id="definitions")
            slot = Vertical(id="detail-slot")  # the detail pane's place, until it is mounted
            slot.border_title = "Detail"
            yield slot
        yield ErrorBar(id="errors")
        yield Static(id="footer-slot")  # the footer's, likewise

    def on_mount(self) -> None:
        if not self.query(DefinitionList):
            return  # a quit came first (typed ahead, over the frame drawn before Textual)
        header = self.query_one(StatusHeader)  # the badge is known before any lookup
        header.demo = self._demo
        header.profile = "demo" if self._demo else self._profile_name or "…"
        self._show_target()
        self.show_early()
        self.query_one(DefinitionList).focus()
        self.post_message(MainReady())  # (after the focus: the keys held find the list)
        after_painted(self, self._after_first_frame)

    async def _after_first_frame(self) -> None:
        """What the first frame did not need: the detail pane, the footer, and the cached
        list's models (nothing, when a quit came first)."""
        from textual.css.query import NoMatches

        try:
            await self._assemble()
        except NoMatches:
            if self.is_attached:
                raise

    async def _assemble(self) -> None:
        from dixa_tui.tui.widgets.footer import Footer

        slot = self.query_one("#footer-slot")  # the keys first: the detail takes longer
        await self.mount(Footer(), before=slot)
        await slot.remove()
        self.refresh_bindings()  # the footer shows the keys once told they changed
        await self.mount_detail()
        self.after_first_paint()

    # -- the session ----------------------------------------------------------------------

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
        # After every part has seen the session (a cached list of another organization
        # goes first): Find must not open on it.
        self.call_later(self.open_waiting_find)

    def on_key_missing(self, message: KeyMissing) -> None:
        key = self.ui.key_hint("app.key", "K")
        if not self.listing.base:
            self.query_one(DefinitionList).show_message(
                f"No API key yet: enter one ({key}) to load the definitions.")

    def on_connected(self, message: Connected) -> None:
        self.load_definitions()

    # -- the list and the filter ----------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self._refilter()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(DefinitionList).focus()

    def action_to_list(self) -> None:
        """Down in the filter box moves to the list (elsewhere the focused widget has it)."""
        if self.focused is not None and self.focused.id == "filter":
            self.query_one(DefinitionList).focus()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        self.set_focus(box)  # now: the keys typed ahead after the ``/`` are the filter's

    def action_toggle_archived(self) -> None:
        self.listing.show_archived = not self.listing.show_archived
        self._refilter()

    def action_toggle_deactivated(self) -> None:
        self.listing.show_deactivated = not self.listing.show_deactivated
        self._refilter()

    def action_sort(self) -> None:
        self.listing.sort = (self.listing.sort + 1) % len(SORTS)
        self._refilter()
        self.notify(f"Sorted: {SORTS[self.listing.sort]}.", timeout=2)

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
        bars = list(self.query(ErrorBar).results(ErrorBar))
        listing = self.query_one(DefinitionList)
        if self._find_waiting is not None:
            self._find_waiting = None
            self.notify("Find will not open.", timeout=2)
        elif bars and bars[0].shown:
            bars[0].clear()
        elif box.display:
            box.value = ""
            box.display = False
            listing.focus()
        elif self.focused is not listing:
            listing.focus()
