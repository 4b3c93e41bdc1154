"""The TUI through every fault, driven by Textual's pilot: the error bar (the one place errors
show) says what failed and what to do, Dixa's message literally, no traceback anywhere on
screen; the app keeps running, ctrl+r succeeds once the fault is gone, and a failed send
keeps the staged edits and the draft."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fault_matrix import (
    ATTEMPTS,
    CASE_IDS,
    CASES,
    LOAD_OP,
    LOAD_PATH,
    PATCH_OP,
    PATCH_PATH,
    RETRYABLE,
    Case,
    advice,
)
from textual.widgets import Input
from tui_helpers import wait_for

from dixa_tui.domain.patch import Target
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState
from dixa_tui.mock.faults import FaultTransport
from dixa_tui.session.settings import Settings
from dixa_tui.session.targets import read_target
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.screens.confirm import ConfirmScreen
from dixa_tui.tui.screens.editor import EditorScreen
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.errorbar import ErrorBar

SIZE = (160, 40)  # wide enough that no message wraps inside the screenshot's text


def rendered(widget: Any) -> str:
    """What a Static shows, as plain text: markup is never parsed on the way."""
    import io

    from rich.console import Console

    out = io.StringIO()
    Console(file=out, width=400, color_system=None).print(widget.content)
    return out.getvalue()


def screen_text(app: DixaApp) -> str:
    """Every character the terminal would get for the current screen, line by line."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.fixture
def app(faults: FaultTransport) -> DixaApp:
    return DixaApp(Settings(demo=True), transport_factory=lambda: faults)


def check_bar(app: DixaApp, bar: ErrorBar, case: Case, operation: str, step: str) -> str:
    text = rendered(bar)
    what, todo = text.split("\n", 1)
    assert what.startswith(f"✖ {operation}: ") and case.says in what
    if case.shown is not None:
        assert case.shown in what
    assert advice(case, step) in todo or (case.id == "401" and "press K" in todo)
    offered = "Press ctrl+r to retry" in todo
    assert offered == (case.id in RETRYABLE), (case.id, todo)
    screen = screen_text(app)
    assert what.strip() in screen  # on screen exactly as composed: markup shown as typed
    for bad in ("Traceback", "\x1b", "\x07", DEMO_API_KEY):
        assert bad not in text and bad not in screen
    return todo


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_load(case: Case, app: DixaApp, faults: FaultTransport) -> None:
    faults.add("GET", LOAD_PATH, case.fault)
    async with app.run_test(size=SIZE) as pilot:
        main = app.main_screen
        bar = main.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        await pilot.pause()
        check_bar(app, bar, case, LOAD_OP, "load")
        assert "Not loaded: see the message below." in screen_text(app)
        assert faults.attempts_at("GET", LOAD_PATH) == case.attempts()
        faults.clear()
        # the retry key where it is offered; else what a person does after fixing things
        await pilot.press("ctrl+r" if case.id in RETRYABLE else "r")
        await wait_for(pilot, lambda: main.definitions)
        assert not bar.shown and app.is_running
        assert faults.attempts_at("GET", LOAD_PATH) == case.attempts() + 1


