"""The mock over real HTTP: uvicorn on 127.0.0.1, and ``serve``'s quiet configuration."""

from __future__ import annotations

import httpx
import pytest

from dixa_tui.mock import DEMO_API_KEY, Knobs, serve
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID

pytestmark = pytest.mark.loopback


async def test_request_over_loopback(loopback_mock):
    base_url, state, knobs = loopback_mock
    async with httpx.AsyncClient(base_url=base_url,
                                 headers={"Authorization": DEMO_API_KEY}) as c:
        response = await c.get("/v1/endusers", params={"pageLimit": 10})
        assert response.status_code == 200
        assert response.json()["meta"]["next"].startswith(f"{base_url}/v1/endusers?pageKey=")
        state.conversations[DEMO_CONVERSATION_ID].values.clear()
        read = await c.get(f"/beta/conversations/{DEMO_CONVERSATION_ID}")
        assert read.json()["data"]["customAttributes"] == []
    assert knobs.requests == 2


def test_serve_runs_uvicorn_quietly(monkeypatch, tmp_path):
    import uvicorn

    seen = {}

    def fake_run(self, sockets=None):
        seen.update(config=self.config, sockets=sockets, app=self.config.app)

    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    knobs = Knobs(latency=0.5)
    urls: list[str] = []
    serve("127.0.0.1", 0, "secret-key", None, knobs, on_ready=urls.append)
    assert seen["config"].log_level == "warning" and seen["config"].access_log is False
    assert urls and urls[0].startswith("http://127.0.0.1:") and not urls[0].endswith(":0")
    assert seen["sockets"][0].fileno() == -1  # closed again once the server returned
    assert seen["app"].state.knobs is knobs
    assert len(seen["app"].state.mock.end_users) == 60
    org = tmp_path / "org.json"
    org.write_text('{"data": []}')
    serve("127.0.0.1", 0, "secret-key", str(org))
    assert seen["app"].state.mock.definitions == []


def test_serve_reports_a_port_in_use():
    from dixa_tui.mock.server import bind

    taken = bind("127.0.0.1", 0)
    try:
        with pytest.raises(OSError):
            serve("127.0.0.1", taken.getsockname()[1], "k")
    finally:
        taken.close()
