"""The client's search: lazy pages (counted at the transport), the body and parameters it
sends, only the pageKey taken from meta.next, and retries like a read."""

from __future__ import annotations

import json
import random

import httpx
import pytest
import respx

from dixa_tui.api.client import DixaClient
from dixa_tui.api.errors import DixaApiError, DixaResponseError
from dixa_tui.api.ratelimit import RetryPolicy
from dixa_tui.mock import DEMO_API_KEY, MockState, create_app

BASE = "https://dixa.test"
URL = f"{BASE}/beta/search/conversations"
FAST = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.01, rng=random.Random(0))
BODY = {"filters": {"strategy": "All", "conditions": [{"field": {
    "_type": "Status", "operator": {"_type": "IsOneOf", "values": ["Open"]}}}]}}


def client(**kw) -> DixaClient:
    return DixaClient("k", base_url=BASE, **({"rate": 0, "retry": FAST} | kw))


def page(ids: list[int], key: str | None) -> httpx.Response:
    meta = {"next": f"/beta/search/conversations?pageKey={key}"} if key else {}
    return httpx.Response(200, json={"data": [{"id": i, "highlights": {}} for i in ids],
                                     "meta": meta})


def paged(pages: int, size: int = 3) -> list[httpx.Response]:
    return [page(list(range(n * size + 1, n * size + size + 1)),
                 f"k{n + 1}" if n + 1 < pages else None) for n in range(pages)]


@respx.mock
async def test_pages_are_requested_only_as_they_are_used():
    route = respx.post(URL).mock(side_effect=paged(5))
    async with client() as c:
        ids = c.search_conversations(BODY)
        assert route.call_count == 0  # nothing is sent before the first id is asked for
        assert [await anext(ids) for _ in range(3)] == [1, 2, 3]
        assert route.call_count == 1
        assert await anext(ids) == 4
        assert route.call_count == 2
        await ids.aclose()
    assert route.call_count == 2


@respx.mock
async def test_every_page_sends_the_body_page_limit_and_the_key_from_meta_next():
    route = respx.post(URL).mock(side_effect=[
        page([1, 2], "abc"),
        httpx.Response(200, json={"data": [{"id": 3}], "meta": {
            "next": "https://elsewhere.example/v9/x?pageKey=def&pageLimit=999&other=1"}}),
        page([4], None)])
    async with client() as c:
        ids = [i async for i in c.search_conversations(BODY, page_limit=2)]
    assert ids == [1, 2, 3, 4]
    requests = [call.request for call in route.calls]
    assert [dict(r.url.params) for r in requests] == [
        {"pageLimit": "2"}, {"pageLimit": "2", "pageKey": "abc"},
        {"pageLimit": "2", "pageKey": "def"}]
    assert all(r.url.host == "dixa.test" and r.method == "POST" for r in requests)
    assert all(json.loads(r.content) == BODY for r in requests)


@respx.mock
async def test_pages_come_as_lists_and_an_empty_answer_is_one_empty_page():
    respx.post(URL).mock(side_effect=[*paged(2, size=2)])
    async with client() as c:
        assert [p async for p in c.search_conversation_pages({})] == [[1, 2], [3, 4]]
    respx.post(URL).mock(return_value=httpx.Response(200, json={"data": []}))
    async with client() as c:
        assert [p async for p in c.search_conversation_pages({})] == [[]]


@respx.mock
async def test_a_key_seen_before_ends_the_search():
    route = respx.post(URL).mock(side_effect=[page([1], "same"), page([2], "same"),
                                              page([3], None)])
    async with client() as c:
        assert [i async for i in c.search_conversations({})] == [1, 2]
    assert route.call_count == 2


@respx.mock
async def test_ids_as_numbers_or_strings_of_digits():
    respx.post(URL).respond(json={"data": [{"id": 7}, {"id": "12"}]})
    async with client() as c:
        assert [i async for i in c.search_conversations({})] == [7, 12]


@respx.mock
@pytest.mark.parametrize("item", [{}, {"id": None}, {"id": "x1"}, {"id": True}, {"id": 0},
                                  {"id": 1.5}, "12"])
async def test_a_hit_without_a_conversation_id_is_a_response_error(item):
    respx.post(URL).respond(json={"data": [item]})
    async with client() as c:
        with pytest.raises(DixaResponseError, match="no conversation id"):
            _ = [i async for i in c.search_conversations({})]


@pytest.mark.parametrize("limit", [0, 51, -5])
async def test_page_limit_is_checked_before_sending(limit):
    async with client() as c:
        with pytest.raises(ValueError, match="1 to 50"):
            await anext(c.search_conversations({}, page_limit=limit))


@respx.mock
@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_a_search_is_retried_like_a_read(status):
    route = respx.post(URL).mock(side_effect=[httpx.Response(status, json={"message": "x"}),
                                              page([1], None)])
    async with client() as c:
        assert [i async for i in c.search_conversations({})] == [1]
        assert c.stats.retries == 1
    assert route.call_count == 2


@respx.mock
async def test_a_search_is_retried_after_a_connection_failure_that_reached_dixa():
    route = respx.post(URL).mock(side_effect=[httpx.ReadTimeout("slow"), page([1], None)])
    async with client() as c:
        assert [i async for i in c.search_conversations({})] == [1]
    assert route.call_count == 2


@respx.mock
async def test_a_500_or_a_400_is_not_retried():
    route = respx.post(URL).mock(return_value=httpx.Response(400, json={
        "message": "Invalid value for: body"}))
    async with client() as c:
        with pytest.raises(DixaApiError) as caught:
            await anext(c.search_conversations({}))
    assert route.call_count == 1
    assert caught.value.status == 400 and "Invalid value for: body" in str(caught.value)
    assert not caught.value.write


def test_only_the_caller_marks_a_post_safe():
    policy = RetryPolicy()
    assert not policy.retries("POST", status=503)
    assert policy.retries("POST", status=503, safe=True)
    assert not policy.retries("POST", reached=True)
    assert policy.retries("POST", reached=True, safe=True)
    assert not policy.retries("POST", status=500, safe=True)


async def test_against_the_mock_every_conversation_once_in_as_many_pages_as_needed():
    state = MockState.demo()
    sent: list[httpx.Request] = []

    class Counting(httpx.ASGITransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return await super().handle_async_request(request)

    async with DixaClient(DEMO_API_KEY, base_url="http://mock", rate=0,
                          transport=Counting(app=create_app(state))) as c:
        ids = [i async for i in c.search_conversations({}, page_limit=50)]
        assert sorted(ids) == sorted(state.conversations)
        assert len(sent) == 5
        sent.clear()
        pages = c.search_conversation_pages({}, page_limit=50)
        first = await anext(pages)
        await pages.aclose()
    assert len(first) == 50 and len(sent) == 1
