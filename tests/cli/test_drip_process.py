"""``dixa-tui definitions list`` as a real process against a Dixa that sends its headers and
then drips the body a byte at a time: every read succeeds, so only the bound on each try as a
whole ends it. It exits 1 with a sentence, within the documented bound: 3 tries of at most
``TRY_TIMEOUT`` (20 s) each, no try started more than ``RetryPolicy.budget`` (45 s) after the
first, "in about a minute".

The process runs with that bound and the backoff's waits scaled down 20 times (1 s a try, a
2.25 s budget: the same 3 tries) so the test takes seconds; ``DIXA_TUI_SLOW=1`` runs it with
the product's own numbers too (about 61 s)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from dixa_tui.api.constants import TRY_TIMEOUT
from dixa_tui.api.ratelimit import RetryPolicy

pytestmark = [pytest.mark.loopback, pytest.mark.timeout(150)]
TRIES = 3  # what the README promises
SCALE = 20
SLOW = os.environ.get("DIXA_TUI_SLOW") == "1"

# The CLI, with the client's bound per try, its budget and its backoff divided by a scale.
SHIM = """
import functools, sys
import dixa_tui.api.client as client
scale = float(sys.argv.pop(1))
if scale != 1:
    policy = client.RetryPolicy()
    client.TRY_TIMEOUT /= scale
    client.RetryPolicy = functools.partial(
        client.RetryPolicy, budget=policy.budget / scale,
        base_delay=policy.base_delay / scale, max_delay=policy.max_delay / scale)
from dixa_tui.cli import main
main()
"""


@asynccontextmanager
async def dripping_dixa(every: float) -> AsyncIterator[tuple[str, list[float]]]:
    """A server that answers every request with headers and then one byte every ``every``
    seconds, for ever. Yields its URL and when each request came."""
    came: list[float] = []
    handlers: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            handlers.add(task)
        try:
            await reader.readuntil(b"\r\n\r\n")
            came.append(time.monotonic())
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 1000000\r\n\r\n{")
            while True:
                await writer.drain()
                await asyncio.sleep(every)
                writer.write(b" ")
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", came
    finally:
        server.close()
        for task in list(handlers):
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)


@pytest.mark.parametrize("scale", [
    pytest.param(SCALE, id="scaled"),
    pytest.param(1, id="product", marks=pytest.mark.skipif(
        not SLOW, reason="takes about a minute: DIXA_TUI_SLOW=1 runs it")),
])
async def test_definitions_list_exits_1_within_the_bound(scale: int) -> None:
    try_timeout, budget = TRY_TIMEOUT / scale, RetryPolicy().budget / scale
    every = try_timeout / 10  # each byte well inside httpx's 20 s per-read timeout
    # 3 whole tries, the backoff between them (at most 0.2 + 0.4 s, scaled), and a process's
    # start-up on a loaded machine (measured: 3.6 s scaled, 60.8 s with the product's numbers)
    bound = TRIES * try_timeout + 0.6 / scale + 10
    async with dripping_dixa(every) as (url, came):
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SHIM, str(scale), "--base-url", url,
            "definitions", "list", stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "DIXA_API_KEY": "drip-test-key-0123"})
        out, err = await asyncio.wait_for(process.communicate(), bound + 30)
        took = time.monotonic() - started
    stderr = err.decode()
    print(f"\ndrip, {try_timeout:g} s a try and a {budget:g} s budget: exit "
          f"{process.returncode} after {took:.1f} s ({len(came)} tries; bound {bound:.1f} s)"
          f"\n{stderr}")
    assert process.returncode == 1
    assert out == b""
    assert "Traceback" not in stderr
    assert f"Error: list definitions: Dixa did not finish answering within {try_timeout:g} s" \
        in stderr
    assert f"(gave up after {TRIES} tries in " in stderr
    assert f"(try 2 of {TRIES})" in stderr and f"(try 3 of {TRIES})" in stderr
    assert "Try again in a moment; if it keeps failing, check your network." in stderr
    assert len(came) == TRIES and came[-1] - came[0] <= budget
    assert took < bound
