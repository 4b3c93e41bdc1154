"""The mock's GET routes under /v1 and /beta: shapes, paging, filters, 400s and 404s."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from dixa_tui.api.models import parse_definitions
from dixa_tui.mock import MockState
from dixa_tui.mock.demo import (
    DEMO_CONVERSATION_ID,
    DEMO_END_USER_EMAIL,
    DEMO_END_USER_EXTERNAL_ID,
    DEMO_END_USER_ID,
)

CONTACT_REASON = "5d96cf7f-265b-4da9-8f0c-26ef4243ed52"


async def follow(client: httpx.AsyncClient, url: str) -> list[dict]:
    """Every item of every page, following meta.next as given (a full URL)."""
    items: list[dict] = []
    for _ in range(100):
        response = await client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["data"])
        url = body.get("meta", {}).get("next")
        if not url:
            return items
    raise AssertionError("paging did not end")


# -- definitions ---------------------------------------------------------------------------


async def test_list_definitions_all_in_dixa_shape(client, prefix, state: MockState):
    response = await client.get(f"{prefix}/custom-attributes")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    data = response.json()["data"]
    assert [d["id"] for d in data] == [d.id for d in state.definitions]
    assert data == [d.to_dixa() for d in state.definitions]  # what GET by id sends, each
    assert any(d["isArchived"] for d in data)
    assert parse_definitions(data) == state.definitions
    reason = next(d for d in data if d["id"] == CONTACT_REASON)
    assert reason["inputDefinition"]["_type"] == "Select"
    assert reason["createdAt"] == "2023-03-14T09:15:02.530Z[GMT]"  # as Dixa sent it
    assert reason["inputDefinition"]["options"][2]["nestedOptions"] == []


async def test_get_definition(client, prefix):
    response = await client.get(f"{prefix}/custom-attributes/{CONTACT_REASON}")
    assert response.status_code == 200
    assert response.json()["data"]["identifier"] == "contact_reason"


async def test_get_unknown_definition_is_404(client, prefix):
    response = await client.get(f"{prefix}/custom-attributes/no-such-id")
    assert response.status_code == 404
    assert response.json()["message"]


# -- end users -----------------------------------------------------------------------------


async def test_get_end_user_with_attributes(client, prefix):
    response = await client.get(f"{prefix}/endusers/{DEMO_END_USER_ID}")
    assert response.status_code == 200
    user = response.json()["data"]
    assert user["email"] == DEMO_END_USER_EMAIL
    tier = next(a for a in user["customAttributes"] if a["identifier"] == "customer_tier")
    assert tier == {"id": "5e6a0a2e-dd70-434d-81d7-7cffb7decc0c", "name": "Customer tier",
                    "identifier": "customer_tier", "value": ["gold"]}


async def test_get_end_user_uppercase_uuid(client, prefix):
    response = await client.get(f"{prefix}/endusers/{DEMO_END_USER_ID.upper()}")
    assert response.status_code == 200


async def test_get_end_user_bad_id_is_400(client, prefix):
    response = await client.get(f"{prefix}/endusers/not-a-uuid")
    assert response.status_code == 400
    assert response.json() == {"message": "Invalid value for: path parameter userId"}


async def test_get_unknown_end_user_is_404(client, prefix):
    response = await client.get(f"{prefix}/endusers/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert "message" in response.json()


async def test_list_end_users_default_page_and_no_attributes(client, prefix, state):
    response = await client.get(f"{prefix}/endusers")
    body = response.json()
    assert len(body["data"]) == 25
    assert all("customAttributes" not in u for u in body["data"])
    next_url = urlsplit(body["meta"]["next"])
    assert (next_url.scheme, next_url.netloc, next_url.path) == ("http", "mock",
                                                                 f"{prefix}/endusers")
    assert list(parse_qs(next_url.query)) == ["pageKey"]


async def test_paging_returns_every_end_user_once(client, prefix, state):
    users = await follow(client, f"{prefix}/endusers?pageLimit=7")
    assert [u["id"] for u in users] == list(state.end_users)


async def test_last_page_has_no_next(client, prefix, state):
    response = await client.get(f"{prefix}/endusers", params={"pageLimit": 100})
    body = response.json()
    assert len(body["data"]) == len(state.end_users)
    assert "next" not in body.get("meta", {})


async def test_page_limit_is_clamped(client, prefix):
    small = await client.get(f"{prefix}/endusers", params={"pageLimit": 0})
    assert len(small.json()["data"]) == 1
    big = await client.get(f"{prefix}/endusers", params={"pageLimit": 10_000})
    assert len(big.json()["data"]) == 60


async def test_page_limit_may_change_between_pages(client, prefix, state):
    first = (await client.get(f"{prefix}/endusers", params={"pageLimit": 5})).json()
    key = parse_qs(urlsplit(first["meta"]["next"]).query)["pageKey"][0]
    second = await client.get(f"{prefix}/endusers", params={"pageKey": key, "pageLimit": 10})
    assert [u["id"] for u in second.json()["data"]] == list(state.end_users)[5:15]


async def test_garbage_paging_parameters_are_400(client, prefix):
    for params, name in (({"pageLimit": "ten"}, "pageLimit"), ({"pageKey": "@@@"}, "pageKey"),
                         ({"pageLimit": str(2**31)}, "pageLimit"),  # Dixa's is an int32
                         ({"pageLimit": str(-2**31 - 1)}, "pageLimit"),
                         ({"pageKey": "bm90IGpzb24="}, "pageKey")):
        response = await client.get(f"{prefix}/endusers", params=params)
        assert response.status_code == 400
        assert response.json() == {"message": f"Invalid value for: query parameter {name}"}


async def test_filter_by_email_ignores_case(client, prefix):
    response = await client.get(f"{prefix}/endusers",
                                params={"email": DEMO_END_USER_EMAIL.upper()})
    assert [u["id"] for u in response.json()["data"]] == [DEMO_END_USER_ID]


async def test_filter_by_phone_ignores_formatting(client, prefix):
    response = await client.get(f"{prefix}/endusers", params={"phone": "+45 20 12 34 56"})
    assert [u["id"] for u in response.json()["data"]] == [DEMO_END_USER_ID]


async def test_filter_by_external_id(client, prefix, state):
    response = await client.get(f"{prefix}/endusers",
                                params={"externalId": DEMO_END_USER_EXTERNAL_ID})
    assert [u["id"] for u in response.json()["data"]] == [DEMO_END_USER_ID]
    none = await client.get(f"{prefix}/endusers", params={"externalId": "CUS-0"})
    assert none.json()["data"] == []


async def test_filter_survives_paging(client, prefix, state):
    domain = "example.org"
    wanted = [u.id for u in state.end_users.values() if u.profile.email.endswith(domain)]
    record = state.end_users[wanted[0]]
    users = await follow(client, f"{prefix}/endusers?pageLimit=1&email={record.profile.email}")
    assert [u["id"] for u in users] == [record.id]


async def test_two_filters_are_400(client, prefix):
    response = await client.get(f"{prefix}/endusers",
                                params={"email": DEMO_END_USER_EMAIL, "phone": "+4520123456"})
    assert response.status_code == 400
    assert "more than one filter" in response.json()["message"]


async def test_empty_filter_is_400(client, prefix):
    response = await client.get(f"{prefix}/endusers", params={"email": ""})
    assert response.status_code == 400


# -- conversations -------------------------------------------------------------------------


async def test_end_user_conversations_paged_without_attributes(client, prefix, state):
    expected = [c.id for c in state.conversations_of(DEMO_END_USER_ID)]
    assert len(expected) > 5
    items = await follow(client, f"{prefix}/endusers/{DEMO_END_USER_ID}/conversations"
                                 "?pageLimit=4")
    assert [c["id"] for c in items] == expected
    assert all("customAttributes" not in c for c in items)
    first = items[0]
    assert first["id"] == DEMO_CONVERSATION_ID
    assert first["_type"] == "EmailConversation"
    assert {"requesterId", "channel", "createdAt", "direction", "state", "subject"} <= set(first)


async def test_end_user_conversations_errors(client, prefix):
    bad = await client.get(f"{prefix}/endusers/123/conversations")
    assert bad.status_code == 400
    unknown = await client.get(
        f"{prefix}/endusers/00000000-0000-4000-8000-000000000000/conversations")
    assert unknown.status_code == 404
    garbage = await client.get(f"{prefix}/endusers/{DEMO_END_USER_ID}/conversations",
                               params={"pageKey": "%%%"})
    assert garbage.status_code == 400


async def test_get_conversation_with_attributes(client, prefix):
    response = await client.get(f"{prefix}/conversations/{DEMO_CONVERSATION_ID}")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["requesterId"] == DEMO_END_USER_ID
    reason = next(a for a in data["customAttributes"] if a["id"] == CONTACT_REASON)
    assert reason == {"id": CONTACT_REASON, "name": "Contact reason",
                      "identifier": "contact_reason", "value": ["delivery", "damaged", "item"]}


async def test_get_conversation_bad_ids(client, prefix):
    for bad in ("abc", "1.5", str(2**63)):
        response = await client.get(f"{prefix}/conversations/{bad}")
        assert response.status_code == 400, bad
        assert response.json() == {"message": "Invalid value for: path parameter conversationId"}
    missing = await client.get(f"{prefix}/conversations/99")
    assert missing.status_code == 404
