"""The schema diff screen: reached with D (and the palette), sources picked from what is at
hand or typed, the changes grouped by definition with counts, navigable, enter shows the
before/after; errors in its own error bar; hostile text shown literally."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import Input, OptionList
from tui_helpers import rendered, screen_text, started, wait_for

from dixa_tui.domain.schema_diff import diff_schemas
from dixa_tui.domain.schema_export import snapshot_bytes
from dixa_tui.domain.schema_snapshot import parse_snapshot
from dixa_tui.mock import MockState
from dixa_tui.session.snapshots import save_snapshot
from dixa_tui.tui.screens.schema_diff import ChangeDetailScreen, SchemaDiffScreen
from dixa_tui.tui.widgets.changes import ChangeList
from dixa_tui.tui.widgets.errorbar import ErrorBar
from tools.scenes import last_month_items

TAKEN = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def saved_last_month() -> None:
    save_snapshot("demo", snapshot_bytes(last_month_items()), now=TAKEN)


def expected(state: MockState) -> list:
    before, _ = parse_snapshot(snapshot_bytes(last_month_items()))
    return diff_schemas(before, state.definitions)


def lines(changes: ChangeList) -> list[str]:
    """The list's lines as shown."""
    return [str(getattr(option.prompt, "plain", option.prompt))
            for option in (changes.get_option_at_index(i) for i in range(changes.option_count))]


async def open_diff(pilot) -> SchemaDiffScreen:
    await started(pilot)
    await pilot.press("D")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SchemaDiffScreen))
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.choices)
    return screen


async def compared(pilot, screen: SchemaDiffScreen) -> None:
    await wait_for(pilot, lambda: screen.comparison is not None and not screen.comparing)
    await pilot.pause()


async def test_pick_a_saved_snapshot_and_see_every_change_grouped(make_app, state) -> None:
    saved_last_month()
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_diff(pilot)
        assert screen.query_one("#source-b", Input).value == "profile:demo"
        assert screen.query_one("#source-a", Input).has_focus
        texts = [c.text for c in screen.choices]
        assert texts == ["profile:demo", "profile:demo@2026-11-01T08:00:00.000000Z"]
        await pilot.press("down")  # into the sources
        sources = screen.query_one("#diff-sources", OptionList)
        assert sources.has_focus
        await pilot.press("down", "enter")  # the snapshot goes into A; B is set: compare
        await compared(pilot, screen)
        assert screen.query_one("#source-a", Input).value == texts[1]
        changes = screen.query_one(ChangeList)
        want = expected(state)
        assert len(want) == 9 and changes.changes == want
        assert changes.has_focus
        definitions = {(c.identifier, c.entity_type) for c in want}
        assert changes.option_count == len(want) + len(definitions)  # a header each
        screen_text(app)  # nothing raw reached the screen
        text = rendered(screen.query_one("#diff-summary")) + "\n".join(lines(changes))
        marks = Counter("+" if c.kind.endswith("added") else "-" if c.kind.endswith("removed")
                        else "~" for c in want)
        assert (f"{len(want)} changes in {len(definitions)} definitions: +{marks['+']} added "
                f"· -{marks['-']} removed · ~{marks['~']} changed") in text
        assert "(the snapshot of 2026-11-01 08:00:00 UTC)" in text
        assert "contact_reason · Conversation · 3 changes" in text
        assert "- option 'delivery/lost' removed (label was 'Lost')" in text
        assert "+ added, label 'Returns watch', 3 options" in text


async def test_navigate_by_change_and_by_definition_and_enter_shows_before_after(
        make_app, state) -> None:
    saved_last_month()
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_diff(pilot)
        await pilot.press(*"profile:demo@2026-11-01", "enter")
        await compared(pilot, screen)
        changes = screen.query_one(ChangeList)
        want = expected(state)
        assert changes.current == want[0]
        await pilot.press("j")
        assert changes.current == want[1]
        await pilot.press("n")  # the next definition's first change: past contact_reason's
        first_other = next(c for c in want if c.identifier != "contact_reason")
        assert changes.current == first_other
        await pilot.press("p")
        assert changes.current == want[0]
        await pilot.press("G")
        assert changes.current == want[-1]
        await pilot.press("g", "j")
        label = want[1]
        assert (label.kind, label.before, label.after) == ("option_label_changed",
                                                           "Credit card", "Card")
        detail = rendered(screen.query_one("#diff-detail"))
        assert "before  Credit card" in detail and "after   Card" in detail
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChangeDetailScreen))
        body = rendered(app.screen.query_one("#change-body"))
        assert "before  Credit card" in body and "after   Card" in body
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)


