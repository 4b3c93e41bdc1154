"""The Find screen: build a conversation query with pickers, run it, work through the matches.

The query is the CLI's (``find conversations``): a list of parts built with the condition
picker (:class:`~dixa_tui.tui.screens.find_condition.ConditionScreen`), shown one per line
and as its text form, which can be typed too. Every part is checked as it changes, against
the definitions already loaded, so a problem is shown on its line before anything is
requested. The run goes through the session (``queries.prepare_find`` then ``queries.find``)
in a worker that posts each match as it is confirmed (:class:`FindMatched`) and the progress
(pages, checked, matches, rate, ETA with a stop-after); the stop key cancels it and the rows
stay. The matches are a worklist: marks (the shared keys), the marked sent on as
:class:`EditTargets` (the app opens the bulk editor), one opened in the editor. Saved queries
(the config file's ``[queries]``) are listed and reopened here and from the palette, and
the query is saved by name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Static

from dixa_tui.domain.query import QueryError, QuerySpec
from dixa_tui.domain.query_parts import PartsCheck, add_part, check_parts, parts, remove_part
from dixa_tui.text import plural
from dixa_tui.tui.find_run import load_saved, run_find, save_find, status_line
from dixa_tui.tui.literal import gap, join, lit
from dixa_tui.tui.messages import (
    FindFinished,
    FindMatched,
    FindProgress,
    FindRefused,
    FindStarted,
    QuerySaved,
    Request,
    RequestFailed,
    SavedQueriesListed,
)
from dixa_tui.tui.saved_queries import SavedQueryCommands
from dixa_tui.tui.widgets.conditions import ConditionList
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.footer import Footer
from dixa_tui.tui.widgets.found_table import FoundTable
from dixa_tui.tui.widgets.worklist import Worklist

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.domain.query_parts import Part
    from dixa_tui.session.progress import Progress
    from dixa_tui.session.queries import SavedQuery
    from dixa_tui.tui.context import Ui

__all__ = ["FindScreen"]

DEFAULT_QUERY = QuerySpec(created_since="7d")


def _now() -> datetime:
    from dixa_tui.session import queries

    return queries.utc_now()  # looked up each time: tests pin the session's clock


class FindScreen(Screen[None]):
    """Build, run, mark, edit. ``now`` is the clock relative dates count from."""

    COMMANDS: ClassVar[set[Any]] = {SavedQueryCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add condition", id="find.add",
                tooltip="Add a condition: an attribute's value, a date, a status, a channel…"),
        Binding("d,delete", "remove", "Remove condition", show=False, id="find.remove",
                tooltip="Remove the highlighted condition"),
        Binding("f5", "run", "Run", id="find.run",
                tooltip="Run the query: read each conversation, list the matches as they come"),
        Binding("x", "stop", "Stop", show=False, id="find.stop",
                tooltip="Stop the find; the matches found so far stay"),
        Binding("escape", "back", "Stop / back", id="find.back",
                tooltip="Stop a find (the rows stay), dismiss the error, or go back"),
        Binding("c", "columns", "Columns", show=False, id="find.columns",
                tooltip="Choose the attributes shown as columns"),
        Binding("o", "saved", "Saved queries", show=False, id="find.saved",
                tooltip="Open a saved query from a list (it runs at once)"),
        Binding("S", "save", "Save query", show=False, id="find.save",
                tooltip="Save this query by name in the config file's [queries]"),
        Binding("slash", "text", "Query text", show=False, id="find.text",
                tooltip="Type or paste the query as the CLI takes it"),
        Binding("question_mark", "app.help", "Help", show=False, id="app.help",
                tooltip="Show every key of every screen"),
    ]
    DEFAULT_CSS = """
    FindScreen { layout: vertical; }
    FindScreen #find-title { height: 1; padding: 0 1; background: $panel; }
    FindScreen #parts {
        height: auto; max-height: 10; border: round $panel-lighten-2; padding: 0 1;
    }
    FindScreen #parts:focus { border: round $accent; }
    FindScreen .find-row { height: 1; margin: 0 1; }
    FindScreen .find-row > Static { width: auto; }
    FindScreen .find-row > Input {
        height: 1; border: none; padding: 0 1; background: $boost;
    }
    FindScreen .find-row > Input:focus { border: none; background: $primary 25%; }
    FindScreen #query-text { width: 1fr; }
    FindScreen #columns-shown { width: 1fr; color: $text-muted; }
    FindScreen #limit { width: 10; }
    FindScreen #find-status { height: auto; max-height: 4; padding: 0 1; }
    FindScreen #find-status.-problem { color: $error; text-style: bold; }
    """

    def __init__(self, ui: Ui, definitions: list[CustomAttributeDefinition], *,
                 spec: QuerySpec | None = None, saved: SavedQuery | None = None,
                 now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.ui = ui
        self.definitions = definitions
        self.spec = spec if spec is not None else DEFAULT_QUERY
        self.columns: list[str] = []  # definition ids; none: the default ones
        self.saved_name: str | None = None
        self._opening = saved
        self._now = now or _now
        self.check = PartsCheck(())
        self.run_id = 0
        self.running = False
        self.progress: Progress | None = None
        self.matches = 0

    def compose(self) -> ComposeResult:
        yield Static(id="find-title")
        parts_list = ConditionList(id="parts")
        parts_list.border_title = "Conditions · all must hold"
        yield parts_list
        with Horizontal(classes="find-row"):
            yield Static(join(lit("Query", "bold"), gap()))
            yield Input(id="query-text", placeholder="--created-since 7d --where "
                                                     "'contact_reason is empty'")
        with Horizontal(classes="find-row"):
            yield Static(join(lit("Columns", "bold"), gap()))
            yield Static(id="columns-shown")
            yield Static(join(gap(), lit("Stop after", "bold"), gap()))
            yield Input(id="limit", placeholder="all", restrict=r"[0-9]*")
        yield Static(id="find-status")
        yield Worklist(self.ui, self.definitions, id="worklist")
        yield ErrorBar(id="find-errors")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FoundTable).start([])
        self._show_query()
        self._say(f"{self._key('find.add', 'a')} adds a condition · {self._key('find.run', 'f5')}"
                  f" runs · {self._key('find.saved', 'o')} opens a saved query. Dixa's search "
                  "narrows, then each conversation is read (10 a second) and its values are "
                  "tested here.")
        self.query_one("#parts").focus()
        if self._opening is not None:
            saved, self._opening = self._opening, None
            self.open_find(saved)

    def _key(self, binding_id: str, default: str) -> str:
        return self.ui.key_hint(binding_id, default)

    # -- the query --------------------------------------------------------------------------

    def _show_query(self) -> None:
        """The parts, each checked, the text form, the columns and the title."""
        self.check = check_parts(self.spec, self.definitions, now=self._now())
        self.query_one(ConditionList).show(self.check, self._key("find.add", "a"))
        self.query_one("#query-text", Input).value = self.spec.to_text()
        by_id = {d.id: d for d in self.definitions}
        shown = ", ".join(by_id[c].identifier or c for c in self.columns if c in by_id)
        self.query_one("#columns-shown", Static).update(lit(
            f"{shown or 'the attributes the query tests (else every one)'} · "
            f"{self._key('find.columns', 'c')} chooses"))
        session = self.ui.session
        title = [lit("Find conversations", "bold"), gap(), lit("· profile"), gap(),
                 lit(session.profile.name if session is not None else "…", "bold")]
        if self.saved_name:
            title += [gap(), lit("· saved query"), gap(), lit(self.saved_name, "bold")]
        self.query_one("#find-title", Static).update(join(*title))

    def _say(self, text: str | Text, problem: bool = False) -> None:
        line = self.query_one("#find-status", Static)
        line.set_class(problem, "-problem")
        line.update(lit(text, single_line=False) if isinstance(text, str) else text)

    def _set_spec(self, spec: QuerySpec) -> None:
        self.spec = spec
        self._show_query()
        if self.running:
            return
        if self.check.ok:
            self._say(f"{self._key('find.run', 'f5')} runs the query.")
        else:
            self._say(self._problems_said(), problem=True)

    def _problems_said(self) -> str:
        """The query's problems: a part's are on its line, so they are only pointed at."""
        lines = list(self.check.whole)
        wrong = sum(1 for p in self.check.parts if p.problems)
        if wrong:
            them = "them" if wrong != 1 else "it"
            lines.insert(0, f"{plural(wrong, 'condition')} marked ✖ cannot run as written: "
                            f"fix {them} (the query text, {self._key('find.text', '/')}) or "
                            f"remove {them} ({self._key('find.remove', 'd')}).")
        return "\n".join(lines)

    def action_add(self) -> None:
        from dixa_tui.tui.screens.find_condition import ConditionScreen

        self.app.push_screen(ConditionScreen(self.definitions, now=self._now(),
                                             done_key=self._key("condition.done", "f5")),
                             self._added)

    def _added(self, part: Part | None) -> None:
        if part is not None:
            try:
                self._set_spec(add_part(self.spec, part))
            except QueryError as exc:
                self._say("\n".join(exc.problems), problem=True)
            self.query_one(ConditionList).highlighted = next(
                (i for i, p in enumerate(parts(self.spec)) if p == part), None)

    def action_remove(self) -> None:
        conditions = self.query_one(ConditionList)
        if self.focused is not conditions:
            self.notify("Move to the conditions first (tab), then remove one.", timeout=3)
            return
        index = conditions.part_index
        if index is None:
            self.notify("No condition is highlighted.", timeout=2)
            return
        self._set_spec(remove_part(self.spec, index))

    def action_text(self) -> None:
        self.query_one("#query-text", Input).focus()

    @on(Input.Submitted, "#query-text")
    def _text_done(self, event: Input.Submitted) -> None:
        event.stop()
        if self._read_text():
            self.query_one("#parts").focus()

    def _read_text(self) -> bool:
        """The typed text form, if it changed, read into the parts; False when unreadable."""
        typed = self.query_one("#query-text", Input).value
        if typed == self.spec.to_text():
            return True
        try:
            spec = QuerySpec.from_text(typed)
        except QueryError as exc:
            self._say("\n".join(exc.problems), problem=True)
            return False
        self._set_spec(spec)
        return True

    def action_columns(self) -> None:
        from dixa_tui.tui.screens.find_dialogs import ColumnsScreen

        def chosen(columns: list[str] | None) -> None:
            if columns is not None:
                self.columns = columns
                self._show_query()

        self.app.push_screen(ColumnsScreen(self.definitions, self.columns,
                                           self._key("columns.done", "f5")), chosen)

    # -- running ----------------------------------------------------------------------------

    def _limit(self) -> int | None:
        typed = self.query_one("#limit", Input).value.strip()
        return int(typed) if typed and int(typed) > 0 else None

    def action_run(self) -> None:
        if self.running:
            self.notify(f"A find is running: {self._key('find.stop', 'x')} stops it.",
                        timeout=3)
            return
        if not self._read_text():
            return
        self._show_query()
        if not self.check.ok:
            self._say("Not run: " + self._problems_said(), problem=True)
            return
        self.run_id += 1
        run, spec, columns, limit, now = (self.run_id, self.spec, list(self.columns),
                                          self._limit(), self._now())
        self.running, self.progress, self.matches = True, None, 0
        self.query_one(ErrorBar).clear()
        self._say("Checking the query…")
        post = self.post_message
        self.ui.run(self, Request.FIND,
                    lambda session: run_find(session, run, spec, columns, limit, now, post),
                    lambda message: message)

    def on_find_refused(self, message: FindRefused) -> None:
        if message.run == self.run_id:
            self.running = False
            self._say("Not run: " + "\n".join(message.problems), problem=True)

    def on_find_started(self, message: FindStarted) -> None:
        if message.run != self.run_id:
            return
        table = self.query_one(FoundTable)
        table.start(message.prepared.columns)
        table.focus()
        self._say(lit(f"Finding: {message.prepared.describe()}…"))

    def on_find_matched(self, message: FindMatched) -> None:
        # One still on its way when the user stopped is dropped: the rows on screen at the
        # stop are the ones kept, and the status line counts them.
        if message.run == self.run_id and self.running:
            self.query_one(FoundTable).add_found(message.found)
            self.matches += 1

    def on_find_progress(self, message: FindProgress) -> None:
        if message.run == self.run_id and self.running:
            self.progress = message.progress
            self._say(status_line(message.progress, "Reading"))

    def on_find_finished(self, message: FindFinished) -> None:
        if message.run != self.run_id:
            return
        self.running = False
        self.progress = message.progress or self.progress
        limit = self._limit()
        end = "Done" if limit is None or self.matches < limit else \
            f"Stopped after {limit:,} (the stop-after)"
        self._say(status_line(self.progress, end, live=False) if self.progress else
                  f"{end}: no conversation to check.")

    def action_stop(self) -> None:
        if not self.running:
            return
        self.workers.cancel_group(self, Request.FIND.value)
        self.running = False
        line = status_line(self.progress, "Stopped", live=False, matches=self.matches) \
            if self.progress else "Stopped"
        self._say(f"{line} · the rows stay; {self._key('find.run', 'f5')} runs again")

    def on_request_failed(self, message: RequestFailed) -> None:
        """The app shows the error below; the rows found before it stay."""
        if message.request is Request.FIND:
            self.running = False
            self._say(f"Stopped by an error after {plural(self.matches, 'match', 'matches')}:"
                      " the rows stay (see below).", problem=True)

    def action_back(self) -> None:
        if self.running:
            self.action_stop()
        elif self.query_one(ErrorBar).shown:
            self.query_one(ErrorBar).clear()
        elif self.focused is self.query_one("#query-text"):
            self.query_one("#query-text", Input).value = self.spec.to_text()
            self.query_one("#parts").focus()
        else:
            self.dismiss()

    # -- saved queries ----------------------------------------------------------------------

    def open_find(self, saved: SavedQuery | None = None) -> None:
        """Open ``saved`` here (the palette's ``Find: NAME``, the saved-queries list) and run
        it; a saved query that does not read is said, and the current one stays."""
        if saved is None:
            return
        try:
            spec = saved.spec()
        except QueryError as exc:
            self._say("\n".join(exc.problems), problem=True)
            return
        if self.running:
            self.action_stop()
        self.saved_name = saved.name
        self._set_spec(spec)
        self.action_run()

    def action_saved(self) -> None:
        self.ui.run(self, Request.SAVED_QUERIES, lambda _: load_saved("open"),
                    lambda message: message)

    def action_save(self) -> None:
        if not self._read_text():
            return
        if not self.check.ok:
            self._say("Not saved: " + self._problems_said(), problem=True)
            return
        self.ui.run(self, Request.SAVED_QUERIES, lambda _: load_saved("save"),
                    lambda message: message)

    def on_saved_queries_listed(self, message: SavedQueriesListed) -> None:
        from dixa_tui.tui.screens.find_dialogs import SavedQueriesScreen, SaveQueryScreen

        if message.problem is not None:
            self._say(f"The saved queries cannot be read: {message.problem}", problem=True)
            return
        if message.purpose == "save":
            taken = [q.name for q in message.queries]
            self.app.push_screen(SaveQueryScreen(self.spec.to_text(), taken), self._save_as)
        elif not message.queries:
            self.notify(f"No query is saved in {message.path} yet: "
                        f"{self._key('find.save', 'S')} saves this one.", timeout=5,
                        markup=False)
        else:
            self.app.push_screen(SavedQueriesScreen(message.queries, message.path),
                                 self.open_find)

    def _save_as(self, name: str | None) -> None:
        if name is None:
            return
        spec, now = self.spec, self._now()
        self.ui.run(self, Request.SAVE_QUERY, lambda session: save_find(session, name, spec,
                                                                        now),
                    lambda message: message)

    def on_query_saved(self, message: QuerySaved) -> None:
        if message.problem is not None:
            self._say(f"Not saved: {message.problem}", problem=True)
            return
        self.saved_name = message.name
        self._show_query()
        was = f" (it replaced: {message.replaced})" if message.replaced else ""
        self.notify(f"Saved as {message.name!r} in {message.path}{was}.", title="Saved",
                    timeout=5, markup=False)
