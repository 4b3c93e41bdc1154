"""Everything between the socket and a handler: knobs, the API key, and the last-resort 500.

One plain ASGI middleware, so the order is explicit and testable: latency, rate limit,
injected failure, then the key check, then the routes. Unexpected exceptions become Dixa's
generic 500 body here instead of reaching Starlette's error middleware, which would re-raise
them into the test client or print a traceback.

The received ``Authorization`` header is compared in constant time and then forgotten: it is
never logged, echoed in a body, or kept (the rate limiter sees only its hash).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dixa_tui.jsontext import dumps
from dixa_tui.mock.knobs import FaultInjector, Knobs, RateLimiter

log = logging.getLogger("dixa_tui.mock")

UNAUTHORIZED = "User is unauthorized to perform an underlying operation"
TOO_MANY = "Too many requests"
INTERNAL = "There was an internal server error while processing the request"
INJECTED = "Injected failure: the mock's failure_rate knob answered this request"


class DixaJSON(JSONResponse):
    """JSON as Dixa sends it, for any string the organization holds: a lone surrogate (a
    label saved as "\\ud800") leaves as that escape, as a JVM server writes it, instead of
    failing to encode as UTF-8 (a 500 for the whole answer)."""

    def render(self, content: Any) -> bytes:
        return dumps(content, allow_nan=False, separators=(",", ":")).encode("utf-8")


def error(status: int, message: str) -> DixaJSON:
    """Dixa's error body, ``{"message": ...}``, for every 4xx and 5xx."""
    return DixaJSON({"message": message}, status_code=status)


def _authorization(scope: Scope) -> list[bytes]:
    return [value for name, value in scope.get("headers", []) if name == b"authorization"]


class FrontDoor:
    """The mock's middleware; reads ``app.state.knobs`` per request so tests may swap it."""

    def __init__(self, app: ASGIApp, *, api_key: str, knobs: Knobs) -> None:
        self.app = app
        self._api_key = api_key.encode()
        self._knobs = knobs
        self._limiter = RateLimiter()
        self._faults = FaultInjector()

    def _current_knobs(self, scope: Scope) -> Knobs:
        app = scope.get("app")
        knobs = getattr(getattr(app, "state", None), "knobs", None)
        return knobs if isinstance(knobs, Knobs) else self._knobs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        knobs = self._current_knobs(scope)
        knobs.requests += 1
        if scope.get("method") == "PATCH":
            knobs.writes += 1
        if knobs.latency > 0:
            await asyncio.sleep(knobs.latency)
        sent = _authorization(scope)
        if not self._limiter.allow(knobs, sent[0] if sent else b""):
            knobs.rate_limited += 1
            await error(429, TOO_MANY)(scope, receive, send)
            return
        if self._faults.should_fail(knobs):
            knobs.failures += 1
            await error(knobs.failure_status, INJECTED)(scope, receive, send)
            return
        if len(sent) != 1 or not hmac.compare_digest(sent[0], self._api_key):
            await error(401, UNAUTHORIZED)(scope, receive, send)
            return
        await self._guarded(scope, receive, send)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            # The traceback names code, not request data: no header can end up in the log.
            log.exception("the mock failed on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await error(500, INTERNAL)(scope, receive, send)
