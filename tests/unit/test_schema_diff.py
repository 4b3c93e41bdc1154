"""Diffing two schemas: one change of each kind, each reported exactly once; equal schemas
give none; snapshots and schema sources."""

from __future__ import annotations

import json
import random
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.domain.schema_change import CHANGE_KINDS, SchemaChange
from dixa_tui.domain.schema_diff import diff_caveats, diff_schemas, pair_definitions
from dixa_tui.domain.schema_export import export_json
from dixa_tui.domain.schema_snapshot import (
    FileSource,
    ProfileSource,
    parse_snapshot,
    parse_source,
)
from dixa_tui.mock import MockState
from dixa_tui.mock.hostile import build_hostile_state, hostile_payload
from dixa_tui.session.snapshots import load_snapshot

Spec = Any  # an option: (value, label, children) or (value, label, children, deactivated)


def options(specs: list[Spec]) -> list[dict[str, Any]]:
    """Option dicts numbered in pre-order across the tree, as Dixa numbers orderIndex."""
    counter = iter(range(1, 1000))

    def level(items: list[Spec], prefix: str) -> list[dict[str, Any]]:
        out = []
        for spec in items:
            value, label, children = spec[:3]
            out.append({"id": f"{prefix}/{value}", "value": value, "label": label,
                        "isDeactivated": bool(spec[3]) if len(spec) > 3 else False,
                        "orderIndex": next(counter)})
            out[-1]["nestedOptions"] = level(children, f"{prefix}/{value}")
        return out

    return level(specs, "o")


def definition(identifier: str, entity: str = "Conversation", label: str | None = None,
               select: list[Spec] | None = None, **fields: Any) -> dict[str, Any]:
    spec: dict[str, Any] = ({"_type": "Select", "options": options(select)}
                            if select is not None else {"_type": "Text"})
    if "placeholder" in fields:
        spec["placeholder"] = fields.pop("placeholder")
    return {"id": f"id-{identifier}-{random.random()}", "entityType": entity,
            "identifier": identifier, "label": label or identifier.title(),
            "inputDefinition": spec} | fields


def org(*items: dict[str, Any]) -> list[CustomAttributeDefinition]:
    return [CustomAttributeDefinition.model_validate(item) for item in items]


REASONS_A: list[Spec] = [
    ("delivery", "Delivery", [("damaged", "Damaged", [("item", "Item", []),
                                                      ("packaging", "Packaging", [])]),
                              ("lost", "Lost", []), ("late", "Late", [])]),
    ("payment", "Payment", [("card", "Card", []), ("invoice", "Invoice", [])]),
    ("returns", "Returns", []),
    ("other", "Other", [], True),
    ("legacy", "Legacy", [("old", "Old", [])]),
]
REASONS_B: list[Spec] = [
    ("delivery", "Delivery", [("lost", "Lost", []), ("late", "Late", []),
                              ("wrong_item", "Wrong item", [])]),                 # added
    ("payment", "Payment", [("card", "Credit card", []), ("invoice", "Invoice", [])]),
    ("returns", "Returns", [("damaged", "Damaged", [("item", "Item", []),          # moved
                                                    ("packaging", "Packaging", [])])]),
    ("other", "Other", []),                                                       # reactivated
]                                                                                 # legacy: removed
TIERS_A: list[Spec] = [("gold", "Gold", []), ("silver", "Silver", []), ("bronze", "Bronze", [])]
TIERS_B: list[Spec] = [("bronze", "Bronze", []), ("gold", "Gold", []),            # reordered
                       ("silver", "Silver", [], True)]                            # deactivated


def schema_a() -> list[CustomAttributeDefinition]:
    return org(
        definition("contact_reason", select=REASONS_A),
        definition("order_number", label="Order number", description="Order",
                   placeholder="e.g. 1"),
        definition("tier", "Contact", select=TIERS_A),
        definition("old_attr", "Contact"),
        definition("flags"),
        definition("type_change", select=[("a", "A", []), ("b", "B", [])]),
        definition("entity_change", "Contact"),
    )


def schema_b() -> list[CustomAttributeDefinition]:
    return org(
        definition("new_attr", "Contact", select=[("x", "X", [])]),
        definition("contact_reason", select=REASONS_B),
        definition("order_number", label="Order no.", description="The order",
                   placeholder="e.g. 100-2345"),
        definition("tier", "Contact", select=TIERS_B),
        definition("flags", isRequired=True, isArchived=True, isDeactivated=True),
        definition("type_change"),
        definition("entity_change", "Conversation"),
    )


