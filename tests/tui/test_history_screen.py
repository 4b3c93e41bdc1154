"""The History screen against the in-process mock: it lists what the editor sent, shows one
entry whole, filters by target and batch, and prepares an undo in the editor, where it is
previewed and sent like any edit (journaled as an undo); the editor keeps before -> after
beside Dixa's answer after a send; journal text is shown literally."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from textual.widgets import DataTable, Input
from tui_helpers import main_screen, rendered, screen_text, started, wait_for

from dixa_tui.journal import Change, Intent, Journal, default_path
from dixa_tui.mock import Knobs, MockState
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID, DEMO_END_USER_ID
from dixa_tui.session.settings import DEMO_BASE_URL
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.screens.editor import EditorScreen
from dixa_tui.tui.screens.history import HistoryScreen

SIZE = (120, 36)
ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"
CONTACT_REASON = "5d96cf7f-265b-4da9-8f0c-26ef4243ed52"


def journal_write(target_id: str, body: dict[str, Any], before: dict[str, Any], *,
                  kind: str = "conversation", batch: str | None = None,
                  identifier: str = "order_number", complete: bool = True,
                  moment: datetime | None = None) -> int:
    """An entry as the demo profile writes it (what the editor or a bulk run records)."""
    clock = (lambda: moment) if moment is not None else None
    with Journal.open(default_path(), clock=clock) as journal:
        changes = tuple(Change(key, identifier, identifier.replace("_", " "), before.get(key),
                               value) for key, value in body.items())
        entry = journal.begin(Intent("demo", DEMO_BASE_URL, "beta", kind, target_id,  # type: ignore[arg-type]
                                     body, changes, batch=batch))
        if complete:
            journal.complete(entry, "applied", status=200, returned=dict(body))
        return entry


async def open_history(pilot: Any) -> HistoryScreen:
    await pilot.press("H")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen)
                   and not pilot.app.screen.loading)
    await pilot.pause()
    screen: HistoryScreen = pilot.app.screen
    return screen


async def send_from_editor(pilot: Any, number: int, text: str) -> None:
    """Through the real flow: the conversation as the target, order_number typed, sent."""
    from test_editor import choose_conversation, open_editor, send, type_text

    await choose_conversation(pilot, number)
    editor = await open_editor(pilot)
    await type_text(pilot, editor, "order_number", text)
    await send(pilot, editor)
    await pilot.press("escape")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, EditorScreen))


async def test_history_lists_what_the_editor_sent_and_shows_one_entry(make_app) -> None:
    app: DixaApp = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await send_from_editor(pilot, DEMO_CONVERSATION_ID, "100-5555")
        history = await open_history(pilot)
        [entry] = history.entries
        assert entry.origin == "tui" and entry.outcome == "applied"
        assert [(c.identifier, c.before, c.after) for c in entry.changes] == [
            ("order_number", "100-2345", "100-5555")]
        shown = screen_text(app)
        assert "#10001" in shown and "applied" in shown and "100-2345 -> 100-5555" in shown
        await pilot.press("enter")
        detail = rendered(history.query_one("#entry"))
        assert "Entry 1" in detail and "(HTTP 200)" in detail
        assert f'"{ORDER_NUMBER}": "100-5555"' in detail  # the body, exactly
        assert "Dixa's answer" in detail and "order_number: 100-5555" in detail
        assert "from tui" in detail
        await pilot.press("escape")  # hides the entry
        assert not history.query_one("#entry-box").has_class("-shown")
        await pilot.press("escape")  # closes the history
        await wait_for(pilot, lambda: app.screen is main_screen(app))


async def test_filters_by_target_batch_and_typed(make_app) -> None:
    journal_write("10001", {ORDER_NUMBER: "100-1"}, {ORDER_NUMBER: "100-2345"})
    journal_write("10002", {ORDER_NUMBER: "100-2"}, {}, batch="b-batch222")
    journal_write("10003", {ORDER_NUMBER: "100-3"}, {}, batch="b-batch222")
    journal_write(DEMO_END_USER_ID, {"def-loyalty": "LOY-1"}, {}, kind="enduser",
                  identifier="loyalty_id")
    app: DixaApp = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        history = await open_history(pilot)
        assert [e.id for e in history.entries] == [4, 3, 2, 1]
        table = history.query_one("#entries", DataTable)
        table.move_cursor(row=1)  # entry 3, in the batch
        await pilot.press("b")
        await wait_for(pilot, lambda: [e.id for e in history.entries] == [3, 2])
        assert "batch b-batch222" in rendered(history.query_one("#history-status"))
        await pilot.press("b")  # again: every entry
        await wait_for(pilot, lambda: len(history.entries) == 4)
        table.move_cursor(row=3)  # entry 1, conversation 10001
        await pilot.press("t")
        await wait_for(pilot, lambda: [e.id for e in history.entries] == [1])
        await pilot.press("escape")  # clears the filter
        await wait_for(pilot, lambda: len(history.entries) == 4)
        await pilot.press("slash")
        box = history.query_one("#history-filter", Input)
        assert box.has_focus
        await pilot.press(*f"enduser:{DEMO_END_USER_ID.upper()}", "enter")
        await wait_for(pilot, lambda: [e.id for e in history.entries] == [4])
        await pilot.press("slash")
        box.value = "robot"
        await pilot.press("enter")
        await pilot.pause()
        assert any("neither a target" in str(n.message) for n in app._notifications)
        assert [e.id for e in history.entries] == [4]  # a bad filter changes nothing


async def test_undo_from_history_is_previewed_in_the_editor_and_journaled(
        make_app, state: MockState) -> None:
    app: DixaApp = make_app()
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        await send_from_editor(pilot, DEMO_CONVERSATION_ID, "100-5555")
        assert state.conversation_values(DEMO_CONVERSATION_ID)[ORDER_NUMBER] == "100-5555"
        history = await open_history(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor: EditorScreen = app.screen  # type: ignore[assignment]
        await pilot.pause()
        assert editor.undo is not None and editor.undo.undoes == "1"
        assert editor.staged == {ORDER_NUMBER: "100-2345"}  # the value from before
        assert "100-5555 -> 100-2345" in rendered(editor.query_one("#diff"))
        assert "Undo of entry 1" in rendered(editor.query_one("#undo-note"))
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: not editor.sending and editor.last_sent is not None)
        assert state.conversation_values(DEMO_CONVERSATION_ID)[ORDER_NUMBER] == "100-2345"
        # after the send: before -> after stays, beside Dixa's answer
        sent = rendered(editor.query_one("#diff"))
        assert "100-5555 -> 100-2345" in sent and "Dixa: 100-2345 ✔" in sent
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is history and len(history.entries) == 2)
        undo = history.entries[0]
        assert (undo.origin, undo.undoes, undo.outcome) == ("undo", "1", "applied")
        assert undo.batch is not None
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main
                       and main.current.get(ORDER_NUMBER) == "100-2345")


async def test_undo_leaves_out_what_changed_since_and_says_so(make_app,
                                                              state: MockState) -> None:
    app: DixaApp = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await send_from_editor(pilot, DEMO_CONVERSATION_ID, "100-5555")
        records = state.conversations[DEMO_CONVERSATION_ID].values
        state.apply_patch(records, "Conversation", {ORDER_NUMBER: "100-THEIRS"})
        await open_history(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor: EditorScreen = app.screen  # type: ignore[assignment]
        await pilot.pause()
        assert editor.staged == {}
        note = rendered(editor.query_one("#undo-note"))
        assert "order_number: changed since the write (it holds 100-THEIRS, not 100-5555)" \
            in note and "not staged" in note


async def test_preparing_an_undo_says_how_far_its_reading_is(make_app, knobs: Knobs,
                                                             state: MockState) -> None:
    """Reading the target can wait on Dixa (its pace, retries): the status line says the
    undo is being prepared, with the reading's progress, until the editor opens."""
    journal_write("10001", {ORDER_NUMBER: "100-9"}, {ORDER_NUMBER: "100-2345"})
    state.conversations[DEMO_CONVERSATION_ID].values[ORDER_NUMBER] = "100-9"  # as written
    app: DixaApp = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        history = await open_history(pilot)
        knobs.latency = 0.5  # every request from now on: time to see the status
        await pilot.press("u")
        await wait_for(pilot, lambda: "Preparing the undo of entry 1: reading 0 of 1"
                       in rendered(history.query_one("#history-status")))
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen), timeout=20)
        assert history.preparing is None