async def test_equal_schemas_and_swapping(make_app, state) -> None:
    saved_last_month()
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_diff(pilot)
        await pilot.press(*"profile:demo", "enter")
        await compared(pilot, screen)
        assert screen.comparison.equal
        assert "No differences: A and B are the same schema." in rendered(
            screen.query_one("#diff-summary"))
        screen.query_one("#source-a", Input).value = "profile:demo@2026-11-01"
        screen.action_compare()
        await wait_for(pilot, lambda: len(screen.comparison.changes) == 9)
        added = {c.identifier for c in screen.comparison.changes
                 if c.kind == "definition_added"}
        await pilot.press("f6")  # swap: what was added is now removed
        await wait_for(pilot, lambda: screen.query_one("#source-b", Input).value
                       == "profile:demo@2026-11-01" and screen.comparison is not None
                       and not screen.comparing and screen.comparison.a.name.startswith(
                           "profile:demo (live)"))
        removed = {c.identifier for c in screen.comparison.changes
                   if c.kind == "definition_removed"}
        assert removed == added == {"returns_watch"}


async def test_a_source_that_cannot_be_read_is_shown_in_this_screens_error_bar(
        make_app, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_diff(pilot)
        missing = tmp_path / "missing.json"
        await pilot.press(*str(missing), "enter")
        bar = screen.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        text = rendered(bar)
        assert "cannot read the file" in text and "unexpected" not in text
        assert "Not compared" in rendered(screen.query_one("#diff-summary"))
        await pilot.press("escape")
        assert not bar.shown
        await wait_for(pilot, lambda: app.screen is screen)
        screen.query_one("#source-a", Input).value = "profile:"
        await pilot.press("f5")
        assert "names no profile" in rendered(screen.query_one("#diff-hint"))
        assert not bar.shown and screen.comparing is False
        screen.query_one("#source-a", Input).value = "profile:demo@2020-01-01"
        await pilot.press("f5")
        await wait_for(pilot, lambda: bar.shown)
        assert "no snapshot of profile 'demo' has been saved" in rendered(bar)


async def test_hostile_text_is_shown_literally(make_app, tmp_path: Path) -> None:
    from dixa_tui.mock.hostile import hostile_payload

    path = tmp_path / "hostile.json"
    path.write_text(json.dumps({"data": hostile_payload()}))
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_diff(pilot)
        await pilot.press(*str(path), "enter")
        await compared(pilot, screen)
        assert screen.comparison.changes
        screen_text(app)  # raises on any raw control or bidi character
        text = "\n".join(lines(screen.query_one(ChangeList)))
        assert "[bold red]" in text or "[/]" in text  # markup as typed, not obeyed
        assert any("could not be read" in str(n.message) for n in app._notifications)
        for _ in range(40):
            await pilot.press("n")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChangeDetailScreen))
        screen_text(app)


async def test_the_palette_and_the_help_name_the_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        main = await started(pilot)
        assert any(c.title.startswith("Schema diff — ") for c in app.get_system_commands(main))
        screen = await open_diff(pilot)
        titles = {c.title for c in app.get_system_commands(screen)}
        assert {"Compare", "Swap A and B", "Sources"} <= {t.split(" — ")[0] for t in titles}


async def test_at_80x24_the_counts_and_the_detail_stay_on_screen(make_app, state) -> None:
    saved_last_month()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_diff(pilot)
        await pilot.press(*"profile:demo@2026-11-01", "enter")
        await compared(pilot, screen)
        await pilot.press("n", "n")
        text = screen_text(app)  # on screen (spaces between parts are dropped here)
        assert "9 changes in 7 definitions" in text
        current = screen.query_one(ChangeList).current
        assert current is not None and "beforeno" in text.replace(" ", "")
        assert "afteryes" in text.replace(" ", "")


async def test_loading_saves_a_snapshot_when_the_profile_asks(make_app, state, monkeypatch,
                                                              tmp_path: Path) -> None:
    from dixa_tui.domain.schema_export import export_json
    from dixa_tui.mock import DEMO_API_KEY
    from dixa_tui.session.settings import Settings
    from dixa_tui.session.snapshots import list_snapshots

    config = tmp_path / "config.toml"
    config.write_text("[profiles.default]\nsnapshots = true\n", encoding="utf-8")
    monkeypatch.setenv("DIXA_TUI_CONFIG", str(config))
    monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)
    app = make_app(Settings())
    async with app.run_test(size=(120, 36)) as pilot:
        main = await started(pilot)
        await wait_for(pilot, lambda: list_snapshots("default"))
        saved = list_snapshots("default")
        assert len(saved) == 1
        assert saved[0].path.read_bytes() == export_json(state.definitions, state.listing(),
                                                         include_archived=True)
        assert main.definitions and main.ui.session.definitions.as_sent is None  # not kept
        screen = await open_diff(pilot)
        assert saved[0].source_text() in [c.text for c in screen.choices]
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("DIXA_TUI_STATE", str(blocker / "state"))
    app = make_app(Settings())
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        await wait_for(pilot, lambda: any("snapshot of this list was not saved" in
                                          str(n.message) for n in app._notifications))
