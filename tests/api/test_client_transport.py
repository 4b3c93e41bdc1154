"""The client at the HTTP transport: headers, paging, retries, error mapping, key hygiene."""

from __future__ import annotations

import base64
import json
import random
from urllib.parse import quote

import httpx
import pytest
import respx

from dixa_tui.api.client import DixaClient
from dixa_tui.api.errors import DixaApiError, DixaNetworkError, DixaResponseError
from dixa_tui.api.ratelimit import RetryPolicy

SENTINEL = "sk-SENTINEL-5b1e0c7d"
BASE = "https://dixa.test"
FAST = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.01, rng=random.Random(0))
DEF = {"id": "d1", "entityType": "Contact", "identifier": "tier", "label": "Tier",
       "inputDefinition": {"_type": "Text"}, "createdAt": "2023-01-01T00:00:00Z[GMT]",
       "isRequired": False, "isArchived": False, "isDeactivated": False}


def client(**kw) -> DixaClient:
    return DixaClient(SENTINEL, base_url=BASE, **({"rate": 0, "retry": FAST} | kw))


@respx.mock
async def test_raw_key_header_and_beta_prefix():
    route = respx.get(f"{BASE}/beta/custom-attributes").respond(json={"data": [DEF]})
    async with client() as c:
        defs = (await c.list_definitions()).definitions
    assert [d.identifier for d in defs] == ["tier"]
    assert route.calls.last.request.headers["Authorization"] == SENTINEL


@respx.mock
async def test_one_unreadable_definition_does_not_hide_the_rest():
    respx.get(f"{BASE}/beta/custom-attributes").respond(json={"data": [
        DEF, DEF | {"id": 3}, {"nope": True}, DEF | {"id": "d2", "identifier": "two"}]})
    async with client() as c:
        read = await c.list_definitions()
    assert [d.identifier for d in read.definitions] == ["tier", "two"]
    assert [(s.index, s.id) for s in read.skipped] == [(1, None), (2, None)]


@respx.mock
@pytest.mark.parametrize("data", [None, "x", {"a": 1}])
async def test_definitions_that_are_not_a_list_raise_our_error(data):
    respx.get(f"{BASE}/beta/custom-attributes").respond(json={"data": data})
    async with client() as c:
        with pytest.raises(DixaResponseError):
            await c.list_definitions()


@respx.mock
async def test_v1_prefix():
    respx.get(f"{BASE}/v1/custom-attributes").respond(json={"data": []})
    async with DixaClient(SENTINEL, base_url=BASE, api_version="v1", rate=0) as c:
        assert (await c.list_definitions()).definitions == []


@respx.mock
async def test_paging_takes_only_the_page_key_from_meta_next():
    user = {"id": "u1", "createdAt": "2020-12-16T09:41:43Z"}
    route = respx.get(f"{BASE}/beta/endusers")
    route.side_effect = [
        httpx.Response(200, json={"data": [user], "meta": {
            "next": "https://evil.example/steal?pageKey=p2&email=x"}}),
        httpx.Response(200, json={"data": [user | {"id": "u2"}], "meta": {}}),
    ]
    async with client() as c:
        users = await c.find_end_users(email="a@b.c")
    assert [u.id for u in users] == ["u1", "u2"]
    second = route.calls[1].request
    assert second.url.host == "dixa.test"
    assert dict(second.url.params) == {"email": "a@b.c", "pageKey": "p2"}


@respx.mock
async def test_paging_stops_on_a_repeated_page_key():
    respx.get(f"{BASE}/beta/endusers/u/conversations").respond(
        json={"data": [{"id": 1}], "meta": {"next": f"{BASE}/x?pageKey=same"}})
    async with client() as c:
        assert len(await c.list_end_user_conversations("u")) == 2


