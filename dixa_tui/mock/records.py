"""The mock's records of people: Dixa's own model of an end user or a conversation
(``EndUser`` / ``Conversation`` from ``dixa_tui.api.models``, so the wire shape is written
once) next to the attribute values, which live apart in ``values``: a dict of definition id
-> value (a string for Text, a list of option values for Select).

A module of its own so that the state, the demo and the population generator all use them
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from dixa_tui.api.models import AttributeValue, Conversation, EndUser


@dataclass
class EndUserRecord:
    """An end user: Dixa's fields in ``profile``, attribute values by definition id."""

    profile: EndUser
    values: dict[str, AttributeValue] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.profile.id


@dataclass
class ConversationRecord:
    """A conversation: Dixa's fields in ``conversation`` (extra fields such as ``toEmail``
    are kept by the model), attribute values by definition id, and the ids of its tags
    (Dixa's conversation shape does not carry tags: only search filters on them)."""

    conversation: Conversation
    values: dict[str, AttributeValue] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.conversation.id

    @property
    def closed_at(self) -> datetime | None:
        """When a closed conversation was closed: its last state change (Dixa's shape has
        no separate close time)."""
        c = self.conversation
        return c.state_updated_at if c.state == "Closed" else None

    @property
    def requester_id(self) -> str | None:
        return self.conversation.requester_id


def clock(now: datetime | None = None) -> datetime:
    """An organization's clock: ``now`` (default: the real now) in UTC, to the second, as
    the mock's timestamps are."""
    moment = now if now is not None else datetime.now(UTC)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.replace(microsecond=0)


def copy_value(value: AttributeValue) -> AttributeValue:
    return list(value) if isinstance(value, list) else value


def values_of(item: EndUser | Conversation) -> dict[str, AttributeValue]:
    return {a.id: a.value for a in item.custom_attributes if a.value is not None}


def user_record(item: EndUserRecord | EndUser) -> EndUserRecord:
    return item if isinstance(item, EndUserRecord) else EndUserRecord(item, values_of(item))


def conversation_record(item: ConversationRecord | Conversation) -> ConversationRecord:
    if isinstance(item, ConversationRecord):
        return item
    return ConversationRecord(item, values_of(item))


People = tuple[dict[str, EndUserRecord], dict[int, ConversationRecord]]
