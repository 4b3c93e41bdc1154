"""The demo organization: Trailhead Outfitters, an invented Nordic outdoor-gear webshop.

What ``MockState.demo(now)`` returns, the same for one clock on every call and every machine:

- 46 definitions (``catalog``): Dixa's 6 examples first, then 40 more; 26 Conversation and
  20 Contact; Text and Select, Selects up to 3 levels deep; archived, deactivated, required
  attributes and deactivated options.
- 60 end users and 240 conversations (ids 10001-10240, in time order over the 90 days
  before the state's clock, ``MockState.demo(now=...)``, default the real now), with values
  that are valid for their definitions (active attributes, active leaf options only), and
  statuses, channels, queues and tags (``population.TAGS``) for search to filter on.

Well-known fixtures for tests and docs:

- The first end user is Astrid Lindqvist, id ``eba64c48-745b-5c86-9a75-e3cce144c401``
  (``DEMO_END_USER_ID``), email ``astrid.lindqvist@example.com``, phone
  ``+4520123456``, externalId ``CUS-10001``. She has values for ``customer_tier`` (gold),
  ``loyalty_id`` (LOY-448812), ``preferred_language`` (danish) and more, and several
  conversations.
- Conversation ``10001`` (``DEMO_CONVERSATION_ID``) is hers, by email, and has
  ``contact_reason`` = ``["delivery", "damaged", "item"]`` and ``order_number`` =
  ``"100-2345"``; it is the oldest conversation (created exactly 90 days before the
  clock) and is tagged ``complaint`` and ``refund``.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from functools import cache

from dixa_tui.api.models import AttributeValue, CustomAttributeDefinition
from dixa_tui.domain.patch import check_value
from dixa_tui.mock.catalog import demo_definitions
from dixa_tui.mock.people import Person
from dixa_tui.mock.population import (
    FIRST_CONVERSATION_ID,
    TAGS,
    conversation_record,
    generate_population,
    shifted,
    window_start,
)
from dixa_tui.mock.records import ConversationRecord, EndUserRecord, People, clock

DEMO_SEED = 20240501
# The clock the demo's people are generated for; every demo state moves them to its own.
DEMO_NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DEMO_END_USERS = 60
DEMO_CONVERSATIONS = 240

DEMO_END_USER_ID = "eba64c48-745b-5c86-9a75-e3cce144c401"  # uuid5 of her email, like the rest
DEMO_END_USER_EMAIL = "astrid.lindqvist@example.com"
DEMO_END_USER_PHONE = "+4520123456"
DEMO_END_USER_EXTERNAL_ID = "CUS-10001"
DEMO_CONVERSATION_ID = FIRST_CONVERSATION_ID

DEMO_END_USER_VALUES: dict[str, AttributeValue] = {
    "customer_tier": ["gold"],
    "loyalty_id": "LOY-448812",
    "preferred_language": ["danish"],
    "customer_segment": ["consumer", "hiker"],
    "favorite_activity": ["hiking", "multi_day", "hut_to_hut"],
}
DEMO_CONVERSATION_VALUES: dict[str, AttributeValue] = {
    "contact_reason": ["delivery", "damaged", "item"],
    "order_number": "100-2345",
    "product_category": ["tents_shelters", "backpacking_tents"],
    "carrier": ["postnord"],
    "sentiment": ["negative"],
}


def _by_identifier(definitions: list[CustomAttributeDefinition],
                   wanted: dict[str, AttributeValue]) -> dict[str, AttributeValue]:
    """Identifier-keyed values -> id-keyed values, each checked like Dixa would."""
    found = {d.identifier: d for d in definitions}
    values: dict[str, AttributeValue] = {}
    for identifier, value in wanted.items():
        definition = found[identifier]
        if check_value(definition, value):
            raise RuntimeError(f"invalid demo value for {identifier}: {value!r}")
        values[definition.id] = value
    return values


def fresh_demo_people(now: datetime | None = None) -> People:
    """The demo's people as new records and value dicts (only the frozen pydantic models are
    shared), for an organization whose clock says ``now`` (default: the real now). They are
    generated once per process, for ``DEMO_NOW``; each organization that asks gets the
    conversations' times moved by its clock's distance from ``DEMO_NOW``, so they always lie
    in the 90 days before its ``now``."""
    users, conversations = _people()
    delta = clock(now) - DEMO_NOW
    return ({u.id: EndUserRecord(u.profile, _copy(u.values)) for u in users},
            {c.id: shifted(c, delta) for c in conversations})


def _copy(values: dict[str, AttributeValue]) -> dict[str, AttributeValue]:
    return {k: list(v) if isinstance(v, list) else v for k, v in values.items()}


@cache
def organization_definitions() -> list[CustomAttributeDefinition]:
    return demo_definitions()


@cache
def _people() -> tuple[list[EndUserRecord], list[ConversationRecord]]:
    """Built once per process (generation takes ~80 ms; tests build many demo states)."""
    definitions = organization_definitions()
    first = Person(
        id=DEMO_END_USER_ID, first_name="Astrid", last_name="Lindqvist",
        email=DEMO_END_USER_EMAIL, created_at=datetime(2019, 2, 11, 8, 30, tzinfo=UTC),
        phone=DEMO_END_USER_PHONE, country_code="+45", external_id=DEMO_END_USER_EXTERNAL_ID,
    )
    users, conversations = generate_population(
        definitions, seed=DEMO_SEED, end_users=DEMO_END_USERS,
        conversations=DEMO_CONVERSATIONS, first=first, now=DEMO_NOW)
    users[0].values = _by_identifier(definitions, DEMO_END_USER_VALUES)
    values = _by_identifier(definitions, DEMO_CONVERSATION_VALUES)
    conversations[0] = conversation_record(
        random.Random(DEMO_SEED), DEMO_CONVERSATION_ID, first, window_start(DEMO_NOW), values,
        "da", dict(DEMO_CONVERSATION_VALUES), channel="Email", now=DEMO_NOW,
        tags=[TAGS["complaint"], TAGS["refund"]])
    return users, conversations
