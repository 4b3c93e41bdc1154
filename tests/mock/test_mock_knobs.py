"""Fault knobs: latency, per-key rate limiting and seeded failure injection, in that order."""

from __future__ import annotations

import asyncio
import time

import httpx

from dixa_tui.mock import Knobs, MockState, create_app

URL = "/v1/custom-attributes"


async def statuses(client: httpx.AsyncClient, n: int, **kwargs) -> list[int]:
    return [(await client.get(URL, **kwargs)).status_code for _ in range(n)]


async def test_latency_is_added(client, knobs: Knobs):
    knobs.latency = 0.15
    started = time.monotonic()
    response = await client.get(URL)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.15


async def test_rate_limit_429_after_burst_then_recovers(client, knobs: Knobs):
    knobs.rate_limit, knobs.burst = 5.0, 4
    assert await statuses(client, 4) == [200] * 4
    response = await client.get(URL)
    assert response.status_code == 429
    assert response.json() == {"message": "Too many requests"}
    assert "retry-after" not in response.headers
    assert knobs.rate_limited == 1
    await asyncio.sleep(0.25)  # 5/s: one token after 0.2 s
    assert (await client.get(URL)).status_code == 200
    assert knobs.requests == 6


async def test_rate_limit_is_per_key(client, knobs: Knobs):
    knobs.rate_limit, knobs.burst = 1.0, 2
    assert await statuses(client, 3) == [200, 200, 429]
    other = await client.get(URL, headers={"Authorization": "another-key"})
    assert other.status_code == 401  # its own bucket still has tokens


async def test_rate_limit_changes_at_runtime(client, knobs: Knobs):
    knobs.rate_limit, knobs.burst = 1.0, 1
    assert await statuses(client, 2) == [200, 429]
    knobs.burst = 3  # new settings: fresh buckets
    assert await statuses(client, 4) == [200, 200, 200, 429]
    knobs.rate_limit = 0  # off
    assert await statuses(client, 10) == [200] * 10


async def test_failure_rate_with_seed_is_deterministic(state: MockState):
    runs = []
    for _ in range(2):
        knobs = Knobs(failure_rate=0.5, seed=42, failure_status=502)
        app = create_app(MockState.demo(), knobs=knobs)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://mock",
                                     headers={"Authorization": "demo-key"}) as c:
            runs.append(await statuses(c, 30))
        assert knobs.failures == runs[-1].count(502)
        assert knobs.requests == 30
    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 502}


async def test_injected_failure_body_and_reseed(client, knobs: Knobs):
    knobs.failure_rate, knobs.seed = 1.0, 1
    response = await client.get(URL)
    assert response.status_code == 503
    assert response.json()["message"]
    knobs.failure_rate, knobs.seed = 0.5, 7
    first = await statuses(client, 12)
    knobs.seed = 8
    await client.get(URL)  # a new seed is noticed on the next request
    knobs.seed = 7  # back to 7: the sequence restarts from the start
    assert await statuses(client, 12) == first


async def test_order_rate_limit_then_failure_then_auth(anonymous, knobs: Knobs):
    knobs.failure_rate = 1.0
    wrong_key = await anonymous.get(URL, headers={"Authorization": "wrong"})
    assert wrong_key.status_code == 503  # failure injection runs before the key check
    knobs.rate_limit, knobs.burst = 1.0, 1
    await anonymous.get(URL)
    limited = await anonymous.get(URL)
    assert limited.status_code == 429  # the rate limit runs before failure injection
    assert (knobs.requests, knobs.rate_limited, knobs.failures) == (3, 1, 2)


def test_reset_counters():
    knobs = Knobs(latency=1.0)
    knobs.requests, knobs.rate_limited, knobs.failures = 3, 2, 1
    knobs.reset_counters()
    assert (knobs.requests, knobs.rate_limited, knobs.failures) == (0, 0, 0)
    assert knobs.latency == 1.0


async def test_knobs_object_can_be_replaced(app, client):
    app.state.knobs = Knobs(failure_rate=1.0, seed=0)
    assert (await client.get(URL)).status_code == 503
    assert app.state.knobs.failures == 1
