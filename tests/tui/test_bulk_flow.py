"""Bulk edits in the terminal UI, end to end against the in-process mock: mark a user's
conversations, stage one edit set, review the plan (nothing sent), send it as one batch,
see the results; a failure sent again alone; a run stopped half-way; a conflict forced; a
plan file and an input file opened and applied; read-only and protected profiles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import Input
from tui_helpers import rendered, screen_text, started, wait_for

from dixa_tui.domain.patch import Target
from dixa_tui.journal import Journal
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app
from dixa_tui.mock.demo import DEMO_END_USER_EMAIL, DEMO_END_USER_ID
from dixa_tui.mock.faults import Fault, FaultTransport
from dixa_tui.session.settings import Settings
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.messages import EditTargets
from dixa_tui.tui.screens.bulk_dialogs import CountConfirmScreen, PlanFileScreen
from dixa_tui.tui.screens.bulk_editor import BulkEditorScreen
from dixa_tui.tui.screens.bulk_review import BulkReviewScreen
from dixa_tui.tui.screens.confirm import ConfirmScreen
from dixa_tui.tui.screens.target import TargetScreen
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.marked_list import MarkedList

ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"


def astrids(state: MockState) -> list[int]:
    """Her conversations as the dialog lists them: newest first."""
    return sorted((c.id for c in state.conversations_of(DEMO_END_USER_ID)), reverse=True)


def faulty_app(state: MockState, knobs: Knobs | None = None) -> tuple[DixaApp, FaultTransport]:
    faults = FaultTransport(httpx.ASGITransport(app=create_app(state, knobs=knobs or Knobs())))
    return DixaApp(Settings(demo=True), transport_factory=lambda: faults), faults


async def her_conversations(pilot: Any) -> TargetScreen:
    """The target dialog listing Astrid's conversations, the list focused."""
    app = pilot.app
    await pilot.press("t")
    await wait_for(pilot, lambda: isinstance(app.screen, TargetScreen))
    screen = app.screen
    screen.query_one("#enduser-input", Input).value = DEMO_END_USER_EMAIL
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.query_one("#enduser-results").option_count > 0)
    await pilot.press("ctrl+o")
    listing = screen.query_one("#conversation-results", MarkedList)
    await wait_for(pilot, lambda: listing.option_count > 0 and listing.has_focus)
    return screen


async def mark_and_edit(pilot: Any, count: int = 5) -> BulkEditorScreen:
    """Mark the first ``count`` of her conversations (space, then shift+down), then e."""
    screen = await her_conversations(pilot)
    await pilot.press("space", *["shift+down"] * (count - 1))
    await pilot.pause()
    listing = screen.query_one("#conversation-results", MarkedList)
    assert listing.marks.count == count
    assert f"{count} marked" in rendered(screen.query_one("#conversation-marks"))
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BulkEditorScreen))
    return pilot.app.screen


async def stage_text(pilot: Any, editor: BulkEditorScreen, identifier: str,
                     text: str) -> None:
    listing = editor.query_one("#attributes", DefinitionList)
    listing.focus()
    await pilot.press("g")
    for _ in range(len(listing.rows)):
        if listing.highlighted.identifier == identifier:
            break
        await pilot.press("j")
    await pilot.press("enter")
    box = editor.query_one("#text-value", Input)
    assert box.has_focus
    await pilot.press(*text, "enter")
    await pilot.pause()


async def review(pilot: Any) -> BulkReviewScreen:
    await pilot.press("ctrl+t")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BulkReviewScreen)
                   and pilot.app.screen.phase == "review")
    return pilot.app.screen


async def send(pilot: Any, screen: BulkReviewScreen, key: str = "ctrl+t") -> None:
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
    await pilot.press("y")
    await wait_for(pilot, lambda: pilot.app.screen is screen and screen.phase == "done")


