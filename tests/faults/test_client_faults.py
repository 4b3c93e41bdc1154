"""The client through every fault: the typed error, its message and hint, how many attempts
reached the wire, and whether a failed PATCH was applied all the same."""

from __future__ import annotations

import httpx
import pytest
from fault_matrix import (
    ATTEMPTS,
    CASE_IDS,
    CASES,
    LOAD_OP,
    LOAD_PATH,
    PATCH_OP,
    PATCH_PATH,
    Case,
    advice,
)

from dixa_tui.api.client import DixaClient
from dixa_tui.api.errors import DixaError
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState
from dixa_tui.mock.faults import Fault, FaultTransport


def client(transport: FaultTransport) -> DixaClient:
    return DixaClient(DEMO_API_KEY, base_url="http://mock", rate=0, transport=transport)


def order_number(state: MockState) -> str:
    return next(d.id for d in state.definitions if d.identifier == "order_number")


def check_message(error: DixaError, case: Case, operation: str) -> None:
    text = str(error)
    assert text.startswith(f"{operation}: ") and case.says in text
    if case.dixa is not None:
        assert error.message == case.dixa.replace(DEMO_API_KEY, "[redacted]")
    assert DEMO_API_KEY not in text + error.hint + repr(error)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_load(case: Case, faults: FaultTransport) -> None:
    faults.add("GET", LOAD_PATH, case.fault)
    async with client(faults) as c:
        with pytest.raises(DixaError) as info:
            await c.list_definitions()
        faults.clear()
        read = await c.list_definitions()  # the same client works afterwards
        assert len(read.definitions) == 46
    check_message(info.value, case, LOAD_OP)
    assert advice(case, "load") in info.value.hint
    assert not info.value.write
    assert faults.attempts_at("GET", LOAD_PATH) == case.attempts() + 1


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_patch(case: Case, faults: FaultTransport, state: MockState, knobs) -> None:
    number = order_number(state)
    before = state.conversation_values(10001)[number]
    faults.add("PATCH", PATCH_PATH, case.fault)
    async with client(faults) as c:
        with pytest.raises(DixaError) as info:
            await c.patch_conversation_attributes(10001, {number: "100-7777"})
    error = info.value
    check_message(error, case, PATCH_OP)
    assert error.write and advice(case, "send") in error.hint
    assert case.write_note in error.hint
    assert faults.attempts_at("PATCH", PATCH_PATH) == case.attempts()
    # The simulated server applied it exactly when the fault came after processing; since the
    # body holds absolute values, every repeat left the same value.
    now = state.conversation_values(10001)[number]
    assert now == ("100-7777" if case.applied else before)
    assert knobs.writes == (case.attempts() if case.applied else 0)


@pytest.mark.parametrize("case", [c for c in CASES if c.retried], ids=lambda c: c.id)
@pytest.mark.parametrize("method", ["GET", "PATCH"])
async def test_one_transient_fault_is_absorbed(case: Case, method: str,
                                               faults: FaultTransport,
                                               state: MockState) -> None:
    path = LOAD_PATH if method == "GET" else PATCH_PATH
    faults.add(method, path, case.fault, times=1)
    async with client(faults) as c:
        if method == "GET":
            assert len((await c.list_definitions()).definitions) == 46
        else:
            number = order_number(state)
            result = await c.patch_conversation_attributes(10001, {number: "100-8888"})
            assert {a.id: a.value for a in result}[number] == "100-8888"
        assert c.stats.retries == 1
    assert faults.attempts_at(method, path) == 2


async def test_sustained_429_that_asks_for_a_long_wait_stops_at_once(
        faults: FaultTransport) -> None:
    faults.add("PATCH", PATCH_PATH, Fault.http(429, "Too many requests", retry_after="120"))
    async with client(faults) as c:
        with pytest.raises(DixaError, match=r"asked to wait 120 s") as info:
            await c.patch_conversation_attributes(10001, {})
    assert faults.attempts_at("PATCH", PATCH_PATH) == 1
    assert "rate limit" in info.value.hint


async def test_a_short_retry_after_is_waited_for_and_bounded(faults: FaultTransport) -> None:
    faults.add("GET", LOAD_PATH, Fault.http(429, "Too many requests", retry_after="0"))
    async with client(faults) as c:
        with pytest.raises(DixaError, match="HTTP 429"):
            await c.list_definitions()
    assert faults.attempts_at("GET", LOAD_PATH) == ATTEMPTS


async def test_the_mocks_knobs_429_and_503_are_retried_and_bounded(knobs, faults) -> None:
    knobs.failure_rate, knobs.failure_status = 1.0, 503
    async with client(faults) as c:
        with pytest.raises(DixaError, match="HTTP 503"):
            await c.patch_conversation_attributes(10001, {})
        knobs.failure_rate, knobs.rate_limit, knobs.burst = 0.0, 0.001, 1
        with pytest.raises(DixaError, match="HTTP 429"):
            for _ in range(2):  # the first takes the only token
                await c.list_definitions()
    assert knobs.failures == ATTEMPTS and knobs.writes == ATTEMPTS
    assert knobs.rate_limited == ATTEMPTS


