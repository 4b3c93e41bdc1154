"""Fixtures for the embedded Dixa: an in-process client, and a real server on loopback.

``loopback_mock`` (real HTTP on 127.0.0.1) is shared with the client and CLI tests: it lives
in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app

BASE_URL = "http://mock"
AUTH = {"Authorization": DEMO_API_KEY}
PREFIXES = ["/v1", "/beta"]


@pytest.fixture
def app(state: MockState, knobs: Knobs) -> Starlette:
    return create_app(state, knobs=knobs)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """Sends the demo key on every request; pass ``headers=`` to override it."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL,
                                 headers=AUTH) as c:
        yield c


@pytest.fixture
async def anonymous(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """No Authorization header unless a test adds one."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url=BASE_URL) as c:
        yield c


@pytest.fixture(params=PREFIXES)
def prefix(request: pytest.FixtureRequest) -> str:
    """Every route is tested under both /v1 and /beta."""
    return str(request.param)
