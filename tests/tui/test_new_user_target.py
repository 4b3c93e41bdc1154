"""Issue 10, item 14: the target dialog says what can be searched instead of guessing a kind,
and lists a user's conversations under the person, not a UUID."""

from __future__ import annotations

from test_target import settle, submit, target_dialog, text

from dixa_tui.domain.targets import SEARCHABLE
from dixa_tui.mock import MockState
from dixa_tui.mock.demo import DEMO_END_USER_ID


async def test_a_name_gets_what_can_be_searched() -> None:
    async with target_dialog(MockState.demo()) as (app, pilot):
        await submit(pilot, "#enduser-input", "astrid")
        said = text(app, "#enduser-status")
        assert SEARCHABLE in said and "astrid" in said
        assert "email:" in text(app, "#enduser-hint")  # how to choose the kind, just above


async def test_a_forced_kind_with_no_match_says_just_that() -> None:
    async with target_dialog(MockState.demo()) as (app, pilot):
        await submit(pilot, "#enduser-input", "ext:nobody-here")
        said = text(app, "#enduser-status")
        assert "No end user has external id" in said and SEARCHABLE not in said


async def test_conversations_of_a_user_typed_by_uuid_are_headed_by_the_person() -> None:
    async with target_dialog(MockState.demo()) as (app, pilot):
        box = app.screen.query_one("#enduser-input")
        box.value = DEMO_END_USER_ID
        await pilot.pause()
        await pilot.press("ctrl+o")
        await settle(pilot)
        said = text(app, "#conversation-status")
        assert "Astrid" in said and DEMO_END_USER_ID not in said, said
        assert "conversation" in said
