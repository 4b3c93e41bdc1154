"""The list from before the session: the start-up cache painted at once and marked with its
age, read again and replaced without moving the cursor or the filter, a change announced;
kept after a fresh read unless turned off; a filter typed before the index waits and applies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from early_helpers import handed_rows
from textual.widgets import Input
from tui_helpers import rendered, screen_text, wait_for

from dixa_tui.api.secret import Secret, fingerprint
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app
from dixa_tui.mock.handlers import listing_body
from dixa_tui.paths import startup_cache_path
from dixa_tui.session import early, startcache
from dixa_tui.session.settings import Settings
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.screens import main_list, main_load
from dixa_tui.tui.widgets.definitions import DefinitionList

URL = "http://mock.invalid"
KEY = fingerprint(Secret(DEMO_API_KEY))  # the key every start here uses


@pytest.fixture
def start(state: MockState, knobs: Knobs, monkeypatch: pytest.MonkeyPatch
          ) -> Callable[..., DixaApp]:
    """The app as a plain start makes it (``early.begin`` first), on this test's mock."""
    monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)

    def make(settings: Settings | None = None) -> DixaApp:
        chosen = settings or Settings(base_url=URL)
        return DixaApp(chosen, early=early.begin(chosen, fetch=False),
                       transport_factory=lambda: httpx.ASGITransport(
                           app=create_app(state, knobs=knobs)))

    return make


def cache(definitions: list[Any], *, minutes_ago: int = 5) -> Path:
    body = b'{"data":[' + b",".join(
        __import__("json").dumps(d.to_dixa()).encode() for d in definitions) + b"]}"
    return startcache.save("default", URL, "beta", KEY, [body], definitions,
                           now=datetime.now(UTC) - timedelta(minutes=minutes_ago))


def status(app: DixaApp) -> str:
    return rendered(app.main_screen.query_one("#list-status"))


def longest(app: DixaApp) -> str:
    return app.main_screen.query_one("#list-status").wordings[0].plain


def labels(app: DixaApp) -> list[str]:
    return [d.label for d in app.main_screen.query_one(DefinitionList).rows]


async def test_the_cached_list_shows_first_then_is_checked(start, state, knobs) -> None:
    cache(state.definitions)
    knobs.latency = 0.5  # the list read again arrives after the first frames
    app = start()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.main_screen
        assert labels(app)[:3] == [d.label for d in state.definitions if not d.is_archived
                                   and not d.is_deactivated][:3]
        assert "cached 5 min" in status(app)  # as much as fits; in full:
        assert "cached list, saved 5 min ago" in longest(app)
        await wait_for(pilot, lambda: screen.definitions and not screen.fetching)
        await pilot.pause()
        assert "cached" not in status(app)
        assert not any("changed" in str(n.title).lower() for n in app._notifications)
    saved = startcache.load("default", URL, "beta", KEY)
    assert saved is not None and saved.age() == "just now"  # read again: kept anew


async def test_a_changed_list_replaces_the_cached_one_keeping_cursor_and_filter(
        start, state, knobs) -> None:
    before = list(state.definitions)
    renamed = before[1].model_copy(update={"label": "Contact reason, old name"})
    cache([before[0], renamed, *before[2:5]])  # two since: one renamed, many added
    knobs.latency = 1.0
    app = start()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.main_screen
        await wait_for(pilot, lambda: screen.definitions)  # the cache's models
        await pilot.press("slash", *"contact")
        await wait_for(pilot, lambda: labels(app) == ["Contact reason, old name"])
        listing = screen.query_one(DefinitionList)
        kept = listing.highlighted.id
        await wait_for(pilot, lambda: not screen.fetching, timeout=15)
        await pilot.pause()
        assert screen.query_one("#filter", Input).value == "contact"
        assert listing.highlighted is not None and listing.highlighted.id == kept
        assert "Contact reason" in labels(app)
        notes = [str(n.message) for n in app._notifications if n.title == "Definitions changed"]
        assert len(notes) == 1
        assert "since the list shown (saved 5 min ago)" in notes[0]
        assert "1 definition changed (Contact reason)" in notes[0]
        assert f"{len(before) - 5} definitions added" in notes[0]
        assert not any(n.markup for n in app._notifications)


async def test_the_fresh_list_is_kept_for_the_next_start(start, state) -> None:
    app = start()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.definitions
                       and startup_cache_path("default").exists())
    saved = startcache.load("default", URL, "beta", KEY)
    assert saved is not None and saved.pages() == [listing_body(state)]
    assert [r.id for r in saved.rows] == [d.id for d in state.definitions]


