"""A 429 is the one failure where waiting always helps: it is retried with growing, jittered
waits for the whole time budget, not a fixed number of tries. Every other failure keeps its
count."""

from __future__ import annotations

import random
from dataclasses import replace

import httpx
import pytest

from dixa_tui.api.client import DixaClient
from dixa_tui.api.errors import DixaApiError
from dixa_tui.api.ratelimit import RetryPolicy


class Timeline:
    """The policy's clock and the client's sleep on one virtual time line."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def always(status: int, tries: list[float], timeline: Timeline,
           succeed_after: int | None = None) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        tries.append(timeline.now)
        if succeed_after is not None and len(tries) > succeed_after:
            return httpx.Response(200, json={"data": []})
        return httpx.Response(status, json={"message": "Too many requests"})

    return httpx.MockTransport(answer)


@pytest.fixture
def timeline(monkeypatch: pytest.MonkeyPatch) -> Timeline:
    line = Timeline()
    monkeypatch.setattr("dixa_tui.api.client.asyncio.sleep", line.sleep)
    return line


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_a_sustained_429_is_retried_for_the_whole_budget(timeline: Timeline,
                                                               seed: int) -> None:
    policy = replace(RetryPolicy(), clock=timeline.clock, rng=random.Random(seed))
    tries: list[float] = []
    async with DixaClient("k", base_url="http://dixa.test", rate=0, retry=policy,
                          transport=always(429, tries, timeline)) as client:
        with pytest.raises(DixaApiError) as info:
            await client.list_definitions()
    waits = timeline.slept
    print(f"\n429 for good (seed {seed}): {len(tries)} tries, waits "
          f"{[round(w, 2) for w in waits]}, {info.value}")
    assert len(tries) > policy.max_attempts  # not five and out
    assert len(tries) == len(waits) + 1
    assert tries[-1] <= policy.budget  # no try starts past the budget...
    assert tries[-1] + policy.delay(len(tries)) > policy.budget * 0.8  # ...and it was used
    for n, wait in enumerate(waits):  # growing, capped, jittered
        ceiling = min(policy.max_delay, policy.base_delay * 2 ** n)
        assert ceiling / 2 <= wait <= ceiling
    assert len({round(w, 6) for w in waits}) == len(waits)
    assert info.value.status == 429
    assert f"gave up after {len(tries)} tries in" in str(info.value)
    assert "rate limit" in info.value.hint


async def test_a_429_that_clears_lands_within_the_budget(timeline: Timeline) -> None:
    policy = replace(RetryPolicy(), clock=timeline.clock, rng=random.Random(4))
    tries: list[float] = []
    async with DixaClient("k", base_url="http://dixa.test", rate=0, retry=policy,
                          transport=always(429, tries, timeline, succeed_after=8)) as client:
        assert (await client.list_definitions()).definitions == []
    assert len(tries) == 9 and tries[-1] < policy.budget


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_other_failures_keep_their_count(timeline: Timeline, status: int) -> None:
    policy = replace(RetryPolicy(), clock=timeline.clock, rng=random.Random(5))
    tries: list[float] = []
    async with DixaClient("k", base_url="http://dixa.test", rate=0, retry=policy,
                          transport=always(status, tries, timeline)) as client:
        with pytest.raises(DixaApiError):
            await client.list_definitions()
    assert len(tries) == policy.max_attempts == 5


async def test_a_count_for_429s_can_be_set(timeline: Timeline) -> None:
    """Tests bound 429 retries by a count to keep a fault matrix exact; the product does not."""
    assert RetryPolicy().max_429_attempts is None
    policy = replace(RetryPolicy(), clock=timeline.clock, max_429_attempts=3)
    tries: list[float] = []
    async with DixaClient("k", base_url="http://dixa.test", rate=0, retry=policy,
                          transport=always(429, tries, timeline)) as client:
        with pytest.raises(DixaApiError):
            await client.list_definitions()
    assert len(tries) == 3