async def open_editor_on(pilot: Any, app: DixaApp, state: MockState, identifier: str,
                         ) -> EditorScreen:
    """Conversation 10001 as the target (as the target screen would set it), then the editor
    opened on ``identifier``."""
    main = app.main_screen
    await wait_for(pilot, lambda: main.definitions)
    assert app.session is not None and app.session.client is not None
    main.set_target(await read_target(app.session.client, Target("conversation", "10001")))
    listing = main.query_one(DefinitionList)
    listing.cursor = next(i for i, d in enumerate(listing.rows) if d.identifier == identifier)
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
    editor = app.screen
    assert isinstance(editor, EditorScreen)
    await wait_for(pilot, lambda: editor.editing is not None)
    return editor


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_send(case: Case, app: DixaApp, faults: FaultTransport, state: MockState,
                    knobs: Knobs) -> None:
    number = next(d.id for d in state.definitions if d.identifier == "order_number")
    before = state.conversation_values(10001)[number]
    after = f"{before}-9"
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor_on(pilot, app, state, "order_number")
        # typed, as far as the editor can tell: the input's Changed event stages the value
        editor.query_one("#text-value", Input).value = after
        await pilot.pause()
        assert editor.staged == {number: after}
        faults.add("PATCH", PATCH_PATH, case.fault)
        await pilot.press("ctrl+t")
        bar = editor.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        await pilot.pause()
        todo = check_bar(app, bar, case, PATCH_OP, "send")
        assert case.write_note in todo
        # the draft is all still there: staged edits, the input, the exact body, the status
        assert editor.staged == {number: after} and not editor.sending
        assert editor.query_one("#text-value", Input).value == after
        assert json.loads(rendered(editor.query_one("#body"))) == {number: after}
        assert f"{before} -> {after}" in rendered(editor.query_one("#diff"))
        assert "your staged edits are kept" in rendered(editor.query_one("#status"))
        assert faults.attempts_at("PATCH", PATCH_PATH) == case.attempts()
        assert knobs.writes == (case.attempts() if case.applied else 0)
        now = state.conversation_values(10001)[number]
        assert now == (after if case.applied else before)
        faults.clear()
        await pilot.press("ctrl+r" if case.id in RETRYABLE else "ctrl+t")
        await wait_for(pilot, lambda: "Sent 1 change" in rendered(editor.query_one("#status")))
        assert not bar.shown and editor.staged == {} and app.is_running
        assert state.conversation_values(10001)[number] == after


LONG = ("Decoding failure in request: " + "Invalid value for attribute [bold]x[/]; " * 20).strip()


@pytest.mark.parametrize("step", ["load", "send"])
async def test_at_80x24_a_long_message_leaves_what_to_do_on_screen(
        step: str, app: DixaApp, faults: FaultTransport, state: MockState) -> None:
    """Dixa's message has no length limit; the hint and the retry key must still show."""
    from dixa_tui.mock.faults import Fault

    path, method = (LOAD_PATH, "GET") if step == "load" else (PATCH_PATH, "PATCH")
    faults.add(method, path, Fault.http(422, LONG))
    async with app.run_test(size=(80, 24)) as pilot:
        if step == "send":
            editor = await open_editor_on(pilot, app, state, "order_number")
            editor.query_one("#text-value", Input).value = "100-1"
            await pilot.pause()
            await pilot.press("ctrl+t")
        bar = (app.screen if step == "send" else app.main_screen).query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        await pilot.pause()
        region = bar.content_region
        assert region.bottom <= 24
        rows = screen_text(app).splitlines()[region.y:region.bottom]
        shown = " ".join(row[region.x:region.right].strip() for row in rows)
        assert shown.startswith("✖ patch conversation 10001: HTTP 422: Decoding failure in "
                                "request: Invalid value for attribute [bold]x[/];"
                                if step == "send" else
                                "✖ list definitions: HTTP 422: Decoding failure in request: "
                                "Invalid value for attribute [bold]x[/];")
        assert "… Dixa rejected the request: fix what the message says" in shown
        assert shown.endswith("Press escape to dismiss.")  # a 422 is not offered again
        assert LONG in str(bar.tooltip).replace("\n", " ")  # the whole message, on hover


