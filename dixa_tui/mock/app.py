"""``create_app``: the embedded Dixa as a Starlette app, the same routes under /v1 and /beta.

Dixa documents the custom-attribute operations identically under ``/v1`` and ``/beta``; the
mock serves both from the same handlers so a client can switch versions without the mock
caring. ``app.state.mock`` and ``app.state.knobs`` are public: tests read values back and turn
knobs on the running app.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dixa_tui.mock import handlers, search
from dixa_tui.mock.front_door import FrontDoor
from dixa_tui.mock.knobs import Knobs
from dixa_tui.mock.state import MockState

DEMO_API_KEY = "demo-key"
API_PREFIXES = ("/v1", "/beta")

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
OPERATIONS: list[tuple[str, str, Handler]] = [
    ("GET", "/custom-attributes", handlers.list_definitions),
    ("GET", "/custom-attributes/{definition_id}", handlers.get_definition),
    ("GET", "/endusers", handlers.list_end_users),
    ("GET", "/endusers/{user_id}", handlers.get_end_user),
    ("GET", "/endusers/{user_id}/conversations", handlers.list_end_user_conversations),
    ("PATCH", "/endusers/{user_id}/custom-attributes", handlers.patch_end_user),
    ("GET", "/conversations/{conversation_id}", handlers.get_conversation),
    ("PATCH", "/conversations/{conversation_id}/custom-attributes",
     handlers.patch_conversation),
]

# Documented by Dixa but not in the OpenAPI document the conformance tests read (its 2025-03
# copy predates them): served the same way, checked by their own tests.
NEWER_OPERATIONS: list[tuple[str, str, Handler]] = [
    ("POST", "/search/conversations", search.search_conversations),
]


def _routes() -> list[Route]:
    return [Route(prefix + path, handler, methods=[method])
            for prefix in API_PREFIXES
            for method, path, handler in OPERATIONS + NEWER_OPERATIONS]


def create_app(
    state: MockState | None = None,
    *,
    api_key: str = DEMO_API_KEY,
    knobs: Knobs | None = None,
) -> Starlette:
    """The mock Dixa for ``state`` (default: the demo organization), accepting ``api_key``."""
    if not api_key:
        raise ValueError("the mock needs a non-empty API key")
    knobs = knobs if knobs is not None else Knobs()
    app = Starlette(
        routes=_routes(),
        middleware=[Middleware(FrontDoor, api_key=api_key, knobs=knobs)],
        exception_handlers={
            handlers.BadPath: handlers.bad_path,
            404: handlers.not_found,
            405: handlers.method_not_allowed,
        },
    )
    # A trailing slash is an unknown route (404): a redirect would only hide client bugs.
    app.router.redirect_slashes = False
    app.state.mock = state if state is not None else MockState.demo()
    app.state.knobs = knobs
    return app
