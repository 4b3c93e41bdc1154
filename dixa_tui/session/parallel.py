"""A few requests in flight at once, at the client's pace: how long work (bulk runs, undo)
keeps Dixa's rate busy.

The client's token bucket sets the pace (so there are no 429s); running a few targets at a
time lets each request's latency overlap with the next one's wait, instead of adding up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

CONCURRENCY = 4  # targets in flight: enough to keep 10/s busy over ~300 ms of latency
T = TypeVar("T")


async def in_parallel(items: Sequence[T], work: Callable[[T], Awaitable[None]],
                      concurrency: int, stop: asyncio.Event | None = None) -> None:
    """Run ``work`` over ``items``, ``concurrency`` at a time, in order of start; the first
    error (or a cancellation) stops the rest and is raised as it is. Once ``stop`` is set,
    no new item starts (the ones on their way finish)."""
    queue = iter(items)

    async def worker() -> None:
        for item in queue:
            if stop is not None and stop.is_set():
                return
            await work(item)

    tasks = [asyncio.create_task(worker()) for _ in range(max(1, min(concurrency, len(items))))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
