"""Column names that read back as their attribute: the identifier, or the id where the
identifier would be ambiguous or skipped by `bulk plan`."""

from __future__ import annotations

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.domain.export_values import column_names, csv_header, record
from dixa_tui.domain.patch import DefinitionIndex, Problem


def text(id_: str, identifier: str) -> CustomAttributeDefinition:
    return CustomAttributeDefinition.model_validate({
        "id": id_, "identifier": identifier, "label": identifier or "x",
        "entityType": "Conversation", "inputDefinition": {"_type": "Text"},
        "isRequired": False, "isArchived": False, "isDeactivated": False})


def test_every_name_resolves_back_to_its_own_attribute() -> None:
    defs = [text("11111111-1111-4111-8111-111111111111", "order"),
            text("22222222-2222-4222-8222-222222222222", "twin"),
            text("33333333-3333-4333-8333-333333333333", "twin"),
            text("44444444-4444-4444-8444-444444444444", ""),
            text("55555555-5555-4555-8555-555555555555", "notes (label)"),
            text("66666666-6666-4666-8666-666666666666", "#private"),
            text("77777777-7777-4777-8777-777777777777", "conversation")]
    names = column_names(defs, defs)
    assert names[defs[0].id] == "order"
    assert all(names[d.id] == d.id for d in defs[1:])
    index = DefinitionIndex(defs)
    for d in defs:
        found = index.resolve(names[d.id])
        assert not isinstance(found, Problem) and found.id == d.id
    assert csv_header(defs[:3], names) == ["conversation", "order", defs[1].id, defs[2].id]
    out = record(1, None, {defs[1].id: "a", defs[2].id: "b"}, defs[1:3], names)
    assert out["values"] == {defs[1].id: "a", defs[2].id: "b"}  # no value lost to a clash
