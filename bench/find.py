"""Finding conversations at Dixa's pace: 1,000 conversations read over real loopback HTTP.

    python bench/find.py [--quick]

The mock serves a generated organization of 5,000 conversations on 127.0.0.1 with Dixa's
limit on (10 requests/s in bursts of 4) and 30 ms of latency per request, so the reads must
overlap to keep the pace. ``find_conversations`` checks the first N conversations the search
returns (``sample``: 1,000; ``--quick``: 200) for ``contact_reason is empty``: N reads plus
N / 50 search pages. The ideal is the fastest schedule Dixa admits without a 429: its
4-token burst at once, then one request every 100 ms, so (requests - 4) / 10 s. Budgets:
elapsed within 10% of that ideal, and no 429. The matches are checked against the set the
mock's own records give.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from dixa_tui.api.client import DixaClient
from dixa_tui.api.ratelimit import DIXA_BURST, DIXA_RATE
from dixa_tui.domain.query import QuerySpec, compile_query
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app
from dixa_tui.mock.server import serving
from dixa_tui.session.find import find_conversations

CONVERSATIONS = 5000
SAMPLE, QUICK_SAMPLE = 1000, 200
LATENCY = 0.03
TOLERANCE = 0.10


def expected(state: MockState, sample: int) -> list[int]:
    reason = next(d.id for d in state.definitions if d.identifier == "contact_reason")
    order = sorted(state.conversations.values(),
                   key=lambda r: (r.conversation.created_at, r.id), reverse=True)[:sample]
    return [r.id for r in order if r.values.get(reason) in (None, [], "")]


async def measure(url: str, state: MockState, knobs: Knobs, sample: int) -> dict[str, Any]:
    query = compile_query(QuerySpec(where=("contact_reason is empty",)), state.definitions,
                          now=state.now)
    async with DixaClient(DEMO_API_KEY, base_url=url) as client:
        knobs.reset_counters()
        started = time.perf_counter()
        found = [f.conversation_id async for f in find_conversations(client, query,
                                                                     sample=sample)]
        elapsed = time.perf_counter() - started
    assert found == expected(state, sample), "the find's matches differ from the mock's"
    requests = knobs.requests
    ideal = (requests - DIXA_BURST) / DIXA_RATE
    return {"requests": requests, "matches": len(found), "elapsed_s": round(elapsed, 2),
            "ideal_s": round(ideal, 2), "ratio": round(elapsed / ideal, 3),
            "rate_limited": knobs.rate_limited}


def run(quick: bool = False) -> dict[str, Any]:
    sample = QUICK_SAMPLE if quick else SAMPLE
    state = MockState.generated(MockState.demo().definitions, conversations=CONVERSATIONS)
    _ = state.conversations  # generated before the clock starts
    knobs = Knobs(rate_limit=DIXA_RATE, burst=DIXA_BURST, latency=LATENCY)
    with serving(create_app(state, knobs=knobs)) as url:
        figures = asyncio.run(measure(url, state, knobs, sample))
    budgets = [
        {"name": f"find: {sample} reads, elapsed / ideal", "value": f"{figures['ratio']:.3f}",
         "limit": f"{1 + TOLERANCE:.2f}", "unit": "x",
         "ok": figures["ratio"] <= 1 + TOLERANCE},
        {"name": "find: 429s under Dixa's limit", "value": str(figures["rate_limited"]),
         "limit": "0", "unit": "", "ok": figures["rate_limited"] == 0},
    ]
    return {"figures": figures, "budgets": budgets}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    result = run(quick=parser.parse_args(argv).quick)
    print(json.dumps(result, indent=2))
    return 0 if all(b["ok"] for b in result["budgets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
