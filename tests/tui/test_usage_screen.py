"""The usage census screen: U opens it, enter counts and says how long reading takes, f5
reads with progress, the chart equals what the test computes from the mock's records,
escape stops and keeps what was read, a bad query is said before anything is sent."""

from __future__ import annotations

import re
from datetime import timedelta

from textual.widgets import Input, ProgressBar
from tui_helpers import rendered, screen_text, started, wait_for

from dixa_tui.domain.compare import is_empty
from dixa_tui.mock import Knobs, MockState
from dixa_tui.tui.screens.usage import UsageScreen


async def open_usage(pilot) -> UsageScreen:
    await started(pilot)
    await pilot.press("U")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, UsageScreen))
    return pilot.app.screen


def last_week(state: MockState) -> list:
    since = state.now - timedelta(days=7)
    return [r for r in state.conversations.values() if r.conversation.created_at >= since]


async def test_count_then_read_and_the_chart_is_the_mocks(make_app, state: MockState) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_usage(pilot)
        assert screen.query_one("#usage-query", Input).value == "--created-since 7d"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.plan is not None)
        week = last_week(state)
        assert screen.plan.reads == len(week) > 5
        status = rendered(screen.query_one("#usage-status"))
        assert f"Reading {len(week)} conversations (created since 7d" in status
        assert "at 10 requests/s" in status and screen.tally is None  # nothing read yet
        await pilot.press("f5")
        await wait_for(pilot, lambda: screen.complete)
        await pilot.pause()
        reason = next(d for d in state.definitions if d.identifier == "contact_reason")
        filled = sum(1 for r in week if not is_empty(r.values.get(reason.id)))
        delivery = sum(1 for r in week if (r.values.get(reason.id) or [None])[0] == "delivery")
        screen_text(app)  # nothing raw reached the screen
        text = rendered(screen.query_one("#usage-lines"))
        assert f"{len(week)} conversations (" in text
        assert re.search(rf" {filled} +{filled / len(week):.0%} of {len(week)}\n", text)
        report = screen.tally.report()
        attribute = next(a for a in report.attributes if a.identifier == "contact_reason")
        assert attribute.filled == filled
        assert next(o for o in attribute.options if o.path == ("delivery",)).count == delivery
        assert f"Read {len(week)} conversations: the census is complete" in rendered(
            screen.query_one("#usage-status"))


async def test_escape_stops_and_keeps_what_was_read(make_app, state: MockState,
                                                    knobs: Knobs) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_usage(pilot)
        screen.query_one("#usage-query", Input).value = "--created-since 60d"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.plan is not None)
        knobs.latency = 0.05  # slow reads, so there is time to stop
        await pilot.press("f5")
        bar = screen.query_one("#usage-progress", ProgressBar)
        await wait_for(pilot, lambda: screen.tally is not None
                       and screen.tally.conversations >= 3)
        assert bar.display and bar.total == screen.plan.reads
        await pilot.press("escape")
        kept = screen.tally.conversations
        assert not screen.reading and kept < screen.plan.reads
        await pilot.pause(0.3)
        assert screen.tally.conversations == kept  # no read went on after the stop
        assert f"Stopped after {kept} of {screen.plan.reads} conversations" in rendered(
            screen.query_one("#usage-status"))
        assert f"{kept} conversations (" in rendered(screen.query_one("#usage-lines"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)


async def test_a_bad_query_is_said_before_anything_is_read(make_app, knobs: Knobs) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_usage(pilot)
        before = knobs.requests
        screen.query_one("#usage-query", Input).value = "--status nope --where 'x is empty'"
        await pilot.press("enter")
        status = screen.query_one("#usage-status")
        await wait_for(pilot, lambda: "is not a status" in rendered(status))
        assert "--where" in rendered(status) and screen.plan is None
        assert knobs.requests == before  # the definitions were loaded already: nothing sent
        screen.query_one("#usage-query", Input).value = "--status 'open"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "cannot be read" in rendered(status))


async def test_the_palette_names_it_and_80x24_shows_the_headline(make_app,
                                                                 state: MockState) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        main = await started(pilot)
        assert any(c.title.startswith("Usage census — ") for c in app.get_system_commands(main))
        screen = await open_usage(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.plan is not None)
        await pilot.press("enter")  # the same query again: starts
        await wait_for(pilot, lambda: screen.complete)
        await pilot.pause()
        text = screen_text(app)  # what is on screen at 80x24 (spaces between parts dropped)
        assert f"{len(last_week(state))} conversations" in text
        assert "Contact reason" in text and "filled" in text
