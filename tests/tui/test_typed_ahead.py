"""Keys typed ahead: before the main screen is up (over the frame drawn before Textual) they
are held and handled in order once it is; "/" on the list opens the filter at once, so the
text typed in the same breath is the filter's; keys typed before a screen came over the main
one (the API key's) are not typed into it; TEXTUAL_DRIVER still chooses Textual's driver."""

from __future__ import annotations

import httpx
import pytest
from textual import events
from textual.widgets import Input
from tui_helpers import wait_for

from dixa_tui.mock import MockState, create_app
from dixa_tui.session.settings import Settings
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.screens.key import KeyScreen
from dixa_tui.tui.widgets.definitions import DefinitionList

KEY = "sk_typed_ahead_9c1d"


def burst(app: DixaApp, text: str) -> None:
    """Keys as a terminal hands a burst over: all at once, none handled before the next."""
    for ch in text:
        app.post_message(events.Key("slash" if ch == "/" else ch, ch))


async def test_a_slash_and_text_at_once_are_the_filters(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.definitions)
        burst(app, "/ord")
        box = app.main_screen.query_one("#filter", Input)
        await wait_for(pilot, lambda: box.value == "ord")
        assert app.focused is box
        assert not app.main_screen.show_archived  # no "a" reached the list's keys


async def test_keys_typed_before_the_main_screen_are_handled_in_order(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        burst(app, "/ord")  # at once: the main screen may not be up yet
        box = app.main_screen.query_one("#filter", Input)
        await wait_for(pilot, lambda: box.value == "ord")


async def test_the_option_search_keeps_its_slash(make_app) -> None:
    """With the focus elsewhere than the list, "/" is that widget's (the option tree's)."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.definitions)
        listing = app.main_screen.query_one(DefinitionList)
        listing.focus()
        await pilot.pause()
        await pilot.press("a")  # show the archived too (a key of the list's screen)
        assert app.main_screen.show_archived
        other = app.main_screen.query_one("#filter", Input)
        other.display = True
        other.focus()
        await pilot.pause()
        burst(app, "a/b")
        await wait_for(pilot, lambda: other.value == "a/b")


async def test_keys_typed_before_the_key_screen_are_not_typed_into_it(
        state: MockState, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIXA_API_KEY", raising=False)
    app = DixaApp(Settings(base_url="http://127.0.0.1:8765"),
                  transport_factory=lambda: httpx.ASGITransport(
                      app=create_app(state, api_key=KEY)))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, KeyScreen))
        app._holding = True  # as at a start: typed before the key screen showed
        burst(app, "/jk")
        await pilot.pause()
        await app._replay()
        await pilot.pause()
        assert app.screen.query_one("#key-input", Input).value == ""
        assert not app._holding


def test_textual_driver_still_chooses_the_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual import constants
    from textual.drivers.headless_driver import HeadlessDriver

    from dixa_tui.tui.predriver import FramedDriver

    monkeypatch.setattr(constants, "DRIVER", None)
    assert DixaApp(Settings(demo=True)).driver_class is FramedDriver
    # Textual reads TEXTUAL_DRIVER once, into its constants
    monkeypatch.setattr(constants, "DRIVER", "textual.drivers.headless_driver:HeadlessDriver")
    assert DixaApp(Settings(demo=True)).driver_class is HeadlessDriver
