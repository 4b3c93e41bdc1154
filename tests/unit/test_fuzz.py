"""Fuzzing the parsers and the client: whatever Dixa (or something pretending to be it)
sends, reading it either succeeds or raises our one typed error, ``DixaResponseError``.

Strategies build definition lists and PATCH responses that are valid, corrupted (a key
dropped or replaced, an unknown ``_type``, ``null``\\ s, huge strings, options nested past
any sane depth, a mutation deep inside an option tree) or any JSON at all, and raw bodies
that are not JSON. Examples are few and, on CI, derandomized: the suite stays fast and
cannot flake.
"""

from __future__ import annotations

import asyncio
import json
import os
import string
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dixa_tui.api.client import DixaClient
from dixa_tui.api.errors import DixaApiError, DixaResponseError
from dixa_tui.api.models import (
    CustomAttribute,
    CustomAttributeDefinition,
    parse_attributes,
    parse_definitions,
)
from dixa_tui.api.ratelimit import RetryPolicy
from dixa_tui.api.salvage import read_definitions
from dixa_tui.mock.hostile import FRAGMENTS

FUZZ = settings(max_examples=200, deadline=None, derandomize=bool(os.environ.get("CI")),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])
KEY = "sk-FUZZ-never-shown"

# -- JSON and text -----------------------------------------------------------------------

texts = (st.text(max_size=12) | st.sampled_from(FRAGMENTS)
         | st.text(alphabet=string.printable + "\x00\x1b\x9b\u202e", max_size=12))
scalars = (st.none() | st.booleans() | st.integers() | st.integers(10**20, 10**30)
           | st.floats(allow_nan=False) | texts)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(texts, inner, max_size=3), max_leaves=12)
stamps = (st.datetimes(timezones=st.none()).map(lambda d: d.isoformat() + "Z[GMT]")
          | st.sampled_from(["2023-03-14T09:12:41.118Z[GMT]", "2024-05-21T07:44:10Z"]))
bad_stamps = st.sampled_from(["2024-02-30T25:61:00Z[GMT]", "yesterday", "", "Z[GMT]",
                              "9999999-01-01T00:00:00Z"])
ids = st.uuids().map(str) | st.text(min_size=1, max_size=8)


# -- definitions ---------------------------------------------------------------------------

def _option(label: str, value: str, off: bool, order: int,
            children: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": f"o-{value}-{order}", "label": label, "value": value,
            "isDeactivated": off, "orderIndex": order, "nestedOptions": children}


option_lists = st.recursive(
    st.just([]),
    lambda children: st.lists(st.builds(_option, texts, texts, st.booleans(),
                                        st.integers(-5, 50), children), max_size=3),
    max_leaves=10)


def chain(depth: int) -> list[dict[str, Any]]:
    """One option holding one option... ``depth`` levels: deeper than a validator allows."""
    level: list[dict[str, Any]] = []
    for n in range(depth):
        level = [_option(f"L{n}", f"v{n}", False, 0, level)]
    return level


inputs = (st.fixed_dictionaries({"_type": st.just("Text")},
                                optional={"placeholder": texts | st.none()})
          | st.fixed_dictionaries({"_type": st.just("Select"), "options": option_lists
                                   | st.sampled_from([8, 60, 250, 400]).map(chain)})
          | st.fixed_dictionaries({"options": option_lists})  # no _type
          | st.fixed_dictionaries({"_type": texts}, optional={"options": json_values}))
valid_definitions = st.fixed_dictionaries(
    {"id": st.uuids().map(str), "entityType": st.sampled_from(["Contact", "Conversation"]),
     "inputDefinition": inputs},
    optional={"identifier": texts | st.none(), "label": texts | st.none(),
              "description": texts | st.none(), "createdAt": stamps | st.none(),
              "updatedAt": stamps | st.none(), "isRequired": st.booleans(),
              "isArchived": st.booleans(), "isDeactivated": st.booleans(),
              "somethingNew": json_values})


def _options_in(value: Any) -> list[dict[str, Any]]:
    """Every option dict inside a definition, for mutations deep in the tree."""
    found, todo = [], [value]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            if "nestedOptions" in item:
                found.append(item)
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return found


@st.composite
def corrupted(draw: st.DrawFn) -> Any:
    definition: dict[str, Any] = draw(valid_definitions)
    how = draw(st.sampled_from(["drop", "replace", "null", "type", "deep", "huge", "stamp",
                                "other"]))
    key = draw(st.sampled_from(sorted(definition)))
    if how == "drop":
        del definition[key]
    elif how == "replace":
        definition[key] = draw(json_values)
    elif how == "null":
        definition[key] = None
    elif how == "type":
        definition["inputDefinition"] = {**definition["inputDefinition"],
                                         "_type": draw(json_values)}
    elif how == "deep":
        options = _options_in(definition)
        if options:
            option = draw(st.sampled_from(options))
            option[draw(st.sampled_from(sorted(option)))] = draw(json_values)
    elif how == "stamp":
        definition[draw(st.sampled_from(["createdAt", "updatedAt"]))] = draw(bad_stamps)
    elif how == "huge":
        definition[key] = "\x1b[31m" + "x" * 200_000
    else:
        return draw(json_values)
    return definition


definition_items = valid_definitions | corrupted()
payloads = st.lists(definition_items, max_size=5) | json_values


@FUZZ
@given(payloads)
def test_parse_definitions_succeeds_or_raises_our_error(payload: Any) -> None:
    try:
        parsed = parse_definitions(payload)
    except DixaResponseError:
        return
    assert isinstance(payload, list)
    assert all(isinstance(d, CustomAttributeDefinition) for d in parsed)


