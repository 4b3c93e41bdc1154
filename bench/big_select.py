"""One Select attribute with 5,110 options over 4 levels, in the real app (headless, 120x36).

    python bench/big_select.py [--quick] [--freeze-gc]

The organization is a few demo definitions plus "Contact reason (detailed)": 10 topics x
10 regions x 10 numbered issues x 4 outcomes (4,000 leaves, 1,110 parents, some deactivated).
The app runs against the in-process mock, like the pilot tests. Each figure is a median, p95
and max over repeats, in milliseconds of wall time:

1. **Detail pane render** (budget: p95 <= 100 ms). The main screen's call,
   ``DetailPane.show(definition, current=..., source=...)``, after a Text definition was on
   show, then one frame: every message the call caused is handled
   (``Pilot._wait_for_screen``, twice, for messages that post messages) and the screen does
   what its update timer does (``Screen._on_timer_update``: layout, then the compositor
   renders every dirty region, the option tree's visible lines included). Pilot.pause() is
   not used: it sleeps at least 20 ms to wait for idleness; this frame costs about 2 ms on
   an idle screen. Repeats alternate two equal copies of the definition (the list's, and
   one as fetched by id), so the option tree never holds the options it is shown: every
   show is a first show. ``show`` alone (the synchronous part) is reported too, and the
   frame for the other copy right after (the main screen shows the list's copy first, then
   the fetched one, which it compares and keeps).
2. **Option search per keystroke** (budget: p95 <= 16 ms). Queries made of words from the
   labels are typed one character at a time; per keystroke the work is what the search box's
   Changed handler does (``OptionBrowser._search_for(prefix)``: ``OptionTree.search`` and the
   status line) plus ``tree.render_line(y)`` for every visible line. Also reported: the
   first keystroke on freshly shown options (it builds the search index), the same
   keystrokes through the event path (set the Input's value, then one frame as above), and
   clearing the search (Esc: the normal tree comes back).
3. **Picker open in the editor** (no budget; aim well under 100 ms). The editor for a
   conversation whose current value is 4 levels deep; ``EditorScreen._show_value`` of the big
   Select after a Text attribute (``picker.set_options`` + ``reveal`` of the value, checked),
   then one frame as above; the two copies alternate as in 1.

Full garbage collections (generation 2) during the measured samples are counted and timed:
they are the slow outliers (the max column). The app already calls ``gc.freeze()`` once the
definitions are loaded (``MainScreen._loaded_definitions``); ``--freeze-gc`` freezes again
once the bench's setup is done (the fetched copy included), to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from stats import MS, summary

SIZE = (120, 36)
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "dixa-tui/bench/big_select")
TOPICS = ["Parcel delivery", "Returns & refunds", "Billing & invoices", "Account access",
          "Orders", "Warehouse", "Subscriptions", "Technical issue", "Product feedback",
          "Partnerships"]
REGIONS = ["Nordics", "Germany", "Benelux", "France", "Iberia", "Italy", "UK & Ireland",
           "Poland", "Baltics", "Alpine"]
ISSUES = ["Late parcel", "Damaged parcel", "Lost parcel", "Wrong item", "Missing item",
          "Address change", "Invoice copy", "Double charge", "Password reset", "Refund request"]
OUTCOMES = ["Refunded", "Resent", "Escalated to carrier", "Closed without action"]
# Words people would look for; each is typed one character at a time.
QUERIES = ["parcel 12", "nordics refund", "late parcel 34", "invoice copy"]
DEEP = (2, 3, 6, 1)  # the current value in the editor: one path 4 levels deep
BUDGET_DETAIL_MS = 100.0
BUDGET_KEYSTROKE_MS = 16.0


# -- the organization --------------------------------------------------------------------


def _slug(label: str) -> str:
    from dixa_tui.mock.catalog import slug

    return slug(label)


def _option(path: tuple[str, ...], label: str, order: int, deactivated: bool,
            children: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": str(uuid.uuid5(NAMESPACE, "/".join(path))), "label": label,
            "value": path[-1], "isDeactivated": deactivated, "orderIndex": order,
            "nestedOptions": children}


def big_select_payload() -> dict[str, Any]:
    """Dixa's JSON for the big Select: 10 x 10 x 10 x 4 leaves under their parents."""
    topics = []
    for a, topic in enumerate(TOPICS):
        regions = []
        for b, region in enumerate(REGIONS):
            issues = []
            for c, issue in enumerate(ISSUES):
                number = a * 100 + b * 10 + c
                label = f"{issue} {number:03d}"
                path = (_slug(topic), _slug(region), _slug(label))
                outcomes = [_option((*path, _slug(o)), o, d, d == 2 and number % 5 == 0, [])
                            for d, o in enumerate(OUTCOMES)]
                issues.append(_option(path, label, c, number % 13 == 5, outcomes))
            regions.append(_option((_slug(topic), _slug(region)), region, b,
                                   (a, b) == (4, 9), issues))
        topics.append(_option((_slug(topic),), topic, a, a == 9, regions))
    return {
        "id": str(uuid.uuid5(NAMESPACE, "definition")), "entityType": "Conversation",
        "identifier": "contact_reason_detailed", "label": "Contact reason (detailed)",
        "description": "Topic, region, issue and outcome, as the support team files them.",
        "createdAt": datetime(2023, 5, 2, 8, 30, tzinfo=UTC).isoformat(),
        "isRequired": False, "isArchived": False, "isDeactivated": False,
        "inputDefinition": {"_type": "Select", "options": topics},
    }