@respx.mock
@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_retries_transient_statuses(status):
    route = respx.patch(f"{BASE}/beta/conversations/7/custom-attributes")
    route.side_effect = [httpx.Response(status, json={"message": "busy"}),
                         httpx.Response(200, json={"data": []})]
    async with client() as c:
        assert await c.patch_conversation_attributes(7, {"d1": "x"}) == []
        assert c.stats.retries == 1 and c.stats.statuses[status] == 1
    assert json.loads(route.calls[1].request.content) == {"d1": "x"}


@respx.mock
async def test_retries_are_bounded():
    """By a count for a 503 (a 429 is retried for the time budget: test_rate_limited_retries)."""
    route = respx.get(f"{BASE}/beta/custom-attributes").respond(503, json={"message": "slow"})
    async with client() as c:
        with pytest.raises(DixaApiError) as info:
            await c.list_definitions()
    assert route.call_count == FAST.max_attempts
    assert info.value.status == 503 and info.value.message == "slow"


@respx.mock
async def test_retry_after_is_honoured(monkeypatch):
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("dixa_tui.api.client.asyncio.sleep", fake_sleep)
    route = respx.get(f"{BASE}/beta/custom-attributes")
    route.side_effect = [httpx.Response(503, headers={"Retry-After": "0.005"}),
                         httpx.Response(200, json={"data": []})]
    async with client() as c:
        await c.list_definitions()
    assert slept == [0.005]


@respx.mock
@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 500])
async def test_other_statuses_fail_at_once_with_dixas_message(status):
    route = respx.get(f"{BASE}/beta/endusers/u1").respond(
        status, json={"message": f"Dixa says {status}"})
    async with client() as c:
        with pytest.raises(DixaApiError) as info:
            await c.get_end_user("u1")
    assert route.call_count == 1
    err = info.value
    assert (err.status, err.message, err.operation) == (status, f"Dixa says {status}",
                                                        "get end user u1")
    assert str(err) == f"get end user u1: HTTP {status}: Dixa says {status}"


@respx.mock
async def test_connection_errors_retry_then_fail_typed():
    route = respx.get(f"{BASE}/beta/custom-attributes").mock(
        side_effect=httpx.ConnectError("refused"))
    async with client() as c:
        with pytest.raises(DixaNetworkError, match="could not connect"):
            await c.list_definitions()
    assert route.call_count == FAST.max_attempts


@respx.mock
@pytest.mark.parametrize(("response", "match"), [
    (httpx.Response(200, content=b""), "empty body"),
    (httpx.Response(200, content=b"<html>oops</html>", headers={"content-type": "text/html"}),
     "not JSON"),
    (httpx.Response(200, json={"data": {"id": 3}}), "unexpected response shape"),
    (httpx.Response(200, json={"nodata": 1}), "no 'data'"),
])
async def test_bad_success_bodies_are_typed(response, match):
    respx.get(f"{BASE}/beta/custom-attributes/d1").mock(return_value=response)
    async with client() as c:
        with pytest.raises(DixaResponseError, match=match):
            await c.get_definition("d1")


@respx.mock
async def test_non_json_error_body_gives_an_excerpt():
    respx.get(f"{BASE}/beta/custom-attributes").respond(502, text="Bad gateway from proxy")
    async with client(retry=RetryPolicy(max_attempts=1)) as c:
        with pytest.raises(DixaApiError, match="Bad gateway from proxy"):
            await c.list_definitions()


@respx.mock
async def test_key_never_in_errors_reprs_or_echoed_messages():
    respx.get(f"{BASE}/beta/custom-attributes").respond(
        401, json={"message": f"bad key {SENTINEL}"})
    async with client() as c:
        with pytest.raises(DixaApiError) as info:
            await c.list_definitions()
        texts = [str(info.value), repr(info.value), repr(c), repr(c._http.auth),
                 repr(c._http.headers), info.value.hint]
    assert not any(SENTINEL in t for t in texts)
    assert "[redacted]" in str(info.value)


