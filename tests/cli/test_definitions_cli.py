from __future__ import annotations

import json

from dixa_tui.mock import MockState


def test_list_hides_archived_unless_asked(demo):
    state = MockState.demo()
    result = demo("definitions", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["IDENTIFIER", "LABEL", "TYPE", "ENTITY", "FLAGS", "ID"]
    active = [d for d in state.definitions if not d.is_archived]
    assert len(lines) == 1 + len(active)
    assert "legacy_crm_id" not in result.stdout
    assert f"{len(state.definitions) - len(active)} archived hidden" in result.stderr
    everything = demo("definitions", "list", "--include-archived")
    assert len(everything.stdout.splitlines()) == 1 + len(state.definitions)
    assert "legacy_crm_id" in everything.stdout


def test_list_json_is_dixas_shape_and_entity_filter(demo):
    result = demo("definitions", "list", "--json", "--entity", "contact")
    payload = json.loads(result.stdout)
    expected = [d.to_dixa() for d in MockState.demo().definitions
                if d.entity_type == "Contact" and not d.is_archived]
    assert payload == expected
    assert {"id", "entityType", "identifier", "label", "inputDefinition", "createdAt",
            "isRequired", "isArchived", "isDeactivated"} <= set(payload[0])


def test_show_by_identifier_and_id_with_tree(demo):
    by_name = demo("definitions", "show", "contact_reason")
    assert by_name.exit_code == 0
    out = by_name.stdout
    assert "Entity type  Conversation" in out and "Required     yes" in out
    assert "      Item  [item]" in out and "Invoice  [invoice]  (deactivated)" in out
    by_id = demo("definitions", "show", "5d96cf7f-265b-4da9-8f0c-26ef4243ed52", "--json")
    assert json.loads(by_id.stdout)["identifier"] == "contact_reason"
    text = demo("definitions", "show", "order_number")
    assert "Placeholder  e.g. 100-2345" in text.stdout


def test_show_unknown_is_a_usage_error(demo):
    result = demo("definitions", "show", "contact")
    assert result.exit_code == 2
    assert "did you mean 'contact_reason'" in result.stderr


def test_no_command_prints_help(demo):
    result = demo()
    assert result.exit_code == 0 and "definitions" in result.stdout and "patch" in result.stdout


def test_demo_refuses_a_base_url(demo):
    result = demo("--base-url", "http://127.0.0.1:9", "definitions", "list")
    assert result.exit_code == 2 and "--demo" in result.stderr