async def test_no_cache_shows_nothing_and_removes_the_file(start, state) -> None:
    path = cache(state.definitions[:3])
    app = start(Settings(base_url=URL, no_cache=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert "cached" not in status(app) and len(labels(app)) != 3
        await wait_for(pilot, lambda: app.main_screen.definitions and app.session is not None)
        await app.workers.wait_for_complete()  # where the keeping would have happened
    assert not path.exists()  # turned off is forgotten, not kept stale


async def test_a_profile_can_turn_the_cache_off(start, state, home: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    config = home / "dixa.toml"
    config.write_text(f'[profiles.default]\nbase_url = "{URL}"\nstartup_cache = false\n',
                      encoding="utf-8")
    monkeypatch.setenv("DIXA_TUI_CONFIG", str(config))
    path = cache(state.definitions[:3])
    app = start(Settings())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert "cached" not in status(app)
        await wait_for(pilot, lambda: app.main_screen.definitions and app.session is not None)
        await app.workers.wait_for_complete()
    assert not path.exists()


async def test_a_filter_typed_before_the_index_waits_then_applies(
        make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = asyncio.Event()
    built = main_load.LoadingPart._index

    async def held(self: Any, search: Any) -> None:
        await gate.wait()
        await built(self, search)

    monkeypatch.setattr(main_load.LoadingPart, "_index", held)
    monkeypatch.setattr(main_list, "INDEX_NOW", 0)  # indexed in steps whatever the size
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.main_screen
        await wait_for(pilot, lambda: screen.definitions)
        everything = len(labels(app))
        await pilot.press("slash", *"carrier")
        assert screen.query_one("#filter", Input).value == "carrier"
        assert len(labels(app)) == everything  # not filtered yet, and says why
        assert "filter waits" in status(app)
        assert "filter waits for the index (0 of 46)" in longest(app)
        gate.set()
        await wait_for(pilot, lambda: labels(app) == ["Carrier", "Product category"])
        assert "waits" not in status(app)


async def test_quitting_stops_the_early_read(start, monkeypatch: pytest.MonkeyPatch) -> None:
    """The read started before Textual (a child process, maybe) ends with the app."""
    app = start()
    assert app.early is not None
    stopped: list[bool] = []
    monkeypatch.setattr(app.early, "stop", lambda: stopped.append(True))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert not stopped
    assert stopped == [True]


async def test_a_filter_typed_ahead_at_start_is_kept(start, state,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """``/`` and letters pressed before the screen's assembly after the first frame: the
    filter opens and keeps them; ``a``, ``d``, ``s`` toggle and sort nothing."""
    from dixa_tui.tui.screens.main import MainScreen

    assemble = MainScreen._after_first_frame
    held: list[MainScreen] = []  # the assembly, held until the keys are typed

    def hold(self: MainScreen) -> None:
        held.append(self)

    monkeypatch.setattr(MainScreen, "_after_first_frame", hold)
    cache(state.definitions)
    app = start()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.main_screen
        await pilot.press("slash", *"dates")
        assert screen.query_one("#filter", Input).value == "dates"
        assert (screen.show_archived, screen.show_deactivated, screen.sort) == (False, False, 0)
        assert screen.query_one("#filter", Input).display
        assert held == [screen] and not screen.query("Footer")  # (still held)
        screen.call_later(assemble, screen)
        await wait_for(pilot, lambda: screen.query("Footer"))
        assert screen.query_one("#filter", Input).value == "dates"
        assert screen.focused is screen.query_one("#filter", Input)


async def test_a_filter_stays_applied_while_a_list_read_again_is_indexed(
        make_app, state, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the cut-off (INDEX_NOW) the index of a list read again is built in steps: the
    filter keeps answering from the old one meanwhile, then applies to the new list."""
    monkeypatch.setattr(main_list, "INDEX_NOW", 10)  # the demo's 46 are above it
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.main_screen
        await wait_for(pilot, lambda: screen.definitions and screen.search is not None
                       and screen.search.prepared)
        await pilot.press("slash", *"carrier", "enter")
        await wait_for(pilot, lambda: labels(app) == ["Carrier", "Product category"])
        gate = asyncio.Event()
        built = main_load.LoadingPart._index

        async def held(self: Any, search: Any) -> None:
            await gate.wait()
            await built(self, search)

        monkeypatch.setattr(main_load.LoadingPart, "_index", held)
        carrier = next(d for d in state.definitions if d.label == "Carrier")
        state.definitions.append(carrier.model_copy(update={"id": "carrier-2",
                                                            "label": "Carrier, second"}))
        before = screen.definitions
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.definitions is not before)  # read again
        await pilot.pause()
        assert labels(app) == ["Carrier", "Product category"]  # not the whole list
        assert "filter waits" not in status(app)
        gate.set()
        await wait_for(pilot, lambda: "Carrier, second" in labels(app))
        assert len(labels(app)) == 3


async def test_a_failed_early_read_is_shown_as_a_failed_read_and_not_sent_again(
        state, knobs, monkeypatch: pytest.MonkeyPatch) -> None:
    """The list read before Textual was refused (401): the error bar says what a failed read
    of the app's own says, and the GET is not repeated (with its retries) to say it."""
    from dixa_tui.session.settings import resolve
    from dixa_tui.tui.widgets.errorbar import ErrorBar

    monkeypatch.setenv("DIXA_API_KEY", "not-the-demo-key")
    settings = Settings(base_url=URL)
    sent: list[str] = []

    class Counting(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.ASGITransport(app=create_app(state, knobs=knobs))

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request.url.path)
            return await self.inner.handle_async_request(request)

    def bar(app: DixaApp) -> ErrorBar:
        return app.main_screen.query_one(ErrorBar)

    plain = DixaApp(settings, transport_factory=Counting)  # the app's own read
    async with plain.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: bar(plain).shown)
        said = rendered(bar(plain))
        shown = screen_text(plain)
    assert "401" in said and "Not loaded" in shown
    started = early.EarlyStart(settings, started=True)
    started.resolved = resolve(settings)
    read = await asyncio.to_thread(early._read, settings, started.resolved, Counting(),
                                   lambda notice: None)  # (its own event loop)
    assert not isinstance(read, list) and read is not None
    started.error = read
    started._finish()
    sent.clear()
    app = DixaApp(settings, early=started, transport_factory=Counting)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: bar(app).shown and app.ui.connected)
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert rendered(bar(app)) == said
        assert sent == []
        assert screen_text(app) == shown


async def test_a_cached_list_read_with_another_key_goes_when_the_session_starts(
        start, state, knobs) -> None:
    """The key changed between the early look-up and the session's (another key stored
    meanwhile): the cached list goes as soon as the session says which key it uses."""
    import dataclasses

    cache(state.definitions[:3])
    knobs.latency = 3.0  # the fresh list comes well after the session starts (a loaded CI too)
    app = start()
    assert app.early is not None and app.early.cached is not None
    app.early.cached = dataclasses.replace(app.early.cached, key=fingerprint(Secret("other")))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await wait_for(pilot, lambda: app.session is not None)
        await pilot.pause()
        assert labels(app) == [] and "cached" not in status(app)
        await wait_for(pilot, lambda: len(labels(app)) > 3, timeout=15)


def _early_start(monkeypatch: pytest.MonkeyPatch) -> early.EarlyStart:
    """A start whose read is under way, its settings resolved (as a child hands them over)."""
    from dixa_tui.session.settings import resolve

    monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)
    settings = Settings(base_url=URL)
    started = early.EarlyStart(settings, started=True)
    started.resolved = resolve(settings)
    started._resolved.set()
    return started


class _Counting(httpx.AsyncBaseTransport):
    """The mock, counting the GETs of the list."""

    def __init__(self, state: MockState, knobs: Knobs, sent: list[str]) -> None:
        self.inner = httpx.ASGITransport(app=create_app(state, knobs=knobs))
        self.sent = sent

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/custom-attributes"):
            self.sent.append(request.url.path)
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize("before_first_frame", [False, True])
async def test_the_early_rows_are_painted_before_the_pages_come(
        state, knobs, monkeypatch: pytest.MonkeyPatch, before_first_frame: bool) -> None:
    """The child's rows (``session.early``'s ROWS) paint the list while its pages are still
    crossing; when they have, the list is not decoded again, and the models read from them
    show the same list; the list is not asked for again."""
    from dixa_tui.api import rows as api_rows
    started = _early_start(monkeypatch)
    pages = [listing_body(state)]
    rows = handed_rows(pages)
    assert rows is not None
    decoded: list[int] = []
    real = api_rows.decode_rows

    def counted(bodies: Any) -> Any:
        decoded.append(1)
        return real(bodies)

    monkeypatch.setattr(api_rows, "decode_rows", counted)
    sent: list[str] = []
    if before_first_frame:
        started._rows_came(rows)
    app = DixaApp(started.settings, early=started,
                  transport_factory=lambda: _Counting(state, knobs, sent))
    async with app.run_test(size=(120, 36)) as pilot:
        if not before_first_frame:
            await pilot.pause()
            assert labels(app) == [] and not started.done()
            started._rows_came(rows)
        await wait_for(pilot, lambda: bool(labels(app)))
        from_rows = labels(app)
        # Painted: the pages (held back in the meantime) may cross now.
        await wait_for(pilot, started._rows_settled.is_set)
        base = app.main_screen.listing.base
        assert len(base) == len(state.definitions) and not app.main_screen.definitions
        assert not started.done()
        started.pages = pages
        started._finish()
        await wait_for(pilot, lambda: bool(app.main_screen.definitions) and app.ui.connected)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert labels(app) == from_rows
        assert decoded == [] and sent == []


async def test_a_child_that_dies_after_its_rows_leaves_the_read_to_the_app(
        state, knobs, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows came, then no pages (the child died): the app reads the list itself, as when
    nothing came; the rows stay shown meanwhile, then the list read shows."""
    started = _early_start(monkeypatch)
    rows = handed_rows([listing_body(state)])
    assert rows is not None
    sent: list[str] = []
    app = DixaApp(started.settings, early=started,
                  transport_factory=lambda: _Counting(state, knobs, sent))
    async with app.run_test(size=(120, 36)) as pilot:
        started._rows_came(rows)
        await wait_for(pilot, lambda: bool(labels(app)))
        from_rows = labels(app)
        started._finish()  # no pages, no error
        await wait_for(pilot, lambda: bool(app.main_screen.definitions))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(sent) == 1  # the app's own read
        assert labels(app) == from_rows
