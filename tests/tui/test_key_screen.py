"""KeyScreen: the API key of one profile, against the in-memory keyring (tests/conftest.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringLocked
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from dixa_tui.secrets import ENV_VAR, SERVICE
from dixa_tui.tui.screens.key import KeyOutcome, KeyScreen

SENTINEL = "Qx7SENTINELdixakey9Zw"
SIZE = (80, 24)


class Host(App[None]):
    """Pushes one KeyScreen and records what it was dismissed with."""

    def __init__(self, screen: KeyScreen) -> None:
        super().__init__()
        self.key_screen = screen
        self.outcomes: list[KeyOutcome | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.key_screen, self.outcomes.append)


class LockedKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("locked")


@pytest.fixture
def use_backend() -> Iterator:
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


async def settle(pilot: Pilot) -> None:
    """Let the thread workers finish and their messages be handled."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def text(app: App, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def enter_key(pilot: Pilot, key: str = SENTINEL) -> Input:
    field = pilot.app.screen.query_one("#key-input", Input)
    field.focus()
    field.value = key
    await pilot.pause()
    return field


def assert_not_shown(app: App) -> None:
    assert SENTINEL not in app.export_screenshot()
    assert "SENTINEL" not in app.export_screenshot()


async def test_status_without_key_and_password_field() -> None:
    app = Host(KeyScreen("default", reason="No Dixa API key for profile 'default'."))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, KeyScreen)
        status = text(app, "#key-status")
        assert "no key stored" in status
        assert "MemoryKeyring" in status or "memory" in status.lower()
        assert "No Dixa API key for profile 'default'." in text(app, "#key-reason")
        assert app.screen.query_one("#key-input", Input).password is True
        assert app.screen.query_one("#key-dialog").border_title is not None


