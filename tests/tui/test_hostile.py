"""The hostile organization in the terminal UI: everything shows literally, nothing raw.

Every check reads the app's own rendering (``screen_text``: its SVG export, which also
fails on any raw control character), not only widget state.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input
from tui_helpers import main_screen, rendered, screen_text, started, wait_for

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.mock import MockState
from dixa_tui.mock import hostile as h
from dixa_tui.text import clean
from dixa_tui.tui.screens.editor import EditorScreen
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.detail import DetailPane
from dixa_tui.tui.widgets.errorbar import ErrorBar

SIZE = (120, 40)


@pytest.fixture
def state() -> MockState:
    """Replaces the demo organization of tests/tui/conftest.py for this module."""
    return h.build_hostile_state()


def cast_definition(state: MockState, name: str) -> CustomAttributeDefinition:
    wanted = h.HOSTILE_ID if name == "hostile_id" else h.cast()[name]["id"]
    return next(d for d in state.definitions if d.id == wanted)


def visible_mark(text: str, length: int = 12) -> str:
    """The start of ``text`` as the screen must show it: cleaned, markup characters kept."""
    return clean(text)[:length] if text else "(no label)"


async def show(pilot: Any, definition: CustomAttributeDefinition) -> DetailPane:
    """Put the list's cursor on ``definition`` and wait for its fetched detail."""
    screen = main_screen(pilot.app)
    listing = screen.query_one(DefinitionList)
    listing.cursor = next(i for i, d in enumerate(listing.rows) if d.id == definition.id)
    pane = screen.query_one(DetailPane)
    await wait_for(pilot, lambda: definition.id in screen.details
                   and pane.definition is not None and pane.definition.id == definition.id)
    await pilot.pause()
    return pane


async def test_the_main_screen_loads_and_says_what_it_left_out(make_app, state) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert len(screen.definitions) == 3000 - len(h.UNREADABLE_AT)
        warnings = [n for n in app._notifications if n.severity == "warning"]
        assert len(warnings) == 1 and not warnings[0].markup
        assert "9 definitions sent by Dixa could not be read" in str(warnings[0].message)
        text = screen_text(app)
        assert "9 unreadable" in text
        assert "[bold red]Refund[/]" in text and "[i]markup[/i]" in text
        assert "ANSI REDred link" in text  # the escape sequences are gone, the words stay
        assert "顧客の問い合わせ理" in text and "سبب الاتصال עברית" in text
        assert "\ufffdexe.txt\ufffd" in text  # bidi overrides shown, not obeyed
        assert "line one⏎line two" in text  # a label cannot fake rows


async def test_every_hostile_definition_renders_literally_in_the_detail_pane(make_app,
                                                                            state) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("a", "d")  # archived and deactivated ones too
        for name in [*h.cast(), "hostile_id"]:
            definition = cast_definition(state, name)
            pane = await show(pilot, definition)
            fields = rendered(pane.query_one("#detail-fields"))
            assert "fetched by id" in fields, name
            text = screen_text(app)
            assert visible_mark(definition.label) in text, name
            assert f"Detail · {clean(definition.input_type)[:8]}" in text, name
            if definition.description and name != "long_label":  # that one scrolls below
                assert visible_mark(definition.description, 10) in text, name
        assert not screen.query_one(ErrorBar).shown


async def test_the_long_label_and_the_odd_shapes(make_app, state) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        long = await show(pilot, cast_definition(state, "long_label"))
        fields = rendered(long.query_one("#detail-fields"))
        assert fields.count("Long label ✂ [dim]not markup[/dim]") > 20  # the first 1,000
        assert "… 9,000 more characters (dixa-tui definitions show prints them all)" in \
            fields.replace("\n", "")  # and the rest is said, not folded over 200 lines
        await show(pilot, cast_definition(state, "no_options"))
        assert "no options" in screen_text(app)
        await show(pilot, cast_definition(state, "hostile_type"))
        text = screen_text(app)
        assert "[red]MultiSelect\ufffd" in text and "read-only" in text
        await show(pilot, cast_definition(state, "nulls"))
        assert "(no label)" in screen_text(app)


async def test_the_option_tree_opens_8_levels_deep(make_app, state) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        pane = await show(pilot, cast_definition(state, "deep"))
        tree = pane.browser.option_tree
        tree.focus()
        await pilot.pause()
        for level in range(1, h.DEEP_LEVELS):
            await pilot.press("j")  # the [deeper] option is shown after the leaf
            assert tree.highlighted_path[-1].value == f"[l{level}]/down"
            await pilot.press("l", "l")  # open it, then down to its first child
        assert [o.value for o in tree.highlighted_path] == [*h.deep_path()[:-1], "l8\u200bleaf"]
        assert len(tree.highlighted_path) == 8
        text = screen_text(app)
        assert "L8 leaf" in text and "(l8\u200bleaf)" in text
        assert "L2 link [deeper] ([l2]/down)" in text  # literally: markup kept, OSC gone
        assert "L5 \ufffdexe.txt\ufffd \ufffdiso\ufffd" in text  # bidi shown, not obeyed
        await pilot.press("y")
        assert app.clipboard == '["[l1]/down", "[l2]/down", "[l3]/down", "[l4]/down", ' \
            '"[l5]/down", "[l6]/down", "[l7]/down", "l8\u200bleaf"]'
        await pilot.press("C", "E")  # everything: 16 options, 8 levels
        assert tree.last_line >= 16


