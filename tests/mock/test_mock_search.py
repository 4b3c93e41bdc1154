"""The mock's POST /search/conversations: fields, operators, paging, and what it refuses.

Every expected answer is computed here from the records of the mock's state, not by the
mock's own search code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from dixa_tui.mock import MockState
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID, DEMO_CONVERSATION_VALUES, DEMO_NOW
from dixa_tui.mock.population import QUEUES, TAGS, WINDOW
from dixa_tui.mock.records import ConversationRecord

NOW = DEMO_NOW + timedelta(days=17, hours=5, seconds=3)


@pytest.fixture
def state() -> MockState:
    return MockState.demo(NOW)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def field(field_type: str, op: str, **operator: Any) -> dict[str, Any]:
    return {"field": {"_type": field_type, "operator": {"_type": op, **operator}}}


def filters(*conditions: dict[str, Any], strategy: str = "All") -> dict[str, Any]:
    return {"filters": {"strategy": strategy, "conditions": list(conditions)}}


async def search_all(client: httpx.AsyncClient, prefix: str, body: dict[str, Any],
                     limit: int = 50) -> tuple[list[int], list[dict[str, Any]]]:
    """Every id over every page, and each page's payload."""
    ids: list[int] = []
    pages: list[dict[str, Any]] = []
    params: dict[str, Any] = {"pageLimit": limit}
    while True:
        response = await client.post(f"{prefix}/search/conversations", params=params,
                                     json=body)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        ids += [item["id"] for item in page["data"]]
        nxt = page.get("meta", {}).get("next")
        if not nxt:
            return ids, pages
        params = {"pageKey": httpx.URL(nxt).params["pageKey"], "pageLimit": limit}


def newest_first(records: list[ConversationRecord]) -> list[int]:
    return [r.id for r in sorted(records, key=lambda r: (r.conversation.created_at, r.id),
                                 reverse=True)]


def expect(state: MockState, keep: Callable[[ConversationRecord], bool]) -> list[int]:
    return newest_first([r for r in state.conversations.values() if keep(r)])


def extra(record: ConversationRecord, key: str, inner: str) -> Any:
    return (record.conversation.model_extra or {}).get(key, {}).get(inner)


# -- the organization's clock ----------------------------------------------------------------


def test_conversations_lie_in_the_90_days_before_the_clock_in_id_order(state: MockState):
    records = list(state.conversations.values())
    assert len(records) == 240 and [r.id for r in records] == list(range(10001, 10241))
    created = [r.conversation.created_at for r in records]
    assert created == sorted(created)
    assert created[0] == NOW - WINDOW  # conversation 10001, the oldest
    assert all(NOW - WINDOW <= c <= NOW for c in created)
    for r in records:
        c = r.conversation
        assert c.state_updated_at is not None and c.created_at <= c.state_updated_at <= NOW
        assert (r.closed_at is not None) == (c.state == "Closed")
    assert {c.conversation.state for c in records} == {"Open", "Closed", "Pending",
                                                        "AwaitingPending"}
    assert {extra(r, "queue", "id") for r in records} == set(QUEUES)
    assert {t for r in records for t in r.tags} == set(TAGS.values())
    assert len({c.conversation.channel for c in records}) >= 5
    assert sum(1 for r in records if r.tags) > 60


def test_the_documented_fixtures_stay(state: MockState):
    first = state.conversations[DEMO_CONVERSATION_ID]
    values = {d.identifier: first.values[d.id] for d in state.definitions
              if d.id in first.values}
    assert values == DEMO_CONVERSATION_VALUES
    assert first.conversation.channel == "Email"
    assert set(first.tags) == {TAGS["complaint"], TAGS["refund"]}


def test_two_clocks_give_the_same_organization_moved_in_time():
    early, late = MockState.demo(DEMO_NOW), MockState.demo(NOW)
    for a, b in zip(early.conversations.values(), late.conversations.values(), strict=True):
        assert b.conversation.created_at - a.conversation.created_at == NOW - DEMO_NOW
        assert (a.values, a.tags, a.conversation.state) == (b.values, b.tags,
                                                            b.conversation.state)


async def test_get_shows_the_dates_and_status_search_filters_on(client, prefix, state):
    since = NOW - timedelta(days=10)
    ids, _ = await search_all(client, prefix, filters(
        field("CreationDate", "Since", timestamp=stamp(since)),
        field("Status", "IsOneOf", values=["Closed"])))
    assert ids
    for conversation_id in ids[:5]:
        data = (await client.get(f"{prefix}/conversations/{conversation_id}")).json()["data"]
        assert data["state"] == "Closed"
        assert datetime.fromisoformat(data["createdAt"]) >= since


