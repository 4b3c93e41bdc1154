from __future__ import annotations

import json
from pathlib import Path

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


def test_list_json_is_exactly_what_dixa_sent(demo):
    """The demo starts with Dixa's six example definitions: they come back byte for byte."""
    example = json.loads((Path(__file__).parents[2] / "dixa_tui" / "mock" / "data" /
                          "example-definitions.json").read_text())["data"]
    result = demo("definitions", "list", "--json", "--include-archived")
    assert json.loads(result.stdout)[:6] == example


def test_list_entity_filter(demo):
    payload = json.loads(demo("definitions", "list", "--json", "--entity", "contact").stdout)
    expected = [d.id for d in MockState.demo().definitions
                if d.entity_type == "Contact" and not d.is_archived]
    assert [d["id"] for d in payload] == expected


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


def test_no_command_opens_the_tui(demo, monkeypatch):
    opened = []
    monkeypatch.setattr("dixa_tui.tui.app.run_tui", opened.append)
    result = demo()
    assert result.exit_code == 0 and len(opened) == 1 and opened[0].demo


def test_a_tui_stopped_by_an_unexpected_error_exits_3(demo, monkeypatch):
    """Scripts see the bug the TUI reported in its last line, as they do for a command."""
    monkeypatch.setattr("dixa_tui.tui.app.run_tui", lambda settings: 1)
    assert demo().exit_code == 3


def test_help_lists_the_commands(demo):
    result = demo("--help")
    assert result.exit_code == 0 and "definitions" in result.stdout and "patch" in result.stdout
    assert "terminal UI" in result.stdout


def test_demo_with_a_profile_is_refused_before_the_tui(demo, monkeypatch):
    monkeypatch.setattr("dixa_tui.tui.app.run_tui", lambda settings: 0)
    result = demo("--profile", "x")
    assert result.exit_code == 2 and "--demo" in result.stderr


def test_demo_refuses_a_base_url(demo):
    result = demo("--base-url", "http://127.0.0.1:9", "definitions", "list")
    assert result.exit_code == 2 and "--demo" in result.stderr


def test_unreadable_definitions_are_reported_on_stderr(mocked):
    mocked.state.unreadable = [(0, {"id": "\x1b[31mbad", "label": 5}), (2, None)]
    result = mocked.run("definitions", "list")
    assert result.exit_code == 0
    assert "contact_reason" in result.stdout and "\x1b" not in result.stdout
    assert "Warning: 2 definitions sent by Dixa could not be read" in result.stderr
    assert "item 0 (id '\\x1b[31mbad'): entityType: Field required" in result.stderr
    assert "item 2: not an object (null)" in result.stderr
    assert "\x1b" not in result.stderr
    as_json = mocked.run("definitions", "list", "--json")
    assert as_json.exit_code == 0 and "Warning: 2 definitions" in as_json.stderr
    shown = mocked.run("definitions", "show", "\x1b[31mbad")
    assert shown.exit_code == 1 and "item 0 (id" in shown.stderr  # Dixa sent it unreadable
    assert "no attribute has this identifier" not in shown.stderr
