"""Scripted tours of the demo: the screens the README shows, driven like a person would.

``make screenshots`` (``python -m tools.scenes``) runs :func:`main` to write SVG (and PNG via
rsvg-convert) into ``screenshots/``; the snapshot tests drive the same scenes, so the
pictures in the README are the screens the tests check. Every scene starts from a fresh demo
organization.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

SIZE = (120, 36)
Scene = Callable[[Any], Awaitable[None]]


def demo_app(*, fail_status: int | None = None, demo: bool = True, org: str = "demo",
             state: Any = None) -> Any:
    """The app on a fresh demo org (or ``org``, a built-in organization's name, or
    ``state``, a ``MockState``), its clock at ``DEMO_NOW`` so every date a scene shows is
    the same on every run; ``fail_status`` makes every request fail with it."""
    import httpx

    from dixa_tui.mock import Knobs, create_app
    from dixa_tui.mock.demo import DEMO_NOW
    from dixa_tui.mock.orgs import load_org
    from dixa_tui.session.settings import Settings
    from dixa_tui.tui.app import DixaApp

    knobs = Knobs(failure_rate=1.0, failure_status=fail_status) if fail_status else Knobs()
    state = state if state is not None else load_org(org, DEMO_NOW)
    return DixaApp(Settings(demo=demo), transport_factory=lambda: httpx.ASGITransport(
        app=create_app(state, knobs=knobs)))


async def until(pilot: Any, predicate: Callable[[], object], timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await pilot.pause(0.02)
    raise TimeoutError("the scene did not reach its state in time")


async def _loaded(pilot: Any) -> Any:
    main = pilot.app.main_screen
    await until(pilot, lambda: main.definitions)
    return main


async def _highlight(pilot: Any, identifier: str) -> None:
    main = pilot.app.main_screen
    await pilot.press("slash", *identifier, "enter")
    listing = main.query_one("#definitions")
    await until(pilot, lambda: listing.highlighted is not None
                and listing.highlighted.id in main.details)


async def _conversation(pilot: Any, number: str) -> None:
    from dixa_tui.tui.screens.target import TargetScreen

    await pilot.press("t")
    await until(pilot, lambda: isinstance(pilot.app.screen, TargetScreen))
    await pilot.press("f3", *number, "enter")
    await until(pilot, lambda: pilot.app.main_screen.target is not None)


async def _settle(pilot: Any) -> None:
    """Let timers, workers and the cursor settle so the picture is the same every time."""
    from textual.widgets import DataTable, Input

    await pilot.pause(0.3)
    await pilot.app.workers.wait_for_complete()
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False  # a solid cursor: a blinking one differs run to run
    for table in pilot.app.screen.query(DataTable):
        # Rows drawn while the layout was still moving (a loaded machine) can keep a width
        # two cells short in the table's row cache: draw them all again, at the final size.
        table.notify_style_update()
    await pilot.pause()


async def main_screen(pilot: Any) -> None:
    await _loaded(pilot)
    await _conversation(pilot, "10001")
    await _highlight(pilot, "contact_reason")
    await pilot.press("escape", "escape")
    await _settle(pilot)


async def option_tree(pilot: Any) -> None:
    await _loaded(pilot)
    await _highlight(pilot, "favorite_activity")
    await pilot.press("E")
    await _settle(pilot)


async def editor(pilot: Any) -> None:
    from dixa_tui.tui.screens.editor import EditorScreen

    await _loaded(pilot)
    await _conversation(pilot, "10001")
    await pilot.press("e")
    await until(pilot, lambda: isinstance(pilot.app.screen, EditorScreen))
    screen = pilot.app.screen
    listing = screen.query_one("#attributes")
    await pilot.press("g")  # order_number (Text) is first in Dixa's order
    await pilot.press("enter")
    screen.query_one("#text-value").value = ""
    await pilot.press(*"100-7788", "enter")
    await pilot.press("j")  # contact_reason (Select)
    await until(pilot, lambda: listing.highlighted.identifier == "contact_reason")
    await pilot.press("enter", *"late", "down")
    tree = screen.query_one("#picker").option_tree
    await until(pilot, lambda: tree.highlighted_path is not None)
    for _ in range(10):
        if [o.value for o in tree.highlighted_path or ()] == ["delivery", "late"]:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await _settle(pilot)


async def error_state(pilot: Any) -> None:
    from dixa_tui.tui.widgets.errorbar import ErrorBar

    bar = pilot.app.main_screen.query_one(ErrorBar)
    await until(pilot, lambda: bar.shown)
    await _settle(pilot)


async def key_screen(pilot: Any) -> None:
    from dixa_tui.tui.screens.key import KeyScreen

    await until(pilot, lambda: isinstance(pilot.app.screen, KeyScreen))
    await _settle(pilot)


async def help_screen(pilot: Any) -> None:
    from dixa_tui.tui.screens.help import HelpScreen

    await _loaded(pilot)
    await pilot.press("question_mark")
    await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
    await _settle(pilot)


async def hostile_screen(pilot: Any) -> None:
    """The hostile organization: its conversation as the target, the 8-level Select open."""
    from dixa_tui.mock.hostile import HOSTILE_CONVERSATION_ID

    await _loaded(pilot)
    await _conversation(pilot, str(HOSTILE_CONVERSATION_ID))
    await _highlight(pilot, "deep_[8]")
    await pilot.press("escape", "escape", "E")
    pilot.app.clear_notifications()  # the "could not be read" warning times out: not shown
    await _settle(pilot)


LAST_MONTH = "2026-11-01"


def last_month_items() -> list[dict[str, Any]]:
    """The demo organization as it was "last month": a few changes of several kinds from
    today's (a definition added since and one removed, an option removed, one deactivated
    and one relabelled, a placeholder edited, a flag or two flipped, siblings reordered)."""
    from dixa_tui.mock import MockState

    items = [d.to_dixa() for d in MockState.demo().definitions
             if d.identifier != "returns_watch"]                      # added since
    by_id = {item["identifier"]: item for item in items}
    reasons = by_id["contact_reason"]["inputDefinition"]["options"]
    payment = next(o for o in reasons if o["value"] == "payment")
    delivery = next(o for o in reasons if o["value"] == "delivery")
    for option in payment["nestedOptions"]:
        if option["value"] == "card":
            option["label"] = "Credit card"                            # relabelled since
        if option["value"] == "invoice":
            option["isDeactivated"] = False                            # deactivated since
    delivery["nestedOptions"].append({
        "id": "2b0c2a8e-6a43-4c1e-9d6f-0d8e5b1f7a11", "value": "lost", "label": "Lost",
        "isDeactivated": False, "orderIndex": 99, "nestedOptions": []})  # removed since
    tiers = by_id["customer_tier"]["inputDefinition"]["options"]
    gold = next(o for o in tiers if o["value"] == "gold")
    gold["orderIndex"] = max(o["orderIndex"] for o in tiers) + 1       # moved up since
    by_id["order_number"]["inputDefinition"]["placeholder"] = "e.g. 100-1234"
    by_id["preferred_language"]["isRequired"] = False                  # required since
    by_id["escalation_level"]["isDeactivated"] = False                 # deactivated since
    items.append({"id": "61f1f7d4-3c36-4b43-a7a3-52b5c9d8e0aa", "entityType": "Conversation",
                  "identifier": "gift_wrap", "label": "Gift wrap",     # removed since
                  "inputDefinition": {"_type": "Text"}, "isRequired": False,
                  "isArchived": False, "isDeactivated": False})
    return items


def save_last_month() -> None:
    """Last month's schema as the demo profile's saved snapshot of that day (in the state
    dir, which tests and ``make screenshots`` point at a folder of their own)."""
    from datetime import UTC, datetime

    from dixa_tui.domain.schema_export import snapshot_bytes
    from dixa_tui.session.snapshots import save_snapshot

    taken = datetime.fromisoformat(LAST_MONTH).replace(hour=8, tzinfo=UTC)
    save_snapshot("demo", snapshot_bytes(last_month_items()), now=taken)


async def schema_diff(pilot: Any) -> None:
    """The demo now against its snapshot of last month, on the schema diff screen."""
    from dixa_tui.tui.screens.schema_diff import SchemaDiffScreen

    save_last_month()
    await _loaded(pilot)
    await pilot.press("D")
    await until(pilot, lambda: isinstance(pilot.app.screen, SchemaDiffScreen))
    screen = pilot.app.screen
    await until(pilot, lambda: screen.choices)
    await pilot.press(*f"profile:demo@{LAST_MONTH}", "enter")
    await until(pilot, lambda: screen.comparison is not None)
    await pilot.press("j", "j", "j")
    await _settle(pilot)


async def usage_census(pilot: Any) -> None:
    """The census of the demo's last month (its clock is DEMO_NOW): counted, then read."""
    from dixa_tui.tui.screens.usage import UsageScreen

    await _loaded(pilot)
    await pilot.press("U")
    await until(pilot, lambda: isinstance(pilot.app.screen, UsageScreen))
    screen = pilot.app.screen
    screen.query_one("#usage-query").value = "--created-since 2026-10-03"
    await pilot.press("enter")
    await until(pilot, lambda: screen.plan is not None)
    await pilot.press("f5")
    await until(pilot, lambda: screen.complete)
    await _settle(pilot)


