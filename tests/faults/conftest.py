"""Fault tests: retries stay real but fast, and every test builds its own mock and faults."""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator

import httpx
import pytest
from fault_matrix import ATTEMPTS

from dixa_tui.api.ratelimit import RetryPolicy
from dixa_tui.mock import Knobs, MockState, create_app
from dixa_tui.mock.faults import FaultTransport


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every client the product builds retries as usual, only with millisecond backoff; a
    429, which the product retries for its whole time budget, gets a count here too, so the
    matrix stays exact (test_client_faults and tests/api prove the budget itself)."""
    fast = functools.partial(RetryPolicy, max_attempts=ATTEMPTS, max_429_attempts=ATTEMPTS,
                             base_delay=0.001, max_delay=0.01, rng=random.Random(4))
    monkeypatch.setattr("dixa_tui.api.client.RetryPolicy", fast)
    yield


@pytest.fixture
def faults(state: MockState, knobs: Knobs) -> FaultTransport:
    """The fault transport around this test's mock; add rules with ``faults.add(...)``."""
    return FaultTransport(httpx.ASGITransport(app=create_app(state, knobs=knobs)))
