"""Client tests run against the embedded mock wired two ways: in-process and over loopback."""

from __future__ import annotations

import httpx
import pytest

from dixa_tui.api.client import DixaClient
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app


@pytest.fixture(params=["in-process", "loopback"])
def wiring(request, serve_mock):
    """(make_client, state, knobs): a factory for clients wired one of the two ways."""
    state, knobs = MockState.demo(), Knobs()
    if request.param == "in-process":
        app = create_app(state, knobs=knobs)

        def make(version="beta", **kw):
            return DixaClient(DEMO_API_KEY, base_url="http://mock", api_version=version,
                              transport=httpx.ASGITransport(app=app), **kw)
    else:
        url, state, knobs = serve_mock(state=state, knobs=knobs)

        def make(version="beta", **kw):
            return DixaClient(DEMO_API_KEY, base_url=url, api_version=version, **kw)
    return make, state, knobs
