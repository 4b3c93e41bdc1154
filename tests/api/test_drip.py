"""A server that sends its headers and then drips the body a byte at a time keeps every read
alive, so httpx's per-read timeout never fires. Each try is bounded as a whole: the client
fails after its tries within the documented bound, and a PATCH that timed out says the change
may have been applied."""

from __future__ import annotations

import asyncio
import random
import time

import httpx
import pytest
from rawhttp import head, serve

from dixa_tui.api.client import DixaClient
from dixa_tui.api.constants import TRY_TIMEOUT
from dixa_tui.api.errors import MAYBE_APPLIED, DixaNetworkError
from dixa_tui.api.ratelimit import RetryPolicy

pytestmark = pytest.mark.loopback
TRY = 0.5  # seconds a try may take, here (the product's is TRY_TIMEOUT)
POLICY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, rng=random.Random(2))


async def drip(writer: asyncio.StreamWriter) -> None:
    writer.write(head(200, 1000, content_type="application/json"))
    await writer.drain()
    for _ in range(1000):
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(0.1)  # each byte well inside the per-read timeout below


@pytest.mark.parametrize("method", ["GET", "PATCH"])
async def test_a_dripping_answer_fails_after_its_tries_within_the_bound(
        method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dixa_tui.api.client.TRY_TIMEOUT", TRY, raising=False)
    async with serve(drip) as (url, seen), DixaClient(
            "k", base_url=url, rate=0, retry=POLICY, timeout=httpx.Timeout(2.0)) as client:
        started = time.monotonic()
        with pytest.raises(DixaNetworkError) as info:
            if method == "GET":
                await asyncio.wait_for(client.list_definitions(), 15)
            else:
                await asyncio.wait_for(
                    client.patch_conversation_attributes(7, {"d": "x"}), 15)
        took = time.monotonic() - started
    error = info.value
    print(f"\ndrip ({method}): {error} after {took:.2f} s")
    assert len(seen) == POLICY.max_attempts  # every try was made, and each was cut short
    assert took < POLICY.max_attempts * TRY + 5  # bounded (a hang would run to 15 s)
    assert f"did not finish answering within {TRY:g} s" in str(error)
    assert error.reached
    if method == "PATCH":
        assert error.write and error.outcome == MAYBE_APPLIED and MAYBE_APPLIED in error.hint


def test_the_product_bounds_a_try_so_three_fit_in_about_a_minute() -> None:
    policy = RetryPolicy()
    tries = int(policy.budget // TRY_TIMEOUT) + 1
    assert tries == 3 and tries * TRY_TIMEOUT <= 65


async def test_a_slow_but_steady_answer_within_the_bound_is_read() -> None:
    body = b'{"data": []}'

    async def slow(writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, len(body), content_type="application/json"))
        for byte in body:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.01)

    async with serve(slow) as (url, _), DixaClient("k", base_url=url, rate=0,
                                                   retry=POLICY) as client:
        assert (await client.list_definitions()).definitions == []