@FUZZ
@given(st.lists(st.tuples(st.booleans(), valid_definitions), max_size=5), payloads)
def test_read_definitions_keeps_every_readable_item(marked: list[Any], noise: Any) -> None:
    """Item by item: every valid definition survives whatever sits next to it; everything
    is either read or reported, in order."""
    items = [d for _, d in marked] + (noise if isinstance(noise, list) else [noise])
    read = read_definitions(items)
    assert len(read.definitions) + len(read.skipped) == len(items)
    indexes = [s.index for s in read.skipped]
    assert indexes == sorted(set(indexes)) and all(0 <= i < len(items) for i in indexes)
    kept = {d.id for d in read.definitions}
    assert len(kept) == len(read.definitions)  # a repeated id is never kept twice
    first_valid = {}
    for n, (_, definition) in enumerate(marked):
        first_valid.setdefault(definition["id"], n)
    for n in first_valid.values():
        if n in indexes:  # only pydantic's depth limit (the 250- and 400-level chains)
            reason = read.skipped[indexes.index(n)].reason
            assert "maximum validation depth" in reason, f"valid item {n} skipped: {reason}"
    assert all(isinstance(s.reason, str) and s.reason for s in read.skipped)


@FUZZ
@given(json_values)
def test_read_definitions_refuses_only_what_is_not_a_list(payload: Any) -> None:
    try:
        read_definitions(payload)
    except DixaResponseError:
        assert not isinstance(payload, list)


# -- PATCH responses -----------------------------------------------------------------------

valid_attributes = st.fixed_dictionaries(
    {"id": ids, "value": texts | st.lists(texts, max_size=4) | st.none()},
    optional={"name": texts | st.none(), "identifier": texts | st.none(),
              "extra": json_values})


@st.composite
def corrupted_attribute(draw: st.DrawFn) -> Any:
    attribute: dict[str, Any] = draw(valid_attributes)
    key = draw(st.sampled_from(sorted(attribute)))
    if draw(st.booleans()):
        attribute[key] = draw(json_values)
    else:
        del attribute[key]
    return attribute


patch_payloads = st.lists(valid_attributes | corrupted_attribute(), max_size=5) | json_values


@FUZZ
@given(patch_payloads)
def test_parse_attributes_succeeds_or_raises_our_error(payload: Any) -> None:
    try:
        parsed = parse_attributes(payload)
    except DixaResponseError:
        return
    assert all(isinstance(a, CustomAttribute) for a in parsed)
    assert all(a.value is None or isinstance(a.value, str | list) for a in parsed)


@FUZZ
@given(st.lists(valid_attributes, max_size=5))
def test_valid_patch_responses_read_back_as_sent(payload: list[dict[str, Any]]) -> None:
    parsed = parse_attributes(payload)
    assert [(a.id, a.value) for a in parsed] == [(p["id"], p["value"]) for p in payload]


# -- the client, end to end at the transport -------------------------------------------------

def _encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


bodies = (
    st.builds(lambda data: _encode({"data": data}), st.lists(definition_items, max_size=3))
    | st.builds(lambda data: _encode({"data": data}), patch_payloads)
    | st.builds(lambda data, meta: _encode({"data": data, "meta": meta}), json_values,
                json_values)
    | json_values.map(_encode)
    | st.binary(max_size=40)
    | st.integers(1, 30_000).map(lambda n: b'{"data": ' + b"[" * n + b"]" * n + b"}")
    | st.just(b'{"data": ' + b"1" * 5000 + b"}")  # past Python's int-digits limit
    | st.just(b'{"data": "\xff\xfe"}')  # not UTF-8
)
OPERATIONS = ["list", "get", "user", "conversation", "find", "patch_user", "patch_conv"]


async def _call(client: DixaClient, operation: str) -> Any:
    user = "93b885ad-fe0d-3089-8df6-34904fd59f71"
    calls = {
        "list": lambda: client.list_definitions(),
        "get": lambda: client.get_definition("d1"),
        "user": lambda: client.get_end_user(user),
        "conversation": lambda: client.get_conversation(10001),
        "find": lambda: client.find_end_users(email="a@example.com"),
        "patch_user": lambda: client.patch_end_user_attributes(user, {"d1": "x"}),
        "patch_conv": lambda: client.patch_conversation_attributes(10001, {"d1": None}),
    }
    return await calls[operation]()


def _run(operation: str, status: int, body: bytes, content_type: str) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": content_type})

    async def go() -> Any:
        async with DixaClient(KEY, base_url="https://dixa.test", rate=0,
                              retry=RetryPolicy(max_attempts=1),
                              transport=httpx.MockTransport(answer)) as client:
            return await _call(client, operation)

    return asyncio.run(go())


@FUZZ
@given(st.sampled_from(OPERATIONS), st.sampled_from([200, 201, 204]), bodies,
       st.sampled_from(["application/json", "text/html", ""]))
def test_the_client_answers_or_raises_our_response_error(operation, status, body, kind):
    try:
        result = _run(operation, status, body, kind)
    except DixaResponseError as exc:
        assert KEY not in str(exc)
        return
    assert result is not None


@FUZZ
@given(st.sampled_from(OPERATIONS), st.sampled_from([400, 401, 404, 500]), bodies)
def test_error_statuses_are_api_errors_whatever_the_body(operation, status, body):
    try:
        _run(operation, status, body, "application/json")
    except DixaApiError as exc:
        assert exc.status == status and isinstance(exc.message, str)
        assert KEY not in exc.summary()
    else:
        raise AssertionError("an error status was taken for an answer")
