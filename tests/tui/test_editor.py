"""The editor, end to end against the in-process mock: stage, preview, send, fail, discard."""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import Input
from tui_helpers import main_screen, rendered, started, wait_for

from dixa_tui.mock import Knobs, MockState
from dixa_tui.mock.demo import DEMO_END_USER_ID
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.screens.confirm import ConfirmScreen
from dixa_tui.tui.screens.editor import EditorScreen
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.option_tree import OptionBrowser


def by_identifier(state: MockState, identifier: str) -> Any:
    return next(d for d in state.definitions if d.identifier == identifier)


async def choose_end_user(pilot: Any) -> None:
    await pilot.press("t")
    await wait_for(pilot, lambda: pilot.app.screen.query("#enduser-input"))
    await pilot.pause()
    pilot.app.screen.query_one("#enduser-input", Input).value = "astrid.lindqvist@example.com"
    await pilot.press("enter")
    results = "#enduser-results"
    await wait_for(pilot, lambda: pilot.app.screen.query_one(results).option_count > 0)
    pilot.app.screen.query_one(results).focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: main_screen(pilot.app).target is not None)


async def choose_conversation(pilot: Any, number: int) -> None:
    await pilot.press("t")
    await wait_for(pilot, lambda: pilot.app.screen.query("#conversation-input"))
    await pilot.press("f3")
    await pilot.pause()
    pilot.app.screen.query_one("#conversation-input", Input).value = str(number)
    pilot.app.screen.query_one("#conversation-input", Input).focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: main_screen(pilot.app).target is not None)


async def open_editor(pilot: Any) -> EditorScreen:
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, EditorScreen))
    await pilot.pause()
    return pilot.app.screen


async def highlight(pilot: Any, editor: EditorScreen, identifier: str) -> None:
    listing = editor.query_one("#attributes", DefinitionList)
    listing.focus()
    await pilot.press("g")
    for _ in range(len(listing.rows)):
        if listing.highlighted.identifier == identifier:
            break
        await pilot.press("j")
    assert listing.highlighted.identifier == identifier
    await pilot.pause()


async def type_text(pilot: Any, editor: EditorScreen, identifier: str, text: str) -> None:
    await highlight(pilot, editor, identifier)
    await pilot.press("enter")
    box = editor.query_one("#text-value", Input)
    assert box.has_focus
    box.value = ""
    await pilot.press(*text, "enter")


async def order_number_typed(pilot: Any, text: str) -> EditorScreen:
    """Started, conversation 10001 as the target, the editor open, ``text`` typed into
    order_number (staged)."""
    await started(pilot)
    await choose_conversation(pilot, 10001)
    editor = await open_editor(pilot)
    await type_text(pilot, editor, "order_number", text)
    return editor


async def pick_option(pilot: Any, editor: EditorScreen, identifier: str, search: str,
                      values: list[str]) -> None:
    await highlight(pilot, editor, identifier)
    await pilot.press("enter")
    browser = editor.query_one("#picker", OptionBrowser)
    assert browser.search_input.has_focus
    await pilot.press(*search, "down")
    tree = browser.option_tree
    for _ in range(20):
        path = tree.highlighted_path
        if path and [o.value for o in path] == values:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


def body_on_screen(editor: EditorScreen) -> Any:
    return json.loads(rendered(editor.query_one("#body")))


async def send(pilot: Any, editor: EditorScreen) -> None:
    await pilot.press("ctrl+t")
    await wait_for(pilot, lambda: not editor.sending and "Sen" in rendered(
        editor.query_one("#status")) and "Sending" not in rendered(editor.query_one("#status")))


async def test_end_user_text_and_nested_select(make_app, state: MockState, knobs: Knobs) -> None:
    app: DixaApp = make_app()
    loyalty = by_identifier(state, "loyalty_id")
    activity = by_identifier(state, "favorite_activity")
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await choose_end_user(pilot)
        editor = await open_editor(pilot)
        await type_text(pilot, editor, "loyalty_id", "LOY-900001")
        await pick_option(pilot, editor, "favorite_activity", "wild camp",
                          ["hiking", "multi_day", "wild_camping"])
        expected = {loyalty.id: "LOY-900001",
                    activity.id: ["hiking", "multi_day", "wild_camping"]}
        assert editor.preview_body == expected
        assert body_on_screen(editor) == expected
        diff_text = rendered(editor.query_one("#diff"))
        assert "LOY-448812" in diff_text and "LOY-900001" in diff_text
        assert "Hiking > Multi-day" in diff_text
        writes = knobs.writes
        await send(pilot, editor)
        assert knobs.writes == writes + 1
        values = state.end_user_values(DEMO_END_USER_ID)
        assert values[loyalty.id] == "LOY-900001"
        assert values[activity.id] == ["hiking", "multi_day", "wild_camping"]
        assert "Sent 2 changes" in rendered(editor.query_one("#status"))
        assert "Dixa's answer" in str(editor.query_one("#diff-box").border_title)
        after = rendered(editor.query_one("#diff"))  # before -> after stays, with the answer
        assert "LOY-448812 -> LOY-900001" in after and "Dixa: LOY-900001 ✔" in after
        assert editor.staged == {}
        await pilot.press("escape", "escape")  # the picker -> the list -> closed
        await wait_for(pilot, lambda: not isinstance(app.screen, EditorScreen))
        main = main_screen(app)
        await wait_for(pilot, lambda: main.current.get(loyalty.id) == "LOY-900001")


