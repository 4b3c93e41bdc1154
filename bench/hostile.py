"""The hostile organization stays responsive: 3,000 items and a 10,000-character label.

* filter: the work of one keystroke (filter the index, hand the rows to the list, render the
  visible lines), for queries that go fuzzy over the long label and match nothing (the kind
  that once backtracked for minutes), and for hostile text;
* detail: the 10,000-character label's detail pane, shown and rendered, beside a short
  Text's (the budget is their ratio: these machines are noisy) and the 8-level Select's;
* load: from mount until the definitions are listed (in-process mock, 9 items skipped).

Run: ``.venv/bin/python bench/hostile.py [--quick]``; ``make bench`` runs it too.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from stats import summary

QUERIES = ["labz", "long label xq", "lolz", "[bold red]refund", "顧客 理由", "ordnumz"]
BUDGET_KEYSTROKE_MS = 16.0
BUDGET_LONG_OVER_SHORT = 2.0  # the long label's detail against a short Text's, medians


async def measure(quick: bool) -> dict[str, Any]:
    import httpx

    from dixa_tui.mock import create_app
    from dixa_tui.mock.hostile import build_hostile_state, cast
    from dixa_tui.session.settings import Settings
    from dixa_tui.tui.app import DixaApp
    from dixa_tui.tui.widgets.definitions import DefinitionList
    from dixa_tui.tui.widgets.detail import DetailPane

    rounds = 1 if quick else 5
    state = build_hostile_state()
    app = DixaApp(Settings(demo=True), transport_factory=lambda: httpx.ASGITransport(
        app=create_app(state)))
    keystrokes: list[float] = []
    details: dict[str, list[float]] = {"long_label": [], "deep": [], "cjk": []}
    async with app.run_test(size=(120, 36)) as pilot:
        t0 = time.perf_counter()
        screen = app.main_screen
        while not screen.definitions:
            await pilot.pause(0.01)
        loaded = time.perf_counter() - t0
        listing = screen.query_one(DefinitionList)
        pane = screen.query_one(DetailPane)
        height = listing.size.height
        for _ in range(rounds):
            for query in QUERIES:
                for k in range(1, len(query) + 1):
                    start = time.perf_counter()
                    screen.query_text = query[:k]
                    screen._refilter()
                    for y in range(height):
                        listing.render_line(y)
                    keystrokes.append(time.perf_counter() - start)
                screen.query_text = ""
                screen._refilter()
        by_id = {d.id: d for d in screen.definitions}
        for _ in range(rounds * 4):
            for name in details:
                definition = by_id[cast()[name]["id"]]
                pane.show(None)
                await pilot.pause()
                start = time.perf_counter()
                pane.show(definition, current=None, source="bench")
                await pilot.pause()  # the frame that shows it
                details[name].append(time.perf_counter() - start)
    figures = {"load_seconds": round(loaded, 3), "filter_keystroke_ms": summary(keystrokes),
               "detail_long_label_ms": summary(details["long_label"]),
               "detail_deep_select_ms": summary(details["deep"]),
               "detail_short_text_ms": summary(details["cjk"])}
    budgets = [
        budget("hostile org: filter per keystroke (p95)",
               figures["filter_keystroke_ms"]["p95"], BUDGET_KEYSTROKE_MS),
        budget("hostile org: 10,000-char label detail / short",
               round(figures["detail_long_label_ms"]["median"]
                     / figures["detail_short_text_ms"]["median"], 2),
               BUDGET_LONG_OVER_SHORT, unit="x"),
    ]
    return {"figures": figures, "budgets": budgets}


def budget(name: str, value: float, limit: float, unit: str = "ms") -> dict[str, Any]:
    return {"name": name, "value": value, "limit": limit, "unit": unit, "ok": value <= limit}


def run(quick: bool = False) -> dict[str, Any]:
    return asyncio.run(measure(quick))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    result = run(args.quick)
    for key, value in result["figures"].items():
        print(f"{key:>24}: {value}")
    for item in result["budgets"]:
        mark = "ok  " if item["ok"] else "MISS"
        print(f"{mark} {item['name']:<46} {item['value']:8.2f} {item['unit']} "
              f"(limit {item['limit']:g})")


if __name__ == "__main__":
    main()