async def test_a_write_that_may_still_be_on_its_way_is_not_undone(make_app) -> None:
    journal_write("10001", {ORDER_NUMBER: "100-9"}, {ORDER_NUMBER: "100-2345"},
                  complete=False, moment=datetime.now(UTC))
    app: DixaApp = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        history = await open_history(pilot)
        assert "unknown: no answer" in screen_text(app)
        await pilot.press("u")
        await wait_for(pilot, lambda: any("may still be on its way" in str(n.message)
                                          for n in app._notifications))
        assert app.screen is history


async def test_history_is_in_the_palette_and_shows_journal_text_literally(make_app) -> None:
    hostile = "[bold red]X[/]\x1b[2J\x1b]0;owned\x07"
    journal_write("10001", {ORDER_NUMBER: hostile}, {ORDER_NUMBER: "100-2345"},
                  identifier="[b]id[/b]")
    app: DixaApp = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        titles = {c.title for c in app.get_system_commands(screen)}
        assert any(title.startswith("History — ") for title in titles)  # name, sentence
        history = await open_history(pilot)
        await pilot.press("enter")
        shown = screen_text(app)  # fails on any raw control character
        assert "[b]id[/b]" in shown and "[bold red]X[/]" in shown
        assert "\\u001b]0;owned" in rendered(history.query_one("#entry"))  # the JSON body