def history_app() -> Any:
    """The demo after a morning's work, journaled at fixed times (so the picture is the same
    every run) in the journal of this run's state directory, which must start empty: two
    edits, a bulk batch of two, an edit and its undo, one Dixa refused, and one whose answer
    never came (the process stopped). The mock holds what the applied writes left."""
    from datetime import timedelta

    from dixa_tui.domain.patch import DefinitionIndex, current_values
    from dixa_tui.journal import Change, Intent, Journal, default_path
    from dixa_tui.mock.demo import DEMO_END_USER_ID, DEMO_NOW
    from dixa_tui.mock.orgs import load_org
    from dixa_tui.session.settings import DEMO_BASE_URL

    state = load_org("demo", DEMO_NOW)
    index = DefinitionIndex(state.definitions)
    start = DEMO_NOW - timedelta(hours=1, minutes=58)  # the demo's morning, before its now
    moments = iter(start + timedelta(minutes=7 * n, seconds=13 * n) for n in range(40))

    def write(journal: Journal, kind: Any, target: str, edits: dict[str, Any], *,
              outcome: str = "applied", origin: Any = "cli", batch: str | None = None,
              undoes: str | None = None, error: str | None = None) -> int:
        values = state.conversation_values(int(target)) if kind == "conversation" \
            else state.end_user_values(target)
        ids = {d.identifier: d.id for d in state.definitions}
        body = {ids[ref]: value for ref, value in edits.items()}
        changes = tuple(Change(key, index.by_id[key].identifier, index.by_id[key].label,
                               values.get(key), value) for key, value in body.items())
        entry = journal.begin(Intent("demo", DEMO_BASE_URL, "beta", kind, target,
                                     body, changes, batch=batch, origin=origin,
                                     undoes=undoes))
        if outcome == "failed":
            journal.complete(entry, "failed", status=400, error=error)
            return entry
        records = state.conversations[int(target)].values if kind == "conversation" \
            else state.end_users[target].values
        applied = state.apply_patch(records, "Conversation" if kind == "conversation"
                                    else "Contact", body, target=(kind, target))
        if outcome == "applied":
            journal.complete(entry, "applied", status=200, returned=current_values(applied))
        return entry

    with Journal.open(default_path(), clock=lambda: next(moments)) as journal:
        write(journal, "conversation", "10001", {"order_number": "100-7788",
                                                 "contact_reason": ["delivery", "late"]})
        batch = "b-7k3m9q2x"
        write(journal, "conversation", "10002", {"sentiment": ["frustrated"]}, origin="bulk",
              batch=batch)
        write(journal, "conversation", "10003", {"sentiment": ["frustrated"]}, origin="bulk",
              batch=batch)
        first = write(journal, "enduser", DEMO_END_USER_ID, {"loyalty_id": "LOY-900001"},
                      origin="tui")
        write(journal, "enduser", DEMO_END_USER_ID, {"loyalty_id": "LOY-448812"},
              origin="undo", batch="b-4hc8wm2n", undoes=str(first))
        write(journal, "conversation", "10004", {"order_number": "100-0000"}, outcome="failed",
              error="patch conversation 10004: HTTP 400: Invalid input for patching")
        write(journal, "conversation", "10001", {"order_number": "100-7790"},
              outcome="unknown")
    return demo_app(state=state)


