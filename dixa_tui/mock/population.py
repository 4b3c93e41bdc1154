"""Generated end users and conversations, with attribute values that Dixa would accept.

Everything comes from one ``random.Random(seed)``, so a seed always gives the same people,
ids and values. Values are set only for active definitions and only to active leaf options,
and each one is checked with ``domain.patch.check_value`` as it is made: the mock's data can
never contain something its own PATCH would refuse. Text values look like what a webshop's
agents type (order numbers, tracking numbers, notes); Text definitions this module does not
know (from an org file) get a neutral ``<label> #1234``, the label cleaned of control
characters.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from dixa_tui.api.models import (
    AttributeValue,
    Conversation,
    CustomAttributeDefinition,
    EndUser,
    SelectInput,
    TextInput,
)
from dixa_tui.domain.options import path_values, walk
from dixa_tui.domain.patch import check_value
from dixa_tui.mock.catalog import NAMESPACE
from dixa_tui.mock.people import (
    COMPANIES,
    NOTES,
    SKUS,
    Person,
    make_people,
    subject_for,
)
from dixa_tui.mock.records import ConversationRecord, EndUserRecord
from dixa_tui.text import clean

SUPPORT_EMAIL = "support@trailhead-outfitters.example"
SUPPORT_NUMBER = "+4570201234"
FIRST_CONVERSATION_ID = 10001
# Conversations are spread over the WINDOW before the organization's clock. Each creation
# time is drawn from DRAW_SPAN and scaled into the window: the draw is the one the
# population has always made, so a seed keeps giving the same people and values.
WINDOW = timedelta(days=90)
DRAW_SPAN = timedelta(days=700)
AGENTS = [str(uuid.uuid5(NAMESPACE, f"agent/{n}")) for n in range(6)]
QUEUES = [str(uuid.uuid5(NAMESPACE, f"queue/{n}")) for n in range(3)]
# (name, share of conversations carrying it); ids are uuid5 like every id of the mock.
TAG_NAMES = [("vip", 0.08), ("refund", 0.15), ("complaint", 0.12), ("follow-up", 0.2),
             ("warranty", 0.07), ("wholesale", 0.04)]
TAGS = {name: str(uuid.uuid5(NAMESPACE, f"tag/{name}")) for name, _ in TAG_NAMES}

# (channel, _type, weight, needs a phone number)
CHANNELS = [
    ("Email", "EmailConversation", 34, False),
    ("WidgetChat", "ChatConversation", 26, False),
    ("PstnPhone", "PstnPhoneConversation", 14, True),
    ("ContactForm", "ContactFormConversation", 8, False),
    ("Sms", "SmsConversation", 7, True),
    ("WhatsApp", "WhatsAppConversation", 7, True),
    ("FacebookMessenger", "FacebookMessengerConversation", 4, False),
]
STATES = [("Closed", 62), ("Open", 14), ("Pending", 14), ("AwaitingPending", 10)]
LANGUAGE_CODES = {"english": "en", "danish": "da", "swedish": "sv", "norwegian": "no",
                  "german": "de", "finnish": "fi"}

# How often an attribute has a value; required ones 0.9, others DEFAULT_SHARE.
SHARES = {
    "contact_reason": 0.85, "order_number": 0.6, "product_category": 0.7, "sentiment": 0.5,
    "tracking_number": 0.3, "carrier": 0.3, "resolution": 0.45, "customer_tier": 0.6,
    "loyalty_id": 0.5, "preferred_language": 0.9, "marketing_consent": 0.6,
    "customer_segment": 0.55, "favorite_activity": 0.4, "home_store": 0.4,
}
DEFAULT_SHARE = 0.2
BUSINESS_ONLY = {"company_name", "vat_number", "account_manager"}

TextMaker = Callable[[random.Random, Person], str]
TEXT_MAKERS: dict[str, TextMaker] = {
    "order_number": lambda r, p: f"100-{r.randint(1000, 9999)}",
    "loyalty_id": lambda r, p: f"LOY-{r.randint(100000, 999999)}",
    "tracking_number": lambda r, p: "00370726" + "".join(r.choices("0123456789", k=12)),
    "rma_number": lambda r, p: f"RMA-{r.randint(0, 999999):06d}",
    "warranty_claim_id": lambda r, p: f"WAR-{r.randint(0, 99999):05d}",
    "sku": lambda r, p: r.choice(SKUS),
    "handover_notes": lambda r, p: r.choice(NOTES),
    "agent_note": lambda r, p: r.choice(NOTES),
    "damage_photos": lambda r, p: f"https://photos.example.com/{r.getrandbits(40):010x}",
    "repair_ticket": lambda r, p: f"REP-{r.randint(0, 9999):04d}",
    "company_name": lambda r, p: r.choice(COMPANIES),
    "vat_number": lambda r, p: {"+45": "DK", "+46": "SE", "+47": "NO"}.get(
        p.country_code, "DK") + "".join(r.choices("0123456789", k=8)),
    "birthday": lambda r, p: (datetime(1955, 1, 1) + timedelta(days=r.randrange(17000))
                              ).strftime("%Y-%m-%d"),
    "account_manager": lambda r, p: r.choice(["Mikkel Holm", "Sara Lund", "Jonas Berg"]),
    "customer_since": lambda r, p: str(p.created_at.year),
}


def _leaf_paths(definition: CustomAttributeDefinition) -> list[list[str]]:
    """Every path to a leaf whose options are all active: the values an agent can pick (and
    none through a value two options of a level share, which no one could pick knowingly)."""
    assert isinstance(definition.input_definition, SelectInput)
    paths = [path_values(path) for path in walk(definition.input_definition.options)
             if not path[-1].nested_options and not any(o.is_deactivated for o in path)]
    return [p for p in paths if not check_value(definition, p)]


Leaves = dict[str, list[list[str]]]  # definition id -> its leaf paths, made once per run


def _make_value(definition: CustomAttributeDefinition, rng: random.Random,
                person: Person, leaves: Leaves) -> AttributeValue | None:
    spec = definition.input_definition
    value: AttributeValue | None = None
    if isinstance(spec, SelectInput):
        paths = leaves.get(definition.id)
        if paths is None:
            paths = leaves[definition.id] = _leaf_paths(definition)
        value = rng.choice(paths) if paths else None
    elif isinstance(spec, TextInput):
        maker = TEXT_MAKERS.get(definition.identifier)
        # A label may hold control characters (someone else's org file): the value must not
        value = maker(rng, person) if maker else \
            f"{clean(definition.label)} #{rng.randint(100, 9999)}"
    problems = check_value(definition, value) if value is not None else []
    if problems:
        raise RuntimeError("generated an invalid demo value: "
                           + "; ".join(str(p) for p in problems))
    return value


def _settable(definitions: Sequence[CustomAttributeDefinition], entity: str,
              ) -> list[CustomAttributeDefinition]:
    return [d for d in definitions if d.entity_type == entity and not d.is_archived
            and not d.is_deactivated and d.is_editable_type]


def make_values(definitions: Sequence[CustomAttributeDefinition], rng: random.Random,
                person: Person, leaves: Leaves | None = None) -> dict[str, AttributeValue]:
    """Values for one end user or conversation (``definitions`` of one entity type);
    ``leaves`` keeps each Select's leaf paths between calls (5,000 conversations would
    otherwise walk every option tree 5,000 times)."""
    leaves = {} if leaves is None else leaves
    values: dict[str, AttributeValue] = {}
    by_identifier: dict[str, AttributeValue] = {}
    for d in definitions:
        share = 0.9 if d.is_required else SHARES.get(d.identifier, DEFAULT_SHARE)
        if d.identifier in BUSINESS_ONLY:
            segment = by_identifier.get("customer_segment")
            share = 0.8 if isinstance(segment, list) and segment[0] == "business" else 0.0
        if rng.random() >= share:
            continue
        value = _make_value(d, rng, person, leaves)
        if value is not None:
            values[d.id] = value
            by_identifier[d.identifier] = value
    return values


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def end_user_record(person: Person, values: dict[str, AttributeValue]) -> EndUserRecord:
    payload: dict[str, Any] = {
        "id": person.id, "createdAt": _iso(person.created_at),
        "displayName": person.display_name, "email": person.email,
        "additionalEmails": person.additional_emails,
        "additionalPhoneNumbers": person.additional_phones,
        "firstName": person.first_name, "lastName": person.last_name,
        "middleNames": person.middle_names,
    }
    for key, value in (("phoneNumber", person.phone), ("externalId", person.external_id),
                       ("avatarUrl", person.avatar_url)):
        if value is not None:
            payload[key] = value
    return EndUserRecord(EndUser.model_validate(payload), values)


def draw_tags(rng: random.Random) -> list[str]:
    """Tag ids for one conversation, each tag with its own share."""
    return [TAGS[name] for name, share in TAG_NAMES if rng.random() < share]


def conversation_record(
    rng: random.Random, conversation_id: int, person: Person, created: datetime,
    values: dict[str, AttributeValue], language: str,
    by_identifier: dict[str, AttributeValue], channel: str | None = None, *,
    now: datetime, tags: list[str] | None = None,
) -> ConversationRecord:
    """A conversation in Dixa's shape for its channel (email ones carry addresses and a
    subject, SMS ones numbers), with an assignment and queue like Dixa's example. Nothing
    happens after ``now``: a later queue, assignment or state change is moved back to it.
    A closed conversation's ``stateUpdatedAt`` is when it was closed."""
    usable = [c for c in CHANNELS if (person.phone or not c[3])
              and channel in (None, c[0])]
    channel, kind, _, _ = rng.choices(usable, weights=[c[2] for c in usable])[0]
    state = rng.choices([s for s, _ in STATES], weights=[w for _, w in STATES])[0]
    queued = min(now, created + timedelta(seconds=rng.randint(5, 300)))
    payload: dict[str, Any] = {
        "id": conversation_id, "requesterId": person.id, "channel": channel,
        "createdAt": _iso(created), "direction": "Outbound" if rng.random() < 0.08
        else "Inbound", "state": state,
        "stateUpdatedAt": _iso(min(now, created + timedelta(minutes=rng.randint(1, 4000)))),
        "queue": {"id": rng.choice(QUEUES), "queuedAt": _iso(queued)},
        "_type": kind,
    }
    if state != "Open" or rng.random() < 0.5:
        payload["assignment"] = {"agentId": rng.choice(AGENTS), "assignedAt": _iso(
            min(now, queued + timedelta(seconds=rng.randint(10, 3600))))}
    if channel in ("Email", "ContactForm"):
        payload |= {"fromEmail": person.email, "toEmail": SUPPORT_EMAIL,
                    "integrationEmail": SUPPORT_EMAIL,
                    "subject": subject_for(rng, by_identifier)}
    if channel == "Sms":
        payload |= {"fromNumber": person.phone, "toNumber": SUPPORT_NUMBER}
    if channel in ("Email", "ContactForm", "WidgetChat"):
        payload["language"] = language
    return ConversationRecord(Conversation.model_validate(payload), values, list(tags or []))


