"""The Find screen: a query built with the pickers finds exactly what the mock holds, the
matches are marked and handed on as EditTargets, one opens in the editor, a stop keeps the
rows, a query error is shown on its line with nothing requested, and saved queries are
reopened (from the screen and the palette) and saved."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.command import CommandPalette
from textual.widgets import ContentSwitcher, Input, OptionList, SelectionList
from tui_helpers import rendered, screen_text, started, wait_for

from dixa_tui.domain.patch import Target
from dixa_tui.mock import Knobs, MockState, create_app
from dixa_tui.mock.records import ConversationRecord
from dixa_tui.session.settings import Settings
from dixa_tui.text import plural
from dixa_tui.tui import app as app_module
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.messages import EditTargets
from dixa_tui.tui.screens.editor import EditorScreen
from dixa_tui.tui.screens.find import FindScreen
from dixa_tui.tui.screens.find_condition import ConditionScreen
from dixa_tui.tui.screens.find_dialogs import SavedQueriesScreen, SaveQueryScreen
from dixa_tui.tui.widgets.found_table import FoundTable
from dixa_tui.tui.widgets.option_tree import OptionBrowser


class RecordingApp(DixaApp):
    """The app, noting every EditTargets that reaches it (the bulk editor is not ours)."""

    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.edits: list[EditTargets] = []

    def on_edit_targets(self, message: EditTargets) -> None:
        self.edits.append(message)


@pytest.fixture(autouse=True)
def pinned(state: MockState, monkeypatch: pytest.MonkeyPatch) -> None:
    """The session's clock is the mock's: "30d" means the same to both."""
    monkeypatch.setattr("dixa_tui.session.queries.utc_now", lambda: state.now)


@pytest.fixture
def app(state: MockState, knobs: Knobs) -> RecordingApp:
    return RecordingApp(Settings(demo=True), transport_factory=lambda: httpx.ASGITransport(
        app=create_app(state, knobs=knobs)))


def ident(state: MockState, identifier: str) -> str:
    return next(d.id for d in state.definitions if d.identifier == identifier)


def newest_first(records: list[ConversationRecord]) -> list[int]:
    return [r.id for r in sorted(records, key=lambda r: (r.conversation.created_at, r.id),
                                 reverse=True)]


def config_file(home: Path) -> Path:
    path = home / ".config" / "dixa-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def options_text(listing: OptionList) -> str:
    """What an option list lists, one option a line."""
    return "\n".join(str(getattr(listing.get_option_at_index(i).prompt, "plain",
                                  listing.get_option_at_index(i).prompt))
                     for i in range(listing.option_count))


async def open_find(pilot: Any) -> FindScreen:
    await started(pilot)
    await pilot.press("F")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FindScreen))
    return pilot.app.screen


async def choose(pilot: Any, listing: OptionList, wanted: str) -> None:
    """Move down the list to the option ``wanted`` (its id), then enter."""
    listing.focus()
    for _ in range(listing.option_count + 1):
        option = listing.highlighted_option
        if option is not None and option.id == wanted:
            break
        await pilot.press("down")
    assert listing.highlighted_option is not None
    assert listing.highlighted_option.id == wanted
    await pilot.press("enter")
    await pilot.pause()


async def add_condition(pilot: Any, what: str, wanted: str) -> ConditionScreen:
    """``a``, narrow the first list by typing ``what``, choose the option ``wanted``."""
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConditionScreen))
    picker = pilot.app.screen
    await pilot.press(*what)
    await choose(pilot, picker.query_one("#what", OptionList), wanted)
    return picker


async def run_to_the_end(pilot: Any, screen: FindScreen) -> FoundTable:
    await pilot.press("f5")
    await wait_for(pilot, lambda: screen.run_id and not screen.running, timeout=30)
    await pilot.pause()
    return screen.query_one(FoundTable)


async def build_closed_delivery_last_30_days(pilot: Any, state: MockState) -> FindScreen:
    """Created since 30d (a date shortcut), status closed (ticked), contact_reason under
    Delivery (picked in the option tree): every step with the pickers."""
    screen = await open_find(pilot)
    picker = await add_condition(pilot, "created since", "opt:--created-since")
    await choose(pilot, picker.query_one("#step-date", OptionList), "30d")
    await wait_for(pilot, lambda: pilot.app.screen is screen)

    picker = await add_condition(pilot, "status", "opt:--status")
    ticks = picker.query_one("#step-choices", SelectionList)
    assert ticks.has_focus
    for _ in range(6):
        option = ticks.highlighted_option
        if option is not None and option.value == "closed":
            break
        await pilot.press("down")
    await pilot.press("space", "f5")
    await wait_for(pilot, lambda: pilot.app.screen is screen)

    picker = await add_condition(pilot, "contact", f"attr:{ident(state, 'contact_reason')}")
    await choose(pilot, picker.query_one("#step-op", OptionList), "under")
    browser = picker.query_one("#step-select", OptionBrowser)
    assert browser.search_input.has_focus
    await pilot.press(*"delivery", "down")
    tree = browser.option_tree
    assert [o.value for o in tree.highlighted_path or ()] == ["delivery"]
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen is screen)
    return screen


async def test_pickers_build_the_query_the_matches_are_the_mocks_and_marks_go_on(
        app: RecordingApp, state: MockState) -> None:
    reason = ident(state, "contact_reason")
    since = state.now - timedelta(days=30)
    expected = newest_first([
        r for r in state.conversations.values()
        if r.conversation.created_at >= since and r.conversation.state == "Closed"
        and (r.values.get(reason) or [None])[0] == "delivery"])
    assert len(expected) > 5
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await build_closed_delivery_last_30_days(pilot, state)
        assert screen.spec.to_text() == ("--created-since 30d --status closed "
                                         "--where 'contact_reason under delivery'")
        assert screen.query_one("#query-text", Input).value == screen.spec.to_text()
        shown = options_text(screen.query_one("#parts", OptionList))
        assert "created since 30d (" in shown and "status Closed" in shown
        assert "Contact reason under Delivery" in shown
        table = await run_to_the_end(pilot, screen)
        assert table.order == expected
        assert [d.identifier for d in table.attributes] == ["contact_reason"]
        status = rendered(screen.query_one("#find-status"))
        assert f"Done · {len(expected)} matches" in status
        text = screen_text(app)
        assert f"#{expected[0]}" in text and "Delivery > " in text
        assert f"0 of {len(expected)} marked" in text

        assert table.has_focus
        await pilot.press("ctrl+a")  # every row
        assert table.marks.count == len(expected)
        await pilot.press("space")  # the first unmarked again
        assert table.marks.count == len(expected) - 1 and expected[0] not in table.marks
        await pilot.press("ctrl+a", "ctrl+a")  # all, then none
        assert table.marks.count == 0
        await pilot.press("shift+down", "shift+down", "down", "down", "space")
        marked = [expected[0], expected[1], expected[2], expected[4]]
        assert table.marks.in_order(table.order) == marked
        assert f"4 of {len(expected)} marked" in rendered(screen.query_one("#find-marks"))
        await pilot.press("e")
        await wait_for(pilot, lambda: app.edits)
        posted = app.edits[-1]
        targets = [Target("conversation", str(n)) for n in marked]
        assert posted.targets == targets
        for target in targets:
            conversation = state.conversations[int(target.id)].conversation
            assert posted.names[target].startswith(f"#{target.id} · ")
            assert posted.names[target].endswith(" · Closed")
            assert (conversation.subject or "") in posted.names[target]


async def test_enter_opens_one_in_the_editor_and_its_row_shows_the_send(
        app: RecordingApp, state: MockState) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_find(pilot)
        screen.query_one("#query-text", Input).value = \
            "--created-since 30d --where 'order_number is not empty'"
        table = await run_to_the_end(pilot, screen)
        assert table.order
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        number = table.order[1]
        assert editor.target == Target("conversation", str(number))
        assert editor.query_one("#attributes").highlighted.identifier == "order_number"
        await pilot.press("enter")
        box = editor.query_one("#text-value", Input)
        box.value = ""
        await pilot.press(*"100-4242", "enter", "ctrl+t")
        order = ident(state, "order_number")
        await wait_for(pilot, lambda: state.conversations[number].values.get(order)
                       == "100-4242")
        await wait_for(pilot, lambda: not editor.sending)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert table.found[number].values[order] == "100-4242"
        assert "100-4242" in screen_text(app)


async def test_escape_stops_the_find_and_keeps_the_rows(app: RecordingApp, state: MockState,
                                                        knobs: Knobs) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_find(pilot)
        screen.query_one("#query-text", Input).value = "--created-since 60d"
        knobs.latency = 0.05  # slow reads, so there is time to stop
        await pilot.press("f5")
        table = screen.query_one(FoundTable)
        await wait_for(pilot, lambda: len(table.order) >= 3)
        assert screen.running and "Reading" in rendered(screen.query_one("#find-status"))
        await pilot.press("escape")
        assert not screen.running
        await pilot.pause(0.3)
        kept, requests = list(table.order), knobs.requests
        await pilot.pause(0.3)
        assert table.order == kept and knobs.requests == requests  # nothing after the stop
        within = [r for r in state.conversations.values()
                  if r.conversation.created_at >= state.now - timedelta(days=60)]
        assert 3 <= len(kept) < len(within)
        assert kept == newest_first(within)[:len(kept)]
        status = rendered(screen.query_one("#find-status"))
        assert status.startswith(f"Stopped · {len(kept)} matches") and "rows stay" in status
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)


async def test_dixa_failing_half_way_keeps_the_rows_and_says_so(app: RecordingApp,
                                                                knobs: Knobs) -> None:
    from dixa_tui.tui.widgets.errorbar import ErrorBar

    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_find(pilot)
        screen.query_one("#query-text", Input).value = "--created-since 60d"
        knobs.latency = 0.05
        await pilot.press("f5")
        table = screen.query_one(FoundTable)
        await wait_for(pilot, lambda: len(table.order) >= 3)
        knobs.failure_rate, knobs.failure_status = 1.0, 500  # not retried: shown at once
        await wait_for(pilot, lambda: screen.query_one(ErrorBar).shown)
        assert not screen.running and len(table.order) >= 3
        status = rendered(screen.query_one("#find-status"))
        assert f"Stopped by an error after {plural(len(table.order), 'match', 'matches')}" in status
        assert "500" in rendered(screen.query_one(ErrorBar))


async def test_stop_after_reads_only_up_to_n_matches(app: RecordingApp, knobs: Knobs) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_find(pilot)
        screen.query_one("#limit", Input).value = "4"
        table = await run_to_the_end(pilot, screen)
        assert len(table.order) == 4
        assert "Stopped after 4 (the stop-after)" in rendered(screen.query_one("#find-status"))


async def test_a_query_error_is_shown_on_its_line_and_nothing_is_requested(
        app: RecordingApp, knobs: Knobs) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_find(pilot)
        before = knobs.requests
        box = screen.query_one("#query-text", Input)
        box.value = "--created-since 7x --status opn --where 'contact_reasn is empty'"
        box.focus()
        await pilot.press("enter")
        await pilot.press("f5")
        await pilot.pause()
        parts = options_text(screen.query_one("#parts", OptionList))
        assert parts.count("✖") == 3
        assert "'7x' is not a moment" in parts and "did you mean open?" in parts
        assert "did you mean 'contact_reason'" in parts
        assert "Not run" in rendered(screen.query_one("#find-status"))
        assert not screen.running and knobs.requests == before
        screen_text(app)  # nothing raw reached the screen

        # the picker refuses a date it cannot read, and says why as it is typed
        picker = await add_condition(pilot, "closed until", "opt:--closed-until")
        await choose(pilot, picker.query_one("#step-date", OptionList), "typed")
        await pilot.press(*"2026-13-01", "enter")
        assert app.screen is picker
        assert "is not a valid date" in rendered(picker.query_one("#text-check"))
        picker.query_one("#text-input", Input).value = ""
        await pilot.press(*"2026-11-01", "enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.spec.closed_until == "2026-11-01"
        assert knobs.requests == before


async def test_text_values_channels_and_ids_through_the_pickers(app: RecordingApp,
                                                                state: MockState,
                                                                knobs: Knobs) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_find(pilot)
        before = knobs.requests
        picker = await add_condition(pilot, "order", f"attr:{ident(state, 'order_number')}")
        ops = picker.query_one("#step-op", OptionList)
        assert "under" not in options_text(ops)  # a Text has no tree to be under
        await choose(pilot, ops, "one_of")
        await pilot.press(*'100-1, "100, 2"', "enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.spec.where == ('order_number is one of 100-1, "100, 2"',)

        picker = await add_condition(pilot, "channel", "opt:--channel")
        ticks = picker.query_one("#step-choices", SelectionList)
        for _ in range(12):
            option = ticks.highlighted_option
            if option is not None and option.value == "Email":
                break
            await pilot.press("down")
        await pilot.press("space", "f5")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.spec.channel == ("Email",)

        picker = await add_condition(pilot, "queue", "opt:--queue")
        await pilot.press(*"support", "enter")
        assert app.screen is picker
        assert "is not a queue id" in rendered(picker.query_one("#text-check"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: picker.query_one(ContentSwitcher).current == "step-what")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.spec.queue == () and knobs.requests == before
        assert screen.check.ok


async def test_a_saved_query_is_reopened_from_the_screen_and_the_current_one_saved(
        app: RecordingApp, state: MockState, home: Path) -> None:
    config_file(home).write_text(
        '[queries]\n"late" = "--created-since 30d --where \'contact_reason is delivery/late\'"\n',
        encoding="utf-8")
    reason = ident(state, "contact_reason")
    since = state.now - timedelta(days=30)
    expected = newest_first([r for r in state.conversations.values()
                             if r.conversation.created_at >= since
                             and r.values.get(reason) == ["delivery", "late"]])
    assert expected
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_find(pilot)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedQueriesScreen))
        assert "late" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and screen.run_id
                       and not screen.running)
        await pilot.pause()
        assert screen.query_one(FoundTable).order == expected
        assert screen.saved_name == "late"

        screen.query_one("#parts").focus()
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveQueryScreen))
        await pilot.press(*"late")
        assert "saved already" in screen_text(app)
        app.screen.query_one(Input).value = ""
        await pilot.press(*"late again", "enter")
        await wait_for(pilot, lambda: screen.saved_name == "late again")
        from dixa_tui.session.queries import saved_queries

        assert [(q.name, q.text) for q in saved_queries()] == [
            ("late", "--created-since 30d --where 'contact_reason is delivery/late'"),
            ("late again", "--created-since 30d --where 'contact_reason is delivery/late'")]


async def test_the_palette_reopens_a_saved_query_from_the_main_screen(
        app: RecordingApp, state: MockState, home: Path) -> None:
    config_file(home).write_text('[queries]\n"open-ones" = "--created-since 30d '
                                 '--status open"\n', encoding="utf-8")
    since = state.now - timedelta(days=30)
    expected = newest_first([r for r in state.conversations.values()
                             if r.conversation.created_at >= since
                             and r.conversation.state == "Open"])
    async with app.run_test(size=(120, 36)) as pilot:
        main = await started(pilot)
        helps = {c.help for c in app.get_system_commands(main)}
        assert any(h.startswith("Find conversations · key: F") for h in helps)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Find: open")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FindScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.run_id and not screen.running)
        await pilot.pause()
        assert screen.saved_name == "open-ones"
        assert screen.query_one(FoundTable).order == expected


async def test_80x24_shows_the_query_the_progress_and_the_marks(app: RecordingApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_find(pilot)
        screen.query_one("#query-text", Input).value = \
            "--created-since 7d --where 'contact_reason is not empty'"
        table = await run_to_the_end(pilot, screen)
        await pilot.press("space")
        text = screen_text(app)
        assert "Contact reason is not empty" in text
        assert "Done ·" in text and f"1 of {len(table.order)} marked" in text
        assert "Contact reason" in text  # the column's heading
