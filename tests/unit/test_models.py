from __future__ import annotations

import pytest

from dixa_tui.api.errors import DixaResponseError
from dixa_tui.api.models import (
    Conversation,
    SelectInput,
    TextInput,
    UnknownInput,
    parse_definitions,
    parse_model,
)


def test_example_parses_with_gmt_timestamps(defs):
    assert [d.identifier for d in defs] == ["order_number", "contact_reason", "customer_tier",
                                            "loyalty_id", "legacy_crm_id", "escalation_level"]
    reason = defs[1]
    assert isinstance(reason.input_definition, SelectInput)
    assert reason.updated_at is not None and reason.updated_at.microsecond == 60000
    assert reason.created_at.tzinfo is not None
    assert isinstance(defs[0].input_definition, TextInput)
    assert defs[0].input_definition.placeholder == "e.g. 100-2345"
    assert defs[3].description is None and defs[3].updated_at is None


def test_round_trip_keeps_dixas_shape(defs):
    import copy
    import json
    from pathlib import Path

    example = Path(__file__).parents[2] / "dixa_tui/mock/data/example-definitions.json"
    raw = json.loads(example.read_text())["data"]
    assert [d.to_dixa() for d in defs] == raw  # timestamps as Dixa wrote them, too
    assert [copy.deepcopy(d).to_dixa() for d in defs] == raw
    again = parse_definitions([d.to_dixa() for d in defs])
    assert again == defs
    dumped = defs[1].to_dixa()
    assert dumped["inputDefinition"]["_type"] == "Select"
    assert dumped["inputDefinition"]["options"][0]["nestedOptions"][0]["nestedOptions"] == []


def test_unknown_type_and_extra_fields(defs):
    raw = defs[0].to_dixa() | {"inputDefinition": {"_type": "Date", "format": "iso"},
                               "brandNewField": {"x": 1}}
    parsed = parse_definitions([raw])[0]
    assert isinstance(parsed.input_definition, UnknownInput)
    assert parsed.input_type == "Date" and not parsed.is_editable_type
    assert parsed.to_dixa()["brandNewField"] == {"x": 1}
    assert parsed.to_dixa()["inputDefinition"] == {"_type": "Date", "format": "iso"}


def test_missing_type_is_inferred_or_read_only(defs):
    base = defs[0].to_dixa()
    assert parse_definitions([base | {"inputDefinition": {"options": []}}])[0].input_type \
        == "Select"
    assert parse_definitions([base | {"inputDefinition": {}}])[0].input_type == "Unknown"


def test_null_where_a_string_is_expected(defs):
    raw = defs[0].to_dixa() | {"label": None, "identifier": None, "description": None}
    parsed = parse_definitions([raw])[0]
    assert parsed.label == "" and parsed.identifier == ""


@pytest.mark.parametrize("bad", [None, {"data": []}, [{"id": 5}], [{"entityType": "Contact"}],
                                 ["x"], [{"id": "a", "entityType": "Contact",
                                          "inputDefinition": {"_type": "Text"},
                                          "createdAt": "yesterday"}]])
def test_bad_payloads_raise_our_typed_error(bad):
    with pytest.raises(DixaResponseError) as info:
        parse_definitions(bad)
    assert "unexpected response shape" in str(info.value)


def test_conversation_kind_and_int_id():
    conv = parse_model(Conversation, {"id": 10001, "requesterId": "u", "channel": "Email",
                                      "createdAt": "2020-12-16T09:41:43Z",
                                      "_type": "EmailConversation", "toEmail": "a@b"},
                       "get conversation")
    assert conv.type == "EmailConversation" and conv.id == 10001
    assert conv.to_dixa()["toEmail"] == "a@b"


def test_options_are_a_selects_only() -> None:
    from dixa_tui.api.models import CustomAttributeDefinition

    def make(spec: dict[str, object]) -> CustomAttributeDefinition:
        return CustomAttributeDefinition.model_validate({
            "id": "00000000-0000-0000-0000-000000000001", "entityType": "Contact",
            "identifier": "x", "label": "X", "inputDefinition": spec})

    select = make({"_type": "Select", "options": [
        {"id": "o1", "label": "A", "value": "a"}]})
    assert [o.value for o in select.options] == ["a"]
    assert make({"_type": "Text"}).options == []
    # an input type Dixa adds keeps its fields as sent: its "options" are not a tree
    assert make({"_type": "DatePicker", "options": "not a tree"}).options == []
