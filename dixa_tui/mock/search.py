"""``POST /search/conversations``: Dixa's search with filters, over the mock's conversations.

The body is ``{"filters": {"strategy": "All" | "Any", "conditions": [...]}, "query":
{"value": ..., "exactMatch": ...}}``, both parts optional (the shape Dixa's CLI and the
``dixa-api-client`` package agree on; ``shared/dixa-api/README.md``). The answer holds ids
only, newest conversation first, at most ``pageLimit`` (1 to 50, as Dixa documents; more is
refused) a page, with ``meta.next`` = ``/<version>/search/conversations?pageKey=...`` while
more remain. A ``pageKey`` is a random token naming the result list the mock kept when the
search began; one the mock did not issue is refused with 400. The body of a later page is not
read again: the key carries the search, as Dixa's "encoded form of pagination query
parameters" does.

What the mock models, per field: dates (``CreationDate``, ``ClosedDate`` = a closed
conversation's last state change, ``AssignedDate``, ``LastActivity`` = the last state change)
take ``Since``/``Until`` (inclusive) and ``Between``; the others (``Status``, ``Channel``,
``QueueId``, ``TagId``, ``AgentId``, ``ContactId``, ``ConversationId``, ``Direction``) take
``IsOneOf``/``IsNotOneOf``/``IncludesOne``/``IncludesAll``/``ExcludesOne``/``ExcludesAll``,
ids compared without case; every field takes ``IsEmpty``/``IsNotEmpty``. ``CustomAttribute``
(whose shape no public source shows), ``Duration`` and ``LastMessage`` are refused with 400,
so nothing can come to rest on them. The text query matches the subject: every word
(``exactMatch`` false) or the phrase (true), without case.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from dixa_tui.jsontext import loads
from dixa_tui.mock.cursors import Cursor
from dixa_tui.mock.front_door import DixaJSON, error
from dixa_tui.mock.records import ConversationRecord
from dixa_tui.mock.state import MockState

MAX_PAGE_LIMIT = 50
DEFAULT_PAGE_LIMIT = 50
INT32_MAX = 2**31 - 1
DATE_FIELDS = {"CreationDate", "ClosedDate", "AssignedDate", "LastActivity"}
VALUE_FIELDS = {"Status", "Channel", "QueueId", "TagId", "AgentId", "ContactId",
                "ConversationId", "Direction"}
CASELESS = {"QueueId", "TagId", "AgentId", "ContactId"}  # UUIDs
NOT_MODELLED = {"CustomAttribute", "Duration", "LastMessage"}
SET_OPERATORS = {"IsOneOf", "IsNotOneOf", "IncludesOne", "IncludesAll", "ExcludesOne",
                 "ExcludesAll"}
Test = Callable[[ConversationRecord], bool]


class BadSearch(ValueError):
    """A body or query Dixa would refuse; ``str()`` is the 400 message."""


def _body_error(why: str) -> BadSearch:
    return BadSearch(f"Invalid value for: body ({why})")


def _moment(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise _body_error(f"{where} must be an ISO-8601 timestamp")
    text = value[: value.index("[")] if value.endswith("]") and "[" in value else value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _body_error(f"{where} is not an ISO-8601 timestamp") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _extra(record: ConversationRecord, key: str, inner: str) -> Any:
    holder = (record.conversation.model_extra or {}).get(key)
    return holder.get(inner) if isinstance(holder, dict) else None


def _date_of(record: ConversationRecord, field_type: str) -> datetime | None:
    c = record.conversation
    if field_type == "CreationDate":
        return c.created_at
    if field_type == "ClosedDate":
        return record.closed_at
    if field_type == "LastActivity":
        return c.state_updated_at
    assigned = _extra(record, "assignment", "assignedAt")
    return _moment(assigned, "assignedAt") if isinstance(assigned, str) else None


def _values_of(record: ConversationRecord, field_type: str) -> set[str]:
    c = record.conversation
    found: list[Any]
    if field_type == "TagId":
        found = list(record.tags)
    elif field_type == "QueueId":
        found = [_extra(record, "queue", "id")]
    elif field_type == "AgentId":
        found = [_extra(record, "assignment", "agentId")]
    elif field_type == "ConversationId":
        found = [str(c.id)]
    else:
        found = [{"Status": c.state, "Channel": c.channel, "ContactId": c.requester_id,
                  "Direction": c.direction}[field_type]]
    values = {v for v in found if isinstance(v, str) and v}
    return {v.casefold() for v in values} if field_type in CASELESS else values


def _condition(condition: Any) -> Test:
    field = condition.get("field") if isinstance(condition, dict) else None
    field_type = field.get("_type") if isinstance(field, dict) else None
    operator = field.get("operator") if isinstance(field, dict) else None
    op = operator.get("_type") if isinstance(operator, dict) else None
    if not isinstance(field_type, str) or not isinstance(operator, dict) \
            or not isinstance(op, str):
        raise _body_error("a condition needs field._type and field.operator._type")
    if field_type in NOT_MODELLED:
        raise _body_error(f"{field_type} conditions are not modelled by this mock")
    if field_type not in DATE_FIELDS | VALUE_FIELDS:
        raise _body_error(f"unknown field {field_type}")
    if op in ("IsEmpty", "IsNotEmpty"):
        empty = op == "IsEmpty"
        if field_type in DATE_FIELDS:
            return lambda r: (_date_of(r, field_type) is None) == empty
        return lambda r: (not _values_of(r, field_type)) == empty
    if field_type in DATE_FIELDS:
        return _date_test(field_type, op, operator)
    if op not in SET_OPERATORS:
        raise _body_error(f"operator {op} does not apply to {field_type}")
    return _set_test(field_type, op, operator)


def _date_test(field_type: str, op: str, operator: Mapping[str, Any]) -> Test:
    if op == "Since":
        low, high = _moment(operator.get("timestamp"), "timestamp"), None
    elif op == "Until":
        low, high = None, _moment(operator.get("timestamp"), "timestamp")
    elif op == "Between":
        low = _moment(operator.get("timestampFrom"), "timestampFrom")
        high = _moment(operator.get("timestampTo"), "timestampTo")
    else:
        raise _body_error(f"operator {op} does not apply to {field_type}")

    def test(record: ConversationRecord) -> bool:
        moment = _date_of(record, field_type)
        return moment is not None and (low is None or moment >= low) \
            and (high is None or moment <= high)

    return test


def _set_test(field_type: str, op: str, operator: Mapping[str, Any]) -> Test:
    given = operator.get("values")
    if not isinstance(given, list) or not all(isinstance(v, str) for v in given):
        raise _body_error(f"{op} needs values: a list of strings")
    wanted = {v.casefold() for v in given} if field_type in CASELESS else set(given)
    tests: dict[str, Callable[[set[str]], bool]] = {
        "IsOneOf": lambda have: bool(have & wanted),
        "IncludesOne": lambda have: bool(have & wanted),
        "IsNotOneOf": lambda have: not have & wanted,
        "ExcludesAll": lambda have: not have & wanted,
        "IncludesAll": lambda have: wanted <= have,
        "ExcludesOne": lambda have: not wanted <= have,
    }
    check = tests[op]
    return lambda r: check(_values_of(r, field_type))


def _text_test(query: Any) -> Test:
    value = query.get("value") if isinstance(query, dict) else None
    exact = query.get("exactMatch", False) if isinstance(query, dict) else None
    if not isinstance(value, str) or not (exact is None or isinstance(exact, bool)):
        raise _body_error("query needs value (a string) and exactMatch (a boolean)")
    words = value.casefold().split()
    phrase = " ".join(words)

    def test(record: ConversationRecord) -> bool:
        subject = " ".join((record.conversation.subject or "").casefold().split())
        return phrase in subject if exact else all(w in subject for w in words)

    return test


def search(state: MockState, body: Any) -> list[int]:
    """The ids ``body`` finds, newest conversation first; raises BadSearch."""
    if not isinstance(body, dict):
        raise _body_error("the body must be a JSON object")
    tests: list[Test] = []
    combine: Callable[[list[bool]], bool] = all
    filters = body.get("filters")
    if filters is not None:
        strategy = filters.get("strategy") if isinstance(filters, dict) else None
        conditions = filters.get("conditions") if isinstance(filters, dict) else None
        if strategy not in ("All", "Any") or not isinstance(conditions, list):
            raise _body_error("filters needs strategy (All or Any) and a list of conditions")
        tests = [_condition(c) for c in conditions]
        combine = all if strategy == "All" else any
    if body.get("query") is not None:
        text = _text_test(body["query"])
        found = [r for r in state.conversations.values() if text(r)]
    else:
        found = list(state.conversations.values())
    if tests:
        found = [r for r in found if combine([t(r) for t in tests])]
    epoch = datetime.min.replace(tzinfo=UTC)
    found.sort(key=lambda r: (r.conversation.created_at or epoch, r.id), reverse=True)
    return [r.id for r in found]


def _page_limit(request: Request, default: int) -> int:
    text = request.query_params.get("pageLimit")
    if text is None:
        return default
    try:
        number = int(text.strip())
    except ValueError:
        number = INT32_MAX + 1
    if not 1 <= number <= MAX_PAGE_LIMIT:
        raise BadSearch("Invalid value for: query parameter pageLimit "
                        f"(must be 1 to {MAX_PAGE_LIMIT})")
    return number


async def search_conversations(request: Request) -> Response:
    """One page of a search: a new one from the body, or the page a ``pageKey`` names (a
    ``pageLimit`` beside it changes the page size from there on, as Dixa allows)."""
    state: MockState = request.app.state.mock
    try:
        key = request.query_params.get("pageKey")
        if key is not None:
            cursor = state.cursors.get(key)
            if cursor is None:
                raise BadSearch("Invalid value for: query parameter pageKey")
            ids, offset, limit = cursor.ids, cursor.offset, _page_limit(request, cursor.limit)
        else:
            limit = _page_limit(request, DEFAULT_PAGE_LIMIT)
            raw = await request.body()
            try:
                body = loads(raw.decode("utf-8")) if raw.strip() else {}
            except (ValueError, UnicodeDecodeError, RecursionError):
                raise BadSearch("Decoding failure in request") from None
            ids, offset = search(state, body), 0
    except BadSearch as exc:
        return error(400, f"{exc}{state.error_note}")
    end = offset + limit
    payload: dict[str, Any] = {"data": [{"id": i} for i in ids[offset:end]]}
    if end < len(ids):
        next_key = state.cursors.issue(Cursor(ids, end, limit))
        version = request.url.path.strip("/").split("/", 1)[0]
        payload["meta"] = {"next": f"/{version}/search/conversations?pageKey={next_key}"}
    return DixaJSON(payload)