_MOMENTS = (("createdAt",), ("stateUpdatedAt",), ("queue", "queuedAt"),
            ("assignment", "assignedAt"))


def shifted(record: ConversationRecord, delta: timedelta) -> ConversationRecord:
    """``record`` with every moment of its conversation ``delta`` later (values and tags
    copied): the demo is made once for a fixed clock and moved to each state's own."""
    values = {k: list(v) if isinstance(v, list) else v for k, v in record.values.items()}
    if not delta:
        return ConversationRecord(record.conversation, values, list(record.tags))
    payload = record.conversation.to_dixa()
    for path in _MOMENTS:
        holder: Any = payload
        for key in path[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and isinstance(holder.get(path[-1]), str):
            moment = datetime.fromisoformat(holder[path[-1]])
            holder[path[-1]] = _iso(moment + delta)
    return ConversationRecord(Conversation.model_validate(payload), values, list(record.tags))


def _language(values: dict[str, AttributeValue],
              definitions: Sequence[CustomAttributeDefinition]) -> str:
    for d in definitions:
        value = values.get(d.id)
        if d.identifier == "preferred_language" and isinstance(value, list):
            return LANGUAGE_CODES.get(value[-1], "en")
    return "en"


def generate_population(
    definitions: Sequence[CustomAttributeDefinition],
    *,
    seed: int,
    end_users: int,
    conversations: int,
    first: Person | None = None,
    now: datetime,
) -> tuple[list[EndUserRecord], list[ConversationRecord]]:
    """``end_users`` people (``first`` leading, if given) and ``conversations``
    conversations (ids from 10001, in time order over the ``WINDOW`` before ``now``), spread
    unevenly over the people the way real requesters are; the first person is among the
    most frequent. Tags come from a second random stream, so adding them changed no value."""
    rng = random.Random(seed)
    tag_rng = random.Random(f"{seed}/tags")
    contact_defs = _settable(definitions, "Contact")
    conversation_defs = _settable(definitions, "Conversation")
    if first is not None and end_users > 0:
        people = [first, *make_people(rng, end_users - 1, {first.email}, first_number=1)]
    else:
        people = make_people(rng, end_users)
    leaves: Leaves = {}
    users = [end_user_record(p, make_values(contact_defs, rng, p, leaves)) for p in people]
    if not people:
        return users, []
    weights = [1.0 / (rank + 1) ** 0.6 for rank in range(len(people))]
    rng.shuffle(weights)
    weights[0] = max(weights)
    draw, window = int(DRAW_SPAN.total_seconds()), int(WINDOW.total_seconds())
    offsets = sorted(rng.randrange(draw) for _ in range(conversations))
    start = window_start(now)
    records = []
    for n, offset in enumerate(offsets):
        index = rng.choices(range(len(people)), weights=weights)[0]
        person, user = people[index], users[index]
        values = make_values(conversation_defs, rng, person, leaves)
        by_identifier = {d.identifier: values[d.id] for d in conversation_defs if d.id in values}
        records.append(conversation_record(
            rng, FIRST_CONVERSATION_ID + n, person,
            start + timedelta(seconds=offset * window // draw), values,
            _language(user.values, contact_defs), by_identifier, now=now,
            tags=draw_tags(tag_rng)))
    return users, records


def window_start(now: datetime) -> datetime:
    """When the first conversation of an organization whose clock says ``now`` begins."""
    return now - WINDOW
