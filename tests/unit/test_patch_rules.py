"""Each error and warning of the value rules, through the domain layer."""

from __future__ import annotations

import pytest

from dixa_tui.domain.patch import (
    DefinitionIndex,
    StagedEdit,
    Target,
    build_patch,
    current_values,
    diff,
    validate_body,
)

CONV = Target("conversation", "12345")
USER = Target("enduser", "93b885ad-fe0d-3089-8df6-34904fd59f71")
CONTACT_REASON = "5d96cf7f-265b-4da9-8f0c-26ef4243ed52"
ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"


def codes(plan, severity=None):
    return [p.code for p in plan.problems if severity is None or p.severity == severity]


def test_valid_body_by_identifier_and_id(defs):
    plan = build_patch(defs, CONV, [StagedEdit("contact_reason", ["delivery", "damaged", "item"]),
                                    StagedEdit(ORDER_NUMBER, "100-2345")])
    assert plan.problems == []
    assert plan.body == {CONTACT_REASON: ["delivery", "damaged", "item"],
                         ORDER_NUMBER: "100-2345"}
    assert plan.sendable()


def test_clear_yields_null(defs):
    plan = build_patch(defs, USER, [StagedEdit.clear("loyalty_id")])
    assert plan.body == {"b37523a5-3b4a-4ee2-8463-513755ac0ecd": None}
    assert plan.sendable()


@pytest.mark.parametrize(
    ("target", "edit", "code"),
    [
        (CONV, StagedEdit("no_such_thing", "x"), "unknown-attribute"),
        (CONV, StagedEdit("customer_tier", ["gold"]), "wrong-entity"),
        (USER, StagedEdit("order_number", "1"), "wrong-entity"),
        (USER, StagedEdit("legacy_crm_id", "CRM-1"), "archived"),
        (CONV, StagedEdit("order_number", ["100"]), "wrong-shape"),
        (CONV, StagedEdit("contact_reason", "payment"), "wrong-shape"),
        (CONV, StagedEdit("contact_reason", ["payment", 3]), "wrong-shape"),
        (CONV, StagedEdit("order_number", 42), "wrong-shape"),
        (CONV, StagedEdit("contact_reason", ["delivery", "lost"]), "unknown-option"),
        (CONV, StagedEdit("contact_reason", ["card"]), "unknown-option"),
        (CONV, StagedEdit("contact_reason", ["other", "more"]), "unknown-option"),
        (CONV, StagedEdit("contact_reason", []), "empty-path"),
        (Target("enduser", "not-a-uuid"), StagedEdit("loyalty_id", "x"), "invalid-target"),
        (Target("conversation", "12ab"), StagedEdit("order_number", "x"), "invalid-target"),
        (Target("conversation", "0"), StagedEdit("order_number", "x"), "invalid-target"),
        (Target("conversation", str(2**63)), StagedEdit("order_number", "x"), "invalid-target"),
    ],
)
def test_errors_block_sending(defs, target, edit, code):
    plan = build_patch(defs, target, [edit])
    assert code in codes(plan, "error")
    assert plan.body == {}
    assert not plan.sendable(force=True)


def test_unknown_type_is_read_only(defs):
    raw = defs[0].to_dixa() | {"id": "0b0b0b0b-0000-4000-8000-000000000000",
                               "identifier": "due", "inputDefinition": {"_type": "Date"}}
    from dixa_tui.api.models import CustomAttributeDefinition

    odd = CustomAttributeDefinition.model_validate(raw)
    plan = build_patch([*defs, odd], CONV, [StagedEdit("due", "2024-01-01")])
    assert codes(plan, "error") == ["read-only-type"]


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (StagedEdit("escalation_level", ["l1"]), "deactivated-attribute"),
        (StagedEdit("contact_reason", ["payment", "invoice"]), "deactivated-option"),
        (StagedEdit("contact_reason", ["delivery"]), "non-leaf"),
        (StagedEdit("contact_reason", ["delivery", "damaged"]), "non-leaf"),
    ],
)
def test_warnings_need_force(defs, edit, code):
    plan = build_patch(defs, CONV, [edit])
    assert codes(plan) == [code]
    assert plan.body  # the body is built ...
    assert not plan.sendable()  # ... but only goes out when forced
    assert plan.sendable(force=True)


def test_deactivated_option_on_user_attribute(defs):
    plan = build_patch(defs, USER, [StagedEdit("customer_tier", ["platinum"])])
    assert codes(plan, "warning") == ["deactivated-option"]


def test_messages_say_what_to_do(defs):
    plan = build_patch(defs, CONV, [StagedEdit("contact_reason", ["delivery", "lost"])])
    message = str(plan.problems[0])
    assert "contact_reason" in message and "'lost'" in message
    assert "'late', 'damaged'" in message


def test_duplicate_identifier_is_ambiguous(defs):
    twin = defs[0].model_copy(update={"id": "0b0b0b0b-0000-4000-8000-000000000001"})
    plan = build_patch([*defs, twin], CONV, [StagedEdit("order_number", "1")])
    assert codes(plan) == ["ambiguous"]
    by_id = build_patch([*defs, twin], CONV, [StagedEdit(twin.id, "1")])
    assert by_id.sendable()


def test_same_attribute_twice_and_nothing_staged(defs):
    assert "duplicate-edit" in codes(build_patch(
        defs, CONV, [StagedEdit("order_number", "1"), StagedEdit(ORDER_NUMBER, "2")]))
    assert codes(build_patch(defs, CONV, [])) == ["nothing-staged"]


def test_server_side_validation_uses_the_same_rules(defs):
    index = DefinitionIndex(defs)
    errors, warnings = validate_body(index, "Conversation", {
        CONTACT_REASON: ["payment", "invoice"], ORDER_NUMBER: ["x"], "nope": "1"})
    assert {p.code for p in errors} == {"wrong-shape", "unknown-attribute"}
    assert [p.code for p in warnings] == ["deactivated-option"]
    assert validate_body(index, "Conversation", [1])[0][0].code == "wrong-shape"


def test_diff_before_after_with_labels(defs):
    current = {CONTACT_REASON: ["payment", "card"]}
    rows = diff(defs, current, {CONTACT_REASON: ["delivery", "damaged", "item"],
                                ORDER_NUMBER: None})
    assert [(r.before_text, r.after_text, r.changed) for r in rows] == [
        ("Payment > Card", "Delivery > Damaged > Item", True),
        ("(empty)", "(empty)", False),
    ]


def test_current_values_from_attributes():
    from dixa_tui.api.models import CustomAttribute

    attrs = [CustomAttribute(id="a", name="A", identifier="a", value="1")]
    assert current_values(attrs) == {"a": "1"}


def test_unknown_identifier_suggests_close_spellings(defs):
    from dixa_tui.domain.patch import DefinitionIndex

    index = DefinitionIndex(defs)
    assert "order_number" in index.similar("ordr_number")
    assert "contact_reason" in index.similar("Contact reason")  # by its label
    assert index.similar("zzzzzz") == []
    problem = index.resolve("contact_reasn")
    assert "did you mean 'contact_reason'" in str(problem)
