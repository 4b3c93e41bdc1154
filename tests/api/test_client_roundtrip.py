"""Every client method against the embedded mock: in-process (ASGITransport) and over real
loopback HTTP (uvicorn on a free port), under both /beta and /v1."""

from __future__ import annotations

import httpx
import pytest

from dixa_tui.api.client import DixaClient
from dixa_tui.api.errors import DixaApiError
from dixa_tui.api.models import SelectInput
from dixa_tui.mock import create_app
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID, DEMO_END_USER_ID

CONTACT_REASON = "5d96cf7f-265b-4da9-8f0c-26ef4243ed52"
ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"
CUSTOMER_TIER = "5e6a0a2e-dd70-434d-81d7-7cffb7decc0c"
LOYALTY_ID = "b37523a5-3b4a-4ee2-8463-513755ac0ecd"


@pytest.fixture(params=["beta", "v1"])
def version(request):
    return request.param


async def test_definitions(wiring, version):
    make, state, _ = wiring
    async with make(version) as client:
        read = await client.list_definitions()
        defs = read.definitions
        assert read.skipped == ()
        assert [d.id for d in defs] == [d.id for d in state.definitions]
        one = await client.get_definition(CONTACT_REASON)
    assert one == next(d for d in defs if d.id == CONTACT_REASON)
    assert isinstance(one.input_definition, SelectInput)


async def test_end_users(wiring, version):
    make, state, _ = wiring
    async with make(version) as client:
        user = await client.get_end_user(DEMO_END_USER_ID)
        assert user.email == "astrid.lindqvist@example.com"
        assert {a.id: a.value for a in user.custom_attributes} == \
            state.end_user_values(DEMO_END_USER_ID)
        for kw in ({"email": "astrid.lindqvist@example.com"}, {"phone": "+4520123456"},
                   {"external_id": "CUS-10001"}):
            assert [u.id for u in await client.find_end_users(**kw)] == [DEMO_END_USER_ID]
        assert await client.find_end_users(email="nobody@example.com") == []


async def test_conversations_follow_every_page(wiring, version):
    make, state, _ = wiring
    expected = sorted(c.id for c in state.conversations_of(DEMO_END_USER_ID))
    assert len(expected) > 10
    async with make(version, page_size=4) as client:
        conversations = await client.list_end_user_conversations(DEMO_END_USER_ID)
        assert client.stats.requests == -(-len(expected) // 4)  # one request per page
        assert sorted(c.id for c in conversations) == expected
        conversation = await client.get_conversation(DEMO_CONVERSATION_ID)
    assert conversation.requester_id == DEMO_END_USER_ID
    assert {a.identifier: a.value for a in conversation.custom_attributes}["contact_reason"] \
        == ["delivery", "damaged", "item"]


async def test_patch_both_targets_and_clear(wiring, version):
    make, state, _ = wiring
    async with make(version) as client:
        result = await client.patch_end_user_attributes(
            DEMO_END_USER_ID, {CUSTOMER_TIER: ["silver"], LOYALTY_ID: None})
        assert {a.id: a.value for a in result} == {CUSTOMER_TIER: ["silver"], LOYALTY_ID: None}
        conv = await client.patch_conversation_attributes(
            DEMO_CONVERSATION_ID, {CONTACT_REASON: ["payment", "card"], ORDER_NUMBER: "1-2"})
        assert {a.identifier for a in conv} == {"contact_reason", "order_number"}
    assert state.end_user_values(DEMO_END_USER_ID)[CUSTOMER_TIER] == ["silver"]
    assert LOYALTY_ID not in state.end_user_values(DEMO_END_USER_ID)
    assert state.conversation_values(DEMO_CONVERSATION_ID)[ORDER_NUMBER] == "1-2"


async def test_errors_carry_dixas_message(wiring):
    make, state, _ = wiring
    async with make() as client:
        with pytest.raises(DixaApiError) as bad:
            await client.patch_conversation_attributes(DEMO_CONVERSATION_ID,
                                                       {CONTACT_REASON: "payment"})
        assert bad.value.status == 400 and CONTACT_REASON in bad.value.message
        with pytest.raises(DixaApiError) as missing:
            await client.get_conversation(999_999)
        assert missing.value.status == 404
    async with DixaClient("wrong", base_url="http://x", transport=httpx.ASGITransport(
            app=create_app(state))) as wrong:
        with pytest.raises(DixaApiError) as denied:
            await wrong.list_definitions()
        assert denied.value.status == 401
