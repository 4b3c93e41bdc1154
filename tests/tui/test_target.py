"""TargetScreen against the real app and the embedded mock: every way to choose a target."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static, TabbedContent
from tui_helpers import main_screen

from dixa_tui.domain.patch import Target
from dixa_tui.domain.targets import Lookup, interpret
from dixa_tui.mock import Knobs, MockState, create_app
from dixa_tui.mock.demo import (
    DEMO_CONVERSATION_ID,
    DEMO_END_USER_EMAIL,
    DEMO_END_USER_EXTERNAL_ID,
    DEMO_END_USER_ID,
    DEMO_END_USER_PHONE,
)
from dixa_tui.session.settings import Settings
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.screens.target import TargetScreen
from dixa_tui.tui.widgets.errorbar import ErrorBar

SIZE = (100, 30)


@asynccontextmanager
async def target_dialog(state: MockState, knobs: Knobs | None = None,
                        size: tuple[int, int] = SIZE) -> AsyncIterator[tuple[DixaApp, Pilot]]:
    """The real app on the mock, definitions loaded, the target dialog open."""
    app = DixaApp(Settings(demo=True), transport_factory=lambda: httpx.ASGITransport(
        app=create_app(state, knobs=knobs) if knobs else create_app(state)))
    async with app.run_test(size=size) as pilot:
        for _ in range(200):
            if getattr(app.screen, "definitions", None):
                break
            await pilot.pause(0.05)
        assert app.screen.definitions
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TargetScreen)
        yield app, pilot


async def settle(pilot: Pilot) -> None:
    """Let the request workers finish and their messages be handled."""
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def submit(pilot: Pilot, selector: str, text: str) -> None:
    box = pilot.app.screen.query_one(selector, Input)
    box.focus()
    box.value = text
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


def text(app: DixaApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def shown(app: DixaApp) -> str:
    """What the terminal shows, as plain text (the SVG's characters, unescaped)."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


# -- reading the input ------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "expected"), [
    ("", None),
    ("  ", None),
    (DEMO_END_USER_ID, Lookup("id", DEMO_END_USER_ID)),
    (DEMO_END_USER_ID.upper(), Lookup("id", DEMO_END_USER_ID.upper())),
    ("eba64c48-745b-5c86-9a75-e3cce144c40", Lookup("id", "eba64c48-745b-5c86-9a75-e3cce144c40")),
    (" a@b.example ", Lookup("email", "a@b.example")),
    ("+45 20 12 34 56", Lookup("phone", "+4520123456")),
    ("20-12-34-56", Lookup("phone", "20123456")),
    ("phone: +45 20 12", Lookup("phone", "+452012", forced=True)),
    ("CUS-10001", Lookup("external_id", "CUS-10001")),
    ("ext: 12345", Lookup("external_id", "12345", forced=True)),
    ("EMAIL:x", Lookup("email", "x", forced=True)),
    ("phone:", Lookup("phone", "", forced=True)),
    ("id:abc", Lookup("id", "abc", forced=True)),
    ("urn:x", Lookup("external_id", "urn:x")),
])
def test_interpret(typed: str, expected: Lookup | None) -> None:
    assert interpret(typed) == expected


# -- end users --------------------------------------------------------------------------------

async def test_by_email_then_pick() -> None:
    state = MockState.demo()
    async with target_dialog(state) as (app, pilot):
        box = app.screen.query_one("#enduser-input", Input)
        assert box.has_focus
        await pilot.press(*"astrid.lindqvist@")
        assert "Enter looks up by email" in text(app, "#enduser-hint")
        await submit(pilot, "#enduser-input", DEMO_END_USER_EMAIL)
        results = app.screen.query_one("#enduser-results", OptionList)
        assert results.option_count == 1
        assert results.has_focus
        row = str(results.get_option_at_index(0).prompt)
        assert "Astrid Lindqvist" in row and DEMO_END_USER_PHONE in row
        assert DEMO_END_USER_EXTERNAL_ID in row
        assert "1 end user with email" in text(app, "#enduser-status")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, TargetScreen)
        main = main_screen(app)
        assert main.target == Target("enduser", DEMO_END_USER_ID)
        assert main.target_name == "Astrid Lindqvist"
        assert main.current == state.end_user_values(DEMO_END_USER_ID)
        assert main.current


async def test_by_external_id_and_phone() -> None:
    state = MockState.demo()
    async with target_dialog(state) as (app, pilot):
        await submit(pilot, "#enduser-input", "+45 20 12 34 56")
        assert "phone number" in text(app, "#enduser-status")
        assert app.screen.query_one("#enduser-results", OptionList).option_count == 1
        await submit(pilot, "#enduser-input", DEMO_END_USER_EXTERNAL_ID)
        results = app.screen.query_one("#enduser-results", OptionList)
        assert results.option_count == 1
        assert "external id" in text(app, "#enduser-status")
        await pilot.press("enter")
        await settle(pilot)
        main = main_screen(app)
        assert main.target == Target("enduser", DEMO_END_USER_ID)
        assert main.current == state.end_user_values(DEMO_END_USER_ID)