async def test_conversation_edit_and_clear(make_app, state: MockState) -> None:
    app = make_app()
    number = by_identifier(state, "order_number")
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await choose_conversation(pilot, 10001)
        assert main_screen(app).current[number.id] == "100-2345"
        editor = await open_editor(pilot)
        await type_text(pilot, editor, "order_number", "100-9999")
        assert body_on_screen(editor) == {number.id: "100-9999"}
        await send(pilot, editor)
        assert state.conversation_values(10001)[number.id] == "100-9999"
        # clear: null in the body, and the value is gone in Dixa
        await highlight(pilot, editor, "order_number")
        await pilot.press("ctrl+n")
        assert editor.preview_body == {number.id: None}
        assert body_on_screen(editor) == {number.id: None}
        assert '"' + number.id + '": null' in rendered(editor.query_one("#body"))
        await send(pilot, editor)
        assert state.conversation_values(10001).get(number.id) in (None, "")


async def test_deactivated_option_needs_confirmation_then_400_keeps_the_draft(
        make_app, state: MockState) -> None:
    app = make_app()
    reason = by_identifier(state, "contact_reason")
    before = state.conversation_values(10001)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await choose_conversation(pilot, 10001)
        editor = await open_editor(pilot)
        await pick_option(pilot, editor, "contact_reason", "invoice", ["payment", "invoice"])
        assert editor.preview_body == {reason.id: ["payment", "invoice"]}
        assert "deactivated" in rendered(editor.query_one("#problems"))
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is editor)
        assert state.conversation_values(10001) == before
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        bar = editor.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        text = rendered(bar)
        assert "HTTP 400" in text and "deactivated" in text
        assert editor.staged == {reason.id: ["payment", "invoice"]}
        assert "kept" in rendered(editor.query_one("#status"))
        assert state.conversation_values(10001) == before


async def test_500_keeps_the_draft_and_retry_sends_it(make_app, state: MockState,
                                                     knobs: Knobs) -> None:
    app = make_app()
    number = by_identifier(state, "order_number")
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await order_number_typed(pilot, "100-5000")
        knobs.failure_rate, knobs.failure_status = 1.0, 500
        await pilot.press("ctrl+t")
        bar = editor.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        assert "HTTP 500" in rendered(bar) and "ctrl+r" in rendered(bar)
        assert editor.staged == {number.id: "100-5000"}
        assert editor.query_one("#text-value", Input).value == "100-5000"
        assert state.conversation_values(10001)[number.id] == "100-2345"
        knobs.failure_rate = 0.0
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: state.conversation_values(10001)[number.id] == "100-5000")
        await wait_for(pilot, lambda: not bar.shown)


async def test_archived_and_unknown_types_are_shown_but_not_editable(make_app,
                                                                     state: MockState) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await choose_end_user(pilot)
        editor = await open_editor(pilot)
        await highlight(pilot, editor, "legacy_crm_id")
        assert "archived" in rendered(editor.query_one("#value-reason"))
        assert not editor.query_one("#text-value").display
        await pilot.press("enter", "ctrl+n")
        assert editor.staged == {}
        assert editor.query_one("#send").disabled


async def test_escape_asks_before_discarding(make_app, state: MockState) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await choose_end_user(pilot)
        editor = await open_editor(pilot)
        await type_text(pilot, editor, "loyalty_id", "X")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is editor)
        assert editor.staged
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not isinstance(app.screen, (EditorScreen, ConfirmScreen)))
        assert state.end_user_values(DEMO_END_USER_ID)[by_identifier(
            state, "loyalty_id").id] == "LOY-448812"


async def test_wrong_shape_errors_disable_sending(make_app, state: MockState) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await choose_end_user(pilot)
        editor = await open_editor(pilot)
        tier = by_identifier(state, "customer_tier")
        editor.staged[tier.id] = ["no_such_tier"]
        editor._refresh()
        await pilot.pause()
        assert "✖ error" in rendered(editor.query_one("#problems"))
        assert editor.query_one("#send").disabled
        writes = state
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert writes.end_user_values(DEMO_END_USER_ID)[tier.id] == ["gold"]


async def test_hostile_target_name_renders_literally_in_the_editor(make_app,
                                                                   state: MockState) -> None:
    record = state.conversations[10001]
    subject = "[bold red]boom[/] \x1b]52;c;ZXZpbA==\x07"
    record.conversation = record.conversation.model_copy(update={"subject": subject})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await choose_conversation(pilot, 10001)
        await open_editor(pilot)
        svg = app.export_screenshot().replace("&#160;", " ")
        assert "[bold red]boom[/]" in svg
        assert "\x1b" not in svg and "ZXZpbA" not in svg