EXPECTED: list[tuple[str, str, tuple[str, ...], Any, Any]] = [
    ("contact_reason", "option_added", ("delivery", "wrong_item"), None, "Wrong item"),
    ("contact_reason", "option_removed", ("legacy",), "Legacy", None),
    ("contact_reason", "option_reactivated", ("other",), True, False),
    ("contact_reason", "option_label_changed", ("payment", "card"), "Card", "Credit card"),
    ("contact_reason", "option_moved", ("returns", "damaged"), ["delivery", "damaged"],
     ["returns", "damaged"]),
    ("entity_change", "entity_type_changed", (), "Contact", "Conversation"),
    ("flags", "required_changed", (), False, True),
    ("flags", "archived_changed", (), False, True),
    ("flags", "deactivated_changed", (), False, True),
    ("new_attr", "definition_added", (), None, "New_Attr"),
    ("old_attr", "definition_removed", (), "Old_Attr", None),
    ("order_number", "label_changed", (), "Order number", "Order no."),
    ("order_number", "description_changed", (), "Order", "The order"),
    ("order_number", "placeholder_changed", (), "e.g. 1", "e.g. 100-2345"),
    ("tier", "option_reordered", ("bronze",), 3, 1),
    ("tier", "option_deactivated", ("silver",), False, True),
    ("type_change", "input_type_changed", (), "Select", "Text"),
]


def test_one_change_of_each_kind_is_reported_exactly_once_in_a_stable_order():
    changes = diff_schemas(schema_a(), schema_b())
    got = [(c.identifier, c.kind, c.option_path, c.before, c.after) for c in changes]
    assert got == EXPECTED
    assert sorted(c.kind for c in changes) == sorted(CHANGE_KINDS)
    removed = next(c for c in changes if c.kind == "option_removed")
    assert removed.count == 1  # 'legacy' took 'old' with it: one change, not two
    added = next(c for c in changes if c.kind == "definition_added")
    assert added.count == 1 and added.entity_type == "Contact"


def test_equal_schemas_give_no_changes():
    assert diff_schemas(schema_a(), schema_a()) == []
    demo = MockState.demo().definitions
    assert diff_schemas(demo, list(demo)) == []
    hostile = build_hostile_state().definitions
    assert diff_schemas(hostile, list(hostile)) == []


def test_listing_order_and_renumbering_are_not_changes():
    """Ids differ, definitions and options come in another order, orderIndex is shifted:
    the same schema."""
    b = schema_b()
    shuffled = []
    for d in reversed(b):
        item = d.to_dixa() | {"id": "another-org-" + d.id}
        for option in item["inputDefinition"].get("options", []):
            option["orderIndex"] += 100
        if "options" in item["inputDefinition"]:
            item["inputDefinition"]["options"].reverse()
        shuffled.append(item)
    again = org(*shuffled)
    assert diff_schemas(b, again) == []

    def what(changes: list[SchemaChange]) -> list[tuple[str, str, tuple[str, ...]]]:
        return [(c.identifier, c.kind, c.option_path) for c in changes]

    assert what(diff_schemas(schema_a(), again)) == what(diff_schemas(schema_a(), b))
    assert diff_schemas(list(reversed(schema_a())), b) == diff_schemas(schema_a(), b)


def test_moving_one_option_up_reports_only_that_option():
    a = org(definition("s", select=[(v, v.upper(), []) for v in "abcdef"]))
    b = org(definition("s", select=[(v, v.upper(), []) for v in "eabcdf"]))
    changes = diff_schemas(a, b)
    assert [(c.kind, c.option_path, c.before, c.after) for c in changes] == [
        ("option_reordered", ("e",), 5, 1)]


def test_adding_an_option_above_others_does_not_reorder_them():
    a = org(definition("s", select=[("b", "B", [("b1", "B1", [])]), ("c", "C", [])]))
    b = org(definition("s", select=[("a", "A", []), ("b", "B", [("b1", "B1", [])]),
                                    ("c", "C", [])]))
    assert [(c.kind, c.option_path) for c in diff_schemas(a, b)] == [("option_added", ("a",))]


def test_an_option_leaving_a_removed_parent_is_moved_and_the_parent_removed():
    a = org(definition("s", select=[("legacy", "Legacy", [("old", "Old", [])]),
                                    ("other", "Other", [])]))
    b = org(definition("s", select=[("other", "Other", [("old", "Old", [])])]))
    got = [(c.kind, c.option_path, c.count) for c in diff_schemas(a, b)]
    assert got == [("option_removed", ("legacy",), 0), ("option_moved", ("other", "old"), 0)]


def test_same_value_under_another_parent_with_another_label_is_removed_and_added():
    a = org(definition("s", select=[("p", "P", [("x", "X", [])]), ("q", "Q", [])]))
    b = org(definition("s", select=[("p", "P", []), ("q", "Q", [("x", "Another", [])])]))
    assert [(c.kind, c.option_path) for c in diff_schemas(a, b)] == [
        ("option_removed", ("p", "x")), ("option_added", ("q", "x"))]