def test_a_large_org_is_cheap_to_make():
    state = MockState.generated(MockState.demo().definitions, conversations=5000, now=NOW)
    records = state.conversations
    assert len(records) == 5000 and min(records) == 10001 and max(records) == 15000


# -- fields and operators ----------------------------------------------------------------------


async def test_no_body_part_finds_every_conversation_newest_first(client, prefix, state):
    ids, pages = await search_all(client, prefix, {})
    assert ids == expect(state, lambda r: True)
    assert len(pages) == 5 and all(set(item) == {"id"} for p in pages for item in p["data"])


DATES = {"CreationDate": lambda r: r.conversation.created_at,
         "ClosedDate": lambda r: r.closed_at,
         "LastActivity": lambda r: r.conversation.state_updated_at}


@pytest.mark.parametrize("field_type", list(DATES))
async def test_date_operators(client, prefix, state, field_type):
    get = DATES[field_type]
    low, high = NOW - timedelta(days=40), NOW - timedelta(days=20)
    cases = [
        (field(field_type, "Since", timestamp=stamp(low)),
         lambda r: get(r) is not None and get(r) >= low),
        (field(field_type, "Until", timestamp=stamp(high)),
         lambda r: get(r) is not None and get(r) <= high),
        (field(field_type, "Between", timestampFrom=stamp(low), timestampTo=stamp(high)),
         lambda r: get(r) is not None and low <= get(r) <= high),
        (field(field_type, "IsEmpty"), lambda r: get(r) is None),
        (field(field_type, "IsNotEmpty"), lambda r: get(r) is not None),
    ]
    sizes = []
    for condition, keep in cases:
        ids, _ = await search_all(client, prefix, filters(condition))
        assert ids == expect(state, keep), condition
        sizes.append(len(ids))
    assert all(0 < n < len(state.conversations) for n in sizes[:3])


async def test_since_and_until_include_the_moment_itself(client, prefix, state):
    moment = state.conversations[10100].conversation.created_at
    for op in ("Since", "Until"):
        ids, _ = await search_all(client, prefix, filters(
            field("CreationDate", op, timestamp=moment.isoformat()),
            field("ConversationId", "IsOneOf", values=["10100"])))
        assert ids == [10100]