def statuses(screen: BulkReviewScreen) -> list[str]:
    table = screen.table
    return [table.get_cell_at((row, table.get_column_index("status"))).plain
            for row in range(table.row_count)]


def batch_entries(batch: str) -> list[Any]:
    with Journal.open() as journal:
        return journal.batch_entries(batch)


async def test_mark_five_stage_one_edit_review_send_and_see_results(
        make_app, state: MockState, knobs: Knobs) -> None:
    app = make_app()
    chosen = astrids(state)[:5]
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        editor = await mark_and_edit(pilot)
        assert editor.targets == [Target("conversation", str(n)) for n in chosen]
        assert "Edit 5 conversations" in screen_text(app)
        await stage_text(pilot, editor, "order_number", "700-55")
        assert "Order number: -> 700-55" in rendered(editor.query_one("#edit-set"))
        screen = await review(pilot)
        # the plan: every target read, before -> after each, nothing sent
        assert knobs.writes == 0
        assert statuses(screen) == ["to send"] * 5
        assert "5 to change" in screen_text(app)
        before = state.conversation_values(chosen[0]).get(ORDER_NUMBER) or "(empty)"
        assert f"{before} -> 700-55" in rendered(screen.query_one("#bulk-detail"))
        await send(pilot, screen)
        assert statuses(screen) == ["sent ✔"] * 5
        for number in chosen:
            assert state.conversation_values(number)[ORDER_NUMBER] == "700-55"
            assert state.writes[("conversation", str(number))] == 1
        batch = screen.batch_plan.batch_id
        entries = batch_entries(batch)
        assert sorted(int(e.target_id) for e in entries) == sorted(chosen)
        assert {(e.outcome, e.origin) for e in entries} == {("applied", "bulk")}
        shown = rendered(screen.query_one("#bulk-summary"))
        assert f"Batch {batch}: 5 sent" in shown and f"undo {batch}" in shown
        # the plan and results are kept where `bulk apply` finds them
        assert json.loads(screen.path.read_text())["batch_id"] == batch
        assert screen.path.with_name(f"{batch}.plan.results.jsonl").read_text().count(
            "\n") == 5
        await pilot.press("escape")  # the results close the editor too
        await wait_for(pilot, lambda: isinstance(app.screen, TargetScreen))


async def test_a_failed_target_is_sent_again_alone(state: MockState) -> None:
    app, faults = faulty_app(state)
    chosen = astrids(state)[:5]
    refused = f"/conversations/{chosen[2]}/custom-attributes"
    faults.add("PATCH", refused, Fault.http(400, "Invalid input for patching"), times=1)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        editor = await mark_and_edit(pilot)
        await stage_text(pilot, editor, "order_number", "700-56")
        screen = await review(pilot)
        await send(pilot, screen)
        assert statuses(screen) == ["sent ✔", "sent ✔", "failed ✖", "sent ✔", "sent ✔"]
        screen.table.move_cursor(row=2)
        await pilot.pause()
        detail = rendered(screen.query_one("#bulk-detail"))
        assert "HTTP 400" in detail and "Invalid input for patching" in detail
        assert "r sends the 1 failed again" in screen_text(app)
        before = dict(state.writes)
        await send(pilot, screen, "r")  # only the failed one goes again
        assert statuses(screen) == ["sent ✔"] * 5
        assert faults.attempts_at("PATCH", refused) == 2
        assert {k: v - before.get(k, 0) for k, v in state.writes.items()
                if v != before.get(k, 0)} == {("conversation", str(chosen[2])): 1}
        entries = batch_entries(screen.batch_plan.batch_id)
        assert sorted(e.outcome for e in entries) == ["applied"] * 5 + ["failed"]


