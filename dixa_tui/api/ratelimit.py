"""Client-side pacing and retries for Dixa's limit: 10 requests/s per key, bursts of 4.

One ``TokenBucket`` is shared by every call of one client, so concurrent work is paced
before it reaches Dixa instead of being answered with 429. The same bucket (non-blocking
``try_acquire``) is the embedded mock's limiter, so both sides count the same way.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from dixa_tui.api.constants import CLIENT_BURST, DIXA_BURST, DIXA_RATE

__all__ = ["CLIENT_BURST", "DIXA_BURST", "DIXA_RATE", "RetryPolicy", "TokenBucket",
           "parse_retry_after"]

# What is tried again (the README's "When Dixa fails" lists it):
#  - 429, 502, 503, 504, and a connection that failed: refused, timed out, reset mid-body.
#  - Never a 500 or another 4xx (the same request fails the same way again), nor a 2xx whose
#    body cannot be read (Dixa did the work; asking again does not mend the answer).
# A 429 is the one failure where waiting always helps (the limit refills every second): it is
# retried for the whole time budget, however many tries that takes, with the same growing,
# jittered waits. Every other failure gets at most ``max_attempts`` tries.
# A failure after the request may have reached Dixa (a timeout or a reset after sending, a
# 502/503/504 from a gateway) is retried only for methods that are safe to repeat: GET reads,
# and PATCH because Dixa's PATCH of custom attributes sets absolute values (attribute id ->
# value, null clears), so applying it twice leaves what applying it once does. (A repeat can
# overwrite a change someone else made between the attempts, exactly as a slower first
# attempt would have.) A refused connection, or a 429 (refused before any processing), is
# safe to repeat for any method: nothing was done.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
REPEATABLE_METHODS = frozenset({"GET", "HEAD", "PATCH"})


class TokenBucket:
    """``rate`` tokens per second up to ``burst``; ``rate`` <= 0 disables limiting."""

    def __init__(
        self,
        rate: float = DIXA_RATE,
        burst: int = DIXA_BURST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._tokens = float(self.burst)
        self._stamp = clock()
        self._lock: asyncio.Lock | None = None

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def try_acquire(self) -> bool:
        """Take a token now if there is one (the server side: no token -> 429)."""
        if not self.enabled:
            return True
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    def wait_time(self) -> float:
        """Seconds until a token is available."""
        if not self.enabled:
            return 0.0
        self._refill()
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    async def acquire(self) -> None:
        """Wait for a token; callers are served one at a time, in arrival order."""
        if not self.enabled:
            return
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            while not self.try_acquire():
                await asyncio.sleep(self.wait_time())

    def penalize(self) -> None:
        """After a 429 the server's bucket is empty: empty ours too so callers slow down."""
        if self.enabled:
            self._refill()
            self._tokens = min(self._tokens, 0.0)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with equal jitter; ``Retry-After`` wins when sent.

    ``max_attempts`` bounds the tries of every failure but a 429, which is retried until
    ``budget`` runs out (``max_429_attempts`` sets a count instead: tests use it to keep a
    fault matrix exact). ``clock`` and ``sleep`` may be replaced together to run the policy on
    a virtual time line (the README's fault table does).
    """

    max_attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 8.0
    # No try starts later than this many seconds after the first began: a Dixa that hangs
    # (a 20 s bound per try) fails in about a minute, not after five full timeouts.
    budget: float = 45.0
    max_429_attempts: int | None = None
    statuses: frozenset[int] = RETRY_STATUSES
    repeatable: frozenset[str] = REPEATABLE_METHODS
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)
    sleep: Callable[[float], Awaitable[None]] | None = field(default=None, compare=False,
                                                             repr=False)

    def retries(self, method: str, *, status: int | None = None, reached: bool = True,
                safe: bool = False) -> bool:
        """Whether a failed attempt is tried again: an error ``status``, or (``status`` None)
        a connection failure that may have ``reached`` the server. ``safe``: the caller
        vouches that this request changes nothing (a search sent as POST), so it is repeated
        like a GET whatever its method."""
        repeatable = safe or method.upper() in self.repeatable
        if status is not None:
            return status in self.statuses and (status == 429 or repeatable)
        return not reached or repeatable

    def attempts_for(self, status: int | None) -> int:
        """The most tries a failure with ``status`` (None: a network failure) may get: for
        a 429, as many as the budget can hold (or ``max_429_attempts``)."""
        if status != 429:
            return self.max_attempts
        if self.max_429_attempts is not None:
            return self.max_429_attempts
        tries, spent = 1, 0.0
        while tries < 10_000:  # the shortest waits the jitter allows, until the budget
            wait = min(self.max_delay, self.base_delay * 2.0 ** min(tries - 1, 64)) / 2
            if wait <= 0 or spent + wait > self.budget:
                break
            spent += wait
            tries += 1
        return tries

    def within_budget(self, elapsed: float, wait: float) -> bool:
        """Whether a try that would start ``wait`` s from now, ``elapsed`` s after the first
        try began, is still made."""
        return elapsed + wait <= self.budget

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1).

        A server's ``Retry-After`` is returned as asked, even past ``max_delay``: the caller
        then gives up and says when to try again rather than retrying too early.
        """
        hinted = parse_retry_after(retry_after)
        if hinted is not None:
            return hinted
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** min(attempt - 1, 64))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