async def test_escape_sequences_in_current_values_never_reach_the_terminal(
        make_app, state: MockState) -> None:
    number = by_identifier(state, "order_number")
    state.conversations[10001].values[number.id] = "\x1b[2J\x1b]52;c;aGk=\x07 line1\nline2"
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await choose_conversation(pilot, 10001)
        main_list = main_screen(app).query_one("#definitions")
        lines = "".join(seg.text for y in range(8) for seg in main_list.render_line(y))
        assert "\x1b" not in lines and "line1⏎line2" in lines
        editor = await open_editor(pilot)
        await highlight(pilot, editor, "order_number")
        assert editor.query_one("#text-value", Input).value == ""
        assert "control characters" in rendered(editor.query_one("#value-reason"))
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "aGk=" not in svg
        assert editor.staged == {}


async def test_retry_sends_the_draft_as_it_is_now(make_app, state: MockState,
                                                  knobs: Knobs) -> None:
    app = make_app()
    number = by_identifier(state, "order_number")
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await order_number_typed(pilot, "AAA")
        knobs.failure_rate, knobs.failure_status = 1.0, 500
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: editor.query_one(ErrorBar).shown)
        await type_text(pilot, editor, "order_number", "BBB")
        knobs.failure_rate = 0.0
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: state.conversation_values(10001)[number.id] == "BBB")


async def test_unstage_works_from_inside_the_text_box(make_app, state: MockState) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await choose_end_user(pilot)
        editor = await open_editor(pilot)
        await highlight(pilot, editor, "loyalty_id")
        await pilot.press("enter", *"XYZ")
        assert editor.staged
        await pilot.press("ctrl+l")
        assert editor.staged == {}


async def test_editor_error_is_visible_at_80x24(make_app, state: MockState,
                                                knobs: Knobs) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await order_number_typed(pilot, "100-1")
        knobs.failure_rate, knobs.failure_status = 1.0, 500
        await pilot.press("ctrl+t")
        bar = editor.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        await pilot.pause()
        assert bar.region.bottom <= 24 and bar.region.height >= 2
        assert editor.query_one("#send").region.bottom <= 24
        assert "HTTP 500" in app.export_screenshot().replace("&#160;", " ")


async def test_help_opens_from_the_editor(make_app) -> None:
    from dixa_tui.tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await choose_end_user(pilot)
        editor = await open_editor(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is editor)


async def test_quitting_with_unsent_edits_asks_first(make_app, state: MockState) -> None:
    """ctrl+q with staged edits asks (n stays, edits kept); ctrl+q again at the question, or
    y, quits. With nothing staged it quits at once."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await order_number_typed(pilot, "100-4242")
        assert editor.staged
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = rendered(app.screen.query_one("#confirm-body"))
        assert "1 staged edit will be lost: nothing has been sent for it." in question
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is editor)
        assert app.is_running and editor.staged
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("ctrl+q")  # again: quit
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code in (None, 0)

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running)


async def test_quit_from_an_editor_with_nothing_at_stake_and_y_at_the_question(
        make_app, state: MockState) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await choose_conversation(pilot, 10001)
        await open_editor(pilot)
        await pilot.press("ctrl+q")  # an editor, nothing staged: no question
        await wait_for(pilot, lambda: not app.is_running)

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await order_number_typed(pilot, "100-4243")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running)


async def test_a_send_without_a_client_is_an_error_not_a_send_that_never_ends(
        make_app, state: MockState) -> None:
    """No usable key (the client is gone): the send fails at once, says what to do, and the
    editor is not left 'sending' (which esc and ctrl+q would then guard forever)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await order_number_typed(pilot, "100-4244")
        app.session.client = None
        await pilot.press("ctrl+t")
        bar = editor.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        text = rendered(bar)
        assert "not connected to Dixa" in text and "Enter a valid API key" in text
        assert not editor.sending and editor.staged
        assert "kept" in rendered(editor.query_one("#status"))


async def test_a_send_is_journaled_with_the_values_it_replaced(make_app, state: MockState) -> None:
    from dixa_tui.journal import Journal

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await order_number_typed(pilot, "100-4245")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: not editor.sending and editor.last_sent is not None)
    with Journal.open() as journal:
        [entry] = journal.history()
    assert entry.origin == "tui" and entry.outcome == "applied" and entry.profile == "demo"
    assert [(c.identifier, c.before, c.after) for c in entry.changes] == [
        ("order_number", "100-2345", "100-4245")]


async def test_a_journal_that_cannot_be_written_keeps_the_draft(
        make_app, state: MockState, knobs: Any, tmp_path: Any, monkeypatch: Any) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("DIXA_TUI_STATE", str(blocker / "state"))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await order_number_typed(pilot, "100-4246")
        await pilot.press("ctrl+t")
        bar = editor.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        text = rendered(bar)
        assert "journal" in text and "Nothing was sent" in text and "--no-journal" in text
        assert editor.staged and not editor.sending and knobs.writes == 0
