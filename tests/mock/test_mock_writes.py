"""Writes as the journal's tests need to see them: ``hold_writes`` keeps a PATCH between its
arrival and its processing (where a client can be killed), and ``MockState.writes`` counts
the writes that landed on each target."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID, DEMO_END_USER_ID

ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"  # Conversation, Text
CUSTOMER_TIER = "5e6a0a2e-dd70-434d-81d7-7cffb7decc0c"  # Contact, Select
CONVERSATION_URL = f"/v1/conversations/{DEMO_CONVERSATION_ID}/custom-attributes"
END_USER_URL = f"/v1/endusers/{DEMO_END_USER_ID}/custom-attributes"
CONVERSATION = ("conversation", str(DEMO_CONVERSATION_ID))


async def until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.01)


async def test_a_held_patch_waits_after_arriving_then_lands(client, knobs: Knobs,
                                                             state: MockState):
    knobs.hold_writes = 0.4
    started = time.monotonic()
    sending = asyncio.create_task(client.patch(CONVERSATION_URL,
                                               json={ORDER_NUMBER: "100-HELD"}))
    await until(lambda: knobs.held == 1)  # it is in the mock now, and waiting
    assert state.conversation_values(DEMO_CONVERSATION_ID)[ORDER_NUMBER] != "100-HELD"
    assert state.writes[CONVERSATION] == 0
    read = await client.get(f"/v1/conversations/{DEMO_CONVERSATION_ID}")  # reads pass
    assert read.status_code == 200 and not sending.done()
    response = await sending
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.4
    assert state.conversation_values(DEMO_CONVERSATION_ID)[ORDER_NUMBER] == "100-HELD"
    assert state.writes[CONVERSATION] == 1 and knobs.held == 1
    knobs.reset_counters()
    assert knobs.held == 0


async def test_without_the_knob_nothing_is_held(client, knobs: Knobs):
    response = await client.patch(CONVERSATION_URL, json={ORDER_NUMBER: "100-1"})
    assert response.status_code == 200 and knobs.held == 0


@pytest.mark.loopback
async def test_a_held_write_lands_even_when_its_client_has_gone(serve_mock):
    """As with a server that received it: the client gives up (its connection closes) while
    the PATCH is held, and the write still lands, its answer going nowhere."""
    url, state, knobs = serve_mock(knobs=Knobs(hold_writes=0.5))
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": DEMO_API_KEY},
                                 timeout=httpx.Timeout(5.0, read=0.15)) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            await impatient.patch(CONVERSATION_URL, json={ORDER_NUMBER: "100-ORPHAN"})
    assert knobs.held == 1 and state.writes[CONVERSATION] == 0
    await until(lambda: state.writes[CONVERSATION] == 1)
    assert state.conversation_values(DEMO_CONVERSATION_ID)[ORDER_NUMBER] == "100-ORPHAN"


async def test_writes_count_what_landed_per_target(client, knobs: Knobs, state: MockState):
    assert (await client.patch(CONVERSATION_URL, json={ORDER_NUMBER: "1"})).status_code == 200
    assert (await client.patch(CONVERSATION_URL, json={ORDER_NUMBER: None})).status_code == 200
    assert (await client.patch(END_USER_URL, json={CUSTOMER_TIER: ["silver"]})).status_code \
        == 200
    refused = await client.patch(END_USER_URL, json={CUSTOMER_TIER: ["no-such"]})
    missing = await client.patch("/v1/conversations/999999/custom-attributes",
                                 json={ORDER_NUMBER: "1"})
    wrong_case = await client.patch(END_USER_URL.replace(DEMO_END_USER_ID,
                                                         DEMO_END_USER_ID.upper()),
                                    json={CUSTOMER_TIER: ["gold"]})
    assert (refused.status_code, missing.status_code, wrong_case.status_code) == \
        (400, 404, 200)
    assert state.writes == {CONVERSATION: 2, ("enduser", DEMO_END_USER_ID): 2}
    assert knobs.writes == 6  # every PATCH request seen, landed or not
