"""Time per filter keystroke at 10,000 (or 50,000) definitions, in the real app (headless).

Two figures per keystroke:
- ``work``: what the app does for one keystroke (filter the index, hand the rows to the list,
  render every visible line of the list, as a paint does);
- ``pilot``: from the key press until the app is idle again, as Textual's pilot measures it
  (includes the pilot's own overhead, so it is an upper bound).

Run: ``.venv/bin/python bench/filter.py [--definitions N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from stats import summary

QUERY = "contact reason 12"


async def measure(count: int, rounds: int, distinct_options: bool = False) -> dict[str, Any]:
    """``distinct_options``: no two definitions share an option list
    (``orgs.distinct_options_org``), as against ``orgs.big_org``'s shared ones."""
    import httpx
    from orgs import big_org, distinct_options_org

    from dixa_tui.mock import MockState, create_app
    from dixa_tui.session.settings import Settings
    from dixa_tui.tui.app import DixaApp
    from dixa_tui.tui.widgets.definitions import DefinitionList

    state = MockState.from_definitions((distinct_options_org if distinct_options else big_org)(
        count))
    app = DixaApp(Settings(demo=True), transport_factory=lambda: httpx.ASGITransport(
        app=create_app(state)))
    work: list[float] = []
    matches = 0
    pilot_times: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        t0 = time.perf_counter()
        screen = app.main_screen
        while not screen.definitions:
            await pilot.pause(0.01)
        loaded = time.perf_counter() - t0
        while screen.search is None or not screen.search.prepared:  # built in steps
            await pilot.pause(0.01)
        indexed = time.perf_counter() - t0
        from textual.geometry import Region

        listing = screen.query_one(DefinitionList)
        height = listing.size.height
        visible = Region(0, 0, listing.size.width, height)
        for _ in range(rounds):
            for k in range(1, len(QUERY) + 1):
                start = time.perf_counter()
                screen.query_text = QUERY[:k]
                screen._refilter()
                listing.render_lines(visible)  # as a paint does: every visible line
                work.append(time.perf_counter() - start)
            matches = len(listing.rows)
            screen.query_text = ""
            screen._refilter()
        await pilot.press("slash")
        for _ in range(rounds):
            for ch in QUERY:
                start = time.perf_counter()
                await pilot.press("space" if ch == " " else ch)
                pilot_times.append(time.perf_counter() - start)
            screen.query_one("#filter").value = ""
            await pilot.pause()
    return {
        "definitions": count, "keystrokes": len(work), "final_matches": matches,
        "load_seconds": round(loaded, 3), "indexed_seconds": round(indexed, 3),
        "work_ms": summary(work),
        "pilot_ms": summary(pilot_times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--definitions", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--distinct-options", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(measure(args.definitions, args.rounds, args.distinct_options))
    for key, value in result.items():
        print(f"{key:>15}: {value}")


if __name__ == "__main__":
    main()
