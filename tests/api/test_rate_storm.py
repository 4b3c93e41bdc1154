"""A storm: 50 concurrent PATCHes through one client against the mock's 10/s, burst-4 limit.

The client's shared token bucket paces them; any 429 that still happens is retried. All 50
must land, each with its own value. The number of 429s is reported (run with -s, or see the
junit property) rather than asserted: how many slip through depends on timing, and timing
belongs in bench/.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from dixa_tui.api.client import DixaClient
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app

ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"


@pytest.mark.timeout(60)
async def test_fifty_concurrent_patches_all_land(wiring, record_property):
    make, state, knobs = wiring
    knobs.rate_limit, knobs.burst = 10, 4
    targets = sorted(state.conversations)[:50]
    async with make() as client:  # the defaults: 10/s, burst 3 (Dixa: 10/s, burst 4)
        results = await asyncio.gather(*(
            client.patch_conversation_attributes(cid, {ORDER_NUMBER: f"storm-{cid}"})
            for cid in targets))
        seen_429 = client.stats.statuses.get(429, 0)
    record_property("server_429s", seen_429)
    print(f"\nstorm: 50 PATCHes, {seen_429} x 429 seen, {client.stats.requests} requests")
    assert all(r[0].value == f"storm-{cid}" for r, cid in zip(results, targets, strict=True))
    assert all(state.conversation_values(cid)[ORDER_NUMBER] == f"storm-{cid}"
               for cid in targets)
    assert knobs.rate_limited == seen_429


@pytest.mark.timeout(60)
async def test_an_unpaced_client_still_loses_nothing():
    """With client pacing off, the server's 429s are retried with backoff until all land."""
    state = MockState.demo()
    knobs = Knobs(rate_limit=10, burst=4)
    app = create_app(state, knobs=knobs)
    targets = sorted(state.conversations)[:12]
    from dixa_tui.api.ratelimit import RetryPolicy

    async with DixaClient(DEMO_API_KEY, base_url="http://mock", rate=0,
                          retry=RetryPolicy(max_attempts=12, base_delay=0.1, max_delay=1.0),
                          transport=httpx.ASGITransport(app=app)) as client:
        await asyncio.gather(*(
            client.patch_conversation_attributes(cid, {ORDER_NUMBER: f"x-{cid}"})
            for cid in targets))
        assert client.stats.statuses.get(429, 0) > 0
    assert all(state.conversation_values(cid)[ORDER_NUMBER] == f"x-{cid}" for cid in targets)