async def test_enter_saves_to_keyring(memory_keyring) -> None:
    app = Host(KeyScreen("work"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        field = await enter_key(pilot, f"  {SENTINEL}  ")
        assert_not_shown(app)
        await pilot.press("enter")
        await settle(pilot)
        assert memory_keyring.get_password(SERVICE, "work") == SENTINEL
        assert len(app.outcomes) == 1
        outcome = app.outcomes[0]
        assert outcome is not None and outcome.stored is True and outcome.deleted is False
        assert outcome.key is not None and outcome.key.get_secret_value() == SENTINEL
        assert SENTINEL not in repr(outcome)
        assert field.value == ""
        assert not isinstance(app.screen, KeyScreen)


async def test_session_only_does_not_store(memory_keyring) -> None:
    app = Host(KeyScreen("default"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        field = await enter_key(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        [outcome] = app.outcomes
        assert outcome is not None and outcome.stored is False
        assert outcome.key is not None and outcome.key.get_secret_value() == SENTINEL
        assert memory_keyring.store == {}
        assert field.value == ""


async def test_session_button(memory_keyring) -> None:
    app = Host(KeyScreen("default"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await enter_key(pilot)
        await pilot.click("#key-session")
        await settle(pilot)
        [outcome] = app.outcomes
        assert outcome is not None and outcome.stored is False
        assert memory_keyring.store == {}


@pytest.mark.parametrize(("value", "words"), [
    ("", "Paste a key first."),
    ("   ", "Paste a key first."),
    (f"{SENTINEL} {SENTINEL}", "spaces"),
    (f"{SENTINEL}\t{SENTINEL}", "control characters"),
    (f"{SENTINEL}\x1b[2J", "control characters"),
    (f"“{SENTINEL}”", "ASCII"),
])
async def test_bad_input_is_explained_and_kept(memory_keyring, value: str, words: str) -> None:
    app = Host(KeyScreen("default"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        field = await enter_key(pilot, value)
        for action in ("enter", "ctrl+t"):
            await pilot.press(action)
            await settle(pilot)
            assert words in text(app, "#key-message")
            assert field.value == value
        assert app.outcomes == []
        assert memory_keyring.store == {}
        assert isinstance(app.screen, KeyScreen)
        assert_not_shown(app)


@pytest.mark.parametrize(("backend", "words"), [
    (fail.Keyring, "no OS keyring is available"),
    (LockedKeyring, "the OS keyring is locked"),
])
async def test_no_backend_offers_session(use_backend, backend, words: str) -> None:
    use_backend(backend())
    app = Host(KeyScreen("default", required=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = text(app, "#key-status")
        assert words.lower() in status.lower() and ENV_VAR in status  # shown up front
        field = await enter_key(pilot)
        await pilot.press("enter")
        await settle(pilot)
        message = text(app, "#key-message")
        assert f"Not saved: {words}" in message and ENV_VAR in message
        assert "Use for this session only" in message
        assert field.value == SENTINEL
        assert app.outcomes == []
        assert app.focused is app.screen.query_one("#key-session", Button)
        assert_not_shown(app)
        await pilot.press("enter")  # on the focused "Use for this session only"
        await settle(pilot)
        [outcome] = app.outcomes
        assert outcome is not None and outcome.stored is False
        assert outcome.key is not None and outcome.key.get_secret_value() == SENTINEL


async def test_env_var_is_named_never_shown(monkeypatch, memory_keyring) -> None:
    monkeypatch.setenv(ENV_VAR, SENTINEL)
    memory_keyring.set_password(SERVICE, "default", "from-keyring")
    app = Host(KeyScreen("default"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = text(app, "#key-status")
        assert f"environment variable {ENV_VAR}" in status
        assert "takes precedence" in status
        assert SENTINEL not in status and "from-keyring" not in status
        assert_not_shown(app)
        assert "from-keyring" not in app.export_screenshot()


async def test_keyring_source_is_named(memory_keyring) -> None:
    memory_keyring.set_password(SERVICE, "default", SENTINEL)
    app = Host(KeyScreen("default"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert f"OS keyring ({memory_keyring.name})" in text(app, "#key-status")
        assert_not_shown(app)


async def test_delete_asks_first(memory_keyring) -> None:
    memory_keyring.set_password(SERVICE, "default", SENTINEL)
    app = Host(KeyScreen("default"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert "again to confirm" in text(app, "#key-message")
        assert memory_keyring.get_password(SERVICE, "default") == SENTINEL
        await pilot.press("escape")  # backs out of the confirmation, not the screen
        await settle(pilot)
        assert "kept" in text(app, "#key-message") and app.outcomes == []
        await pilot.press("ctrl+g")
        await pilot.click("#key-delete")
        await settle(pilot)
        assert memory_keyring.store == {}
        assert app.outcomes == [KeyOutcome(None, stored=False, deleted=True)]


async def test_delete_without_stored_key_says_so(memory_keyring) -> None:
    app = Host(KeyScreen("default"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g", "ctrl+g")
        await settle(pilot)
        assert "no key stored" in text(app, "#key-message")
        assert app.outcomes == []


async def test_required_escape_explains(memory_keyring) -> None:
    app = Host(KeyScreen("default", required=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, KeyScreen)
        assert app.outcomes == []
        message = text(app, "#key-message")
        assert "needs a key" in message and "ctrl+q" in message
        assert not app.screen.query("#key-cancel")


async def test_escape_closes_when_optional() -> None:
    app = Host(KeyScreen("default"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        field = await enter_key(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.outcomes == [None]
        assert field.value == ""


async def test_untrusted_text_is_literal() -> None:
    app = Host(KeyScreen("[bold]p[/]", reason="Dixa said [red]no[/] \x1b[31m"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Dixa said [red]no[/]" in text(app, "#key-reason")
        assert "\x1b" not in text(app, "#key-reason")
        assert "[bold]p[/]" in app.export_screenshot()  # the title, literally


async def test_palette_runs_the_actions(memory_keyring) -> None:
    app = Host(KeyScreen("default"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await enter_key(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"session only", "enter")
        await settle(pilot)
        [outcome] = app.outcomes
        assert outcome is not None and outcome.stored is False
        assert memory_keyring.store == {}


def test_import_is_light() -> None:
    code = ("import sys, dixa_tui.tui.screens.key\n"
            "print(sorted(m for m in ('pydantic', 'httpx', 'keyring', 'dixa_tui.secrets')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


async def test_the_key_cannot_be_copied_or_cut_out_of_the_field() -> None:
    from dixa_tui.tui.screens.key import KeyScreen, PasswordInput

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(KeyScreen("default"))

    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        box = app.screen.query_one(PasswordInput)
        box.focus()
        await pilot.press(*"SECRETKEY123", "shift+home", "ctrl+c")
        await pilot.press("shift+home", "ctrl+x")
        await pilot.pause()
        assert app.clipboard != "SECRETKEY123" and "SECRETKEY123" not in app.clipboard
        assert box.value == "SECRETKEY123"
