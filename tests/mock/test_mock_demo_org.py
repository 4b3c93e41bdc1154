"""The demo organization meets its brief: counts, features, valid values, fixed fixtures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest

from dixa_tui.api.models import SelectInput, TextInput, parse_definitions
from dixa_tui.domain.options import depth, walk
from dixa_tui.domain.patch import DefinitionIndex, check_value
from dixa_tui.mock import DEMO_API_KEY, MockState
from dixa_tui.mock.catalog import NAMESPACE
from dixa_tui.mock.demo import (
    DEMO_CONVERSATION_ID,
    DEMO_END_USER_EMAIL,
    DEMO_END_USER_EXTERNAL_ID,
    DEMO_END_USER_ID,
    DEMO_END_USER_PHONE,
    DEMO_END_USERS,
    DEMO_NOW,
)

EXAMPLES = Path("/work/shared/dixa-api/examples/custom-attributes.list.json")
PACKAGED = Path(__file__).parents[2] / "dixa_tui" / "mock" / "data" / "example-definitions.json"


@pytest.fixture(scope="module")
def demo() -> MockState:
    return MockState.demo()


def test_definition_counts_and_features(demo: MockState):
    defs = demo.definitions
    assert len(defs) == 46
    by_entity = Counter(d.entity_type for d in defs)
    assert by_entity == {"Conversation": 26, "Contact": 20}
    selects = [d for d in defs if isinstance(d.input_definition, SelectInput)]
    texts = [d for d in defs if isinstance(d.input_definition, TextInput)]
    assert len(selects) + len(texts) == len(defs)
    assert len(selects) >= 20 and len(texts) >= 15
    assert max(depth(d.input_definition.options) for d in selects) == 3
    assert sum(depth(d.input_definition.options) == 3 for d in selects) >= 3
    assert sum(d.is_archived for d in defs) >= 3
    assert sum(d.is_deactivated and not d.is_archived for d in defs) >= 3
    assert sum(d.is_required for d in defs) >= 3
    with_off_options = [d for d in selects
                        if any(p[-1].is_deactivated for p in walk(d.input_definition.options))]
    assert len(with_off_options) >= 5
    assert sum(d.input_definition.placeholder is not None for d in texts) >= 8
    assert sum(d.input_definition.placeholder is None for d in texts) >= 3
    assert sum(d.description is None for d in defs) >= 5
    assert sum(d.updated_at is None for d in defs) >= 5
    assert len({d.id for d in defs}) == len(defs)
    assert len({d.identifier for d in defs}) == len(defs)


def test_order_index_is_pre_order_from_one(demo: MockState):
    for d in demo.definitions:
        if isinstance(d.input_definition, SelectInput):
            indexes = [path[-1].order_index for path in walk(d.input_definition.options)]
            assert indexes == list(range(1, len(indexes) + 1)), d.identifier


def test_the_six_examples_come_first_unchanged(demo: MockState):
    if EXAMPLES.exists():  # the shared reference data, where this checkout has it
        assert json.loads(PACKAGED.read_text()) == json.loads(EXAMPLES.read_text())
    examples = parse_definitions(json.loads(PACKAGED.read_text())["data"])
    assert len(examples) == 6
    assert demo.definitions[:6] == examples


def test_people_counts_and_shapes(demo: MockState):
    users = list(demo.end_users.values())
    assert len(users) == 60
    emails = [u.profile.email for u in users]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z0-9.]+@[a-z.]+", e) for e in emails)
    assert all(u.profile.first_name and u.profile.last_name and u.profile.display_name
               for u in users)
    phones = [u.profile.phone_number for u in users if u.profile.phone_number]
    assert len(phones) >= 40 and all(re.fullmatch(r"\+\d{9,13}", p) for p in phones)
    external = [u.profile.external_id for u in users if u.profile.external_id]
    assert len(external) >= 45 and all(re.fullmatch(r"CUS-\d{5}", e) for e in external)
    assert len(set(external)) == len(external)
    assert all(uuid.UUID(u.id) for u in users)


def test_conversation_counts_and_shapes(demo: MockState):
    conversations = list(demo.conversations.values())
    assert len(conversations) == 240
    assert [c.id for c in conversations] == list(range(10001, 10241))
    assert all(c.requester_id in demo.end_users for c in conversations)
    channels = Counter(c.conversation.channel for c in conversations)
    assert {"Email", "WidgetChat", "PstnPhone", "Sms"} <= set(channels)
    assert len({c.conversation.state for c in conversations}) == 4
    assert len({c.requester_id for c in conversations}) >= 30
    for c in conversations:
        assert c.conversation.type and c.conversation.type.endswith("Conversation")
        if c.conversation.channel == "Email":
            assert c.conversation.type == "EmailConversation" and c.conversation.subject


def test_many_values_all_valid_and_active(demo: MockState):
    index = DefinitionIndex(demo.definitions)
    records = [("Contact", u.values) for u in demo.end_users.values()] + \
        [("Conversation", c.values) for c in demo.conversations.values()]
    assert sum(bool(values) for _, values in records) >= 250
    total = 0
    for entity, values in records:
        for key, value in values.items():
            d = index.by_id[key]
            assert d.entity_type == entity
            assert not d.is_archived and not d.is_deactivated
            assert check_value(d, value) == [], (d.identifier, value)
            total += 1
    assert total >= 800
    reasons = [c for c in demo.conversations.values()
               if "5d96cf7f-265b-4da9-8f0c-26ef4243ed52" in c.values]
    assert len(reasons) >= 150


def test_well_known_fixtures(demo: MockState):
    first = next(iter(demo.end_users.values()))
    assert first.id == DEMO_END_USER_ID
    assert str(uuid.uuid5(NAMESPACE, f"enduser/{DEMO_END_USER_EMAIL}")) == DEMO_END_USER_ID
    assert first.profile.email == DEMO_END_USER_EMAIL
    assert first.profile.phone_number == DEMO_END_USER_PHONE
    assert first.profile.external_id == DEMO_END_USER_EXTERNAL_ID
    assert len(demo.conversations_of(DEMO_END_USER_ID)) >= 5
    conversation = demo.conversations[DEMO_CONVERSATION_ID]
    assert conversation.requester_id == DEMO_END_USER_ID
    values = demo.conversation_values(DEMO_CONVERSATION_ID)
    assert values["5d96cf7f-265b-4da9-8f0c-26ef4243ed52"] == ["delivery", "damaged", "item"]
    assert values["566bf9d7-c55a-45f8-91a6-e55e9b9b1325"] == "100-2345"


def _dump(state: MockState) -> str:
    return json.dumps({
        "definitions": [d.to_dixa() for d in state.definitions],
        "users": [[u.profile.to_dixa(), u.values] for u in state.end_users.values()],
        "conversations": [[c.conversation.to_dixa(), c.values, c.tags]
                          for c in state.conversations.values()],
    }, sort_keys=True)


def test_deterministic_across_processes(demo: MockState):
    code = ("import hashlib, sys; sys.path.insert(0, 'tests/mock');"
            "from test_mock_demo_org import _dump; from dixa_tui.mock import MockState;"
            "from dixa_tui.mock.demo import DEMO_NOW;"
            "print(hashlib.sha256(_dump(MockState.demo(DEMO_NOW)).encode()).hexdigest())")
    root = Path(__file__).parents[2]
    digests = {subprocess.run([sys.executable, "-c", code], cwd=root, check=True,
                              capture_output=True, text=True,
                              env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout.strip()
               for seed in ("1", "2")}
    assert len(digests) == 1


def test_each_call_is_a_fresh_copy():
    one, two = MockState.demo(DEMO_NOW), MockState.demo(DEMO_NOW)
    assert _dump(one) == _dump(two)
    one.end_users[DEMO_END_USER_ID].values.clear()
    one.conversations[DEMO_CONVERSATION_ID].values["x"] = "y"
    one.conversations[DEMO_CONVERSATION_ID].tags.clear()
    one.definitions.pop()
    one.end_users.clear()
    assert _dump(two) == _dump(MockState.demo(DEMO_NOW))


def test_importing_the_mock_does_not_import_textual():
    code = ("import dixa_tui.mock, sys; "
            "assert not any(m.startswith('textual') for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_people_are_generated_on_first_use_not_for_the_definitions():
    """Listing definitions (the first frame of --demo, most CLI calls) never pays for the
    generated population; the first request that needs a person builds it, once."""
    import httpx

    from dixa_tui.mock import create_app

    state = MockState.demo()
    transport = httpx.ASGITransport(app=create_app(state))
    headers = {"Authorization": DEMO_API_KEY}
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        listed = await client.get("/v1/custom-attributes", headers=headers)
        assert listed.status_code == 200 and len(listed.json()["data"]) == 46
        assert not state.populated
        user = await client.get(f"/v1/endusers/{DEMO_END_USER_ID}", headers=headers)
        assert user.status_code == 200
        assert state.populated
        assert len(state.end_users) == DEMO_END_USERS
    assert MockState.demo().end_users is not state.end_users  # every demo state is fresh
