"""The mock pages like Dixa: a ``pageKey`` is opaque, so one it did not issue (however well
formed) is a 400, and a method a known path does not take is a 405 naming those it does."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from dixa_tui.mock.app import NEWER_OPERATIONS, OPERATIONS

PAGE_KEY_400 = "Invalid value for: query parameter pageKey"


def forged(offset: int, limit: int = 25, filters: dict[str, str] | None = None) -> str:
    raw = json.dumps({"o": offset, "l": limit, "f": filters or {}}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def next_key(body: dict) -> str:
    return parse_qs(urlsplit(body["meta"]["next"]).query)["pageKey"][0]


@pytest.mark.parametrize("prefix", ["/v1", "/beta"])
@pytest.mark.parametrize("key", [forged(5), forged(0, 100), forged(25, 25, {"email": "x"}),
                                 "c2VjcmV0", "AAAA"])
async def test_a_page_key_the_mock_did_not_issue_is_refused(client: httpx.AsyncClient,
                                                            prefix: str, key: str) -> None:
    response = await client.get(f"{prefix}/endusers", params={"pageKey": key})
    assert response.status_code == 400 and response.json()["message"] == PAGE_KEY_400


async def test_a_tampered_page_key_is_refused(client: httpx.AsyncClient) -> None:
    first = (await client.get("/v1/endusers", params={"pageLimit": 5})).json()
    key = next_key(first)
    payload = json.loads(base64.urlsafe_b64decode(key))
    payload["o"] = 50
    tampered = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    response = await client.get("/v1/endusers", params={"pageKey": tampered})
    assert response.status_code == 400 and response.json()["message"] == PAGE_KEY_400


async def test_the_keys_it_issued_walk_every_page(client: httpx.AsyncClient,
                                                  state) -> None:
    seen: list[str] = []
    params: dict[str, object] = {"pageLimit": 7}
    for _ in range(100):
        body = (await client.get("/beta/endusers", params=params)).json()
        seen += [user["id"] for user in body["data"]]
        if "next" not in body.get("meta", {}):
            break
        params = {"pageKey": next_key(body)}
    assert sorted(seen) == sorted(state.end_users)


USER = "eba64c48-745b-5c86-9a75-e3cce144c401"
# Every paged operation of the mock: (method, path, body).
PAGED = [("GET", "/endusers", None), ("GET", f"/endusers/{USER}/conversations", None),
         ("GET", "/endusers", {"email": "astrid.lindqvist@example.com"}),
         ("POST", "/search/conversations", {})]


def test_the_paged_table_names_every_operation_that_takes_a_page_key() -> None:
    """Dixa's document lists pageKey on exactly these (and the deprecated GET search, which
    the mock does not serve); the mock's search is POST, as Dixa's current docs."""
    spec = json.loads((Path(__file__).parents[1] / "conformance"
                       / "dixa-openapi-subset.json").read_text())
    paged = {path.removeprefix("/v1") for path, ops in spec["paths"].items()
             for op in ops.values() if isinstance(op, dict)
             and any(p.get("name") == "pageKey" for p in op.get("parameters", []))}
    assert paged == {"/endusers", "/endusers/{userId}/conversations", "/search/conversations"}
    assert {p.replace(USER, "{userId}") for _, p, _ in PAGED} == paged


@pytest.mark.parametrize("prefix", ["/v1", "/beta"])
@pytest.mark.parametrize(("method", "path", "extra"), PAGED,
                         ids=["endusers", "conversations", "endusers-filtered", "search"])
@pytest.mark.parametrize("key", [forged(5), forged(0, 100), "AAAA", "", "%00", "x" * 5000],
                         ids=["forged", "forged-limit", "opaque", "empty", "nul", "long"])
async def test_every_paged_list_refuses_a_key_it_did_not_issue(
        client: httpx.AsyncClient, prefix: str, method: str, path: str,
        extra: dict[str, str] | None, key: str) -> None:
    params = {"pageKey": key, **(extra or {})} if method == "GET" else {"pageKey": key}
    body = extra if method == "POST" else None
    response = await client.request(method, prefix + path, params=params, json=body)
    assert response.status_code == 400, (response.status_code, response.text[:200])
    assert response.json() == {"message": PAGE_KEY_400}


async def test_a_conversations_page_key_is_checked_too(client: httpx.AsyncClient,
                                                       state) -> None:
    user = next(iter(state.end_users))
    response = await client.get(f"/v1/endusers/{user}/conversations",
                                params={"pageKey": forged(1, 1)})
    assert response.status_code == 400 and response.json()["message"] == PAGE_KEY_400


METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


def concrete(path: str) -> str:
    return (path.replace("{definition_id}", "d1")
            .replace("{user_id}", "eba64c48-745b-5c86-9a75-e3cce144c401")
            .replace("{conversation_id}", "10001"))


@pytest.mark.parametrize("prefix", ["/v1", "/beta"])
@pytest.mark.parametrize("path", sorted({p for _, p, _ in OPERATIONS + NEWER_OPERATIONS}))
async def test_every_method_a_known_path_does_not_take_is_405(client: httpx.AsyncClient,
                                                              prefix: str, path: str) -> None:
    takes = {m for m, p, _ in OPERATIONS + NEWER_OPERATIONS if p == path}
    allowed = takes | ({"HEAD"} if "GET" in takes else set())
    for method in METHODS:
        if method in allowed:
            continue
        response = await client.request(method, prefix + concrete(path))
        assert response.status_code == 405, (method, path)
        assert set(response.headers["Allow"].split(", ")) == allowed
        if method != "HEAD":  # a HEAD answer has no body
            assert response.json() == {"message": "Method not allowed"}