async def test_the_default_policy_waits_out_a_sustained_429_for_its_whole_budget(
        faults: FaultTransport, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 429 is the one failure waiting always mends: the product's policy retries it with
    growing, jittered waits until the 45 s budget is spent (not five tries in 3 s), then
    says how long it tried."""
    import random
    from dataclasses import replace

    from dixa_tui.api.ratelimit import RetryPolicy

    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr("dixa_tui.api.client.asyncio.sleep", sleep)
    faults.add("GET", LOAD_PATH, Fault.http(429, "Too many requests"))
    policy = replace(RetryPolicy(), rng=random.Random(7), clock=lambda: now[0])
    async with DixaClient(DEMO_API_KEY, base_url="http://mock", rate=0, retry=policy,
                          transport=faults) as c:
        with pytest.raises(DixaError, match="HTTP 429") as info:
            await c.list_definitions()
    tries = faults.attempts_at("GET", LOAD_PATH)
    assert tries == len(slept) + 1 > policy.max_attempts
    assert 0.8 * policy.budget < sum(slept) <= policy.budget
    assert f"gave up after {tries} tries in {sum(slept):.0f} s" in str(info.value)
    assert slept == sorted(slept)[:3] + slept[3:]  # the first waits grow
    assert max(slept) <= policy.max_delay


@pytest.mark.loopback
async def test_a_real_read_timeout_over_the_network(serve_mock) -> None:
    import httpx

    url, _, knobs = serve_mock(knobs=Knobs(latency=0.5))
    async with DixaClient(DEMO_API_KEY, base_url=url, rate=0,
                          timeout=httpx.Timeout(0.05)) as c:
        with pytest.raises(DixaError, match="did not answer in time") as info:
            await c.list_definitions()
    assert knobs.requests == ATTEMPTS  # each attempt reached the server, then was given up
    assert "Try again" in info.value.hint


@pytest.mark.parametrize("status", [200, 400])
async def test_json_nested_too_deep_is_a_typed_error_not_a_crash(status: int) -> None:
    import httpx

    deep = b"[" * 100_000 + b"]" * 100_000

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=deep, headers={"content-type": "application/json"})

    async with DixaClient(DEMO_API_KEY, base_url="http://mock", rate=0,
                          transport=httpx.MockTransport(answer)) as c:
        with pytest.raises(DixaError) as info:
            await c.list_definitions()
    expected = ("HTTP 200 with JSON nested too deeply to read" if status == 200 else
                "HTTP 400: [[[[")  # an error body: Dixa's message is then an excerpt
    assert expected in str(info.value) and len(str(info.value)) < 300


async def test_every_retry_is_reported_before_its_wait(faults: FaultTransport) -> None:
    """Within ``retries_reported`` each retry is told (the failure, key blanked, and which try
    comes next); outside it nothing is, and the client is the same."""
    from dixa_tui.api.client import RetryNotice, retries_reported

    secret = f"Dixa echoed {DEMO_API_KEY} <b>[bold]"
    faults.add("GET", LOAD_PATH, Fault.http(503, secret), times=2)
    heard: list[RetryNotice] = []
    async with client(faults) as c:
        with retries_reported(heard.append):
            assert len((await c.list_definitions()).definitions) == 46
        faults.add("GET", LOAD_PATH, Fault.http(503, "again"), times=1)
        await c.list_definitions()  # no listener: retried as before, told to nobody
    assert [(n.attempt, n.attempts) for n in heard] == [(2, ATTEMPTS), (3, ATTEMPTS)]
    first = heard[0]
    assert first.operation == LOAD_OP and 0 < first.wait <= 0.01
    assert first.reason == f"{LOAD_OP}: HTTP 503: Dixa echoed [redacted] <b>[bold]"
    assert first.sentence() == (f"{first.reason}; trying again in {first.wait:.1f} s "
                                f"(try 2 of {ATTEMPTS}).")
    long = RetryNotice(LOAD_OP, 2, 5, 0.2, "x" * 1000)
    assert len(long.sentence()) < 360 and "x…;" in long.sentence()


async def test_no_try_starts_past_the_time_budget(faults: FaultTransport) -> None:
    """A Dixa that hangs: each try costs a full read timeout (20 s on this fake clock), and no
    try starts more than ``budget`` seconds after the first, so it fails in about a minute
    with how many tries it took, not after five timeouts."""
    import random

    from dixa_tui.api.ratelimit import RetryPolicy

    now = [0.0]

    class Hanging(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            now[0] += 20.0
            raise httpx.ReadTimeout("timed out", request=request)

    policy = RetryPolicy(max_attempts=5, base_delay=0.001, max_delay=0.01, budget=45.0,
                         rng=random.Random(1), clock=lambda: now[0])
    async with DixaClient(DEMO_API_KEY, base_url="http://mock", rate=0, retry=policy,
                          transport=Hanging()) as c:
        with pytest.raises(DixaError) as info:
            await c.list_definitions()
        assert c.stats.requests == 3  # at 0, 20 and 40 s; a fourth would start at 60 s
    assert str(info.value) == (f"{LOAD_OP}: Dixa did not answer in time (read timeout) "
                               "(gave up after 3 tries in 60 s)")
    assert RetryPolicy().budget == 45.0


async def test_a_retry_notice_never_carries_the_key(faults: FaultTransport) -> None:
    """An id the user typed is part of the operation's name; a key pasted there is blanked
    in the notice as in the error."""
    from dixa_tui.api.client import RetryNotice, retries_reported

    faults.add("GET", "/endusers/*", Fault.http(503, "Busy"))
    heard: list[RetryNotice] = []
    async with client(faults) as c:
        with retries_reported(heard.append), pytest.raises(DixaError) as info:
            await c.get_end_user(DEMO_API_KEY)
    assert heard and DEMO_API_KEY not in repr(heard) + str(info.value)
    assert "[redacted]" in heard[0].operation
