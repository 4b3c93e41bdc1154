"""A bulk run at Dixa's pace: plan and apply a CSV of N rows (500; ``--quick``: 100) against the
mock over loopback HTTP with Dixa's own limit on (10 requests/s per key, bursts of 4).

    python bench/bulk.py [--quick]

The engine is the product's own (``session.bulk.plan_bulk`` / ``apply_bulk`` through a
``Session`` on the profile's default pacing, the journal on). The mock answers after 20 ms
of latency. For each phase the requests the client made are counted, and the ideal is the
fastest schedule Dixa admits without a 429 for that many requests: its 4-token burst at once,
then one every 100 ms, so (requests - 4) / 10 s. Budgets: each phase within 10% of its
ideal; no 429 from the mock; and afterwards every target holds its new value, written once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

ROWS, QUICK_ROWS = 500, 100
LATENCY = 0.02
TOLERANCE = 0.10
ORDER_NUMBER = "order_number"


def budget(name: str, value: float, limit: float, unit: str, ok: bool) -> dict[str, Any]:
    return {"name": name, "value": round(value, 2), "limit": round(limit, 2), "unit": unit,
            "ok": ok}


async def measure(rows: int) -> dict[str, Any]:
    from dixa_tui.api.ratelimit import DIXA_BURST, DIXA_RATE
    from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app
    from dixa_tui.mock.server import serving
    from dixa_tui.session.bulk import apply_bulk, plan_bulk
    from dixa_tui.session.core import Session
    from dixa_tui.session.settings import Settings

    demo = MockState.demo()
    state = MockState.generated(demo.definitions, conversations=rows + 20)
    ids = sorted(state.conversations)[:rows]
    order = next(d.id for d in state.definitions if d.identifier == ORDER_NUMBER)
    knobs = Knobs(rate_limit=DIXA_RATE, burst=DIXA_BURST, latency=LATENCY)
    csv = "conversation,order_number\n" + "".join(f"{i},900-{i}\n" for i in ids)
    with tempfile.TemporaryDirectory() as home, \
            serving(create_app(state, knobs=knobs)) as url:
        os.environ.update({"DIXA_API_KEY": DEMO_API_KEY, "DIXA_TUI_STATE": home,
                           "DIXA_TUI_CONFIG": str(Path(home) / "none.toml")})
        await asyncio.sleep(1.0)  # let the mock's bucket refill after start-up
        session = Session.open(Settings(base_url=url))
        async with session:
            assert session.client is not None
            stats = session.client.stats
            started = time.perf_counter()
            _, plan = await plan_bulk(session, csv, name="bench.csv")
            plan_s = time.perf_counter() - started
            plan_requests = stats.requests
            assert plan.applicable and len(plan.to_send) == rows, plan.totals
            await asyncio.sleep(1.0)
            journal = session.journal()
            assert journal is not None
            plan = plan.with_batch_id(journal.new_batch_id())
            started = time.perf_counter()
            summary = await apply_bulk(session, plan)
            apply_s = time.perf_counter() - started
            apply_requests = stats.requests - plan_requests
    landed = all(state.conversation_values(i)[order] == f"900-{i}" for i in ids)
    once = all(state.writes[("conversation", str(i))] == 1 for i in ids)
    plan_ideal = (plan_requests - DIXA_BURST) / DIXA_RATE
    apply_ideal = (apply_requests - DIXA_BURST) / DIXA_RATE
    figures = {
        "rows": rows, "plan_requests": plan_requests, "plan_s": round(plan_s, 2),
        "plan_ideal_s": round(plan_ideal, 2), "apply_requests": apply_requests,
        "apply_s": round(apply_s, 2), "apply_ideal_s": round(apply_ideal, 2),
        "sent": summary.counts.get("sent", 0), "http_429": knobs.rate_limited,
        "every_value_landed_once": landed and once,
    }
    budgets = [
        budget(f"bulk plan of {rows} rows: elapsed vs ideal {plan_ideal:.1f} s", plan_s,
               plan_ideal * (1 + TOLERANCE), "s",
               abs(plan_s - plan_ideal) <= plan_ideal * TOLERANCE),
        budget(f"bulk apply of {rows} rows: elapsed vs ideal {apply_ideal:.1f} s", apply_s,
               apply_ideal * (1 + TOLERANCE), "s",
               abs(apply_s - apply_ideal) <= apply_ideal * TOLERANCE),
        budget("bulk: 429s from Dixa's limit", knobs.rate_limited, 0, "", knobs.rate_limited == 0),
        budget("bulk: every target holds its value, written once", 1 if landed and once else 0,
               1, "", landed and once),
    ]
    return {"figures": figures, "budgets": budgets}


def run(quick: bool = False) -> dict[str, Any]:
    return asyncio.run(measure(QUICK_ROWS if quick else ROWS))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS} rows")
    args = parser.parse_args(argv)
    result = run(args.quick)
    for key, value in result["figures"].items():
        print(f"{key:>26}: {value}")
    for item in result["budgets"]:
        print(f"{'ok  ' if item['ok'] else 'MISS'} {item['name']}: {item['value']} "
              f"(limit {item['limit']} {item['unit']})")


if __name__ == "__main__":
    main()
