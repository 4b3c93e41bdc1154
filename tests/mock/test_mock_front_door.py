"""The key check, unknown routes, and the last-resort 500: always JSON, never the key."""

from __future__ import annotations

import logging

import httpx
import pytest

from dixa_tui.mock import create_app
from dixa_tui.mock.demo import DEMO_END_USER_ID

UNAUTHORIZED = {"message": "User is unauthorized to perform an underlying operation"}
INTERNAL = {"message": "There was an internal server error while processing the request"}
SENTINEL = "sk-SENTINEL-9f3a"


@pytest.mark.parametrize("headers", [{}, {"Authorization": SENTINEL},
                                     {"Authorization": "Bearer demo-key"},
                                     {"Authorization": "demo-key "},
                                     {"Authorization": "DEMO-KEY"}],
                         ids=["missing", "wrong", "bearer", "trailing-space", "case"])
async def test_wrong_or_missing_key_is_401(anonymous, prefix, headers):
    for method, path in (("GET", "/custom-attributes"), ("GET", f"/endusers/{DEMO_END_USER_ID}"),
                         ("PATCH", "/conversations/10001/custom-attributes")):
        response = await anonymous.request(method, prefix + path, headers=headers, json={})
        assert response.status_code == 401
        assert response.json() == UNAUTHORIZED
        assert SENTINEL not in response.text


async def test_two_authorization_headers_are_401(anonymous, prefix):
    headers = [("Authorization", "demo-key"), ("Authorization", "demo-key")]
    response = await anonymous.get(f"{prefix}/custom-attributes", headers=headers)
    assert response.status_code == 401


async def test_custom_key(state):
    app = create_app(state, api_key=SENTINEL)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://mock") as c:
        assert (await c.get("/v1/custom-attributes",
                            headers={"Authorization": SENTINEL})).status_code == 200
        assert (await c.get("/v1/custom-attributes",
                            headers={"Authorization": "demo-key"})).status_code == 401


def test_empty_key_is_refused(state):
    with pytest.raises(ValueError):
        create_app(state, api_key="")


@pytest.mark.parametrize("path", ["/v1/nope", "/v2/custom-attributes", "/", "/v1/endusers/",
                                  "/beta/custom-attributes/a/b"])
async def test_unknown_route_is_json_404(client, path):
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["message"]


async def test_wrong_method_is_json_405(client, prefix):
    response = await client.delete(f"{prefix}/custom-attributes")
    assert response.status_code == 405
    assert response.json()["message"]
    assert response.headers["Allow"] == "GET, HEAD"  # RFC 9110: a 405 names what works
    patch_only = await client.get(f"{prefix}/conversations/10001/custom-attributes")
    assert patch_only.status_code == 405 and patch_only.headers["Allow"] == "PATCH"


async def test_unexpected_error_is_generic_500(app, client, prefix, caplog):
    app.state.mock = None  # every handler now fails with AttributeError
    client.headers["Authorization"] = "demo-key"
    with caplog.at_level(logging.ERROR, logger="dixa_tui.mock"):
        response = await client.get(f"{prefix}/custom-attributes")
    assert response.status_code == 500
    assert response.json() == INTERNAL
    assert "Traceback" not in response.text
    assert "demo-key" not in caplog.text


async def test_default_state_is_the_demo():
    app = create_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://mock",
                                 headers={"Authorization": "demo-key"}) as c:
        response = await c.get(f"/v1/endusers/{DEMO_END_USER_ID}")
    assert response.status_code == 200