def test_duplicate_and_empty_identifiers_are_matched_by_entity_and_label_and_said():
    a = org(definition("dup", label="First"), definition("dup", label="Second"),
            definition("", label="Nameless"), definition("", label="Gone"))
    b = org(definition("dup", label="Second", isRequired=True),
            definition("dup", label="First"), definition("", label="Nameless"),
            definition("", label="New"))
    pairs = pair_definitions(a, b)
    assert [(x.label if x else None, y.label if y else None) for x, y in pairs] == [
        ("Nameless", "Nameless"), ("Gone", None), (None, "New"), ("Second", "Second"),
        ("First", "First")]
    got = [(c.identifier, c.kind) for c in diff_schemas(a, b)]
    assert got == [("", "definition_removed"), ("", "definition_added"),
                   ("dup", "required_changed")]
    caveats = diff_caveats(a, b)
    assert len(caveats) == 4 and "'dup'" in caveats[0] and "without an identifier" in caveats[1]
    assert diff_caveats(schema_a(), schema_b()) == []


def test_duplicates_left_over_are_paired_in_listing_order():
    """... and listed by their label in B, like every definition sharing an identifier."""
    a = org(definition("dup", label="One"), definition("dup", label="Two"))
    b = org(definition("dup", label="Uno"), definition("dup", label="Dos"))
    assert [(c.before, c.after) for c in diff_schemas(a, b)] == [("Two", "Dos"),
                                                                 ("One", "Uno")]


def test_describe_is_one_line_and_to_json_is_json():
    changes = diff_schemas(MockState.demo().definitions, build_hostile_state().definitions)
    changes += diff_schemas(schema_a(), schema_b())
    assert len(changes) > 1000
    for change in changes:
        line = change.describe()
        assert "\n" not in line and "\r" not in line and "\x1b" not in line
        data = json.loads(json.dumps(change.to_json()))
        assert data["kind"] == change.kind and data["description"] == line
    lines = [c.describe() for c in diff_schemas(schema_a(), schema_b())]
    assert "contact_reason (Conversation): option 'damaged' moved from 'delivery/damaged' " \
           "to 'returns/damaged'" in lines
    assert "flags (Conversation): is now required" in lines
    assert "tier (Contact): option 'bronze' moved among its siblings (orderIndex 3 -> 1)" \
        in lines


def test_a_change_round_trips_through_json():
    change = SchemaChange("option_moved", "x", "Contact", ("b", "v"), ["a", "v"], ["b", "v"])
    assert change.to_json() == {"kind": "option_moved", "identifier": "x",
                                "entity_type": "Contact", "option_path": ["b", "v"],
                                "before": ["a", "v"], "after": ["b", "v"], "count": 0,
                                "description": change.describe()}


# -- snapshots and sources ----------------------------------------------------------------


def test_a_snapshot_reads_back_what_was_exported(tmp_path: Path):
    a = schema_a()
    path = tmp_path / "a.json"
    path.write_bytes(export_json(a, include_archived=True))
    definitions, meta = load_snapshot(path)
    assert definitions == a and meta.shape == "envelope" and meta.items == len(a)
    assert diff_schemas(definitions, schema_b()) == diff_schemas(a, schema_b())


def test_a_snapshot_skips_what_the_client_skips():
    definitions, meta = parse_snapshot(json.dumps(hostile_payload()), "hostile.json")
    assert meta.shape == "list" and meta.name == "hostile.json"
    assert definitions == build_hostile_state().definitions
    assert len(meta.skipped) == 9 and meta.items == len(definitions) + 9


@pytest.mark.parametrize(("text", "problem"), [
    ("{nope", "not JSON"), ('{"data": 5}', "got a number"), ('"x"', "got a string"),
    (b"\xff\xfe", "not"), ("[" * 100_000, "nested too deeply")])
def test_a_bad_snapshot_is_a_value_error_naming_the_file(text: str | bytes, problem: str):
    with pytest.raises(ValueError, match=problem) as caught:
        parse_snapshot(text, "bad.json")
    assert str(caught.value).startswith("bad.json: ")


def test_a_missing_snapshot_is_an_os_error(tmp_path: Path):
    with pytest.raises(OSError):
        load_snapshot(tmp_path / "missing.json")


@pytest.mark.parametrize(("text", "source"), [
    ("profile:prod", ProfileSource("prod")),
    ("profile:prod@2026-11-01", ProfileSource("prod", date(2026, 11, 1))),
    ("profile:prod@2026-11-01T08:30", ProfileSource("prod", datetime(2026, 11, 1, 8, 30))),
    ("profile:me@work@2026-01-31", ProfileSource("me@work", date(2026, 1, 31))),
    ("snapshots/prod.json", FileSource(Path("snapshots/prod.json"))),
    ("file:profile:odd.json", FileSource(Path("profile:odd.json"))),
])
def test_schema_sources_parse(text: str, source: object):
    parsed = parse_source(text)
    assert parsed == source
    assert parse_source(parsed.describe()) == parsed


@pytest.mark.parametrize(("text", "problem"), [
    ("profile:", "names no profile"), ("profile:@2026-01-01", "names no profile"),
    ("profile:prod@yesterday", "is not a date"), ("profile:prod@2026-13-01", "is not a date"),
    ("file:", "needs a path"), ("", "empty")])
def test_bad_schema_sources_say_what_to_write(text: str, problem: str):
    with pytest.raises(ValueError, match=problem):
        parse_source(text)