@pytest.mark.parametrize("encode", [
    lambda k: k,
    lambda k: quote(k, safe=""),
    lambda k: base64.b64encode(k.encode()).decode(),
    lambda k: json.dumps(k)[1:-1],
], ids=["raw", "url", "base64", "json"])
@pytest.mark.parametrize("as_json", [True, False], ids=["message", "body"])
async def test_an_echoed_key_is_blanked_in_any_encoding(encode, as_json):
    """A server may echo the key URL-encoded or base64-encoded: blanked all the same."""
    key = "sk-echo/Te+st=key\\9"
    echoed = f"denied for {encode(key)} sorry"
    with respx.mock:
        route = respx.get(f"{BASE}/beta/custom-attributes")
        if as_json:
            route.respond(400, json={"message": echoed})
        else:
            route.respond(400, text=echoed)
        async with DixaClient(key, base_url=BASE, rate=0) as c:
            with pytest.raises(DixaApiError) as info:
                await c.list_definitions()
    assert str(info.value).endswith("HTTP 400: denied for [redacted] sorry")
    assert encode(key) not in str(info.value) and key not in repr(info.value)


async def test_ids_cannot_add_path_segments():
    with respx.mock:
        route = respx.get(f"{BASE}/beta/endusers/..%2Fcustom-attributes").respond(
            json={"data": {"id": "x"}})
        async with client() as c:
            await c.get_end_user("../custom-attributes")
        assert route.called


async def test_bad_base_url_is_a_typed_error():
    async with DixaClient(SENTINEL, base_url="ftp://nowhere", rate=0) as c:
        with pytest.raises(DixaNetworkError, match="not an http"):
            await c.list_definitions()


def test_unknown_api_version_is_rejected():
    with pytest.raises(ValueError):
        DixaClient(SENTINEL, api_version="v2")  # type: ignore[arg-type]


async def test_find_needs_exactly_one_filter():
    async with client() as c:
        with pytest.raises(ValueError):
            await c.find_end_users(email="a", phone="b")


@respx.mock
async def test_redirects_are_not_followed():
    respx.get(f"{BASE}/beta/custom-attributes").respond(
        301, headers={"Location": "https://elsewhere.example/"})
    async with client() as c:
        with pytest.raises(DixaApiError) as info:
            await c.list_definitions()
    assert info.value.status == 301 and "base URL" in info.value.hint


@respx.mock
async def test_undecodable_body_is_typed():
    respx.get(f"{BASE}/beta/custom-attributes").mock(
        side_effect=httpx.DecodingError("bad gzip"))
    async with client() as c:
        with pytest.raises(DixaNetworkError, match="could not be read"):
            await c.list_definitions()


@respx.mock
async def test_key_echoed_in_a_header_or_a_long_body_is_blanked():
    respx.get(f"{BASE}/beta/custom-attributes").respond(
        200, content=b"<html>", headers={"content-type": f"text/html; x={SENTINEL}"})
    respx.get(f"{BASE}/beta/endusers/u").respond(400, text="x" * 190 + SENTINEL + "y" * 50)
    async with client() as c:
        with pytest.raises(DixaResponseError) as typed:
            await c.list_definitions()
        with pytest.raises(DixaApiError) as long:
            await c.get_end_user("u")
    for err in (typed.value, long.value):
        text = str(err) + repr(err) + err.message
        assert SENTINEL not in text and SENTINEL[:6] not in text


def test_a_key_that_cannot_be_a_header_is_refused_up_front():
    with pytest.raises(ValueError, match="line break") as info:
        DixaClient("bad\nkey-SECRETPART", base_url=BASE)
    assert "SECRETPART" not in str(info.value)


@respx.mock
async def test_a_long_retry_after_gives_up_and_says_when():
    route = respx.get(f"{BASE}/beta/custom-attributes").respond(
        429, json={"message": "Too many requests"}, headers={"Retry-After": "60"})
    async with client() as c:
        with pytest.raises(DixaApiError, match=r"asked to wait 60 s") as info:
            await c.list_definitions()
    assert route.call_count == 1 and info.value.status == 429