async def test_timestamps_with_an_offset_or_dixas_zone_name(client, prefix, state):
    since = NOW - timedelta(days=5)
    expected = expect(state, lambda r: r.conversation.created_at >= since)
    for text in (since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z[GMT]"),
                 (since + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00")):
        ids, _ = await search_all(client, prefix, filters(field("CreationDate", "Since",
                                                                timestamp=text)))
        assert ids == expected, text


VALUES = {
    "Status": lambda r: {r.conversation.state},
    "Channel": lambda r: {r.conversation.channel},
    "QueueId": lambda r: {extra(r, "queue", "id")},
    "TagId": lambda r: set(r.tags),
    "AgentId": lambda r: {extra(r, "assignment", "agentId")} - {None},
    "Direction": lambda r: {r.conversation.direction},
}
PICKS = {"Status": ["Open", "Pending"], "Channel": ["Email", "Sms"], "QueueId": QUEUES[:2],
         "TagId": [TAGS["refund"], TAGS["follow-up"]], "Direction": ["Outbound"]}


@pytest.mark.parametrize("field_type", list(PICKS))
async def test_value_operators(client, prefix, state, field_type):
    have, wanted = VALUES[field_type], set(PICKS[field_type])
    cases = {
        "IsOneOf": lambda r: bool(have(r) & wanted),
        "IncludesOne": lambda r: bool(have(r) & wanted),
        "IsNotOneOf": lambda r: not have(r) & wanted,
        "ExcludesAll": lambda r: not have(r) & wanted,
        "IncludesAll": lambda r: wanted <= have(r),
        "ExcludesOne": lambda r: not wanted <= have(r),
    }
    for op, keep in cases.items():
        ids, _ = await search_all(client, prefix, filters(
            field(field_type, op, values=PICKS[field_type])))
        assert ids == expect(state, keep), op
    some, _ = await search_all(client, prefix, filters(field(field_type, "IsOneOf",
                                                             values=PICKS[field_type])))
    assert 0 < len(some) < len(state.conversations)


async def test_ids_are_compared_without_case_and_enums_exactly(client, prefix, state):
    upper, _ = await search_all(client, prefix, filters(
        field("QueueId", "IsOneOf", values=[QUEUES[0].upper()])))
    assert upper == expect(state, lambda r: extra(r, "queue", "id") == QUEUES[0])
    lower, _ = await search_all(client, prefix, filters(field("Status", "IsOneOf",
                                                              values=["open"])))
    assert lower == []


async def test_agent_and_contact_and_conversation_ids(client, prefix, state):
    astrid = state.conversations[DEMO_CONVERSATION_ID].requester_id
    ids, _ = await search_all(client, prefix, filters(field("ContactId", "IsOneOf",
                                                            values=[astrid])))
    assert ids == expect(state, lambda r: r.requester_id == astrid) and len(ids) > 3
    ids, _ = await search_all(client, prefix, filters(field("AgentId", "IsEmpty")))
    assert ids == expect(state, lambda r: extra(r, "assignment", "agentId") is None)
    ids, _ = await search_all(client, prefix, filters(field("ConversationId", "IsOneOf",
                                                            values=["10005", "10002"])))
    assert ids == expect(state, lambda r: r.id in (10002, 10005))


async def test_strategy_all_and_any(client, prefix, state):
    closed = field("Status", "IsOneOf", values=["Closed"])
    email = field("Channel", "IsOneOf", values=["Email"])
    both, _ = await search_all(client, prefix, filters(closed, email))
    either, _ = await search_all(client, prefix, filters(closed, email, strategy="Any"))
    is_closed = lambda r: r.conversation.state == "Closed"  # noqa: E731
    is_email = lambda r: r.conversation.channel == "Email"  # noqa: E731
    assert both == expect(state, lambda r: is_closed(r) and is_email(r))
    assert either == expect(state, lambda r: is_closed(r) or is_email(r))
    assert set(both) < set(either)


async def test_text_query_searches_the_subject(client, prefix, state):
    def subject(r: ConversationRecord) -> str:
        return (r.conversation.subject or "").casefold()

    words, _ = await search_all(client, prefix, {"query": {"value": "Damaged  parcel",
                                                           "exactMatch": False}})
    assert words == expect(state, lambda r: "damaged" in subject(r) and "parcel" in subject(r))
    assert DEMO_CONVERSATION_ID in words
    phrase, _ = await search_all(client, prefix, {"query": {"value": "arrived damaged",
                                                            "exactMatch": True}})
    assert phrase == expect(state, lambda r: "arrived damaged" in subject(r))
    wrong_order, _ = await search_all(client, prefix, {"query": {"value": "damaged arrived",
                                                                 "exactMatch": True}})
    assert wrong_order == []
    combined, _ = await search_all(client, prefix, {
        "query": {"value": "parcel", "exactMatch": False},
        **filters(field("TagId", "IncludesOne", values=[TAGS["complaint"]]))})
    assert combined == expect(state, lambda r: "parcel" in subject(r)
                              and TAGS["complaint"] in r.tags)


# -- paging ------------------------------------------------------------------------------------


async def test_pages_follow_meta_next_to_the_end(client, prefix, state):
    ids, pages = await search_all(client, prefix, {}, limit=7)
    assert ids == expect(state, lambda r: True)
    assert len(pages) == 35 and [len(p["data"]) for p in pages] == [7] * 34 + [2]
    for page in pages[:-1]:
        nxt = page["meta"]["next"]
        assert nxt.startswith(f"{prefix}/search/conversations?pageKey=")
    assert "meta" not in pages[-1]


async def test_the_page_size_may_change_between_pages_and_a_key_can_be_read_again(
        client, prefix, state):
    first = (await client.post(f"{prefix}/search/conversations", params={"pageLimit": 3},
                               json={})).json()
    key = httpx.URL(first["meta"]["next"]).params["pageKey"]
    same = (await client.post(f"{prefix}/search/conversations", params={"pageKey": key},
                              json={})).json()
    bigger = (await client.post(f"{prefix}/search/conversations",
                                params={"pageKey": key, "pageLimit": 10})).json()
    everything = expect(state, lambda r: True)
    assert [i["id"] for i in first["data"]] == everything[:3]
    assert [i["id"] for i in same["data"]] == everything[3:6]  # the size asked for before
    assert [i["id"] for i in bigger["data"]] == everything[3:13]


async def test_a_key_carries_its_search(client, prefix, state):
    body = filters(field("Status", "IsOneOf", values=["Open"]))
    first = (await client.post(f"{prefix}/search/conversations", params={"pageLimit": 2},
                               json=body)).json()
    key = httpx.URL(first["meta"]["next"]).params["pageKey"]
    other = (await client.post(f"{prefix}/search/conversations",
                               params={"pageKey": key}, json={"query": {"value": "zzz"}})).json()
    opened = expect(state, lambda r: r.conversation.state == "Open")
    assert [i["id"] for i in first["data"] + other["data"]] == opened[:4]


@pytest.mark.parametrize("limit", ["51", "0", "-1", "1000", "x", "99999999999"])
async def test_page_limit_is_1_to_50(client, prefix, limit):
    response = await client.post(f"{prefix}/search/conversations",
                                 params={"pageLimit": limit}, json={})
    assert response.status_code == 400
    assert response.json()["message"].startswith("Invalid value for: query parameter pageLimit")


async def test_fifty_is_the_most_and_the_default(client, prefix):
    for params in ({"pageLimit": 50}, {}):
        response = await client.post(f"{prefix}/search/conversations", params=params, json={})
        assert len(response.json()["data"]) == 50


@pytest.mark.parametrize("key", ["nope", "eyJvIjo1MCwibCI6NTAsImYiOnt9fQ==", ""])
async def test_a_page_key_the_mock_did_not_issue_is_refused(client, prefix, key):
    response = await client.post(f"{prefix}/search/conversations", params={"pageKey": key},
                                 json={})
    assert response.status_code == 400
    assert response.json() == {"message": "Invalid value for: query parameter pageKey"}


async def test_a_key_from_another_organization_is_refused(client, prefix):
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=__import__(
        "dixa_tui.mock", fromlist=["create_app"]).create_app(MockState.demo(NOW))),
        base_url="http://mock", headers={"Authorization": "demo-key"})
    async with other:
        first = (await other.post(f"{prefix}/search/conversations", json={})).json()
    key = httpx.URL(first["meta"]["next"]).params["pageKey"]
    response = await client.post(f"{prefix}/search/conversations", params={"pageKey": key})
    assert response.status_code == 400