def deep_value() -> list[str]:
    a, b, c, d = DEEP
    issue = f"{ISSUES[c]} {a * 100 + b * 10 + c:03d}"
    return [_slug(TOPICS[a]), _slug(REGIONS[b]), _slug(issue), _slug(OUTCOMES[d])]


def organization() -> list[Any]:
    """The first demo definitions, then the big Select."""
    from dixa_tui.api.models import parse_definitions
    from dixa_tui.mock.catalog import demo_definitions

    return demo_definitions()[:8] + parse_definitions([big_select_payload()], "bench")


def count_options(options: Any) -> tuple[int, int, int]:
    """(options, levels, deactivated)."""
    total = levels = off = 0
    stack = [(o, 1) for o in options]
    while stack:
        option, depth = stack.pop()
        total, levels, off = total + 1, max(levels, depth), off + option.is_deactivated
        stack.extend((c, depth + 1) for c in option.nested_options)
    return total, levels, off


# -- measuring ---------------------------------------------------------------------------


class GcWatch:
    """Times full (generation 2) collections while ``active``."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self.active = False
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if not self.active or info.get("generation") != 2:
            return
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._start)

    @contextmanager
    def watching(self) -> Iterator[None]:
        self.active = True
        try:
            yield
        finally:
            self.active = False

    def figures(self) -> dict[str, float]:
        return {"full_collections": len(self.pauses),
                "max_ms": round(max(self.pauses, default=0.0) * MS, 2),
                "total_ms": round(sum(self.pauses) * MS, 2)}


async def frame(pilot: Any) -> None:
    """Handle what was posted, then lay out and paint as the screen's update timer does."""
    await pilot._wait_for_screen()
    await pilot._wait_for_screen()
    pilot.app.screen._on_timer_update()