@pytest.mark.parametrize("step", ["load", "send"])
async def test_each_retry_is_said_while_it_waits(
        step: str, app: DixaApp, faults: FaultTransport, state: MockState,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow failure is never silent: the retries show as warning toasts (Dixa's message
    literally, the try that comes next), and the request then goes through. A notice the app
    has not shown yet when the next one comes is replaced by it (``Retrying.can_replace``: a
    busy machine says the current try, not a stale one), so the last try is always said and
    an earlier one is said when there was time."""
    from dixa_tui.mock.faults import Fault

    said: list[tuple[str, dict[str, Any]]] = []
    notify = app.notify

    def recorded(message: str, **kwargs: Any) -> None:  # toasts expire; the record does not
        said.append((message, kwargs))
        notify(message, **kwargs)

    monkeypatch.setattr(app, "notify", recorded)
    path, method, op = ((LOAD_PATH, "GET", LOAD_OP) if step == "load"
                        else (PATCH_PATH, "PATCH", PATCH_OP))
    busy = Fault.http(503, "Busy [b]now[/b]")
    if step == "load":
        faults.add(method, path, busy, times=2)
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # toasts drawn
        if step == "send":
            editor = await open_editor_on(pilot, app, state, "order_number")
            editor.query_one("#text-value", Input).value = "100-2"
            await pilot.pause()
            faults.add(method, path, busy, times=2)
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: "Sent 1 change" in rendered(editor.query_one("#status")))
        else:
            await wait_for(pilot, lambda: app.main_screen.definitions)
        assert faults.attempts_at(method, path) == 3

        def retries() -> list[tuple[str, dict[str, Any]]]:
            return [(m, kw) for m, kw in said if kw.get("title") == "Dixa: trying again"]

        last = f"try 3 of {ATTEMPTS})."
        await wait_for(pilot, lambda: any(m.endswith(last) for m, _ in retries()))
        tries = [m.split("(")[-1] for m, _ in retries()]
        assert tries in ([f"try 2 of {ATTEMPTS}).", last], [last]), tries
        assert all(m.startswith(f"{op}: HTTP 503: Busy [b]now[/b]; trying again in ")
                   and kw["severity"] == "warning" and kw["markup"] is False
                   for m, kw in retries())
        shown = screen_text(app)  # what the terminal shows, toasts included (they last 10 s)
        assert "Busy [b]now[/b];" in shown and f"(try 3 of {ATTEMPTS})" in shown


@pytest.fixture
def slow_retries(monkeypatch: pytest.MonkeyPatch) -> int:
    """Retries that wait 20 to 40 s (within the 45 s budget): a test is over before a second
    try is made. Returns how many tries the policy allows."""
    import functools

    from dixa_tui.api.ratelimit import RetryPolicy

    monkeypatch.setattr("dixa_tui.api.client.RetryPolicy",
                        functools.partial(RetryPolicy, base_delay=40.0, max_delay=40.0))
    return RetryPolicy().max_attempts


async def test_the_empty_list_says_which_try_the_first_load_is_on(
        app: DixaApp, faults: FaultTransport, slow_retries: int) -> None:
    """While the first load waits to try again, the list says so (not just "Loading…")."""
    from dixa_tui.mock.faults import Fault

    faults.add("GET", LOAD_PATH, Fault.http(503, "Busy [b]now[/b]"))
    async with app.run_test(size=SIZE) as pilot:
        listing = app.main_screen.query_one(DefinitionList)
        which = f"try 2 of {slow_retries}"
        await wait_for(pilot, lambda: which in screen_text(app))
        line = next(row for row in screen_text(app).splitlines() if which in row)
        assert f"Loading definitions… {which} (the last failed: HTTP 503: Busy [b]now[/b])" \
            in line
        assert not listing.rows and faults.attempts_at("GET", LOAD_PATH) == 1


async def test_the_editor_stays_open_while_a_send_is_on_its_way(
        app: DixaApp, faults: FaultTransport, state: MockState, slow_retries: int) -> None:
    """esc during a send (here: waiting to retry a 503) does not offer to discard edits
    "nothing has been sent for": the answer, applied or not, would be lost with the dialog."""
    from dixa_tui.mock.faults import Fault

    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor_on(pilot, app, state, "order_number")
        editor.query_one("#text-value", Input).value = "100-3"
        await pilot.pause()
        faults.add("PATCH", PATCH_PATH, Fault.http(503, "Busy"))
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: faults.attempts_at("PATCH", PATCH_PATH) == 1)
        editor.query_one("#attributes", DefinitionList).focus()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is editor and editor.sending and editor.staged
        assert any("A send is on its way" in str(n.message) for n in app._notifications)
        await pilot.press("ctrl+q")  # quitting asks too: the answer would be lost
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "not knowing whether Dixa applied it" in rendered(
            app.screen.query_one("#confirm-body"))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is editor)
        assert app.is_running and editor.sending
