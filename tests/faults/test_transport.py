"""The fault transport itself: which requests a rule claims, what each fault does on the wire,
whether the request reached the mock first, and the attempt counts."""

from __future__ import annotations

import httpx
import pytest

from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app
from dixa_tui.mock.faults import Fault, FaultTransport, route_of

PATCH_PATH = "/conversations/*/custom-attributes"


@pytest.fixture
def wired() -> tuple[FaultTransport, MockState, Knobs]:
    state, knobs = MockState.demo(), Knobs()
    return FaultTransport(httpx.ASGITransport(app=create_app(state, knobs=knobs))), state, knobs


def http(transport: FaultTransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport, base_url="http://mock/beta",
                             headers={"Authorization": DEMO_API_KEY})


def test_route_drops_only_the_version_prefix():
    assert route_of("/beta/custom-attributes") == "/custom-attributes"
    assert route_of("/v1/endusers/x/conversations") == "/endusers/x/conversations"
    assert route_of("/betamax/x") == "/betamax/x"


async def test_unclaimed_requests_pass_through_and_are_counted(wired):
    transport, _, knobs = wired
    transport.add("PATCH", PATCH_PATH, Fault.http(409, "no"))
    async with http(transport) as client:
        listed = await client.get("/custom-attributes")
        one = await client.get("/conversations/10001")
    assert listed.status_code == one.status_code == 200
    assert knobs.requests == 2
    assert transport.attempts == {"GET /custom-attributes": 1, "GET /conversations/10001": 1}
    assert transport.attempts_at("GET", "/conversations/*") == 1
    assert transport.attempts_at("PATCH", PATCH_PATH) == 0


async def test_a_star_is_one_segment_and_the_method_must_match(wired):
    transport, _, _ = wired
    transport.add("GET", "/custom-attributes", Fault.http(500, "boom"))
    async with http(transport) as client:
        listed = await client.get("/custom-attributes")
        by_id = await client.get("/custom-attributes/nope")
    assert listed.status_code == 500 and listed.json() == {"message": "boom"}
    assert by_id.status_code == 404  # the mock's own answer: the rule did not claim it


async def test_times_then_pass_through(wired):
    transport, _, knobs = wired
    rule = transport.add("GET", "/custom-attributes", Fault.http(503, "busy"), times=2)
    async with http(transport) as client:
        codes = [(await client.get("/custom-attributes")).status_code for _ in range(3)]
    assert codes == [503, 503, 200] and rule.hits == 2
    assert knobs.requests == 1  # an error status is answered instead of the server


async def test_clear_removes_every_rule(wired):
    transport, _, _ = wired
    transport.add("GET", "/custom-attributes", Fault.refused())
    transport.clear()
    async with http(transport) as client:
        assert (await client.get("/custom-attributes")).status_code == 200


async def test_status_carries_dixas_body_and_retry_after(wired):
    transport, _, _ = wired
    transport.add("GET", "/custom-attributes", Fault.http(429, "slow down", retry_after="3"))
    async with http(transport) as client:
        answer = await client.get("/custom-attributes")
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "3"
    assert answer.json() == {"message": "slow down"}


async def test_refused_never_reaches_the_server(wired):
    transport, _, knobs = wired
    transport.add("PATCH", PATCH_PATH, Fault.refused())
    async with http(transport) as client:
        with pytest.raises(httpx.ConnectError):
            await client.patch("/conversations/10001/custom-attributes", json={})
    assert knobs.writes == 0


async def test_read_timeout_comes_after_the_server_applied_the_change(wired):
    transport, state, knobs = wired
    number = next(d.id for d in state.definitions if d.identifier == "order_number")
    transport.add("PATCH", PATCH_PATH, Fault.read_timeout())
    async with http(transport) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.patch("/conversations/10001/custom-attributes",
                               json={number: "100-0001"})
    assert knobs.writes == 1 and state.conversation_values(10001)[number] == "100-0001"


@pytest.mark.parametrize("after", [None, 0, 5])
async def test_reset_sends_part_of_the_real_body_then_fails(wired, after):
    transport, _, _ = wired
    async with http(transport) as client:
        whole = (await client.get("/custom-attributes")).content
        transport.add("GET", "/custom-attributes", Fault.reset(after_bytes=after))
        async with client.stream("GET", "/custom-attributes") as answer:
            assert answer.status_code == 200
            assert int(answer.headers["content-length"]) == len(whole)
            got = b""
            with pytest.raises(httpx.ReadError):
                async for chunk in answer.aiter_bytes():
                    got += chunk
    expected = len(whole) // 2 if after is None else after
    assert got == whole[:expected]


@pytest.mark.parametrize(("fault", "content_type", "check"), [
    (Fault.not_json(), "text/html", lambda body: body.startswith(b"<html>")),
    (Fault.wrong_shape(), "application/json", lambda body: b'"data": {' in body),
    (Fault.empty(), "application/json", lambda body: body == b""),
])
async def test_bad_success_bodies_follow_the_real_processing(wired, fault, content_type,
                                                             check):
    transport, _, knobs = wired
    transport.add("PATCH", PATCH_PATH, fault)
    async with http(transport) as client:
        answer = await client.patch("/conversations/10001/custom-attributes", json={})
    assert answer.status_code == 200 and answer.headers["content-type"] == content_type
    assert check(answer.content)
    assert knobs.writes == 1