async def test_a_run_stopped_half_way_keeps_what_was_sent_and_sends_the_rest(
        make_app, state: MockState, knobs: Knobs) -> None:
    knobs.latency = 0.3
    app = make_app()
    mine = astrids(state)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        screen = await her_conversations(pilot)
        await pilot.press("ctrl+a", "e")  # all of her conversations
        await wait_for(pilot, lambda: isinstance(app.screen, BulkEditorScreen))
        await stage_text(pilot, app.screen, "order_number", "700-57")
        screen = await review(pilot)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: len(screen.results) >= 3)
        await pilot.press("ctrl+q")  # quitting now would stop the run: it asks first
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Quit while sending?" in screen_text(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("escape")  # stop: what is on its way finishes
        await wait_for(pilot, lambda: screen.phase == "done")
        sent = [int(r.target.id) for r in screen.results.values() if r.outcome == "sent"]
        assert 3 <= len(sent) < len(mine)
        assert all(state.conversation_values(n)[ORDER_NUMBER] == "700-57" for n in sent)
        assert sum(state.writes.values()) == len(sent)
        entries = batch_entries(screen.batch_plan.batch_id)
        assert len(entries) == len(sent) and {e.outcome for e in entries} == {"applied"}
        assert "Stopped" in screen_text(app) and "not sent" in screen_text(app)
        await send(pilot, screen)  # the rest, under the same batch
        assert all(state.conversation_values(n)[ORDER_NUMBER] == "700-57" for n in mine)
        assert all(state.writes[("conversation", str(n))] == 1 for n in mine)
        assert len(batch_entries(screen.batch_plan.batch_id)) == len(mine)


async def test_a_target_changed_since_the_plan_is_a_conflict_sent_only_when_forced(
        make_app, state: MockState) -> None:
    app = make_app()
    chosen = astrids(state)[:5]
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        editor = await mark_and_edit(pilot)
        await stage_text(pilot, editor, "order_number", "700-58")
        screen = await review(pilot)
        state.conversations[chosen[1]].values[ORDER_NUMBER] = "someone else's"
        await send(pilot, screen)
        assert statuses(screen) == ["sent ✔", "conflict", "sent ✔", "sent ✔", "sent ✔"]
        assert state.conversation_values(chosen[1])[ORDER_NUMBER] == "someone else's"
        await pilot.press("r")  # a conflict is not a failure: r does not send it
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        await send(pilot, screen, "F")
        assert statuses(screen)[1] == "sent ✔"
        assert state.conversation_values(chosen[1])[ORDER_NUMBER] == "700-58"


async def test_a_plan_file_is_reviewed_and_applied_then_resumable_from_the_cli(
        make_app, state: MockState, tmp_path: Path) -> None:
    from dixa_tui.session.bulk import plan_bulk
    from dixa_tui.session.core import Session

    numbers = [10002, 10003, 10004]
    source = "conversation,order_number\n" + "".join(f"{n},800-{n}\n" for n in numbers)
    session = Session.open(Settings(demo=True), transport=lambda: httpx.ASGITransport(
        app=create_app(state)))
    async with session:
        _, plan = await plan_bulk(session, source.encode(), name="orders.csv")
    path = tmp_path / "orders.plan.json"
    path.write_text(plan.to_json(), encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        await pilot.press("B")
        await wait_for(pilot, lambda: isinstance(app.screen, PlanFileScreen))
        app.screen.query_one(Input).value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkReviewScreen)
                       and app.screen.phase == "review")
        screen = app.screen
        assert "orders.plan.json" in screen_text(app)
        assert statuses(screen) == ["to send"] * 3
        await send(pilot, screen)
        assert statuses(screen) == ["sent ✔"] * 3
    for n in numbers:
        assert state.conversation_values(n)[ORDER_NUMBER] == f"800-{n}"
    saved = json.loads(path.read_text())
    assert saved["batch_id"] == screen.batch_plan.batch_id  # recorded as bulk apply does
    results = (tmp_path / "orders.plan.results.jsonl").read_text().splitlines()
    assert [json.loads(line)["outcome"] for line in results] == ["sent"] * 3


