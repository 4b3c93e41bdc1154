"""Read-only and protected profiles in the terminal UI: a read-only profile previews edits
but offers no send and refuses undo (the header says READ-ONLY); a profile that asks before
every send asks in the editor, naming the target and the number of changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tui_helpers import rendered, screen_text, started, wait_for

from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID
from dixa_tui.session.settings import Settings
from dixa_tui.tui.screens.confirm import ConfirmScreen
from dixa_tui.tui.screens.editor import EditorScreen

ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"


@pytest.fixture
def profile(home: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``profile(settings_toml)``: a profile ``p`` with those settings, and the key the mock
    takes in the environment; returns the Settings that select it."""

    def make(lines: str) -> Settings:
        path = home / ".config" / "dixa-tui" / "config.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'[profiles.p]\nbase_url = "http://127.0.0.1:9"\n{lines}\n',
                        encoding="utf-8")
        monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)
        return Settings(profile_name="p")

    return make


async def test_a_read_only_profile_previews_but_never_sends(make_app, profile, knobs: Knobs,
                                                            state: MockState) -> None:
    from test_editor import choose_conversation, open_editor, type_text

    app = make_app(profile("read_only = true"))
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        assert "READ-ONLY" in screen_text(app)
        await choose_conversation(pilot, DEMO_CONVERSATION_ID)
        editor = await open_editor(pilot)
        assert not editor.query_one("#send").display
        await type_text(pilot, editor, "order_number", "100-RO")
        assert "100-2345 -> 100-RO" in rendered(editor.query_one("#diff"))  # previewed
        assert "read-only profile" in rendered(editor.query_one("#status"))
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert any("is read-only" in str(n.message) for n in app._notifications)
        assert knobs.writes == 0 and not editor.sending
        assert state.conversation_values(DEMO_CONVERSATION_ID)[ORDER_NUMBER] == "100-2345"


async def test_a_read_only_profile_refuses_undo_from_history(make_app, profile,
                                                             knobs: Knobs) -> None:
    from test_history_screen import journal_write, open_history

    settings = profile("read_only = true")
    journal_write("10001", {ORDER_NUMBER: "100-1"}, {ORDER_NUMBER: "100-2345"})
    app = make_app(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        await open_history(pilot)
        await pilot.press("u")
        await pilot.pause()
        assert any("cannot undo" in str(n.message) for n in app._notifications)
        assert not isinstance(app.screen, EditorScreen) and knobs.writes == 0


async def test_confirm_always_asks_with_the_target_and_the_count(make_app, profile,
                                                                 knobs: Knobs,
                                                                 state: MockState) -> None:
    from test_editor import choose_conversation, open_editor, type_text

    app = make_app(profile('confirm = "always"'))
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        await choose_conversation(pilot, DEMO_CONVERSATION_ID)
        editor = await open_editor(pilot)
        await type_text(pilot, editor, "order_number", "100-ASK")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = rendered(app.screen.query_one("#confirm-body"))
        assert "1 change to #10001" in question and "(conversation 10001)" in question
        assert "Profile p" in question
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is editor)
        assert knobs.writes == 0 and editor.staged
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: editor.last_sent is not None)
        assert knobs.writes == 1
        assert state.conversation_values(DEMO_CONVERSATION_ID)[ORDER_NUMBER] == "100-ASK"
