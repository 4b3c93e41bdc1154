"""PATCH on end users and conversations: Dixa's value rules, 400 per bad body, atomicity."""

from __future__ import annotations

import pytest

from dixa_tui.mock import MockState
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID, DEMO_END_USER_ID

ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"  # Conversation, Text
CONTACT_REASON = "5d96cf7f-265b-4da9-8f0c-26ef4243ed52"  # Conversation, Select, 3 levels
ESCALATION = "683447c1-0cc8-4f11-9d4e-abbd1fcfb980"  # Conversation, deactivated
CUSTOMER_TIER = "5e6a0a2e-dd70-434d-81d7-7cffb7decc0c"  # Contact, Select, 'platinum' off
LOYALTY_ID = "b37523a5-3b4a-4ee2-8463-513755ac0ecd"  # Contact, Text
LEGACY_CRM = "9823beb1-e6ba-4ad7-8de4-5321ad915a36"  # Contact, archived

CONVERSATION_URL = f"/conversations/{DEMO_CONVERSATION_ID}/custom-attributes"
END_USER_URL = f"/endusers/{DEMO_END_USER_ID}/custom-attributes"


async def test_patch_conversation_sets_values(client, prefix, state: MockState):
    body = {CONTACT_REASON: ["payment", "card"], ORDER_NUMBER: "100-9999"}
    response = await client.patch(prefix + CONVERSATION_URL, json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {"data": [
        {"id": CONTACT_REASON, "name": "Contact reason", "identifier": "contact_reason",
         "value": ["payment", "card"]},
        {"id": ORDER_NUMBER, "name": "Order number", "identifier": "order_number",
         "value": "100-9999"},
    ]}
    values = state.conversation_values(DEMO_CONVERSATION_ID)
    assert values[CONTACT_REASON] == ["payment", "card"]
    assert values[ORDER_NUMBER] == "100-9999"
    read = await client.get(f"{prefix}/conversations/{DEMO_CONVERSATION_ID}")
    attributes = {a["id"]: a["value"] for a in read.json()["data"]["customAttributes"]}
    assert attributes[CONTACT_REASON] == ["payment", "card"]


async def test_patch_end_user_sets_values(client, prefix, state: MockState):
    response = await client.patch(prefix + END_USER_URL,
                                  json={CUSTOMER_TIER: ["silver"], LOYALTY_ID: "LOY-1"})
    assert response.status_code == 200, response.text
    assert [a["value"] for a in response.json()["data"]] == [["silver"], "LOY-1"]
    assert state.end_user_values(DEMO_END_USER_ID)[CUSTOMER_TIER] == ["silver"]


async def test_null_clears_a_value(client, prefix, state: MockState):
    assert ORDER_NUMBER in state.conversation_values(DEMO_CONVERSATION_ID)
    response = await client.patch(prefix + CONVERSATION_URL, json={ORDER_NUMBER: None})
    assert response.status_code == 200
    assert response.json()["data"] == [{"id": ORDER_NUMBER, "name": "Order number",
                                        "identifier": "order_number", "value": None}]
    assert ORDER_NUMBER not in state.conversation_values(DEMO_CONVERSATION_ID)
    read = await client.get(f"{prefix}/conversations/{DEMO_CONVERSATION_ID}")
    assert ORDER_NUMBER not in {a["id"] for a in read.json()["data"]["customAttributes"]}
    again = await client.patch(prefix + CONVERSATION_URL, json={ORDER_NUMBER: None})
    assert again.status_code == 200


async def test_clearing_an_end_user_value(client, prefix, state: MockState):
    response = await client.patch(prefix + END_USER_URL, json={LOYALTY_ID: None})
    assert response.status_code == 200
    assert LOYALTY_ID not in state.end_user_values(DEMO_END_USER_ID)


@pytest.mark.parametrize(("url", "body", "key", "phrase"), [
    (CONVERSATION_URL, {"00000000-0000-4000-8000-000000000000": "x"},
     "00000000-0000-4000-8000-000000000000", "unknown custom attribute"),
    (CONVERSATION_URL, {CUSTOMER_TIER: ["gold"]}, CUSTOMER_TIER, "Contact attribute"),
    (END_USER_URL, {ORDER_NUMBER: "100-1"}, ORDER_NUMBER, "Conversation attribute"),
    (CONVERSATION_URL, {ORDER_NUMBER: ["100-1"]}, ORDER_NUMBER, "Text attribute"),
    (CONVERSATION_URL, {ORDER_NUMBER: 1001}, ORDER_NUMBER, "Text attribute"),
    (CONVERSATION_URL, {CONTACT_REASON: "payment"}, CONTACT_REASON, "Select attribute"),
    (CONVERSATION_URL, {CONTACT_REASON: []}, CONTACT_REASON, "at least one option"),
    (CONVERSATION_URL, {CONTACT_REASON: ["payment", "cash"]}, CONTACT_REASON,
     "unknown option 'cash' at level 2"),
    (CONVERSATION_URL, {CONTACT_REASON: ["nope"]}, CONTACT_REASON,
     "unknown option 'nope' at level 1"),
    (CONVERSATION_URL, {CONTACT_REASON: ["payment", "invoice"]}, CONTACT_REASON,
     "deactivated"),
    (END_USER_URL, {CUSTOMER_TIER: ["platinum"]}, CUSTOMER_TIER, "deactivated"),
    (END_USER_URL, {LEGACY_CRM: "CRM-1"}, LEGACY_CRM, "archived"),
    (END_USER_URL, {LEGACY_CRM: None}, LEGACY_CRM, "archived"),
], ids=["unknown-id", "contact-on-conversation", "conversation-on-user", "text-list",
        "text-number", "select-string", "select-empty", "unknown-child", "unknown-top",
        "deactivated-option", "deactivated-top-option", "archived", "archived-clear"])
async def test_bad_bodies_are_400_naming_the_definition(client, prefix, state, url, body, key,
                                                        phrase):
    before_user = state.end_user_values(DEMO_END_USER_ID)
    before_conversation = state.conversation_values(DEMO_CONVERSATION_ID)
    response = await client.patch(prefix + url, json=body)
    assert response.status_code == 400
    message = response.json()["message"]
    assert key in message and phrase in message, message
    assert state.end_user_values(DEMO_END_USER_ID) == before_user
    assert state.conversation_values(DEMO_CONVERSATION_ID) == before_conversation


async def test_one_bad_key_applies_nothing(client, prefix, state: MockState):
    before = state.conversation_values(DEMO_CONVERSATION_ID)
    response = await client.patch(prefix + CONVERSATION_URL,
                                  json={ORDER_NUMBER: "100-1", CONTACT_REASON: ["nope"]})
    assert response.status_code == 400
    assert ORDER_NUMBER not in response.json()["message"]
    assert state.conversation_values(DEMO_CONVERSATION_ID) == before


async def test_non_json_body_is_decoding_failure(client, prefix):
    for content in (b"{not json", b"\xff\xfe", b""):
        response = await client.patch(prefix + CONVERSATION_URL, content=content,
                                      headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        assert response.json() == {"message": "Decoding failure in request"}


async def test_non_object_body_is_400(client, prefix):
    response = await client.patch(prefix + CONVERSATION_URL, json=[ORDER_NUMBER, "x"])
    assert response.status_code == 400
    assert response.json()["message"].startswith("Decoding failure in request")


@pytest.mark.parametrize("body", [{ESCALATION: ["l2"]}, {CONTACT_REASON: ["delivery"]}],
                         ids=["deactivated-attribute", "non-leaf-path"])
async def test_other_warnings_are_accepted(client, prefix, state, body):
    response = await client.patch(prefix + CONVERSATION_URL, json=body)
    assert response.status_code == 200, response.text
    key, value = next(iter(body.items()))
    assert state.conversation_values(DEMO_CONVERSATION_ID)[key] == value


async def test_empty_body_changes_nothing(client, prefix, state):
    before = state.conversation_values(DEMO_CONVERSATION_ID)
    response = await client.patch(prefix + CONVERSATION_URL, json={})
    assert response.status_code == 200
    assert response.json() == {"data": []}
    assert state.conversation_values(DEMO_CONVERSATION_ID) == before


async def test_patch_targets_404_and_400(client, prefix):
    unknown_user = "00000000-0000-4000-8000-000000000000"
    cases = [
        (f"/endusers/{unknown_user}/custom-attributes", 404),
        ("/conversations/99/custom-attributes", 404),
        ("/endusers/nope/custom-attributes", 400),
        ("/conversations/nope/custom-attributes", 400),
    ]
    for path, status in cases:
        response = await client.patch(prefix + path, json={LOYALTY_ID: "x"})
        assert response.status_code == status, path
        assert "message" in response.json()


async def test_stored_values_are_not_aliased_to_the_request(client, prefix, state):
    await client.patch(prefix + CONVERSATION_URL, json={CONTACT_REASON: ["other"]})
    state.conversation_values(DEMO_CONVERSATION_ID)[CONTACT_REASON].append("x")
    assert state.conversation_values(DEMO_CONVERSATION_ID)[CONTACT_REASON] == ["other"]
