"""Issue 10's editor items: esc steps back one level (item 1), the picker starts clean for
each attribute and enter picks a single match (item 7), retry only where it can help
(item 9), and counts meet nouns (item 22)."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from test_editor import by_identifier, choose_conversation, highlight, open_editor, send
from textual.widgets import Static
from tui_helpers import rendered, started, wait_for

from dixa_tui.mock import Knobs, MockState
from dixa_tui.tui.screens.confirm import ConfirmScreen
from dixa_tui.tui.screens.editor import EditorScreen
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.option_tree import OptionBrowser


async def editor_on_10001(pilot: Any) -> EditorScreen:
    await started(pilot)
    await choose_conversation(pilot, 10001)
    return await open_editor(pilot)


def in_picker(editor: EditorScreen) -> bool:
    picker = editor.query_one("#picker", OptionBrowser)
    return editor.focused is not None and picker in editor.focused.ancestors_with_self


async def test_esc_steps_back_one_level_and_only_the_last_step_asks(make_app,
                                                                   state: MockState) -> None:
    app = make_app()
    reason = by_identifier(state, "contact_reason")
    async with app.run_test(size=(120, 36)) as pilot:
        editor = await editor_on_10001(pilot)
        listing = editor.query_one("#attributes", DefinitionList)
        await highlight(pilot, editor, "contact_reason")
        await pilot.press("enter", *"card", "enter")  # one match: enter picks it
        await wait_for(pilot, lambda: editor.staged)
        assert editor.staged == {reason.id: ["payment", "card"]}
        assert in_picker(editor)  # the pick stages; the picker is where you still are
        await pilot.press("escape")  # picker -> attribute list
        await pilot.pause()
        assert app.screen is editor and editor.focused is listing
        await pilot.press("escape")  # the list -> close: that asks, edits are staged
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is editor)
        await pilot.pause()
        assert editor.focused is listing and listing.has_focus  # focus is somewhere visible
        assert editor.staged == {reason.id: ["payment", "card"]}


async def test_esc_from_a_text_value_goes_back_to_the_list(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        editor = await editor_on_10001(pilot)
        await highlight(pilot, editor, "order_number")
        await pilot.press("enter", *"-9")
        assert editor.staged
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is editor and isinstance(editor.focused, DefinitionList)


async def test_enter_picks_the_only_match_and_goes_to_the_tree_otherwise(make_app,
                                                                        state: MockState) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        editor = await editor_on_10001(pilot)
        picker = editor.query_one("#picker", OptionBrowser)
        await highlight(pilot, editor, "contact_reason")
        await pilot.press("enter", *"a")  # many matches: enter goes to the options
        await pilot.press("enter")
        await pilot.pause()
        assert editor.staged == {} and editor.focused is picker.option_tree


async def test_the_picker_search_does_not_carry_over_to_the_next_attribute(
        make_app, state: MockState) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        editor = await editor_on_10001(pilot)
        picker = editor.query_one("#picker", OptionBrowser)
        await highlight(pilot, editor, "contact_reason")
        await pilot.press("enter", *"card", "enter")
        await wait_for(pilot, lambda: editor.staged)
        await pilot.press("escape")
        await highlight(pilot, editor, "product_category")
        assert picker.search_input.value == ""
        assert picker.option_tree.search_query == ""
        tree_text = rendered(picker.option_tree)
        assert "no option matches" not in rendered(picker.query_one("#option-status"))
        assert "Tents" in tree_text or len(picker.option_tree.root.children) > 1


async def test_the_picker_hint_fits_at_80x24(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await editor_on_10001(pilot)
        await highlight(pilot, editor, "contact_reason")
        status = editor.query_one("#picker #option-status", Static)
        await pilot.pause()
        width = status.content_region.width
        for line in rendered(status).rstrip("\n").splitlines():
            assert cell_len(line.rstrip()) <= width, (line, width)
        assert rendered(status).strip().endswith(("options", "here", "it", "match"))


async def test_a_refused_send_offers_no_retry(make_app, state: MockState,
                                             knobs: Knobs) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        editor = await editor_on_10001(pilot)
        await highlight(pilot, editor, "order_number")
        await pilot.press("enter", *"-7", "enter")
        knobs.failure_rate, knobs.failure_status = 1.0, 400
        await pilot.press("ctrl+t")
        bar = editor.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        text = rendered(bar)
        assert "HTTP 400" in text and "ctrl+r" not in text and "retry" not in text
        writes = knobs.writes
        knobs.failure_rate = 0.0
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        assert knobs.writes == writes  # nothing was sent again
        assert editor.staged  # the draft stays, to fix and send


async def test_counts_meet_nouns_in_the_editor(make_app, state: MockState) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        editor = await editor_on_10001(pilot)
        await highlight(pilot, editor, "order_number")
        await pilot.press("enter", *"-8", "enter")
        assert editor.loss() == "1 staged edit will be lost: nothing has been sent for it."
        assert "1 edit staged" in rendered(editor.query_one("#status"))
        await highlight(pilot, editor, "contact_reason")
        await pilot.press("enter", *"invoice", "enter")  # a deactivated option: a warning
        await wait_for(pilot, lambda: len(editor.staged) == 2)
        assert editor.loss() == "2 staged edits will be lost: nothing has been sent for them."
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = rendered(app.screen.query_one("#confirm-body"))
        assert "1 warning about this change" in question and "(s)" not in question
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is editor)
        await pilot.press("escape")
        await highlight(pilot, editor, "contact_reason")
        await pilot.press("ctrl+l")
        await send(pilot, editor)
        assert "Sent 1 change:" in rendered(editor.query_one("#status"))


async def test_at_80x24_a_send_shows_dixas_answer_where_the_body_was(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await editor_on_10001(pilot)
        await highlight(pilot, editor, "order_number")
        await pilot.press("enter", *"-6", "enter")
        assert editor.query_one("#body-box").display
        assert not editor.query_one("#diff-box").display  # the list rows say now -> staged
        await send(pilot, editor)
        await pilot.pause()
        assert editor.query_one("#diff-box").display and not editor.query_one("#body-box").display
        assert "Dixa: -6" in rendered(editor.query_one("#diff"))  # what Dixa now holds