async def history_screen(pilot: Any) -> None:
    """The History screen, the newest entry (its answer never came) shown whole."""
    from dixa_tui.tui.screens.history import HistoryScreen

    await _loaded(pilot)
    await pilot.press("H")
    await until(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen)
                and pilot.app.screen.entries)
    await pilot.press("enter")
    await _settle(pilot)


async def _pick(pilot: Any, listing: Any, wanted: str) -> None:
    """Down an option list to the option whose id (or value) is ``wanted``, then enter."""
    listing.focus()
    for _ in range(listing.option_count + 1):
        option = listing.highlighted_option
        if option is not None and wanted in (option.id, getattr(option, "value", None)):
            break
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


async def _condition(pilot: Any, what: str, wanted: str) -> Any:
    from dixa_tui.tui.screens.find_condition import ConditionScreen

    await pilot.press("a")
    await until(pilot, lambda: isinstance(pilot.app.screen, ConditionScreen))
    picker = pilot.app.screen
    await pilot.press(*what)
    await _pick(pilot, picker.query_one("#what"), wanted)
    return picker


async def find_screen(pilot: Any) -> None:
    """Closed conversations about a delivery since 5 October (the demo's clock is DEMO_NOW),
    built with the pickers, run, three of the matches marked."""
    from dixa_tui.tui.screens.find import FindScreen

    main = await _loaded(pilot)
    await pilot.press("F")
    await until(pilot, lambda: isinstance(pilot.app.screen, FindScreen))
    screen = pilot.app.screen
    ids = {d.identifier: d.id for d in main.definitions}
    picker = await _condition(pilot, "created since", "opt:--created-since")
    await _pick(pilot, picker.query_one("#step-date"), "typed")
    await pilot.press(*"2026-10-05", "enter")
    await until(pilot, lambda: pilot.app.screen is screen)
    picker = await _condition(pilot, "status", "opt:--status")
    ticks = picker.query_one("#step-choices")
    for _ in range(6):
        if ticks.highlighted_option is not None and ticks.highlighted_option.value == "closed":
            break
        await pilot.press("down")
    await pilot.press("space", "f5")
    await until(pilot, lambda: pilot.app.screen is screen)
    picker = await _condition(pilot, "contact", f"attr:{ids['contact_reason']}")
    await _pick(pilot, picker.query_one("#step-op"), "under")
    await pilot.press(*"delivery", "down", "enter")
    await until(pilot, lambda: pilot.app.screen is screen)
    await pilot.press("c")
    await until(pilot, lambda: pilot.app.screen is not screen)
    columns = pilot.app.screen.query_one("#columns")
    for identifier in ("contact_reason", "order_number", "carrier"):
        columns.select(ids[identifier])
    await pilot.press("f5")
    await until(pilot, lambda: pilot.app.screen is screen)
    await pilot.press("f5")
    await until(pilot, lambda: screen.run_id and not screen.running)
    await pilot.press("space", "down", "down", "space", "shift+down")
