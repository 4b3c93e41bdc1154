"""The CLI and the TUI against a real gnome-keyring Secret Service (see conftest.py):
unlocked, then locked. The key lands in the OS keyring, is read back from it, and a locked
keyring is explained (with DIXA_API_KEY and a session-only key as the ways forward) instead
of hanging or falling back to anything else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest
import secretstorage
from click.testing import CliRunner, Result
from textual.widgets import Input, Static
from tui_helpers import wait_for

from dixa_tui.cli import main
from dixa_tui.mock import MockState, create_app
from dixa_tui.secrets import ENV_VAR, SERVICE
from dixa_tui.session.settings import Settings
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.screens.key import KeyScreen

if TYPE_CHECKING:
    from tests.keyring.conftest import PrivateKeyring

pytestmark = [pytest.mark.keyring, pytest.mark.timeout(90)]

KEY = "sk_real_keyring_apps_8e4a"


def stored_items(ring: PrivateKeyring, profile: str = "default") -> list[bytes]:
    with ring.connection() as conn:
        return [item.get_secret() for item in
                secretstorage.search_items(conn, {"service": SERVICE, "username": profile})]


def cli(url: str, *args: str, stdin: str | None = None, env_key: str = "") -> Result:
    result = CliRunner().invoke(main, ["--base-url", url, *args], input=stdin,
                                env={ENV_VAR: env_key})
    assert "Traceback" not in result.output
    assert KEY not in result.output
    return result


def test_cli_with_the_secret_service(secret_service: PrivateKeyring, serve_mock: Any) -> None:
    url, _, _ = serve_mock(api_key=KEY)
    assert cli(url, "auth", "set", stdin=KEY + "\n").exit_code == 0
    assert stored_items(secret_service) == [KEY.encode()]
    status = cli(url, "auth", "status")
    assert status.exit_code == 0
    assert "from the OS keyring" in status.stdout and "SecretService" in status.stdout
    assert cli(url, "definitions", "list").exit_code == 0  # the key came from the keyring

    secret_service.lock()
    for args, stdin in ((("auth", "status"), None), (("definitions", "list"), None),
                        (("auth", "set"), "another-key\n"), (("auth", "clear"), None)):
        locked = cli(url, *args, stdin=stdin)
        assert locked.exit_code == 2, (args, locked.output)
        assert "The OS keyring is locked" in locked.output and ENV_VAR in locked.output
    # The way around it works without touching the keyring.
    assert cli(url, "definitions", "list", env_key=KEY).exit_code == 0
    assert secret_service.is_locked()

    secret_service.unlock()
    assert stored_items(secret_service) == [KEY.encode()]  # nothing was lost or replaced
    assert cli(url, "auth", "clear").exit_code == 0
    assert stored_items(secret_service) == []


def app_for(state: MockState) -> DixaApp:
    return DixaApp(Settings(base_url="http://mock"), transport_factory=lambda: httpx.ASGITransport(
        app=create_app(state, api_key=KEY)))


async def until(pilot: Any, predicate: Any) -> None:
    await wait_for(pilot, predicate, timeout=20.0)  # the real Secret Service is slower


def text_of(app: DixaApp, selector: str) -> str:
    """The text of a Static on the current screen; "" while that screen is still mounting."""
    found = app.screen.query(selector).results(Static)
    widget = next(iter(found), None)
    return "" if widget is None else str(widget.content)


async def test_tui_saves_to_reads_from_and_explains_a_locked_secret_service(
        secret_service: PrivateKeyring) -> None:
    state = MockState.demo()

    # No key yet: the key screen; the typed key is saved in the Secret Service.
    app = app_for(state)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, KeyScreen)
                    and "SecretService" in text_of(app, "#key-status"))
        field = app.screen.query_one("#key-input", Input)
        assert field.password is True
        field.focus()
        await pilot.press(*KEY, "ctrl+o")
        await until(pilot, lambda: app.main_screen.definitions)
    assert stored_items(secret_service) == [KEY.encode()]

    # Next start: the key comes from the Secret Service, no key screen.
    app = app_for(state)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.main_screen.definitions)
        assert not any(isinstance(s, KeyScreen) for s in app.screen_stack)

    # Locked: the key screen says so; saving is refused; the session-only key works.
    secret_service.lock()
    app = app_for(state)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, KeyScreen)
                    and "locked" in text_of(app, "#key-status"))
        status = text_of(app, "#key-status")
        assert "The OS keyring is locked" in status and ENV_VAR in status
        field = app.screen.query_one("#key-input", Input)
        field.focus()
        await pilot.press(*KEY, "ctrl+o")
        await until(pilot, lambda: "Not saved" in text_of(app, "#key-message"))
        message = text_of(app, "#key-message")
        assert "the OS keyring is locked" in message and "session only" in message
        assert KEY not in app.export_screenshot()
        await pilot.press("ctrl+t")
        await until(pilot, lambda: app.main_screen.definitions)
    assert secret_service.is_locked()
    secret_service.unlock()
    assert stored_items(secret_service) == [KEY.encode()]