# -- what is refused ----------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "says"), [
    ([], "the body must be a JSON object"),
    ({"filters": {"conditions": []}}, "strategy (All or Any)"),
    ({"filters": {"strategy": "Some", "conditions": []}}, "strategy (All or Any)"),
    (filters({"field": {"_type": "Status"}}), "field._type and field.operator._type"),
    (filters(field("Mood", "IsOneOf", values=["x"])), "unknown field Mood"),
    (filters(field("CustomAttribute", "IsOneOf", values=["x"])), "not modelled"),
    (filters(field("Duration", "LongerThanOrEqualTo", duration="PT1H")), "not modelled"),
    (filters(field("Status", "Since", timestamp="2026-01-01T00:00:00Z")),
     "operator Since does not apply to Status"),
    (filters(field("CreationDate", "IsOneOf", values=["x"])),
     "operator IsOneOf does not apply to CreationDate"),
    (filters(field("CreationDate", "Since", timestamp="yesterday")), "not an ISO-8601"),
    (filters(field("CreationDate", "Between", timestampFrom="2026-01-01T00:00:00Z")),
     "timestampTo must be"),
    (filters(field("Status", "IsOneOf", values="Open")), "a list of strings"),
    ({"query": {"value": 5}}, "query needs value"),
])
async def test_bodies_dixa_would_refuse(client, prefix, body, says):
    response = await client.post(f"{prefix}/search/conversations", json=body)
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("Invalid value for: body") and says in message


async def test_a_body_that_is_not_json(client, prefix):
    response = await client.post(f"{prefix}/search/conversations", content=b"{nope",
                                 headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"message": "Decoding failure in request"}


async def test_search_needs_the_key_like_every_route(anonymous, prefix):
    response = await anonymous.post(f"{prefix}/search/conversations", json={})
    assert response.status_code == 401


def test_the_oldest_keys_are_forgotten_first(monkeypatch):
    from dixa_tui.mock import cursors

    monkeypatch.setattr(cursors, "MAX_CURSORS", 3)
    book = cursors.Cursors()
    keys = [book.issue(cursors.Cursor([1, 2], 1, 1)) for _ in range(5)]
    assert len(book) == 3 and len(set(keys)) == 5
    assert [book.get(k) is not None for k in keys] == [False, False, True, True, True]