BULK_BATCH = "b-5q8m2t7k"  # the scenes' batch id, so the pictures are the same every run
BULK_STATES: dict[int, Any] = {}  # id(app) -> its organization


def bulk_app() -> Any:
    """The demo where one of Astrid's five newest conversations already holds the edit set
    (unchanged in the plan), and Dixa refuses one PATCH (a failure in the results)."""
    import httpx

    from dixa_tui.mock import create_app
    from dixa_tui.mock.demo import DEMO_END_USER_ID, DEMO_NOW
    from dixa_tui.mock.faults import Fault, FaultTransport
    from dixa_tui.mock.orgs import load_org
    from dixa_tui.session.settings import Settings
    from dixa_tui.tui.app import DixaApp

    state = load_org("demo", DEMO_NOW)
    ids = {d.identifier: d.id for d in state.definitions}
    newest = sorted((c.id for c in state.conversations_of(DEMO_END_USER_ID)), reverse=True)
    state.conversations[newest[3]].values.update(
        {ids["order_number"]: "100-7788", ids["contact_reason"]: ["payment", "card"]})
    faults = FaultTransport(httpx.ASGITransport(app=create_app(state)))
    faults.add("PATCH", f"/conversations/{newest[2]}/custom-attributes",
               Fault.http(400, "Invalid input for patching"))
    app = DixaApp(Settings(demo=True), transport_factory=lambda: faults)
    BULK_STATES[id(app)] = state  # the results scene changes it
    return app


async def _bulk_review(pilot: Any) -> Any:
    """Astrid's five newest conversations marked, Order number and Contact reason staged
    for all of them, the plan reviewed."""
    from dixa_tui.mock.demo import DEMO_END_USER_EMAIL
    from dixa_tui.tui.screens.bulk_editor import BulkEditorScreen
    from dixa_tui.tui.screens.bulk_review import BulkReviewScreen
    from dixa_tui.tui.screens.target import TargetScreen

    app = pilot.app
    await _loaded(pilot)
    await pilot.press("t")
    await until(pilot, lambda: isinstance(app.screen, TargetScreen))
    dialog = app.screen
    await pilot.press(*DEMO_END_USER_EMAIL, "enter")
    await until(pilot, lambda: dialog.query_one("#enduser-results").option_count > 0)
    await pilot.press("ctrl+o")
    listing = dialog.query_one("#conversation-results")
    await until(pilot, lambda: listing.option_count > 0 and listing.has_focus)
    await pilot.press("space", "shift+down", "shift+down", "shift+down", "shift+down", "e")
    await until(pilot, lambda: isinstance(app.screen, BulkEditorScreen))
    editor = app.screen
    attributes = editor.query_one("#attributes")
    await pilot.press("g", "enter", *"100-7788", "enter", "j")
    await until(pilot, lambda: attributes.highlighted.identifier == "contact_reason")
    await pilot.press("enter", *"card", "enter")
    await until(pilot, lambda: len(editor.staged) == 2)
    await pilot.press("ctrl+t")
    await until(pilot, lambda: isinstance(app.screen, BulkReviewScreen)
                and app.screen.phase == "review")
    return app.screen


