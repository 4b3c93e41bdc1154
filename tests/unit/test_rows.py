"""The definitions list without pydantic (``api.rows``) and read from its bytes
(``api.salvage.read_definitions_json``): never a different answer from the models.

A row must show what the model of the same item shows; a list that ``checked_rows`` accepts
must be one the models read whole; the list read from its pages' bytes must equal the list
read from decoded JSON, skipped items and their reasons included.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dixa_tui.api.errors import DixaResponseError
from dixa_tui.api.models import CustomAttributeDefinition, parse_definitions
from dixa_tui.api.rows import checked_rows, decode_rows, next_page_key, raw_items
from dixa_tui.api.salvage import DefinitionsBuilder, read_definitions, read_definitions_json
from dixa_tui.mock import MockState
from dixa_tui.mock.hostile import hostile_payload
from tests.unit.test_fuzz import FUZZ, chain, definition_items, json_values, valid_definitions

FIELDS = ("id", "label", "identifier", "input_type", "entity_type", "is_required",
          "is_archived", "is_deactivated")


def page(items: list[Any], meta: Any = None) -> bytes:
    body: dict[str, Any] = {"data": items}
    if meta is not None:
        body["meta"] = meta
    return json.dumps(body).encode()


def shown(row: Any) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in FIELDS)


def dixa_shape(definitions: list[CustomAttributeDefinition]) -> object:
    """The definitions in Dixa's shape, or the error both readings must give alike (an option
    tree nested past what pydantic serializes raises ValueError)."""
    try:
        return [d.to_dixa() for d in definitions]
    except ValueError as exc:
        return ("not serializable", str(exc))


def models_of(items: list[Any]) -> list[CustomAttributeDefinition] | None:
    try:
        return parse_definitions(items)
    except DixaResponseError:
        return None


def test_rows_show_what_the_models_show() -> None:
    items = [d.to_dixa() for d in MockState.demo().definitions]
    models = parse_definitions(items)
    for decode in (decode_rows, checked_rows):
        rows = decode([page(items)])
        assert rows is not None
        assert [shown(r) for r in rows] == [shown(m) for m in models]


def test_a_list_with_unreadable_items_is_left_to_the_models() -> None:
    listing = hostile_payload()
    assert checked_rows([page(listing)]) is None
    read = read_definitions_json([page(listing)])
    assert read.definitions == read_definitions(listing).definitions
    assert read.skipped == read_definitions(listing).skipped and read.skipped


def test_what_the_models_read_by_a_snake_case_name_is_left_to_them() -> None:
    base = {"id": "a", "entityType": "Contact", "inputDefinition": {"_type": "Text"}}
    for extra in ({"is_required": True}, {"entity_type": "x"},
                  {"inputDefinition": {"kind": "Text"}},
                  {"inputDefinition": {"_type": "Select", "options": [
                      {"id": "o", "value": "v", "is_deactivated": True}]}}):
        item = {**base, **extra}
        assert checked_rows([page([item])]) is None, extra
        assert decode_rows([page([item])]) is None or "options" in str(extra), extra


def test_option_trees_deeper_than_a_checked_row_takes_are_left_to_the_models() -> None:
    def item(depth: int) -> dict[str, Any]:
        return {"id": "a", "entityType": "Contact",
                "inputDefinition": {"_type": "Select", "options": chain(depth)}}

    assert checked_rows([page([item(40)])]) is not None
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    for depth in (41, 300):  # 300: past even the models' own depth
        assert checked_rows([page([item(depth)])]) is None


@FUZZ
@given(st.lists(definition_items, max_size=4))
def test_checked_rows_only_for_lists_the_models_read_alike(items: list[Any]) -> None:
    rows = checked_rows([page(items)])
    if rows is None:
        return
    models = models_of(items)
    assert models is not None, "checked rows of a list the models refuse"
    assert [shown(r) for r in rows] == [shown(m) for m in models]


@FUZZ
@given(st.lists(definition_items, max_size=4))
def test_rows_never_show_other_values_than_the_models(items: list[Any]) -> None:
    rows = decode_rows([page(items)])
    models = models_of(items)
    if rows is None or models is None:
        return
    assert [shown(r) for r in rows] == [shown(m) for m in models]


@FUZZ
@given(st.lists(definition_items, max_size=5))
def test_reading_the_bytes_equals_reading_the_decoded_json(items: list[Any]) -> None:
    body = page(items)
    expected = read_definitions(json.loads(body)["data"])
    got = read_definitions_json([body])
    assert got.definitions == expected.definitions
    assert dixa_shape(got.definitions) == dixa_shape(expected.definitions)
    assert got.skipped == expected.skipped


@FUZZ
@given(st.lists(valid_definitions, max_size=6), st.integers(1, 4))
def test_the_builder_reads_in_steps_to_the_same_list(items: list[Any], step: int) -> None:
    body = page(items)
    raws = raw_items([body])
    if raws is None:  # options nested deeper than msgspec reads: the models' way
        return
    assert [json.loads(r) for r in raws] == items
    builder = DefinitionsBuilder(raws, lambda: read_definitions(items), step_items=step)
    steps = 1
    while not builder.step():
        steps += 1
        assert builder.progress[0] < len(items)
    assert steps <= max(1, -(-len(items) // step))  # fewer when a step hands over
    assert builder.result.definitions == read_definitions(items).definitions


def test_pages_are_read_in_order() -> None:
    items = [d.to_dixa() for d in MockState.demo().definitions]
    first, second = page(items[:10], {"next": "/beta/x?pageKey=b"}), page(items[10:])
    assert next_page_key(first) == "/beta/x?pageKey=b" and next_page_key(second) is None
    rows = decode_rows([first, second])
    assert rows is not None and [r.id for r in rows] == [d["id"] for d in items]
    assert [d.id for d in read_definitions_json([first, second]).definitions] == [
        d["id"] for d in items]


@FUZZ
@given(json_values)
def test_a_body_that_is_not_a_page_is_never_read_as_rows(value: Any) -> None:
    body = json.dumps(value).encode()
    if isinstance(value, dict) and isinstance(value.get("data"), list) and not value["data"]:
        return  # an empty page
    rows = decode_rows([body])
    assert rows is None or (isinstance(value, dict) and "data" not in value and rows == [])
