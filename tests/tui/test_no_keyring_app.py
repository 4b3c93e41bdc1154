"""The whole app on a machine whose keyring cannot be used: none at all, disabled, or locked.

The key screen opens first and explains why (naming DIXA_API_KEY); saving says it was not
saved and offers the session-only key; the session-only key then loads the definitions, and
the keyring is never written. (tests/keyring does the locked case against gnome-keyring.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import KeyringLocked
from textual.widgets import Button, Input
from tui_helpers import rendered, wait_for

from dixa_tui.mock import MockState, create_app
from dixa_tui.secrets import ENV_VAR
from dixa_tui.session.settings import Settings
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.screens.key import KeyScreen

KEY = "sk_no_keyring_app_31f7"


class LockedKeyring(KeyringBackend):
    """Every call fails the way a locked Secret Service does."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls += 1
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


@pytest.fixture
def use_backend() -> Iterator[Callable[[KeyringBackend], KeyringBackend]]:
    previous = keyring.get_keyring()

    def use(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(previous)


CASES = [
    (fail.Keyring, "No OS keyring is available", "no OS keyring is available"),
    (null.Keyring, "disabled by configuration", "no OS keyring is available"),
    (LockedKeyring, "The OS keyring is locked", "the OS keyring is locked"),
]


@pytest.mark.parametrize(("backend", "status_words", "refusal"), CASES,
                         ids=["no-backend", "null", "locked"])
async def test_the_key_screen_explains_and_a_session_key_works(
        use_backend, backend: type[KeyringBackend], status_words: str, refusal: str) -> None:
    used = use_backend(backend())
    state = MockState.demo()
    app = DixaApp(Settings(base_url="http://mock"), transport_factory=lambda: httpx.ASGITransport(
        app=create_app(state, api_key=KEY)))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, KeyScreen)
                       and status_words in rendered(app.screen.query_one("#key-status")))
        screen = app.screen
        reason = rendered(screen.query_one("#key-reason"))
        status = rendered(screen.query_one("#key-status"))
        assert "No Dixa API key for profile 'default'" in reason
        assert ENV_VAR in status and "Keyring:" in status
        assert "no key stored" in status
        assert not screen.query("#key-cancel")  # required: nothing behind it to go back to

        field = screen.query_one("#key-input", Input)
        assert field.password is True
        field.focus()
        await pilot.press(*KEY, "enter")  # enter saves
        await wait_for(pilot, lambda: "Not saved" in rendered(screen.query_one("#key-message")))
        message = rendered(screen.query_one("#key-message"))
        assert f"Not saved: {refusal}" in message
        assert "Use for this session only" in message and ENV_VAR in message
        assert app.focused is screen.query_one("#key-session", Button)
        assert KEY not in app.export_screenshot()

        await pilot.press("enter")  # the focused "Use for this session only"
        main = app.main_screen
        await wait_for(pilot, lambda: main.definitions)
        assert not isinstance(app.screen, KeyScreen)
        assert len(main.definitions) == len(state.definitions)
        assert "used for this session only" in " ".join(
            str(n.message) for n in app._notifications)
    if isinstance(used, LockedKeyring):
        assert used.calls >= 2  # it was asked (read at start, write on save), never bypassed
