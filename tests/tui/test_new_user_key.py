"""Issue 10's key-screen items: it names the key really in use (item 3), shows the demo's key
read-only (item 15), and on a machine with no keyring offers only what works (item 15)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import keyring
import pytest
from keyring.backends import fail
from textual.widgets import Button, Input
from tui_helpers import rendered, started, wait_for

from dixa_tui.mock import MockState, create_app
from dixa_tui.session.settings import Settings
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.screens.key import KeyScreen

KEY = "sk_session_only_5e1a"


def app_without_key(state: MockState) -> DixaApp:
    return DixaApp(Settings(base_url="http://127.0.0.1:8765"),
                   transport_factory=lambda: httpx.ASGITransport(
                       app=create_app(state, api_key=KEY)))


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


async def session_key(pilot, app: DixaApp) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, KeyScreen))
    field = app.screen.query_one("#key-input", Input)
    field.focus()
    field.value = KEY
    await pilot.press("ctrl+t")  # "Use for this session only"
    await wait_for(pilot, lambda: app.main_screen.definitions)


async def test_after_session_only_the_key_screen_says_session(memory_keyring) -> None:
    app = app_without_key(MockState.demo())
    async with app.run_test(size=(100, 30)) as pilot:
        await session_key(pilot, app)
        await pilot.press("K")
        await wait_for(pilot, lambda: isinstance(app.screen, KeyScreen))
        status = app.screen.query_one("#key-status")
        await wait_for(pilot, lambda: "Key in use" in rendered(status))
        said = rendered(status)
        assert "this session only" in said and "no key stored" not in said
        assert KEY not in app.export_screenshot()
    assert memory_keyring.store == {}


async def test_the_demo_shows_its_key_read_only() -> None:
    app = DixaApp(Settings(demo=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot)
        await pilot.press("K")
        await wait_for(pilot, lambda: isinstance(app.screen, KeyScreen))
        screen = app.screen
        said = rendered(screen.query_one("#key-status"))
        assert "demo" in said
        assert not screen.query("#key-input") and not screen.query("#key-save")
        assert not screen.query("#key-delete") and not screen.query("#key-session")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, KeyScreen))


async def test_without_keyring_only_what_works_is_offered(no_keyring) -> None:
    app = app_without_key(MockState.demo())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, KeyScreen)
                       and "Keyring:" in rendered(app.screen.query_one("#key-status")))
        screen = app.screen
        await pilot.pause()
        assert not screen.query_one("#key-save", Button).display
        assert not screen.query_one("#key-delete", Button).display
        assert screen.query_one("#key-session", Button).display
        said = rendered(screen.query_one("#key-status"))
        assert "cannot be saved" in said and "this session" in said
        commands = [name for name, _, _ in screen.palette_commands()]
        assert commands == ["Key: use for this session only"]
        footer = app.export_screenshot()
        assert "Save to keyring" not in footer and "Delete stored" not in footer
        await pilot.press("ctrl+g")  # not offered: nothing happens, nothing asked
        await pilot.pause()
        assert "Yes, delete it" not in app.export_screenshot()
        field = screen.query_one("#key-input", Input)
        field.focus()
        field.value = KEY
        await pilot.press("enter")  # enter would save: it says why it cannot
        await pilot.pause()
        message = rendered(screen.query_one("#key-message"))
        assert "Not saved: no OS keyring is available" in message
        assert app.focused is screen.query_one("#key-session", Button)
