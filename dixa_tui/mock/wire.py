"""Records -> Dixa's JSON, including the quirks a client must cope with.

Definitions carry timestamps in Dixa's ``2023-03-14T09:12:41.118Z[GMT]`` style and end users
and conversations plain ISO ``...Z``, as Dixa's examples show; the models' ``to_dixa()``
writes both.
``customAttributes`` appear only where Dixa sends them: on a single end user or conversation,
never in lists.
"""

from __future__ import annotations

from typing import Any

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.mock.state import ConversationRecord, EndUserRecord, MockState


def definition_json(definition: CustomAttributeDefinition) -> dict[str, Any]:
    return definition.to_dixa()


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
