"""The History screen: every write journaled on this machine, newest first; one in full; undo.

The list reads the journal through the session (no key or network needed); ``enter`` shows an
entry whole (body, before/after, Dixa's answer, the error), ``t``/``b`` narrow the list to the
highlighted entry's target or batch, ``/`` takes a typed filter, and ``u`` prepares the
undo of the highlighted entry: the session settles an unknown outcome by reading the target,
leaves out what was changed since, and the editor opens with the undo staged, so it is
previewed and confirmed like any edit before it is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from dixa_tui.domain.history_filters import HistoryFilter, parse_filter
from dixa_tui.text import plural
from dixa_tui.tui.literal import join, lit
from dixa_tui.tui.messages import (
    HistoryLoaded,
    Request,
    RequestFailed,
    UndoImpossible,
    UndoPrepared,
    UndoProgress,
)
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.footer import Footer
from dixa_tui.tui.widgets.journal_entry import entry_detail, row_cells

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.message import Message

    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.journal import Entry
    from dixa_tui.session.core import Session
    from dixa_tui.session.progress import Progress, ProgressListener
    from dixa_tui.session.undo import PreparedUndo
    from dixa_tui.tui.context import Ui

LIMIT = 500  # the newest entries the list holds; a filter reaches older ones


class HistoryScreen(Screen[bool]):
    """Dismisses True when an undo was sent from it (the main screen then re-reads its
    target), else False."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="history.back",
                tooltip="Hide the entry, clear the filter, or close the history"),
        Binding("u", "undo", "Undo", id="history.undo",
                tooltip="Prepare the undo of the highlighted entry in the editor"),
        Binding("t", "by_target", "This target", id="history.by_target",
                tooltip="Only the writes to the highlighted entry's target (again: all)"),
        Binding("b", "by_batch", "This batch", id="history.by_batch",
                tooltip="Only the writes of the highlighted entry's batch (again: all)"),
        Binding("slash", "filter", "Filter", id="history.filter",
                tooltip="Type a target (#10001, enduser:UUID) or a batch (b-...)"),
        Binding("r", "reload", "Reload", show=False, id="history.reload",
                tooltip="Read the journal again"),
        Binding("question_mark", "app.help", "Help", show=False, id="app.help",
                tooltip="Show every key of every screen"),
    ]
    DEFAULT_CSS = """
    HistoryScreen { layout: vertical; }
    HistoryScreen #history-status { height: 1; padding: 0 1; background: $boost; }
    HistoryScreen #history-filter { height: 1; margin: 0; padding: 0 1; border: none; }
    HistoryScreen #entries { height: 1fr; }
    HistoryScreen #entry-box {
        height: 1fr; border: round $panel-lighten-2; padding: 0 1; display: none;
    }
    HistoryScreen #entry-box.-shown { display: block; }
    """

    def __init__(self, ui: Ui) -> None:
        super().__init__()
        self.ui = ui
        self.filter = HistoryFilter()
        self.entries: list[Entry] = []
        self.loading = False
        self.wrote = False
        self.journal_note = ""
        self.preparing: tuple[str, Progress | None] | None = None  # (what, how far)

    def compose(self) -> ComposeResult:
        yield Static(id="history-status")
        yield Input(placeholder="Filter: #10001, conversation:10001, enduser:UUID or b-batch "
                                "(enter applies, esc clears)", id="history-filter")
        table: DataTable[Text] = DataTable(id="entries", cursor_type="row", zebra_stripes=True)
        yield table
        with VerticalScroll(id="entry-box") as box:
            box.border_title = "Entry"
            yield Static(id="entry")
        yield ErrorBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#history-filter").display = False
        table = self.query_one("#entries", DataTable)
        table.add_columns("Id", "Time (UTC)", "Target", "Outcome", "Change")
        table.focus()
        self.load()

    # -- loading ----------------------------------------------------------------------------

    def load(self) -> None:
        from dixa_tui.session.history import HistoryQuery

        wanted = self.filter
        query = HistoryQuery(target=wanted.target, batch=wanted.batch, limit=LIMIT)
        self.loading = True
        self._status()
        self.ui.run(self, Request.HISTORY, lambda session: session.history(query),
                    lambda found: HistoryLoaded(found, wanted))

    def on_history_loaded(self, message: HistoryLoaded) -> None:
        if message.filter != self.filter:
            return  # an answer to a filter since replaced
        self.loading = False
        self.query_one(ErrorBar).clear()
        history = message.history
        self.journal_note = "" if history.exists else \
            f"Nothing recorded yet: the journal ({history.path}) is made by the first write."
        table = self.query_one("#entries", DataTable)
        keep = self.highlighted.id if self.highlighted is not None else None
        self.entries = history.entries
        table.clear()
        for entry in self.entries:
            table.add_row(*row_cells(entry), key=str(entry.id))
        if keep is not None:
            position = next((i for i, e in enumerate(self.entries) if e.id == keep), 0)
            table.move_cursor(row=position)
        self._status()
        box = self.query_one("#entry-box")
        if box.has_class("-shown"):
            self._show_entry()

    def on_request_failed(self, message: RequestFailed) -> None:
        """The app shows the error; this screen stops waiting."""
        self.loading = False
        self.preparing = None
        self._status()

    def _status(self) -> None:
        if self.preparing is not None:
            what, progress = self.preparing
            text = lit(f"Preparing the undo of {what}: "
                       + (progress.line() if progress is not None else "…"), "dim")
        elif self.loading:
            text = lit("Reading the journal…", "dim")
        else:
            count = len(self.entries)
            more = f" (the newest {LIMIT}: filter to reach older ones)" if count == LIMIT \
                else ""
            keys = (f"enter shows · {self.ui.key_hint('history.undo', 'u')} undoes · "
                    f"{self.ui.key_hint('history.by_target', 't')}/"
                    f"{self.ui.key_hint('history.by_batch', 'b')} this target/batch · "
                    f"{self.ui.key_hint('history.filter', '/')} filter")
            text = join(lit("History ", "bold"),
                        lit(f"{count} entr{'y' if count == 1 else 'ies'}{more}, newest first "
                            f"· {self.filter.describe()} · "), lit(keys, "dim"))
            if self.journal_note:
                text = join(lit("History ", "bold"), lit(self.journal_note, "dim"))
        self.query_one("#history-status", Static).update(text)

    # -- the list and one entry ---------------------------------------------------------------

    @property
    def highlighted(self) -> Entry | None:
        table = self.query_one("#entries", DataTable)
        if not self.entries or not 0 <= table.cursor_row < len(self.entries):
            return None
        return self.entries[table.cursor_row]

    @on(DataTable.RowSelected, "#entries")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.query_one("#entry-box").add_class("-shown")
        self._show_entry()

    @on(DataTable.RowHighlighted, "#entries")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if self.query_one("#entry-box").has_class("-shown"):
            self._show_entry()

    def _show_entry(self) -> None:
        entry = self.highlighted
        box = self.query_one("#entry-box", VerticalScroll)
        if entry is None:
            self.query_one("#entry", Static).update(lit("No entry.", "dim"))
            return
        box.border_title = f"Entry {entry.id}"
        self.query_one("#entry", Static).update(entry_detail(entry))
        box.scroll_home(animate=False)

    # -- filters ------------------------------------------------------------------------------

    def _apply(self, wanted: HistoryFilter) -> None:
        self.filter = wanted
        self.load()

    def action_by_target(self) -> None:
        entry = self.highlighted
        if entry is None:
            return
        wanted = HistoryFilter(target=(entry.target_kind, entry.target_id))
        self._apply(HistoryFilter() if self.filter == wanted else wanted)

    def action_by_batch(self) -> None:
        entry = self.highlighted
        if entry is None:
            return
        if entry.batch is None:
            self.notify("This entry is not part of a batch.", timeout=3)
            return
        wanted = HistoryFilter(batch=entry.batch)
        self._apply(HistoryFilter() if self.filter == wanted else wanted)

    def action_filter(self) -> None:
        box = self.query_one("#history-filter", Input)
        box.display = True
        box.focus()

    @on(Input.Submitted, "#history-filter")
    def _filter_typed(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            wanted = parse_filter(event.value)
        except ValueError as exc:
            self.notify(str(exc), title="Filter", severity="warning", timeout=6, markup=False)
            return
        self.query_one("#entries").focus()
        self._apply(wanted)

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        """One step back: the error, the filter box, the entry, the filter, the screen."""
        box = self.query_one("#history-filter", Input)
        entry_box = self.query_one("#entry-box")
        if self.query_one(ErrorBar).shown:
            self.query_one(ErrorBar).clear()
        elif box.display:
            box.value = ""
            box.display = False
            self.query_one("#entries").focus()
        elif entry_box.has_class("-shown"):
            entry_box.remove_class("-shown")
        elif not self.filter.empty:
            self._apply(HistoryFilter())
        else:
            self.dismiss(self.wrote)

    # -- undo ---------------------------------------------------------------------------------

    def action_undo(self) -> None:
        entry = self.highlighted
        if entry is None:
            self.notify("No entry is highlighted.", timeout=2)
            return
        session = self.ui.session
        if session is not None and session.profile.read_only:
            self.notify(f"Profile {session.profile.name!r} is read-only (read_only = true in "
                        "the config file): it never writes, so it cannot undo.",
                        title="Read-only", severity="warning", timeout=6, markup=False)
            return
        if entry.outcome == "failed":
            self.notify(f"Entry {entry.id} failed: Dixa did not apply it, so there is nothing "
                        "to undo.", timeout=4)
            return
        ref = str(entry.id)
        self.preparing = (f"entry {ref}", None)
        self._status()

        def heard(progress: Progress) -> None:
            self.post_message(UndoProgress(progress))

        self.ui.run(self, Request.UNDO, lambda session: _prepare(session, ref, heard),
                    lambda m: m)

    def on_undo_progress(self, message: UndoProgress) -> None:
        if self.preparing is not None:
            self.preparing = (self.preparing[0], message.progress)
            self._status()

    def on_undo_impossible(self, message: UndoImpossible) -> None:
        self.preparing = None
        self.notify(message.reason, title="Undo", severity="warning", timeout=10,
                    markup=False)
        self.load()  # a settlement may have been recorded

    def on_undo_prepared(self, message: UndoPrepared) -> None:
        self.preparing = None
        prepared = message.prepared
        self.load()  # a settlement may have been recorded
        if not prepared.targets:
            self.notify("Nothing to undo: none of it changed anything.", title="Undo",
                        timeout=5)
            return
        part = prepared.targets[0]
        if not part.checked.body and not part.checked.conflicts:
            self.notify("Nothing to undo: every attribute already holds its value from "
                        "before.", title="Undo", timeout=5)
            return
        from dixa_tui.tui.screens.editor import EditorScreen, UndoDraft

        title = f"Undo of {prepared.describe()}"
        draft = UndoDraft(prepared.undoes, prepared.batch, title,
                          undo_note(prepared, message.definitions, self.ui))
        start = next(iter(part.checked.body), None)
        self.app.push_screen(EditorScreen(self.ui, message.definitions, part.state,
                                          start=start, staged=part.checked.body, undo=draft),
                             self._undo_done)

    def _undo_done(self, values: dict[str, Any] | None) -> None:
        if values:
            self.wrote = True
        self.load()


async def _prepare(session: Session, ref: str, on_progress: ProgressListener) -> Message:
    """The undo of entry ``ref`` and the definitions, or why it cannot be (one message
    either way: a refusal is an answer, not a failure of the request). The undo is one
    entry (one target) at a time here; its reading reports progress all the same."""
    from dixa_tui.session.undo import UndoRefused, prepare_undo

    try:
        prepared = await prepare_undo(session, ref, on_progress=on_progress)
    except UndoRefused as exc:
        return UndoImpossible(str(exc))
    read = session.definitions or await session.load_definitions()
    return UndoPrepared(prepared, list(read.definitions))


def undo_note(prepared: PreparedUndo, definitions: list[CustomAttributeDefinition],
              ui: Ui) -> Text:
    """What the undo puts back, what it settled, and what it leaves out and why."""
    from dixa_tui.domain.patch import format_value

    by_id = {d.id: d for d in definitions}
    part = prepared.targets[0]
    count = len(part.checked.body)
    send = ui.key_hint("editor.send", "ctrl+t")
    lines = [join(lit(f"Undo of {prepared.describe()}: ", "bold"),
                  lit(f"{plural(count, 'attribute')} staged back to their values "
                      f"from before the write. Check the diff, then {send} sends it."))]
    for note in (*prepared.settled, *prepared.undecided):
        lines.append(lit(f"Entry {note.entry_id} had no known outcome: reading the target "
                         f"says {note.outcome} ({note.note})."))
    for restore in part.checked.unchanged:
        lines.append(lit(f"{restore.identifier}: already holds its value from before; "
                         "not staged.", "dim"))
    for conflict in part.checked.conflicts:
        restore = conflict.restore
        definition = by_id.get(restore.definition_id)
        lines.append(join(lit("✖ ", "bold red"), lit(
            f"{restore.identifier}: changed since the write (it holds "
            f"{format_value(definition, conflict.current)}, not "
            f"{format_value(definition, restore.expected)}): not staged. Stage "
            f"{format_value(definition, restore.value)} yourself to overwrite that change.")))
    return Text("\n").join(lines)
