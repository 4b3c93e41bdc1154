"""The route handlers: Dixa's answers for the custom-attribute operations.

Each handler reads ``request.app.state.mock`` on every call (tests may replace the state) and
answers in Dixa's shapes and with Dixa's error texts where the spec gives them ("Invalid
value for: path parameter userId", "Decoding failure in request"). Checks run in Dixa's
order: path parameters and body decoding (400) before lookups (404) before value rules (400).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from dixa_tui.api.gcpause import gc_paused
from dixa_tui.domain.patch import INT64_MAX, UUID_PATTERN
from dixa_tui.domain.schema_export import snapshot_bytes
from dixa_tui.jsontext import loads
from dixa_tui.mock.front_door import DixaJSON, error
from dixa_tui.mock.knobs import Knobs
from dixa_tui.mock.paging import PagingError, page_of, parse_page_request
from dixa_tui.mock.records import EndUserRecord
from dixa_tui.mock.state import MockState, PatchRejected
from dixa_tui.mock.wire import (
    conversation_json,
    definitions_body,
    end_user_json,
)

NOT_FOUND = "The requested resource could not be found"
DECODING_FAILURE = "Decoding failure in request"
END_USER_FILTERS = ("email", "phone", "externalId")
_INT = re.compile(r"-?[0-9]{1,19}")


class BadPath(Exception):
    """A path parameter that does not decode; ``str()`` is the 400 message."""


def _state(request: Request) -> MockState:
    state: MockState = request.app.state.mock
    return state


def _user_id(request: Request) -> str:
    value = str(request.path_params["user_id"])
    if not UUID_PATTERN.fullmatch(value):
        raise BadPath("Invalid value for: path parameter userId")
    return value


def _conversation_id(request: Request) -> int:
    value = str(request.path_params["conversation_id"])
    if not _INT.fullmatch(value) or not -INT64_MAX - 1 <= int(value) <= INT64_MAX:
        raise BadPath("Invalid value for: path parameter conversationId")
    return int(value)


def _find_user(state: MockState, user_id: str) -> EndUserRecord | None:
    """UUIDs compare case-insensitively, as Dixa parses them."""
    return state.end_users.get(user_id) or state.end_users.get(user_id.lower())


def _ok(data: Any) -> DixaJSON:
    return DixaJSON({"data": data})


def _error(request: Request, status: int, message: str) -> DixaJSON:
    """Dixa's error body; the organization's ``error_note``, if any, is appended."""
    note = _state(request).error_note
    return error(status, f"{message}{note}")


# -- definitions -----------------------------------------------------------------------


async def list_definitions(request: Request) -> Response:
    """All definitions, archived included, in one response (Dixa does not page this)."""
    state = _state(request)
    body = state.listing_body if state.listing_body is not None else listing_body(state)
    return Response(body, media_type="application/json")


def listing_body(state: MockState) -> bytes:
    """The definitions list's body. An org file's listing is written as an export writes it
    (``snapshot_bytes``), so the mock serving an exported file answers that file's bytes."""
    with gc_paused():
        if state.unreadable or state.raw:
            return snapshot_bytes(state.listing())
        return definitions_body(state.definitions)


async def get_definition(request: Request) -> Response:
    state = _state(request)
    wanted = str(request.path_params["definition_id"])
    for d in state.definitions:
        if d.id == wanted:
            return _ok(state.as_sent(d))
    for _, item in state.unreadable:
        if isinstance(item, dict) and item.get("id") == wanted:
            return _ok(item)
    return _error(request, 404, f"{NOT_FOUND}: no custom attribute definition has the id "
                                f"{wanted}")


# -- end users -------------------------------------------------------------------------


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _matches(user: EndUserRecord, filters: dict[str, str]) -> bool:
    """Exact matches: email case-insensitively (primary or additional), phone by its digits
    (so ``+45 20 12 34 56`` finds ``+4520123456``), externalId exactly."""
    p = user.profile
    if "email" in filters:
        wanted = filters["email"].strip().casefold()
        if wanted not in {e.casefold() for e in [p.email or "", *p.additional_emails]}:
            return False
    if "phone" in filters:
        wanted = _digits(filters["phone"])
        phones = {_digits(n) for n in [p.phone_number or "", *p.additional_phone_numbers]}
        if not wanted or wanted not in phones:
            return False
    return "externalId" not in filters or p.external_id == filters["externalId"]


