"""The issue's storm: many processes at once, each reading the definitions and a conversation
and patching it, against a mock over loopback that enforces Dixa's limit (10/s, bursts of 4).
They share one pace through the runtime directory, so all of them land, each value exactly
once (the 429s they still meet are waited out within the retry budget)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dixa_tui.mock import DEMO_API_KEY, Knobs

pytestmark = [pytest.mark.loopback, pytest.mark.timeout(120)]
ROOT = Path(__file__).resolve().parents[2]
ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"
PROCESSES = 24

WORKER = f"""
import asyncio, json, sys
sys.path.insert(0, {str(ROOT)!r})
from dixa_tui.api.client import DixaClient
from dixa_tui.api.errors import DixaError

async def main(url, cid):
    async with DixaClient({DEMO_API_KEY!r}, base_url=url) as client:  # the product's pace
        print("ready", flush=True)
        sys.stdin.readline()  # everyone starts together
        try:
            await client.list_definitions()
            await client.get_conversation(cid)
            await client.patch_conversation_attributes(cid, {{{ORDER_NUMBER!r}: f"storm-{{cid}}"}})
            error = None
        except DixaError as exc:
            error = str(exc)
        print(json.dumps({{"error": error, "seen_429": client.stats.statuses.get(429, 0)}}))

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


def test_parallel_processes_all_land_under_dixas_limit(serve_mock, record_property) -> None:
    url, state, knobs = serve_mock(knobs=Knobs(rate_limit=10, burst=4))
    targets = sorted(state.conversations)[:PROCESSES]
    children = [subprocess.Popen([sys.executable, "-c", WORKER, url, str(cid)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                for cid in targets]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    knobs.reset_counters()
    started = time.monotonic()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results = [json.loads(child.communicate(timeout=90)[0]) for child in children]
    took = time.monotonic() - started
    failed = [r["error"] for r in results if r["error"]]
    record_property("server_429s", knobs.rate_limited)
    print(f"\nstorm: {PROCESSES} processes x 3 requests in {took:.1f} s; "
          f"{len(failed)} failed; {knobs.rate_limited} x 429 from the mock")
    assert not failed, failed[:3]
    assert knobs.writes == PROCESSES  # every PATCH was sent exactly once: none repeated
    for cid in targets:
        assert state.conversation_values(cid)[ORDER_NUMBER] == f"storm-{cid}"
    # How many 429s and how long depend on this machine's load: bench/client.py measures
    # the pace (0 x 429 there); here every value must land, each exactly once.