async def test_paste_uuid_chooses_directly() -> None:
    state = MockState.demo()
    async with target_dialog(state) as (app, pilot):
        box = app.screen.query_one("#enduser-input", Input)
        box.value = DEMO_END_USER_ID.upper()
        await pilot.pause()
        assert "Enter opens the end user with this id" in text(app, "#enduser-hint")
        await submit(pilot, "#enduser-input", DEMO_END_USER_ID.upper())
        main = main_screen(app)
        assert main.target == Target("enduser", DEMO_END_USER_ID)
        assert main.current == state.end_user_values(DEMO_END_USER_ID)


async def test_invalid_id_is_shown_inline_and_nothing_is_sent() -> None:
    knobs = Knobs()
    async with target_dialog(MockState.demo(), knobs) as (app, pilot):
        before = knobs.requests
        typed = "eba64c48-745b-5c86-9a75-e3cce144c40"  # one digit short
        await submit(pilot, "#enduser-input", typed)
        assert isinstance(app.screen, TargetScreen)
        assert knobs.requests == before
        hint = app.screen.query_one("#enduser-hint", Static)
        assert "is not an end user id" in text(app, "#enduser-hint")
        assert "ext:" in text(app, "#enduser-hint")
        assert hint.has_class("-problem")
        assert app.screen.query_one("#enduser-input", Input).value == typed
        assert not app.screen.query_one(ErrorBar).shown
        await pilot.press("backspace")  # typing again brings the live reading back
        assert not hint.has_class("-problem")

        await pilot.press("f3")
        await submit(pilot, "#conversation-input", "12a")
        assert knobs.requests == before
        assert "is not a conversation id" in text(app, "#conversation-hint")
        assert app.screen.query_one("#conversation-input", Input).value == "12a"


async def test_no_results() -> None:
    async with target_dialog(MockState.demo()) as (app, pilot):
        await submit(pilot, "#enduser-input", "nobody@example.com")
        assert text(app, "#enduser-status") == "No end user has email 'nobody@example.com'."
        assert app.screen.query_one("#enduser-results", OptionList).option_count == 0
        assert isinstance(app.screen, TargetScreen)


async def test_hostile_display_name_renders_literally() -> None:
    state = MockState.demo()
    record = state.end_users[DEMO_END_USER_ID]
    record.profile = record.profile.model_copy(update={"display_name": "[bold red]X[/]"})
    async with target_dialog(state) as (app, pilot):
        await submit(pilot, "#enduser-input", DEMO_END_USER_EMAIL)
        assert "[bold red]X[/] · astrid.lindqvist@example.com" in shown(app)
        await pilot.press("enter")
        await settle(pilot)
        assert main_screen(app).target_name == "[bold red]X[/]"


# -- conversations ----------------------------------------------------------------------------

async def test_conversation_by_number() -> None:
    state = MockState.demo()
    async with target_dialog(state) as (app, pilot):
        await pilot.press("f3")
        assert app.screen.query_one("#conversation-input", Input).has_focus
        await submit(pilot, "#conversation-input", f"#{DEMO_CONVERSATION_ID}")
        main = main_screen(app)
        assert main.target == Target("conversation", str(DEMO_CONVERSATION_ID))
        assert main.current == state.conversation_values(DEMO_CONVERSATION_ID)
        assert main.target_name.startswith(f"#{DEMO_CONVERSATION_ID} · ")


async def test_conversations_of_a_user() -> None:
    state = MockState.demo()
    theirs = sorted((c.id for c in state.conversations_of(DEMO_END_USER_ID)), reverse=True)
    assert len(theirs) >= 2
    async with target_dialog(state) as (app, pilot):
        await submit(pilot, "#enduser-input", DEMO_END_USER_EMAIL)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.screen.query_one(TabbedContent).active == "tab-conversation"
        listing = app.screen.query_one("#conversation-results", OptionList)
        assert listing.option_count == len(theirs)
        assert listing.has_focus, app.focused
        assert f"{len(theirs)} conversations" in text(app, "#conversation-status")
        await pilot.press("down", "enter")
        await settle(pilot)
        main = main_screen(app)
        assert main.target == Target("conversation", str(theirs[1]))
        assert main.current == state.conversation_values(theirs[1])


async def test_unknown_conversation_shows_dixas_404() -> None:
    knobs = Knobs()
    async with target_dialog(MockState.demo(), knobs) as (app, pilot):
        await pilot.press("f3")
        await submit(pilot, "#conversation-input", "99999")
        assert isinstance(app.screen, TargetScreen)
        bar = app.screen.query_one(ErrorBar)
        assert bar.shown
        message = str(bar.content)
        assert "HTTP 404" in message and "no conversation has this id" in message
        assert "see the message below" in text(app, "#conversation-status")
        assert not app.screen.query_one("#conversation-results", OptionList).loading
        before = knobs.requests
        await pilot.press("ctrl+r")  # a 404 would answer the same: no retry is offered
        await settle(pilot)
        assert knobs.requests == before and bar.shown and "retry" not in str(bar.content)
        await pilot.press("escape")  # the first escape dismisses the error
        assert not bar.shown and isinstance(app.screen, TargetScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, TargetScreen)
        assert main_screen(app).target is None


async def test_current_target_is_prefilled() -> None:
    async with target_dialog(MockState.demo()) as (app, pilot):
        await pilot.press("f3")
        await submit(pilot, "#conversation-input", str(DEMO_CONVERSATION_ID))
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TargetScreen)
        assert app.screen.query_one(TabbedContent).active == "tab-conversation"
        box = app.screen.query_one("#conversation-input", Input)
        assert box.value == str(DEMO_CONVERSATION_ID) and box.has_focus