async def list_end_users(request: Request) -> Response:
    """End users, paged; at most one filter; no ``customAttributes`` (as Dixa documents)."""
    try:
        page = parse_page_request(request.query_params, END_USER_FILTERS)
    except PagingError as exc:
        return _error(request, 400, str(exc))
    if len(page.filters) > 1:
        return _error(request, 400, "Invalid filters: Cannot provide more than one filter")
    state = _state(request)
    users = [u for u in state.end_users.values() if _matches(u, page.filters)]
    return DixaJSON(page_of(users, page, request.url,
                                lambda u: end_user_json(u, state, with_attributes=False)))


async def get_end_user(request: Request) -> Response:
    state = _state(request)
    record = _find_user(state, _user_id(request))
    if record is None:
        return _error(request, 404, f"{NOT_FOUND}: no end user has this id")
    return _ok(end_user_json(record, state, with_attributes=True))


async def list_end_user_conversations(request: Request) -> Response:
    """A user's conversations, paged, oldest first, without ``customAttributes``."""
    user_id = _user_id(request)
    try:
        page = parse_page_request(request.query_params)
    except PagingError as exc:
        return _error(request, 400, str(exc))
    state = _state(request)
    record = _find_user(state, user_id)
    if record is None:
        return _error(request, 404, f"{NOT_FOUND}: no end user has this id")
    return DixaJSON(page_of(state.conversations_of(record.id), page, request.url,
                                lambda c: conversation_json(c, state, with_attributes=False)))


# -- conversations ---------------------------------------------------------------------


async def get_conversation(request: Request) -> Response:
    state = _state(request)
    record = state.conversations.get(_conversation_id(request))
    if record is None:
        return _error(request, 404, f"{NOT_FOUND}: no conversation has this id")
    return _ok(conversation_json(record, state, with_attributes=True))


# -- PATCH -----------------------------------------------------------------------------


async def _body(request: Request) -> Any:
    raw = await request.body()
    return loads(raw.decode("utf-8"))  # deep nesting, huge numbers: a 400 like any


async def _hold(request: Request) -> None:
    """The ``hold_writes`` knob: the PATCH has arrived whole; wait before processing it."""
    knobs = getattr(request.app.state, "knobs", None)
    if isinstance(knobs, Knobs) and knobs.hold_writes > 0:
        knobs.held += 1
        await asyncio.sleep(knobs.hold_writes)


async def _patch(request: Request, values: dict[str, Any] | None, entity_type: str,
                 what: str, target: tuple[str, str]) -> Response:
    try:
        body = await _body(request)
    except (ValueError, UnicodeDecodeError):
        return _error(request, 400, DECODING_FAILURE)
    await _hold(request)
    if values is None:
        return _error(request, 404, f"{NOT_FOUND}: no {what} has this id")
    try:
        patched = _state(request).apply_patch(values, entity_type, body, target=target)
    except PatchRejected as exc:
        return _error(request, 400, str(exc))
    return _ok([a.to_dixa() for a in patched])


async def patch_end_user(request: Request) -> Response:
    user_id = _user_id(request)
    record = _find_user(_state(request), user_id)
    return await _patch(request, record.values if record else None, "Contact", "end user",
                        ("enduser", record.id if record else user_id))


async def patch_conversation(request: Request) -> Response:
    conversation_id = _conversation_id(request)
    record = _state(request).conversations.get(conversation_id)
    return await _patch(request, record.values if record else None, "Conversation",
                        "conversation", ("conversation", str(conversation_id)))


async def bad_path(request: Request, exc: Exception) -> Response:
    return _error(request, 400, str(exc))


async def not_found(request: Request, exc: Exception) -> Response:
    return _error(request, 404, NOT_FOUND)


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    """405 with the ``Allow`` header RFC 9110 requires: the methods the path does take."""
    response = _error(request, 405, "Method not allowed")
    allowed = (getattr(exc, "headers", None) or {}).get("Allow", "")
    methods = sorted({m.strip() for m in allowed.split(",") if m.strip()})
    if methods:
        response.headers["Allow"] = ", ".join(methods)
    return response
