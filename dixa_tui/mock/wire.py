"""Records -> Dixa's JSON, including the quirks a client must cope with.

Definitions carry timestamps in Dixa's ``2023-03-14T09:12:41.118Z[GMT]`` style and end users
and conversations plain ISO ``...Z``, as Dixa's examples show; the models' ``to_dixa()``
writes both.
``customAttributes`` appear only where Dixa sends them: on a single end user or conversation,
never in lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dixa_tui.api.models import (
    AttributeValue,
    CustomAttributeDefinition,
    DixaModel,
    definitions_json,
)
from dixa_tui.mock.records import ConversationRecord, EndUserRecord
from dixa_tui.mock.state import MockState


def definitions_body(definitions: list[CustomAttributeDefinition]) -> bytes:
    """``{"data": [...]}`` for a whole organization, encoded by pydantic-core in one pass:
    the same bytes as ``to_dixa()`` per definition through ``json.dumps``, without building
    the dicts first (10,000 definitions: about 170 ms instead of 280 ms)."""
    return b'{"data":' + definitions_json(definitions) + b"}"


def end_user_json(
    record: EndUserRecord, state: MockState, *, with_attributes: bool
) -> dict[str, Any]:
    return _with_values(record.profile, record.values, state, with_attributes)


def conversation_json(
    record: ConversationRecord, state: MockState, *, with_attributes: bool
) -> dict[str, Any]:
    return _with_values(record.conversation, record.values, state, with_attributes)


def _with_values(
    model: DixaModel, values: Mapping[str, AttributeValue], state: MockState,
    with_attributes: bool,
) -> dict[str, Any]:
    payload = model.to_dixa()
    payload.pop("customAttributes", None)
    if with_attributes:
        payload["customAttributes"] = [a.to_dixa() for a in state.attributes(values)]
    return payload