async def test_an_input_file_is_planned_here_and_its_bad_rows_block_sending(
        make_app, state: MockState, knobs: Knobs, tmp_path: Path) -> None:
    source = tmp_path / "orders.csv"
    source.write_text("conversation,order_number,contact_reason\n10002,800-1,\n"
                      "10003,800-2,payment/nonsense\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        await pilot.press("B")
        await wait_for(pilot, lambda: isinstance(app.screen, PlanFileScreen))
        app.screen.query_one(Input).value = str(source)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkReviewScreen)
                       and app.screen.phase == "review")
        screen = app.screen
        assert statuses(screen) == ["to send", "error"]
        assert "fix the input and plan again" in screen_text(app)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert knobs.writes == 0


async def test_a_file_that_is_no_plan_is_said_under_the_path(make_app, tmp_path: Path) -> None:
    broken = tmp_path / "old.plan.json"
    broken.write_text('{"kind": "dixa-tui bulk plan", "version": 99}', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        await pilot.press("B")
        await wait_for(pilot, lambda: isinstance(app.screen, PlanFileScreen))
        dialog = app.screen
        for path, said in ((broken, "version 99"), (tmp_path / "nowhere.csv", "Cannot read")):
            dialog.query_one(Input).value = str(path)
            await pilot.press("enter")
            await wait_for(pilot, lambda said=said: said in rendered(
                dialog.query_one("#bulk-file-problem")))
        assert app.screen is dialog


async def test_marked_end_users_across_lookups_are_edited_together(
        make_app, state: MockState) -> None:
    app = make_app()
    second = next(u.profile for u in state.end_users.values()
                  if u.id != DEMO_END_USER_ID and u.profile.email)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TargetScreen))
        dialog = app.screen
        listing = dialog.query_one("#enduser-results", MarkedList)
        for email, user_id in ((DEMO_END_USER_EMAIL, DEMO_END_USER_ID),
                               (second.email, second.id)):
            box = dialog.query_one("#enduser-input", Input)
            box.value = email
            box.focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda user_id=user_id: listing.order == [user_id]
                           and listing.has_focus)
            await pilot.press("space")
            await pilot.pause()
        assert "2 marked (1 in this list)" in rendered(dialog.query_one("#enduser-marks"))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkEditorScreen))
        editor = app.screen
        assert [t.id for t in editor.targets] == [second.id, DEMO_END_USER_ID]
        assert editor.targets[0].kind == "enduser"
        assert "Contact attributes" in screen_text(app)


