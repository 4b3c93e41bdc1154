"""Other organizations: from an org file in Dixa's list format, or from given records."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from dixa_tui.api.models import Conversation, CustomAttribute, EndUser
from dixa_tui.domain.patch import DefinitionIndex, check_value
from dixa_tui.mock import ConversationRecord, EndUserRecord, MockState, create_app

PACKAGED = Path(__file__).parents[2] / "dixa_tui" / "mock" / "data" / "example-definitions.json"
USER_ID = "93b885ad-fe0d-3089-8df6-34904fd59f71"
LOYALTY_ID = "b37523a5-3b4a-4ee2-8463-513755ac0ecd"


@pytest.fixture
def org_file(tmp_path: Path) -> Path:
    path = tmp_path / "org.json"
    path.write_text(PACKAGED.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_from_org_file_generates_valid_people(org_file: Path):
    state = MockState.from_org_file(org_file)
    assert [d.identifier for d in state.definitions] == [
        "order_number", "contact_reason", "customer_tier", "loyalty_id", "legacy_crm_id",
        "escalation_level"]
    assert len(state.end_users) == 20
    assert len(state.conversations) == 60
    index = DefinitionIndex(state.definitions)
    values = [v for u in state.end_users.values() for v in u.values.items()] + \
        [v for c in state.conversations.values() for v in c.values.items()]
    assert len(values) > 40
    for key, value in values:
        assert check_value(index.by_id[key], value) == []
    assert "9823beb1-e6ba-4ad7-8de4-5321ad915a36" not in {k for k, _ in values}  # archived


def test_from_org_file_is_deterministic_and_accepts_a_bare_list(org_file: Path, tmp_path):
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(json.loads(org_file.read_text())["data"]))
    one, two = MockState.from_org_file(org_file), MockState.from_org_file(str(bare))
    assert one.definitions == two.definitions
    assert list(one.end_users) == list(two.end_users)
    assert [c.values for c in one.conversations.values()] == \
        [c.values for c in two.conversations.values()]


def test_unknown_text_definitions_get_neutral_values(tmp_path: Path):
    definition = {"id": "d1", "entityType": "Contact", "identifier": "favourite_colour",
                  "label": "Favourite colour", "inputDefinition": {"_type": "Text"}}
    path = tmp_path / "org.json"
    path.write_text(json.dumps({"data": [definition]}))
    state = MockState.from_org_file(path)
    values = [u.values["d1"] for u in state.end_users.values() if "d1" in u.values]
    assert values and all(v.startswith("Favourite colour #") for v in values)


def test_labels_with_control_characters_get_clean_values(tmp_path: Path):
    """Generated values must pass the mock's own rules, whatever the labels hold."""
    definition = {"id": "d1", "entityType": "Contact", "identifier": "x",
                  "label": "\x1b[31mred\x1b]0;t\x07 a\nb", "inputDefinition": {"_type": "Text"}}
    path = tmp_path / "org.json"
    path.write_text(json.dumps({"data": [definition]}))
    state = MockState.from_org_file(path)
    values = [u.values["d1"] for u in state.end_users.values() if "d1" in u.values]
    assert values and all(v.startswith("red a⏎b #") for v in values)


@pytest.mark.parametrize("content", ["{nope", '{"data": 5}', '"text"'])
def test_bad_org_files_raise_value_error(tmp_path: Path, content: str):
    path = tmp_path / "org.json"
    path.write_text(content)
    with pytest.raises(ValueError):
        MockState.from_org_file(path)


async def test_unreadable_items_are_served_as_they_are(tmp_path: Path):
    """An org file may hold items dixa-tui cannot read: the mock serves them where they were
    (as a Dixa with such data would), and the client skips and reports them."""
    from dixa_tui.api.client import DixaClient

    good = json.loads(PACKAGED.read_text())["data"]
    odd = [{"id": 1}, None, good[1] | {"isRequired": "maybe"}]
    path = tmp_path / "org.json"
    path.write_text(json.dumps({"data": [good[0], odd[0], odd[1], *good[1:3], odd[2]]}))
    state = MockState.from_org_file(path)
    assert [d.id for d in state.definitions] == [g["id"] for g in good[:3]]
    assert state.unreadable == [(1, odd[0]), (2, odd[1]), (5, odd[2])]
    app = create_app(state, api_key="k")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://mock", headers={"Authorization": "k"}) as c:
        data = (await c.get("/beta/custom-attributes")).json()["data"]
        assert data[1:3] == odd[:2] and data[5] == odd[2] and len(data) == 6
    async with DixaClient("k", base_url="http://mock", rate=0,
                          transport=httpx.ASGITransport(app=app)) as client:
        read = await client.list_definitions()
        assert [d.id for d in read.definitions] == [g["id"] for g in good[:3]]
        assert [(s.index, s.id) for s in read.skipped] == [(1, None), (2, None),
                                                           (5, good[1]["id"])]
        assert read.skipped[2].reason.startswith("isRequired:")


def test_missing_org_file_raises_os_error(tmp_path: Path):
    with pytest.raises(OSError):
        MockState.from_org_file(tmp_path / "missing.json")


async def test_serving_an_org_file(org_file: Path):
    app = create_app(MockState.from_org_file(org_file), api_key="k")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://mock", headers={"Authorization": "k"}) as c:
        data = (await c.get("/beta/custom-attributes")).json()["data"]
        assert len(data) == 6
        users = (await c.get("/beta/endusers", params={"pageLimit": 100})).json()["data"]
        assert len(users) == 20


async def test_from_definitions_with_models_and_records(org_file: Path):
    definitions = MockState.from_org_file(org_file).definitions
    user = EndUser(id=USER_ID, email="a@example.com", custom_attributes=[
        CustomAttribute(id=LOYALTY_ID, name="Loyalty ID", identifier="loyalty_id",
                        value="L-1")])
    conversation = ConversationRecord(Conversation(id=5, requester_id=USER_ID), {})
    state = MockState.from_definitions(definitions, [user], [conversation])
    assert state.end_user_values(USER_ID) == {LOYALTY_ID: "L-1"}
    assert isinstance(state.end_users[USER_ID], EndUserRecord)
    assert state.conversation_values(5) == {}
    empty = MockState.from_definitions(definitions)
    assert empty.end_users == {} and empty.conversations == {}
    app = create_app(state)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://mock",
                                 headers={"Authorization": "demo-key"}) as c:
        read = (await c.get(f"/v1/endusers/{USER_ID}")).json()["data"]
        assert read["customAttributes"] == [{"id": LOYALTY_ID, "name": "Loyalty ID",
                                             "identifier": "loyalty_id", "value": "L-1"}]
        convs = (await c.get(f"/v1/endusers/{USER_ID}/conversations")).json()
        assert [c["id"] for c in convs["data"]] == [5]
        assert "meta" not in convs


def test_values_of_unknown_ids_raise_key_error(org_file: Path):
    state = MockState.from_org_file(org_file)
    with pytest.raises(KeyError):
        state.end_user_values(USER_ID)
    with pytest.raises(KeyError):
        state.conversation_values(1)
