"""The embedded Dixa: a stateful Starlette app that answers like Dixa's custom-attribute API.

Used in-process by ``--demo`` and the tests (``httpx.ASGITransport``), and over HTTP by
``dixa-tui mock serve``. It shares Dixa's value rules with the client through
``dixa_tui.domain``, never imports Textual, and has knobs for latency, rate limiting and
injected failures. The demo organization and its well-known ids are in ``dixa_tui.mock.demo``.
"""

from __future__ import annotations

from dixa_tui.mock.app import DEMO_API_KEY, create_app
from dixa_tui.mock.knobs import Knobs
from dixa_tui.mock.records import ConversationRecord, EndUserRecord
from dixa_tui.mock.server import serve
from dixa_tui.mock.state import MockState

__all__ = [
    "DEMO_API_KEY",
    "ConversationRecord",
    "EndUserRecord",
    "Knobs",
    "MockState",
    "create_app",
    "serve",
]
