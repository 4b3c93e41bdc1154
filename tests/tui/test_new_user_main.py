"""Issue 10's main-screen items: 80x24 (item 10), the sort and option matches (item 11), the
filter box's esc (item 12), the palette (item 13), the badge (item 16) and toasts over the
error bar (item 5)."""

from __future__ import annotations

from typing import Any

import pytest
from test_editor import by_identifier, choose_conversation, highlight, open_editor
from textual.widgets import Input
from tui_helpers import main_screen, rendered, screen_text, started, wait_for

from dixa_tui.mock import MockState
from dixa_tui.session.settings import Settings
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.detail import DetailPane
from dixa_tui.tui.widgets.errorbar import ErrorBar
from dixa_tui.tui.widgets.header import StatusHeader


async def filter_to(pilot: Any, text: str) -> Any:
    screen = main_screen(pilot.app)
    await pilot.press("slash", *text, "enter")
    listing = screen.query_one(DefinitionList)
    await wait_for(pilot, lambda: listing.highlighted is not None
                   and listing.highlighted.id in screen.details)
    await pilot.pause(0.2)
    return screen


def lines(app: Any) -> list[str]:
    return screen_text(app).splitlines()


# -- item 10: 80x24 ----------------------------------------------------------------------------


async def test_ids_stay_whole_at_80x24(make_app, state: MockState) -> None:
    app = make_app()
    reason = by_identifier(state, "contact_reason")
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await filter_to(pilot, "contact_reason")
        assert any(reason.id in line for line in lines(app)), screen_text(app)
        await choose_conversation(pilot, 10001)
        editor = await open_editor(pilot)
        await highlight(pilot, editor, "order_number")
        await pilot.press("enter", *"-1", "enter")
        await pilot.pause()
        order = by_identifier(state, "order_number")
        assert any(order.id in line for line in lines(app)), screen_text(app)


async def test_lines_cut_at_80x24_end_in_an_ellipsis(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(pilot)
        await choose_conversation(pilot, 10001)
        await pilot.pause()
        rows = lines(app)
        for widget in (screen.query_one("#target-bar"), screen.query_one("#list-status")):
            region = widget.content_region
            full = rendered(widget).strip()
            row = next(row for row in rows if full[:10] in row)
            start = row.index(full[:10])
            part = row[start:start + region.width].split("│")[0].rstrip()
            assert part == full or (part.endswith("…") and full.startswith(part[:-1])), \
                (part, full)
            assert part, widget


async def test_rows_of_the_other_entity_are_marked(make_app, state: MockState) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(pilot)
        await choose_conversation(pilot, 10001)
        listing = screen.query_one(DefinitionList)
        await pilot.pause()
        contact_rows = [i for i, d in enumerate(listing.rows) if d.entity_type == "Contact"]
        assert contact_rows
        row = "".join(s.text for s in listing.render_line(contact_rows[0] + 1))
        assert "end user" in row, row
        conversation_row = next(i for i, d in enumerate(listing.rows)
                                if d.entity_type == "Conversation")
        row = "".join(s.text for s in listing.render_line(conversation_row + 1))
        assert "end user" not in row


# -- item 11: the sort, and a filter that matched an option ------------------------------------


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_the_current_sort_is_always_shown(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        assert "Dixa's order" in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert "by entity type" in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert "by label" in screen_text(app)


async def test_a_filter_matching_an_option_opens_the_tree_to_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await filter_to(pilot, "wild camp")
        pane = screen.query_one(DetailPane)
        assert pane.definition is not None and pane.definition.input_type == "Select"
        tree = pane.browser.option_tree
        await pilot.pause()
        path = tree.highlighted_path
        assert path is not None and "Wild camping" in path[-1].label
        assert "Wild camping" in screen_text(app)


# -- item 12: the filter box ------------------------------------------------------------------


async def test_esc_in_the_filter_closes_it_and_slash_opens_it_empty(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await started(pilot)
        box = screen.query_one("#filter", Input)
        await pilot.press("slash", *"ord")
        assert box.has_focus and box.value == "ord"
        await pilot.press("escape")
        await pilot.pause()
        assert not box.display and box.value == ""
        assert screen.query_one(DefinitionList).has_focus
        await pilot.press("slash")
        await pilot.pause()
        assert box.has_focus and box.value == ""


async def test_no_match_leaves_no_stale_detail_title(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await filter_to(pilot, "order_number")
        pane = screen.query_one(DetailPane)
        assert "Text" in str(pane.border_title)
        screen.query_one("#filter", Input).value = "zzqqxx"
        await wait_for(pilot, lambda: pane.definition is None)
        await pilot.pause()
        assert str(pane.border_title) == "Detail"
        assert "Nothing selected" in rendered(pane.query_one("#detail-fields"))


# -- item 13: palette entries are sentences ----------------------------------------------------


async def test_palette_entries_are_sentences(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await started(pilot)
        titles = {c.title for c in app.get_system_commands(screen)}
        for wanted in ("Show or hide archived definitions",
                       "Show or hide deactivated definitions",
                       "Filter the definitions", "Target — Choose the end user or conversation",
                       "History — Every write from this machine"):
            assert any(title.startswith(wanted) for title in titles), (wanted, titles)
        for bare in ("Archived", "Back", "Down", "Deactivated", "Sort"):
            assert bare not in titles


def test_every_binding_has_a_sentence() -> None:
    from dixa_tui.tui.keys import all_bindings

    for _, binding in all_bindings():
        sentence = binding.tooltip
        assert sentence and len(sentence.split()) >= 3, binding.id


# -- item 16: the badge says what it is --------------------------------------------------------


@pytest.mark.parametrize(("url", "demo", "text"), [
    ("http://demo.dixa.invalid", True, "DEMO"),
    ("https://dev.dixa.io", False, "PRODUCTION"),
    ("http://127.0.0.1:8765", False, "LOCAL"),
    ("http://localhost:8765", False, "LOCAL"),
    ("http://[::1]:8765", False, "LOCAL"),
    ("https://dixa-proxy.example.com", False, "REMOTE"),
])
def test_badge(url, demo, text):
    from dixa_tui.tui.widgets.header import badge

    assert badge(url, demo=demo).text == text


def test_a_profile_names_its_own_badge():
    from dixa_tui.tui.widgets.header import badge

    assert badge("https://dixa-proxy.example.com", demo=False, name="Staging").text == "STAGING"


async def test_a_loopback_base_url_is_badged_local(make_app, monkeypatch) -> None:
    from dixa_tui.mock import DEMO_API_KEY

    monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)
    app = make_app(Settings(base_url="http://127.0.0.1:8765"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await started(pilot)
        header = rendered(screen.query_one(StatusHeader))
        assert "LOCAL" in header and "PRODUCTION" not in header


# -- item 5: a toast never covers the error bar ------------------------------------------------


async def test_a_toast_does_not_cover_the_error_bar(make_app, monkeypatch) -> None:
    monkeypatch.setenv("DIXA_API_KEY", "not-the-demo-key")
    app = make_app(Settings())
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        bar = main_screen(app).query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        app.notify("API key used for this session only.", title="API key")
        await pilot.pause(0.3)
        toasts = list(app.screen.query("Toast"))
        assert toasts
        for toast in toasts:
            assert not toast.region.overlaps(bar.region), (toast.region, bar.region)
