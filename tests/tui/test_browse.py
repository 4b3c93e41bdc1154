"""Browse -> filter -> detail, the toggles, copying, errors with retry, and the start-up."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from tui_helpers import main_screen, rendered, started, wait_for

from dixa_tui.mock import MockState
from dixa_tui.session.settings import Settings
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.detail import DetailPane
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.header import StatusHeader


def listing(app) -> DefinitionList:
    return main_screen(app).query_one(DefinitionList)


def visible_identifiers(app) -> list[str]:
    return [d.identifier for d in listing(app).rows]


async def test_starts_with_demo_badge_and_loads_definitions(make_app, state) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await started(pilot)
        header = screen.query_one(StatusHeader)
        assert header.demo is True
        assert "DEMO" in rendered(header) and "PRODUCTION" not in rendered(header)
        hidden = [d for d in state.definitions if d.is_archived or d.is_deactivated]
        assert len(listing(app).rows) == len(state.definitions) - len(hidden)
        assert not any(d.is_archived for d in listing(app).rows)
        assert "hidden: 4 archived (a)" in rendered(screen.query_one("#list-status"))
        # the search index is built just after the list shows, not before
        assert screen.search is not None
        await wait_for(pilot, lambda: screen.search.prepared)


async def test_filter_then_detail_fetched_by_id(make_app, knobs) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await started(pilot)
        await pilot.press("slash", *"contact rea")
        assert screen.query_one("#filter", Input).has_focus
        assert visible_identifiers(app)[0] == "contact_reason"
        await pilot.press("enter")
        assert listing(app).has_focus
        pane = screen.query_one(DetailPane)
        await wait_for(pilot, lambda: listing(app).highlighted.id in screen.details)
        await pilot.pause()
        assert pane.definition.identifier == "contact_reason"
        text = rendered(pane.query_one("#detail-fields"))
        assert "GET /custom-attributes/{id}" in text
        assert "Required" in text and "Select" in text
        # fuzzy: letters in order across the identifier
        screen.query_one("#filter", Input).value = "ordnum"
        await pilot.pause()
        assert visible_identifiers(app) == ["order_number"]
        # option labels are searched too
        screen.query_one("#filter", Input).value = "damaged"
        await pilot.pause()
        assert "contact_reason" in visible_identifiers(app)
        # escape clears, a second escape hides the filter
        screen.query_one("#filter", Input).focus()
        await pilot.press("escape")
        assert screen.query_one("#filter", Input).value == ""
        await pilot.press("escape")
        assert not screen.query_one("#filter", Input).display


async def test_navigation_keys_and_toggles(make_app, state) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot)
        rows = listing(app).rows
        await pilot.press("G")
        assert listing(app).highlighted is rows[-1]
        await pilot.press("g", "j", "j", "k")
        assert listing(app).highlighted is rows[1]
        await pilot.press("a")
        assert any(d.is_archived for d in listing(app).rows)
        await pilot.press("d")
        assert len(listing(app).rows) == len(state.definitions)
        await pilot.press("s")  # by entity type: every Contact before every Conversation
        entities = [d.entity_type for d in listing(app).rows]
        assert entities == sorted(entities)
        await pilot.press("s")  # by label
        labels = [d.label.casefold() for d in listing(app).rows]
        assert labels == sorted(labels)


async def test_copy_id_uses_the_clipboard_and_says_so(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot)
        first = listing(app).highlighted
        await pilot.press("c")
        assert app.clipboard == first.id
        assert any(first.id in str(n.message) for n in app._notifications)


async def test_load_failure_shows_status_and_message_then_retry(make_app, knobs) -> None:
    knobs.failure_rate, knobs.failure_status = 1.0, 500
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = main_screen(app)
        bar = screen.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        text = rendered(bar)
        assert "HTTP 500" in text and "list definitions" in text and "ctrl+r" in text
        assert not screen.definitions
        knobs.failure_rate = 0.0
        await pilot.press("ctrl+r")
        await started(pilot)
        assert not bar.shown


async def test_untrusted_labels_render_literally(make_app, state: MockState) -> None:
    hostile = state.definitions[0].model_copy(update={
        "label": "[bold red]X[/] \x1b[31mred\x1b]0;title\x07", "identifier": "[link]y"})
    state.definitions[0] = hostile
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await started(pilot)
        await pilot.press("slash", *"[bold")
        await pilot.press("enter")
        line = "".join(seg.text for seg in listing(app).render_line(1))
        assert "[bold red]X[/] red" in line and "\x1b" not in line
        svg = app.export_screenshot()
        assert "[bold red]X[/]" in svg.replace("&#160;", " ")
        await pilot.press("c")  # the notification shows the label literally too
        await pilot.pause()
        assert any("[bold red]X[/]" in str(n.message) and not n.markup
                   for n in app._notifications)


async def test_no_key_opens_the_key_screen(make_app, monkeypatch) -> None:
    from dixa_tui.tui.screens.key import KeyScreen

    app = make_app(Settings())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, KeyScreen))
        assert app.session is None or app.session.client is None
        header = main_screen(app).query_one(StatusHeader)
        assert header.demo is False and "PRODUCTION" in rendered(header)


async def test_help_lists_every_binding(make_app) -> None:
    from dixa_tui.tui.keys import all_bindings
    from dixa_tui.tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = app.export_screenshot()
        for _, binding in list(all_bindings())[:12]:
            assert binding.id in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


def test_every_binding_has_an_id_and_avoids_eaten_keys() -> None:
    from dixa_tui.tui.keys import all_bindings

    eaten = {"ctrl+s", "ctrl+j", "ctrl+enter", "ctrl+z", "ctrl+c"}
    ids = []
    for _, binding in all_bindings():
        assert binding.id, binding
        assert not eaten & set(binding.key.split(",")), binding
        ids.append(binding.id)


@pytest.mark.parametrize("width,height", [(80, 24), (200, 50)])
async def test_usable_at_80x24_and_wide(make_app, width, height) -> None:
    app = make_app()
    async with app.run_test(size=(width, height)) as pilot:
        await started(pilot)
        line = "".join(seg.text for seg in listing(app).render_line(0))
        assert "Label" in line
        assert listing(app).size.height >= 5
        assert main_screen(app).query_one(DetailPane).size.width >= 30


async def test_a_refused_key_says_what_to_do(make_app, monkeypatch) -> None:
    monkeypatch.setenv("DIXA_API_KEY", "not-the-demo-key")
    app = make_app(Settings())
    async with app.run_test(size=(120, 30)) as pilot:
        bar = main_screen(app).query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        text = rendered(bar)
        assert "HTTP 401" in text and "press K" in text
        assert "not-the-demo-key" not in app.export_screenshot()


async def test_unreadable_definitions_are_left_out_with_one_warning(make_app, state) -> None:
    state.unreadable = [(1, {"id": 7, "label": "[red]x[/red]"}), (3, None)]
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await started(pilot)
        assert len(screen.definitions) == len(state.definitions)
        def warnings() -> list[str]:
            return [str(n.message) for n in app._notifications if n.severity == "warning"]

        assert len(warnings()) == 1 and not any(n.markup for n in app._notifications)
        assert "2 definitions sent by Dixa could not be read" in warnings()[0]
        assert "item 1: id:" in warnings()[0] and "item 3: not an object" in warnings()[0]
        assert "2 unreadable" in rendered(screen.query_one("#list-status"))
        await pilot.press("r")  # the same ones again: not said twice
        await wait_for(pilot, lambda: not screen.fetching)
        await pilot.pause()
        assert len(warnings()) == 1
        state.unreadable.append((0, "another"))
        await pilot.press("r")  # new ones: said again
        await wait_for(pilot, lambda: len(warnings()) == 2)
        assert "3 unreadable" in rendered(screen.query_one("#list-status"))
