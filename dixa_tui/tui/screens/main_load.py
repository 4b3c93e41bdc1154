"""The main screen's list: where its definitions come from, and what it shows of them.

The list paints before the models exist. Its rows come, first of all, from the start-up
cache of the profile (``session.startcache``, painted in the first frame, marked with its
age), or from the list asked for before Textual loaded (``session.early``), or from a GET;
light rows (``api.rows``) need no pydantic. Then, off the event loop and in steps, the models
are read from the same bytes (``api.salvage.DefinitionsBuilder``), and the search index is
built from them in steps too: nothing here freezes typing. A filter typed before the index
exists waits and is applied when it does (the status line says so); a filter shown when the
list is read again stays answered from the old index until the new one is ready. When the
cached list has been read again, a different one replaces it, keeping the cursor and the
filter, and what changed is said.

Every stage reports with a message (``tui.messages``) to the handlers below, which own the
state: :class:`~dixa_tui.tui.listing.Listing` (what is shown), :attr:`definitions` (the
models), :attr:`skipped`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual.worker import get_current_worker

from dixa_tui.text import clean
from dixa_tui.tui.messages import (
    DefinitionsFetched,
    DefinitionsLoaded,
    EarlyListEnded,
    EarlyRowsCame,
    ListChanged,
    ListSaved,
    ListShown,
    Request,
    RequestFailed,
    Retrying,
    SearchReady,
    SessionStarted,
)
from dixa_tui.tui.screens import main_list
from dixa_tui.tui.screens.main_list import ListPart
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.fitline import FitLine

if TYPE_CHECKING:
    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.api.notices import RetryNotice
    from dixa_tui.api.salvage import DefinitionsRead, SkippedDefinition
    from dixa_tui.domain.search import DefinitionSearch
    from dixa_tui.session.core import Session
    from dixa_tui.session.early import EarlyStart
    from dixa_tui.session.startcache import Cached
    from dixa_tui.tui.context import Ui

INDEX_STEP = 400  # about 5 ms of indexing between two looks at the keyboard


class LoadingPart(ListPart):
    """Loads the definitions into the list (``main_list``). The main screen builds on it."""

    def __init__(self, ui: Ui, *, early: EarlyStart | None = None) -> None:
        super().__init__(ui)
        self.definitions: list[CustomAttributeDefinition] = []
        self.by_id: dict[str, CustomAttributeDefinition] = {}
        self.skipped: tuple[SkippedDefinition, ...] = ()  # unreadable items of the last load
        self._warned: tuple[SkippedDefinition, ...] = ()  # what the warning last said
        self.fetching = False
        self._early = early
        self._early_state = "pending" if early is not None and early.started else "none"
        # The list shown is the start-up cache's, not yet read again (None once it was, or
        # when there was none); ``_confirmed``: read again, the same.
        self._cached: Cached | None = early.cached if early is not None else None
        self._confirmed = False
        self._pages: list[bytes] | None = None  # the fresh list's pages, until kept
        self._early_rows = False  # the early list's rows are shown, its pages on their way
        self._fresh: DefinitionsRead | None = None  # its models, once read
        self._reading_models = False
        # Models read again, held back while their index is built (a filter is shown).
        self._next: tuple[list[CustomAttributeDefinition], DefinitionSearch] | None = None
        self._note = "Starting…"  # what the list is waiting for, while it waits

    # -- the first frame ------------------------------------------------------------------

    def show_early(self) -> None:
        """In the first frame: the cached list, else what the list is waiting for. Then,
        once painted, the early list is taken over as it arrives."""
        cached = self._cached
        early = self._early
        if cached is not None:
            self.listing.set_base(cached.rows)
            self._note = ""
            self._refilter()
        elif early is not None and early.rows is not None:
            self._show_early_rows()  # come before the first frame: in it
        else:
            self.query_one(DefinitionList).show_message(self._note)
        if early is not None and early.started:
            # From the fetching thread, or at once: post_message is safe from both.
            def rows_came() -> None:
                self.post_message(EarlyRowsCame())

            def ended() -> None:
                self.post_message(EarlyListEnded())

            def retried(notice: RetryNotice) -> None:
                self.post_message(Retrying(Request.DEFINITIONS, notice))

            if not self._early_rows:
                early.when_rows(rows_came)
            early.when_done(ended)
            early.on_retry(retried)

    def on_early_rows_came(self, message: EarlyRowsCame) -> None:
        if self._early_state == "pending":
            self._show_early_rows()

    def _show_early_rows(self) -> None:
        """The early list's rows, its pages still on their way (the child decoded them
        from those pages, as :meth:`_fetched` would): painted as those would be."""
        early = self._early
        if early is None or early.rows is None:
            return
        if self._early_rows or self.listing.base or self.definitions:
            early.rows_settled()
            return
        self._early_rows = True
        self.listing.set_base(early.rows)
        self._note = ""
        self._refilter()
        self.call_after_refresh(early.rows_settled)  # (the pages are held until then)

    def after_first_paint(self) -> None:
        """The cached list's models are read now that the first frame is out."""
        cached = self._cached
        if cached is not None and not self.definitions:
            pages = cached.pages()
            if pages is not None:
                self._read_models(pages, fresh=False)

    def on_early_list_ended(self, message: EarlyListEnded) -> None:
        early = self._early
        assert early is not None
        shown, self._early_rows = self._early_rows, False
        if early.pages is not None:
            self._early_state = "delivered"
            self.fetching = True
            self._fetched(early.pages, rows_shown=shown)
            self.call_after_refresh(self.post_message, ListShown())
            return
        if early.error is not None:
            # Dixa refused, or the network failed, after the client's retries: said as a
            # failed read of the list is, and not asked again until the user retries.
            from dixa_tui.tui.context import failed

            self._early_state = "failed"
            self.post_message(ListShown())
            failed(self, Request.DEFINITIONS, early.error, self._read_again)
            return
        # No list (no key, a config error, something unexpected): read it here, where what
        # is wrong is said; once connected (which may be now).
        self._early_state = "used"
        self.post_message(ListShown())
        if self.ui.connected:
            self.load_definitions()

    def _read_again(self) -> None:
        """The retry of a failed early read: the list is read here now."""
        self._early_state = "used"
        self.load_definitions()

    def on_session_started(self, message: SessionStarted) -> None:
        """The checked profile is known: a cached list of another organization goes (the
        file changed under the start, or the key the session uses is not the one the cache
        was shown for), a fresh list read before the session is its list."""
        profile = message.session.profile
        cached = self._cached
        early = self._early
        peeked = early.profile if early is not None else None
        if cached is not None and (peeked is None or (peeked.name, peeked.base_url,
                                                      peeked.api_version) != (
                profile.name, profile.base_url, profile.api_version) or (
                cached.key is not None and cached.key != message.session.key_fingerprint)):
            self._cached = None
            self.listing.set_base(())
            self.definitions, self.by_id = [], {}
            self._note = "Loading definitions…"
            self.query_one(DefinitionList).show_message(self._note)
            self.query_one("#list-status", FitLine).say()  # nor its count, nor its age
        if self._fresh is not None:
            message.session.adopt_definitions(self._fresh)
            self._keep_list(message.session)

    # -- loading --------------------------------------------------------------------------

    def load_definitions(self) -> None:
        """Read the list (again); the early list, when it is still on its way or just
        arrived, is that read; when it failed (its error is shown), there is nothing to read
        until the user retries or gives another key."""
        if self._early_state == "failed":
            self._early_state = "used"
            return
        self.fetching = True
        if self._early_state == "pending":
            return
        if self._early_state == "delivered":
            self._early_state = "used"
            return
        if not self.listing.base:
            self._loading(True)
            self._note = "Loading definitions…"
            self.query_one(DefinitionList).show_message(self._note)
        self.ui.run(self, Request.DEFINITIONS, _fetch, DefinitionsFetched)

    def on_definitions_fetched(self, message: DefinitionsFetched) -> None:
        """The list as Dixa sent it: its rows now (keeping the cursor and the filter), its
        models in steps. A cached list read again the same stays, models and all."""
        self._fetched(message.pages)

    def _fetched(self, pages: list[bytes], *, rows_shown: bool = False) -> None:
        """``rows_shown``: the rows of ``pages`` are shown already (the early list's)."""
        from dixa_tui.api.rows import decode_rows

        self._pages = pages
        cached = self._cached
        if cached is not None and cached.pages() == pages:
            self._cached, self._confirmed = None, True
            if self._reading_models:  # the cache's models: fresh when they come
                self._show_status()
            else:
                self._models_shown_fresh()
            return
        self._cached, self._confirmed = None, False
        rows = None if rows_shown else decode_rows(pages)
        if rows is not None and not self.definitions:
            from dixa_tui.api.salvage import first_of_each_id

            kept, _ = first_of_each_id(list(enumerate(rows)), [])
            self.listing.set_base(kept)
            self._note = ""
            self._refilter()
        elif rows is None and not rows_shown and not self.listing.base:
            self._note = "Reading definitions…"
            self.query_one(DefinitionList).show_message(self._note)
        # Once the rows are painted: the models' reading would compete with that paint.
        self.call_after_refresh(self._read_models, pages, fresh=True, before=cached)

    def _models_shown_fresh(self) -> None:
        """The models shown are Dixa's list as it is: the session's, kept for the next
        start; loading is over."""
        from dixa_tui.api.salvage import DefinitionsRead

        self._fresh = DefinitionsRead(self.definitions, self.skipped)
        self.fetching = False
        self._loading(False)
        for bar in self.query(ErrorBar).results(ErrorBar):
            bar.clear()
        if self.ui.session is not None:
            self.ui.session.adopt_definitions(self._fresh)
            self._keep_list(self.ui.session)
        self._show_status()

    def _read_models(self, pages: list[bytes], *, fresh: bool,
                     before: Cached | None = None) -> None:
        self._reading_models = True
        self.run_worker(lambda: self._models(pages, fresh, before), thread=True,
                        group="models", exclusive=True, exit_on_error=False)

    def _models(self, pages: list[bytes], fresh: bool, before: Cached | None) -> None:
        """Off the event loop: the models, a few hundred at a time (the screen stays
        responsive in between), then what changed since the cached list."""
        from dixa_tui.api.salvage import read_in_steps

        worker = get_current_worker()
        try:
            read = read_in_steps(pages, lambda: worker.is_cancelled)
        except Exception as exc:
            from dixa_tui.tui.context import log_failure

            log_failure(Request.DEFINITIONS, exc)
            self.post_message(RequestFailed(Request.DEFINITIONS, exc, self.load_definitions,
                                            self))
            return
        if read is None or worker.is_cancelled:
            return
        self.post_message(DefinitionsLoaded(read, fresh=fresh))
        old = before.pages() if before is not None else None
        if before is not None and old is not None:
            from dixa_tui.session.startcache import changes

            found = changes(old, pages)
            if found is not None:
                age = before.age() if before.saved_at is not None else None
                self.post_message(ListChanged(found.sentence(age)))

    def on_definitions_loaded(self, message: DefinitionsLoaded) -> None:
        fresh = message.fresh or self._confirmed
        if not fresh and self._cached is None:
            return  # the cached list is no longer the one shown
        self._reading_models = False
        read = message.read
        models = read.definitions
        self.definitions, self.skipped = models, read.skipped
        self.by_id = {d.id: d for d in models}
        self.listing.unreadable = len(read.skipped)
        if message.snapshot_problem is not None:
            self._snapshot_warning(message.snapshot_problem)
        self._warn_skipped()
        from dixa_tui.domain.search import DefinitionSearch

        search = DefinitionSearch(models)
        if len(models) <= main_list.INDEX_NOW:
            search.prepare()
        if not search.prepared and self.listing.filtered:
            # A filter is answered now: the list read again replaces it once its own index
            # is ready (``on_search_ready``), rather than showing everything until then.
            self._next = (models, search)
        else:
            self._next = None
            self.listing.set_base(models, search)
            self._note = ""
            self._refilter()
        if fresh:
            self._models_shown_fresh()
        self.models_shown()
        if not search.prepared:
            self.run_worker(self._index(search), group="index", exclusive=True,
                            exit_on_error=False)

    def models_shown(self) -> None:
        """The models are in the list (the detail and the target follow them)."""

    async def _index(self, search: DefinitionSearch) -> None:
        while not search.prepare_some(INDEX_STEP):
            if not self.is_attached:  # quitting: the screen's widgets are going
                return
            if self.listing.waiting:  # how far the index is, for the filter waiting on it
                self._show_status()
            await asyncio.sleep(0)
        self.post_message(SearchReady(search))

    def on_search_ready(self, message: SearchReady) -> None:
        waiting = self._next
        if waiting is not None and message.search is waiting[1]:
            self._next = None
            self.listing.set_base(*waiting)
            self._refilter()
        elif message.search is self.listing.search:
            self._refilter()

    def _keep_list(self, session: Session) -> None:
        """Keep the fresh list (``session.startcache.keep``), once, off the event loop."""
        pages, read = self._pages, self._fresh
        if pages is None or read is None:
            return
        self._pages = None

        def keep() -> None:
            from dixa_tui.session.startcache import keep

            problem = keep(session, pages, read)
            if problem is not None:
                self.post_message(ListSaved(problem))

        self.run_worker(keep, thread=True, group="keep", exit_on_error=False)

    def on_list_saved(self, message: ListSaved) -> None:
        if message.snapshot_problem is not None:
            self._snapshot_warning(message.snapshot_problem)

    def on_list_changed(self, message: ListChanged) -> None:
        self.notify(clean(message.sentence), title="Definitions changed", timeout=10,
                    markup=False)

    def _snapshot_warning(self, problem: str) -> None:
        self.notify(f"The snapshot of this list was not saved: {clean(problem)}",
                    title="Snapshot", severity="warning", timeout=8, markup=False)

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
        if message.request is Request.DEFINITIONS and self.fetching and not self.listing.base:
            notice = message.notice
            self._note = (f"Loading definitions… {notice.which()} (the last failed: "
                          f"{notice.reason.removeprefix(notice.operation + ': ')})")
            self.query_one(DefinitionList).show_message(self._note)

    def on_request_failed(self, message: RequestFailed) -> None:
        """Stop what waited for the request; the message goes on to the app, which shows it."""
        if message.request is Request.START:
            self._note = "Could not start: see the message below."
            if not self.listing.base:
                self.query_one(DefinitionList).show_message(self._note)
        if message.request is Request.DEFINITIONS:
            self.fetching = False
            self._loading(False)
            if not self.listing.base:
                self._note = "Not loaded: see the message below."
                self.query_one(DefinitionList).show_message(self._note)
            else:
                self._show_status()

    def list_notes(self) -> list[tuple[str, str]]:
        """A cached list says so, with its age, and that it is being checked."""
        cached = self._cached
        if cached is None or cached.saved_at is None:  # (the demo's has no age)
            return []
        age = cached.age()
        saved = "saved just now" if age == "just now" else f"saved {age} ago"
        return [(f"cached list, {saved}" + (", checking…" if self.fetching else ""),
                 "cached" if age == "just now" else f"cached {age}")]

    def _loading(self, shown: bool) -> None:
        """The loading indicator above an empty list (mounted the first time it shows)."""
        found = list(self.query("#loading"))
        if found:
            found[0].display = shown
        elif shown:
            from textual.widgets import LoadingIndicator

            self.query_one("#left").mount(LoadingIndicator(id="loading"),
                                          before="#definitions")

async def _fetch(session: Session) -> list[bytes]:
    return await session.fetch_definition_pages()
