"""Records -> Dixa's JSON, including the quirks a client must cope with.

Definitions carry timestamps in Dixa's ``2023-03-14T09:12:41.118Z[GMT]`` style (what Dixa's
own examples show), so every client that talks to the mock has to parse them. End users and
conversations use plain ISO ``...Z`` timestamps, as in Dixa's examples for those objects.
``customAttributes`` appear only where Dixa sends them: on a single end user or conversation,
never in lists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.mock.state import ConversationRecord, EndUserRecord, MockState


def dixa_timestamp(moment: datetime) -> str:
    """``2023-03-14T09:12:41.118Z[GMT]``; the fraction is left out when it is zero."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    millis = moment.microsecond // 1000
    if millis:
        text += f".{millis:03d}"
    return text + "Z[GMT]"


def definition_json(definition: CustomAttributeDefinition) -> dict[str, Any]:
    payload = definition.to_dixa()
    for key, moment in (("createdAt", definition.created_at),
                        ("updatedAt", definition.updated_at)):
        if moment is not None:
            payload[key] = dixa_timestamp(moment)
    return payload


def end_user_json(
    record: EndUserRecord, state: MockState, *, with_attributes: bool
) -> dict[str, Any]:
    payload = record.profile.to_dixa()
    payload.pop("customAttributes", None)
    if with_attributes:
        payload["customAttributes"] = [a.to_dixa() for a in state.attributes(record.values)]
    return payload


def conversation_json(
    record: ConversationRecord, state: MockState, *, with_attributes: bool
) -> dict[str, Any]:
    payload = record.conversation.to_dixa()
    payload.pop("customAttributes", None)
    if with_attributes:
        payload["customAttributes"] = [a.to_dixa() for a in state.attributes(record.values)]
    return payload