async def until(pilot: Any, predicate: Callable[[], object], timeout: float = 20.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await pilot.pause(0.02)
    raise TimeoutError("the app did not reach the expected state")


async def timed(watch: GcWatch, call: Callable[[], object], pilot: Any | None = None
                ) -> tuple[float, float]:
    """(seconds for ``call()``, seconds for ``call()`` and one frame)."""
    with watch.watching():
        start = time.perf_counter()
        call()
        done = time.perf_counter()
        if pilot is not None:
            await frame(pilot)
        end = time.perf_counter()
    return done - start, end - start


async def settled(pilot: Any, call: Callable[[], object]) -> None:
    call()
    await frame(pilot)


@dataclass
class Scene:
    """The running app and the definitions the bench shows, as the app holds them."""

    pilot: Any
    watch: GcWatch
    repeats: int
    big: Any  # the list's copy, from the mock over HTTP
    fetched: Any  # an equal copy, as the main screen gets it by id
    text: Any  # a Text definition of the same entity type

    def copies(self, repeat: int) -> tuple[Any, Any]:
        """The two copies, swapped every repeat: the one shown first is never the one the
        option tree holds, so every show builds it again (no reuse of the last index)."""
        return (self.big, self.fetched) if repeat % 2 == 0 else (self.fetched, self.big)


async def detail_figures(scene: Scene, screen: Any) -> dict[str, Any]:
    from dixa_tui.tui.widgets.detail import DetailPane

    pane = screen.query_one(DetailPane)

    def show(definition: Any) -> Callable[[], None]:
        return lambda: pane.show(definition, current=screen._current_text(definition),
                                 source="bench")

    pilot, watch = scene.pilot, scene.watch
    show_sync, show_frame, refetch = [], [], []
    for repeat in range(scene.repeats):
        first, second = scene.copies(repeat)
        await settled(pilot, show(scene.text))
        sync, whole = await timed(watch, show(first), pilot)
        show_sync.append(sync)
        show_frame.append(whole)
        refetch.append((await timed(watch, show(second), pilot))[1])
    return {"detail_show_ms": summary(show_sync), "detail_frame_ms": summary(show_frame),
            "detail_refetch_frame_ms": summary(refetch)}


async def search_figures(scene: Scene, screen: Any, rounds: int) -> dict[str, Any]:
    from dixa_tui.tui.widgets.detail import DetailPane

    pane = screen.query_one(DetailPane)
    browser = pane.browser
    tree = browser.option_tree
    pilot, watch = scene.pilot, scene.watch
    height = tree.size.height

    def keystroke(prefix: str) -> Callable[[], None]:
        def work() -> None:
            browser._search_for(prefix)
            for y in range(height):
                tree.render_line(y)
        return work

    first = []  # the first keystroke on freshly shown options also builds the search index
    for repeat in range(scene.repeats):
        definition = scene.copies(repeat)[0]
        await settled(pilot, lambda: pane.show(scene.text))
        await settled(pilot, lambda d=definition: pane.show(d))
        first.append((await timed(watch, keystroke(QUERIES[0][:1])))[0])
        await settled(pilot, keystroke(""))
    work, clears, matches = [], [], []
    for _ in range(rounds):
        for query in QUERIES:
            for k in range(1, len(query) + 1):
                work.append((await timed(watch, keystroke(query[:k])))[0])
            matches.append(f"{query!r}: {tree.search(query).matches}")
            clears.append((await timed(watch, keystroke("")))[0])
            await frame(pilot)
    search_input = browser.search_input
    events = []
    for query in QUERIES:
        for k in range(1, len(query) + 1):
            events.append((await timed(
                watch, lambda q=query[:k]: setattr(search_input, "value", q), pilot))[1])
        await settled(pilot, lambda: setattr(search_input, "value", ""))
    return {"tree_lines_visible": height, "search_keystroke_ms": summary(work),
            "search_first_keystroke_ms": summary(first),
            "search_keystroke_frame_ms": summary(events), "search_clear_ms": summary(clears),
            "search_matches": matches[:len(QUERIES)]}


async def picker_figures(scene: Scene, screen: Any) -> dict[str, Any]:
    from dixa_tui.domain.patch import Target
    from dixa_tui.session.targets import TargetState
    from dixa_tui.tui.screens.editor import EditorScreen

    pilot, watch, app = scene.pilot, scene.watch, scene.pilot.app
    deep = deep_value()
    state = TargetState(Target("conversation", "10001"), "10001", {scene.big.id: deep})
    editor = EditorScreen(screen.ui, screen.definitions, state, start=scene.big.id)
    app.push_screen(editor)
    await until(pilot, lambda: app.screen is editor and editor.editing is scene.big)
    await frame(pilot)
    tree = editor.query_one("#picker").option_tree
    picker_sync, picker_frame = [], []
    for repeat in range(scene.repeats):
        definition = scene.copies(repeat)[0]
        await settled(pilot, lambda: editor._show_value(scene.text))
        sync, whole = await timed(watch, lambda d=definition: editor._show_value(d), pilot)
        picker_sync.append(sync)
        picker_frame.append(whole)
        shown = [o.value for o in tree.highlighted_path or ()]
        if shown != deep:
            raise AssertionError(f"the picker revealed {shown}, not {deep}")
    return {"picker_show_ms": summary(picker_sync), "picker_frame_ms": summary(picker_frame)}


async def measure(quick: bool, freeze: bool) -> dict[str, Any]:
    import httpx

    from dixa_tui.mock import MockState, create_app
    from dixa_tui.session.settings import Settings
    from dixa_tui.tui.app import DixaApp

    definitions = organization()
    total, levels, off = count_options(definitions[-1].input_definition.options)
    state = MockState.from_definitions(definitions)
    app = DixaApp(Settings(demo=True), transport_factory=lambda: httpx.ASGITransport(
        app=create_app(state)))
    watch = GcWatch()
    figures: dict[str, Any] = {"options": total, "levels": levels, "deactivated": off,
                               "size": f"{SIZE[0]}x{SIZE[1]}", "gc_frozen_again": freeze}
    gc.callbacks.append(watch)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = app.main_screen
            await until(pilot, lambda: screen.definitions)
            await pilot.pause(0.3)
            await app.workers.wait_for_complete()
            await frame(pilot)
            big = next(d for d in screen.definitions if d.id == definitions[-1].id)
            text = next(d for d in screen.definitions if d.input_type == "Text"
                        and d.entity_type == big.entity_type)
            scene = Scene(pilot, watch, 5 if quick else 25, big, big.model_copy(deep=True),
                          text)
            if freeze:
                gc.collect()
                gc.freeze()
            figures |= await detail_figures(scene, screen)
            figures |= await search_figures(scene, screen, 1 if quick else 3)
            figures |= await picker_figures(scene, screen)
            figures["gc"] = watch.figures()
    finally:
        gc.callbacks.remove(watch)

    def p95(key: str) -> float:
        value: float = figures[key]["p95"]
        return value

    budgets = [
        budget("detail pane: show + frame (p95)", p95("detail_frame_ms"), BUDGET_DETAIL_MS),
        budget("detail pane: fetched copy + frame (p95)", p95("detail_refetch_frame_ms"),
               BUDGET_DETAIL_MS),
        budget("option search per keystroke (p95)", p95("search_keystroke_ms"),
               BUDGET_KEYSTROKE_MS),
    ]
    return {"figures": figures, "budgets": budgets}


def budget(name: str, value: float, limit: float) -> dict[str, Any]:
    return {"name": name, "value": value, "limit": limit, "unit": "ms", "ok": value <= limit}


def run(quick: bool = False, freeze: bool = False) -> dict[str, Any]:
    return asyncio.run(measure(quick, freeze))


def table(result: dict[str, Any]) -> Iterator[str]:
    for key, value in result["figures"].items():
        if isinstance(value, dict) and "median" in value:
            yield (f"{key:>26}: median {value['median']:8.2f}  p95 {value['p95']:8.2f}  "
                   f"max {value['max']:8.2f}  (n={value['n']})")
        else:
            yield f"{key:>26}: {value}"
    yield ""
    for item in result["budgets"]:
        mark = "ok  " if item["ok"] else "MISS"
        yield (f"{mark} {item['name']:<42} {item['value']:8.2f} {item['unit']} "
               f"(limit {item['limit']:g} {item['unit']})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--freeze-gc", action="store_true",
                        help="gc.freeze() once loaded, to compare")
    args = parser.parse_args(argv)
    for line in table(run(args.quick, args.freeze_gc)):
        print(line)


if __name__ == "__main__":
    main()