async def test_filter_keystrokes_on_hostile_text(make_app, state) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        listing = screen.query_one(DefinitionList)
        await pilot.press("slash", *"[bold red]refund")
        assert screen.query_one("#filter", Input).value == "[bold red]refund"
        assert listing.rows[0].id == cast_definition(state, "markup").id
        assert "[bold red]refund" in screen_text(app)  # the query box shows it literally
        screen.query_one("#filter", Input).value = ""
        await pilot.press(*"labz")  # the fuzzy pattern once backtracked for minutes here
        assert listing.rows == [] and "No definition matches 'labz'" in screen_text(app)
        screen.query_one("#filter", Input).value = ""
        await pilot.press(*"ong label ✂")
        assert listing.rows[0].id == cast_definition(state, "long_label").id
        screen.query_one("#filter", Input).value = ""
        await pilot.press(*"顧客")
        assert listing.rows[0].id == cast_definition(state, "cjk").id
        screen.query_one("#filter", Input).value = ""
        await pilot.press(*"duplicate")
        assert {d.label for d in listing.rows[:2]} == {"Duplicate [1/2]", "Duplicate [2/2]"}
        await pilot.press("enter")
        assert listing.has_focus


async def test_the_hostile_target_and_the_editor(make_app, state) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("t", "f3", *str(h.HOSTILE_CONVERSATION_ID), "enter")
        await wait_for(pilot, lambda: screen.target is not None)
        await pilot.pause()
        text = screen_text(app)
        assert "[bold]Subject[/]" in text and "second line" in text
        assert "[red]value[/red]" in text  # the current value column
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor: EditorScreen = app.screen  # type: ignore[assignment]
        listing = editor.query_one("#attributes", DefinitionList)
        deep = cast_definition(state, "deep")
        listing.cursor = next(i for i, d in enumerate(listing.rows) if d.id == deep.id)
        await pilot.pause()
        tree = editor.query_one("#picker").option_tree
        await wait_for(pilot, lambda: tree.highlighted_path is not None
                       and len(tree.highlighted_path) == 8)  # opened on the current value
        markup = cast_definition(state, "markup")
        listing.cursor = next(i for i, d in enumerate(listing.rows) if d.id == markup.id)
        await pilot.pause()
        await pilot.press("enter")
        box = editor.query_one("#text-value", Input)
        await wait_for(pilot, lambda: box.has_focus)
        box.value = ""
        await pilot.press(*"[b]new[/b]", "enter")
        assert editor.staged == {markup.id: "[b]new[/b]"}
        text = screen_text(app)
        assert f'"{markup.id}": "[b]new[/b]"' in text  # the body, exactly
        assert "[b]new[/b]" in text and "[red]value[/red]" in text  # after and before
        ansi = cast_definition(state, "ansi")
        listing.cursor = next(i for i, d in enumerate(listing.rows) if d.id == ansi.id)
        await pilot.pause()
        assert "control characters" in rendered(editor.query_one("#value-reason"))
        assert box.value == ""  # the raw value never goes into the input
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: not editor.staged and not editor.sending)
        assert state.conversation_values(h.HOSTILE_CONVERSATION_ID)[markup.id] == "[b]new[/b]"


async def test_a_refused_send_shows_dixas_hostile_message_literally(make_app, state) -> None:
    from dixa_tui.tui.screens.confirm import ConfirmScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("t", "f3", *str(h.HOSTILE_CONVERSATION_ID), "enter")
        await wait_for(pilot, lambda: screen.target is not None)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor: EditorScreen = app.screen  # type: ignore[assignment]
        deep = cast_definition(state, "deep")
        listing = editor.query_one("#attributes", DefinitionList)
        listing.cursor = next(i for i, d in enumerate(listing.rows) if d.id == deep.id)
        await pilot.pause()
        await pilot.press("enter", *"l3", "down")  # search the picker, to its results
        tree = editor.query_one("#picker").option_tree
        refused = [*h.deep_path()[:2], "l3\u200bleaf"]  # deactivated: Dixa refuses it
        for _ in range(20):
            if [o.value for o in tree.highlighted_path or ()] == refused:
                break
            await pilot.press("down")
        await pilot.press("enter")
        assert editor.staged == {deep.id: refused}
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        bar = editor.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        text = screen_text(app)
        assert "HTTP 400" in text and "'l3\u200bleaf' is deactivated" in text
        assert "[bold red]Dixa says[/] no" in text  # the server's note, literally
        # the way out is still on screen (a refused body is not offered again: no retry)
        assert "escape to dismiss" in text and "ctrl+r" not in text
        assert editor.staged  # the draft is kept


async def test_a_huge_server_message_leaves_room_for_what_to_do(make_app, state) -> None:
    from dixa_tui.tui.screens.target import TargetScreen

    state.error_note = " " + h.LONG_LABEL
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("t", "f3", *"99999", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TargetScreen)
                       and app.screen.query_one(ErrorBar).shown)
        text = screen_text(app)
        assert "HTTP 404" in text and "Long label ✂ [dim]not markup[/dim]" in text
        assert "Press escape to dismiss" in text  # a 404 offers no retry
