from __future__ import annotations

import random

import pytest

from dixa_tui.api.ratelimit import RetryPolicy, TokenBucket, parse_retry_after


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_rate():
    clock = Clock()
    bucket = TokenBucket(10, 4, clock=clock)
    assert [bucket.try_acquire() for _ in range(5)] == [True] * 4 + [False]
    assert bucket.wait_time() == pytest.approx(0.1)
    clock.now += 0.1
    assert bucket.try_acquire() and not bucket.try_acquire()
    clock.now += 10
    assert sum(bucket.try_acquire() for _ in range(10)) == 4  # never more than the burst


def test_disabled_bucket_never_waits():
    bucket = TokenBucket(0, 4)
    assert all(bucket.try_acquire() for _ in range(1000)) and bucket.wait_time() == 0


def test_penalize_empties_the_bucket():
    clock = Clock()
    bucket = TokenBucket(10, 4, clock=clock)
    bucket.penalize()
    assert not bucket.try_acquire()


def test_backoff_is_bounded_and_jittered():
    policy = RetryPolicy(base_delay=0.2, max_delay=2.0, rng=random.Random(1))
    delays = [policy.delay(n) for n in range(1, 10)]
    assert all(0 < d <= 2.0 for d in delays)
    assert 0.1 <= delays[0] <= 0.2 and delays[-1] >= 1.0


def test_retry_after_wins_even_past_the_cap():
    policy = RetryPolicy(max_delay=5.0)
    assert policy.delay(1, "3") == 3.0
    assert policy.delay(1, "120") == 120.0  # the client gives up instead of waiting
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.parametrize(("method", "status", "reached", "retried"), [
    ("GET", 429, True, True), ("GET", 503, True, True), ("GET", 500, True, False),
    ("GET", 404, True, False), ("GET", None, True, True), ("GET", None, False, True),
    # PATCH sets absolute values: repeating it after it may have been applied is harmless
    ("PATCH", 502, True, True), ("PATCH", None, True, True), ("PATCH", 409, True, False),
    # a method not known to be repeatable: only what never reached processing
    ("POST", 429, True, True), ("POST", None, False, True),
    ("POST", 503, True, False), ("POST", None, True, False),
])
def test_which_failures_are_retried(method, status, reached, retried):
    assert RetryPolicy().retries(method, status=status, reached=reached) is retried