async def test_edit_targets_from_any_list_opens_the_bulk_editor(make_app) -> None:
    """The Find worklist posts the same message: the app's handler serves every list."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await started(pilot)
        targets = [Target("conversation", "10001"), Target("conversation", "10002")]
        screen.post_message(EditTargets(targets, {targets[0]: "#10001 · first"}))
        await wait_for(pilot, lambda: isinstance(app.screen, BulkEditorScreen))
        assert app.screen.targets == targets
        assert "#10001 · first, conversation 10002" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        mixed = [*targets, Target("enduser", DEMO_END_USER_ID)]
        screen.post_message(EditTargets(mixed, {}))
        await pilot.pause(0.2)
        assert app.screen is screen
        assert any("one kind at a time" in str(n.message) for n in app._notifications)


@pytest.fixture
def profile(home: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    def make(lines: str) -> Settings:
        path = home / ".config" / "dixa-tui" / "config.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'[profiles.p]\nbase_url = "http://127.0.0.1:9"\n{lines}\n',
                        encoding="utf-8")
        monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)
        return Settings(profile_name="p")

    return make


async def test_a_read_only_profile_reviews_the_plan_and_never_sends(
        make_app, profile, state: MockState, knobs: Knobs) -> None:
    app = make_app(profile("read_only = true"))
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        editor = await mark_and_edit(pilot)
        await stage_text(pilot, editor, "order_number", "700-RO")
        screen = await review(pilot)
        assert statuses(screen) == ["to send"] * 5
        assert "is read-only" in screen_text(app)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert knobs.writes == 0


async def test_a_profile_that_asks_before_every_send_wants_the_count_typed(
        make_app, profile, state: MockState, knobs: Knobs) -> None:
    app = make_app(profile('confirm = "always"'))
    chosen = astrids(state)[:5]
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        editor = await mark_and_edit(pilot)
        await stage_text(pilot, editor, "order_number", "700-59")
        screen = await review(pilot)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, CountConfirmScreen))
        await pilot.press("4", "enter")  # the wrong number sends nothing
        await pilot.pause()
        assert isinstance(app.screen, CountConfirmScreen) and knobs.writes == 0
        app.screen.query_one(Input).value = ""
        await pilot.press("5", "enter")
        await wait_for(pilot, lambda: screen.phase == "done")
        assert all(state.conversation_values(n)[ORDER_NUMBER] == "700-59" for n in chosen)


async def test_a_failed_read_while_planning_is_shown_and_retried(state: MockState) -> None:
    from dixa_tui.tui.widgets.errorbar import ErrorBar

    app, faults = faulty_app(state)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        editor = await mark_and_edit(pilot)
        await stage_text(pilot, editor, "order_number", "700-60")
        faults.add("GET", "/conversations/*", Fault.http(500, "Internal Server Error"),
                   times=1)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkReviewScreen))
        screen = app.screen
        bar = screen.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        assert "Internal Server Error" in rendered(bar)
        assert "Not planned" in rendered(screen.query_one("#bulk-status"))
        assert screen.plan is None and state.writes == {}
        await pilot.press("ctrl+r")  # the app's retry: the plan is made again
        await wait_for(pilot, lambda: screen.phase == "review")
        assert statuses(screen) == ["to send"] * 5


async def test_a_run_shows_its_progress_and_the_main_screen_reads_its_target_again(
        make_app, state: MockState, knobs: Knobs) -> None:
    from test_editor import choose_conversation

    knobs.latency = 0.1
    app = make_app()
    chosen = astrids(state)[:8]
    async with app.run_test(size=(120, 36)) as pilot:
        main = await started(pilot)
        await choose_conversation(pilot, chosen[0])
        targets = [Target("conversation", str(n)) for n in chosen]
        main.post_message(EditTargets(targets, {}))
        await wait_for(pilot, lambda: isinstance(app.screen, BulkEditorScreen))
        await stage_text(pilot, app.screen, "order_number", "700-61")
        screen = await review(pilot)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: 0 < len(screen.results) < len(chosen))
        line = rendered(screen.query_one("#bulk-status"))
        assert "sending" in line and f"of {len(chosen)}" in line and "ETA" in line
        assert screen.query_one("#bulk-progress").display
        await wait_for(pilot, lambda: screen.phase == "done")
        assert not screen.query_one("#bulk-progress").display
        await wait_for(pilot, lambda: main.current.get(ORDER_NUMBER) == "700-61")


async def test_marked_matches_of_a_find_go_through_the_same_bulk_edit(
        make_app, state: MockState) -> None:
    from dixa_tui.tui.screens.find import FindScreen
    from dixa_tui.tui.widgets.found_table import FoundTable

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(app.screen, FindScreen))
        find = app.screen
        await pilot.press("f5")
        await wait_for(pilot, lambda: find.run_id and not find.running, timeout=30)
        table = find.query_one(FoundTable)
        assert table.row_count >= 2
        table.focus()
        await pilot.press("space", "shift+down", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkEditorScreen))
        chosen = [int(t.id) for t in app.screen.targets]
        assert len(chosen) == 2
        await stage_text(pilot, app.screen, "order_number", "700-62")
        screen = await review(pilot)
        await send(pilot, screen)
        assert statuses(screen) == ["sent ✔"] * 2
        assert all(state.conversation_values(n)[ORDER_NUMBER] == "700-62" for n in chosen)