async def bulk_review(pilot: Any) -> None:
    await _bulk_review(pilot)
    await _settle(pilot)


async def bulk_results(pilot: Any) -> None:
    """The same plan sent: one target changed since the plan (a conflict), one refused by
    Dixa (its message under the table), the rest sent, one unchanged."""
    from unittest.mock import patch

    from dixa_tui.journal import Journal

    screen = await _bulk_review(pilot)
    state = BULK_STATES.pop(id(pilot.app))
    ids = {d.identifier: d.id for d in state.definitions}
    conflict = int(screen.plan.entries[4].target.id)
    state.conversations[conflict].values[ids["order_number"]] = "100-0001"
    real = Journal.new_batch_id

    def fixed(journal: Journal) -> str:  # a journal that has it already gets a fresh one
        return BULK_BATCH if not journal.batch_entries(BULK_BATCH) else real(journal)

    with patch.object(Journal, "new_batch_id", fixed):
        await pilot.press("ctrl+t")
        await until(pilot, lambda: pilot.app.screen is not screen)
        await pilot.press("y")
        await until(pilot, lambda: pilot.app.screen is screen and screen.phase == "done")
    screen.table.move_cursor(row=2)
    pilot.app.clear_notifications()  # where the files are kept: a temporary path
    await _settle(pilot)


# name -> (how to build the app, the scene)
SCENES: dict[str, tuple[Callable[[], Any], Scene]] = {
    "main": (demo_app, main_screen),
    "option-tree": (demo_app, option_tree),
    "editor": (demo_app, editor),
    "error": (lambda: demo_app(fail_status=500), error_state),
    "key": (lambda: demo_app(demo=False), key_screen),
    "help": (demo_app, help_screen),
    "hostile": (lambda: demo_app(org="hostile"), hostile_screen),
    "schema-diff": (demo_app, schema_diff),
    "usage": (demo_app, usage_census),
    "history": (history_app, history_screen),
    "find": (demo_app, find_screen),
    "bulk-review": (bulk_app, bulk_review),
    "bulk-results": (bulk_app, bulk_results),
}


async def shoot(name: str, folder: Path) -> Path:
    make, scene = SCENES[name]
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await scene(pilot)
        path = folder / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"dixa-tui · {name}"), encoding="utf-8")
    return path


def isolate(folder: Path) -> None:
    """Screenshots never read the user's config, environment key or keyring."""
    import os

    import keyring
    from keyring.backend import KeyringBackend

    class ScreenshotKeyring(KeyringBackend):
        """An empty in-memory keyring, so the key screen shows "no key stored"."""

        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.items: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.items.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.items[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.items.pop((service, username), None)

    import tempfile

    for name in [n for n in os.environ if n.startswith("DIXA_")]:
        del os.environ[name]
    os.environ["DIXA_TUI_CONFIG"] = str(folder / ".no-config.toml")
    os.environ["DIXA_TUI_STATE"] = tempfile.mkdtemp(prefix="dixa-tui-scenes-")  # snapshots
    keyring.set_keyring(ScreenshotKeyring())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the README's screenshots.")
    parser.add_argument("folder", nargs="?", default="screenshots", type=Path)
    parser.add_argument("--only", choices=sorted(SCENES), action="append")
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    isolate(args.folder)
    converter = shutil.which("rsvg-convert")
    if converter is None:
        print("rsvg-convert not found (apt-get install librsvg2-bin): writing SVG only",
              file=sys.stderr)
    for name in args.only or SCENES:
        svg = asyncio.run(shoot(name, args.folder))
        if converter:
            subprocess.run([converter, "-o", str(svg.with_suffix(".png")), str(svg)],
                           check=True)
        print(f"wrote {svg}" + (" and .png" if converter else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
