"""Pilot-test fixtures: the real app against the embedded mock, in-process."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from dixa_tui.mock import Knobs, MockState, create_app
from dixa_tui.session.settings import Settings
from dixa_tui.tui.app import DixaApp


@pytest.fixture
def make_app(state: MockState, knobs: Knobs) -> Callable[..., DixaApp]:
    """A demo app whose client talks to this test's mock state and knobs."""

    def make(settings: Settings | None = None) -> DixaApp:
        return DixaApp(settings or Settings(demo=True),
                       transport_factory=lambda: httpx.ASGITransport(
                           app=create_app(state, knobs=knobs)))

    return make
