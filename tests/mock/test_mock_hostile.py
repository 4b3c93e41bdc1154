"""The hostile organization: what it holds, that it is the same every time, how to reach it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from dixa_tui.api.models import SelectInput
from dixa_tui.api.salvage import read_definitions
from dixa_tui.domain.options import count_options, depth, match_path
from dixa_tui.domain.patch import DefinitionIndex, check_value
from dixa_tui.mock import DEMO_API_KEY, create_app
from dixa_tui.mock import hostile as h
from dixa_tui.mock.orgs import load_org


@pytest.fixture(scope="module")
def state():
    return h.build_hostile_state()


def by_name(state, name: str):
    wanted = h.cast()[name]["id"]
    return next(d for d in state.definitions if d.id == wanted)


def test_the_listing_holds_3000_items_and_the_unreadable_ones_where_said():
    payload = h.hostile_payload()
    assert len(payload) == h.HOSTILE_ITEMS == 3000
    bad = h.unreadable()
    for name, position in h.UNREADABLE_AT.items():
        assert payload[position] == bad[name]
    read = read_definitions(payload)
    assert [s.index for s in read.skipped] == sorted(h.UNREADABLE_AT.values())
    assert len(read.definitions) == 3000 - len(h.UNREADABLE_AT)


def test_it_is_the_same_every_time_and_copies_are_independent():
    one, two = h.hostile_payload(), h.hostile_payload()
    assert one == two
    one[0]["label"] = "changed"
    assert h.hostile_payload()[0]["label"] == h.MARKUP


def test_every_kind_of_hostile_text_and_shape_is_there(state):
    texts = json.dumps(h.hostile_payload(), ensure_ascii=False)
    for ingredient in ("[bold red]", "\x1b[31m", "\x1b]0;", "\x1b]52;", "\x1b]8;;", "\x9b",
                       "\x9d", "\x00", "\x07", "\u202e", "\u2066", "👩‍👩‍👧‍👦", "\u200b",
                       "\u0301", "顧客", "سبب", "\n"):
        assert json.dumps(ingredient, ensure_ascii=False)[1:-1] in texts, repr(ingredient)
    assert len(by_name(state, "long_label").label) == 10_000
    no_options = by_name(state, "no_options").input_definition
    assert isinstance(no_options, SelectInput) and no_options.options == []
    deep = by_name(state, "deep").input_definition
    assert isinstance(deep, SelectInput) and depth(deep.options) == 8
    assert count_options(deep.options) == 16
    assert match_path(deep.options, h.deep_path()).is_leaf
    twins = DefinitionIndex(state.definitions).by_identifier[h.DUPLICATE_IDENTIFIER]
    assert len(twins) == 2
    assert by_name(state, "unknown_type").input_type == "DatePicker"
    assert not by_name(state, "hostile_type").is_editable_type
    missing = by_name(state, "missing_optional")
    assert (missing.label, missing.identifier, missing.description, missing.created_at) == \
        ("", "", None, None)
    nulls = by_name(state, "nulls")
    assert nulls.label == "" and nulls.input_definition.options[0].label == ""
    assert by_name(state, "untyped_select").input_type == "Select"
    assert any(d.id == h.HOSTILE_ID for d in state.definitions)


def test_the_people_hold_hostile_values(state):
    eve = state.end_users[h.HOSTILE_END_USER_ID]
    assert "[bold red]Eve[/]" in eve.profile.display_name
    conversation = state.conversations[h.HOSTILE_CONVERSATION_ID]
    assert conversation.requester_id == h.HOSTILE_END_USER_ID
    assert "\x1b[2J" in conversation.conversation.subject
    index = DefinitionIndex(state.definitions)
    assert conversation.values[by_name(state, "deep").id] == h.deep_path()
    for values in (eve.values, conversation.values):
        assert all(key in index.by_id for key in values)
    # a stale Select path (options deleted since) is kept, as Dixa keeps it
    stale = conversation.values[by_name(state, "emoji").id]
    assert check_value(index.by_id[by_name(state, "emoji").id], stale)[0].code == \
        "unknown-option"


async def test_server_messages_are_hostile_too(state):
    app = create_app(state)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://m",
                                 headers={"Authorization": DEMO_API_KEY}) as c:
        missing = await c.get("/beta/custom-attributes/[b]nope%1B[31m")
        assert missing.status_code == 404
        message = missing.json()["message"]
        assert "[b]nope\x1b[31m" in message and message.endswith(h.SERVER_NOTE)
        deep = by_name(state, "deep")
        refused = await c.patch(
            f"/beta/conversations/{h.HOSTILE_CONVERSATION_ID}/custom-attributes",
            json={deep.id: ["[l1]/down", "[l2]/down", "l3\u200bleaf"]})
        assert refused.status_code == 400
        message = refused.json()["message"]
        # the option value as the organization wrote it, and the hostile note's escapes
        assert "'l3\u200bleaf' is deactivated" in message and "\x1b" in message
        listed = (await c.get("/beta/custom-attributes")).json()["data"]
        assert listed == [*h.hostile_payload()]


def test_reached_by_name_and_the_module_writes_an_org_file(tmp_path: Path):
    assert len(load_org("hostile").definitions) == 2991
    assert len(load_org("demo").definitions) == len(load_org(None).definitions) == 46
    with pytest.raises(OSError):
        load_org(f".{'/'}hostile")  # a path is always a file
    path = tmp_path / "hostile.json"
    assert h.main([str(path)]) == 0
    from_file = load_org(path)
    assert [d.id for d in from_file.definitions] == [d.id for d in load_org("hostile").definitions]
    assert [p for p, _ in from_file.unreadable] == sorted(h.UNREADABLE_AT.values())
