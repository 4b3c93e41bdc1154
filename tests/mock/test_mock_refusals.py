"""The demo mock refuses a PATCH in a server's words (issue 10, item 21): short, naming the
ids as sent and the kind of fault, never our client's advice, so what the error bar shows
as "Dixa's message" reads like Dixa's and not like dixa-tui talking to itself."""

from __future__ import annotations

import pytest

from dixa_tui.domain.patch import DefinitionIndex, validate_body
from dixa_tui.mock import MockState
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID

CONTACT_REASON = "5d96cf7f-265b-4da9-8f0c-26ef4243ed52"
ORDER_NUMBER = "566bf9d7-c55a-45f8-91a6-e55e9b9b1325"
CUSTOMER_TIER = "5e6a0a2e-dd70-434d-81d7-7cffb7decc0c"
CONVERSATION_URL = f"/conversations/{DEMO_CONVERSATION_ID}/custom-attributes"

# Words that are ours (the client's advice), not a server's.
CLIENT_WORDS = ("options there", "clear it instead", "in the CLI", "parent/child",
                "dixa-tui", "restore it", "agents no longer", "check it was meant", "Dixa's")

BODIES = [
    {"00000000-0000-4000-8000-000000000000": "x"},
    {CUSTOMER_TIER: ["gold"]},
    {ORDER_NUMBER: ["100-1"]},
    {CONTACT_REASON: "payment"},
    {CONTACT_REASON: []},
    {CONTACT_REASON: ["payment", "cash"]},
    {CONTACT_REASON: ["nope"]},
    {CONTACT_REASON: ["payment", "invoice"]},
    {ORDER_NUMBER: "1", CONTACT_REASON: ["nope"], CUSTOMER_TIER: ["gold"]},
]


@pytest.mark.parametrize("body", BODIES)
async def test_refusals_are_short_and_server_side(client, prefix, body):
    response = await client.patch(prefix + CONVERSATION_URL, json=body)
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("Invalid input for patching: ")
    refused = [key for key in body if key != ORDER_NUMBER or isinstance(body[key], list)]
    assert all(key in message for key in refused)
    words = message
    for key in refused:
        words = words.replace(key, "")
    assert len(words) <= 28 + 60 * len(refused), message  # the words, without the ids
    for words in CLIENT_WORDS:
        assert words not in message, (words, message)


def test_the_client_rules_say_more_than_the_server(state: MockState):
    """Our own messages keep their advice: the mock's are not a copy of them."""
    errors, _ = validate_body(DefinitionIndex(state.definitions), "Conversation",
                              {CONTACT_REASON: ["payment", "cash"]})
    assert "options there" in errors[0].message
