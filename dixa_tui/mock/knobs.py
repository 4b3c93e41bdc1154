"""The fault knobs: latency, Dixa's rate limit and injected failures, changeable while serving.

Clients have to survive a slow, throttling, flaky Dixa; these knobs let tests, benches and
demos produce exactly that on demand. ``Knobs`` is plain mutable data (the app reads it on
every request, so a test can turn a knob mid-run); the ``RateLimiter`` and ``FaultInjector``
hold the machinery and notice when the knobs they follow have changed.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from dixa_tui.api.ratelimit import TokenBucket

MAX_TRACKED_KEYS = 1024


@dataclass
class Knobs:
    """What the mock does to every request before Dixa's own logic sees it.

    Applied in this order: ``latency`` (seconds slept first), ``rate_limit`` (requests per
    second per key, bursts of ``burst``; 0 is off; Dixa's is 10/s), ``failure_rate`` (the
    fraction of requests answered with ``failure_status``, drawn from
    ``random.Random(seed)`` so a seeded run fails the same requests every time).

    ``hold_writes``: seconds a PATCH waits after it has arrived whole (body read) and before
    it is processed, so a test can kill the client between sending and the answer. The write
    is then processed anyway, as by a server that received it: it lands, and its answer goes
    nowhere. ``held`` counts the PATCHes that started waiting: once it has grown, the request
    is in the mock (a test's moment to kill the client).

    The counters say what the mock did: ``requests`` seen, ``rate_limited`` (429s sent) and
    ``failures`` (injected failures sent) and ``writes`` (PATCH requests seen, whatever
    their outcome: "nothing was sent" in a test means this stayed 0; ``MockState.writes``
    counts the writes that changed a target).
    """

    latency: float = 0.0
    rate_limit: float = 0.0
    burst: int = 4
    failure_rate: float = 0.0
    failure_status: int = 503
    seed: int | None = None
    hold_writes: float = 0.0
    requests: int = 0
    writes: int = 0
    rate_limited: int = 0
    failures: int = 0
    held: int = 0

    def reset_counters(self) -> None:
        self.requests = 0
        self.writes = 0
        self.rate_limited = 0
        self.failures = 0
        self.held = 0


class RateLimiter:
    """One token bucket per API key, like Dixa's per-key limit.

    Buckets are keyed by a hash of the key, so the limiter never keeps a received secret.
    When ``rate_limit`` or ``burst`` changes, every bucket is recreated with the new settings.
    """

    def __init__(self) -> None:
        self._settings: tuple[float, int] | None = None
        self._buckets: dict[str, TokenBucket] = {}

    def allow(self, knobs: Knobs, api_key: bytes) -> bool:
        """Take a token for ``api_key``; False means answer 429."""
        if knobs.rate_limit <= 0:
            return True
        settings = (knobs.rate_limit, knobs.burst)
        if settings != self._settings or len(self._buckets) > MAX_TRACKED_KEYS:
            self._settings = settings
            self._buckets = {}
        slot = hashlib.sha256(api_key).hexdigest()
        bucket = self._buckets.get(slot)
        if bucket is None:
            bucket = self._buckets[slot] = TokenBucket(knobs.rate_limit, knobs.burst)
        return bucket.try_acquire()


class FaultInjector:
    """Decides which requests fail. A changed ``seed`` is noticed on the next request and
    restarts the sequence from that seed, so a test can replay the same failures."""

    def __init__(self) -> None:
        self._seed: int | None = None
        self._rng = random.Random()
        self._seeded = False

    def should_fail(self, knobs: Knobs) -> bool:
        if knobs.failure_rate <= 0:
            return False
        if not self._seeded or knobs.seed != self._seed:
            self._seed = knobs.seed
            self._rng = random.Random(knobs.seed)
            self._seeded = True
        return self._rng.random() < knobs.failure_rate
