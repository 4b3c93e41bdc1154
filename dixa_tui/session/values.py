"""``get``: a target's current value for every attribute of its entity type, set or empty."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dixa_tui.domain.values import AttributeValue, attribute_values

if TYPE_CHECKING:
    from dixa_tui.domain.patch import Target
    from dixa_tui.session.core import Session
    from dixa_tui.session.targets import TargetState


@dataclass(frozen=True)
class TargetValues:
    """A target as read now, and its attributes (every definition of its entity type, then
    values under ids no definition has)."""

    state: TargetState
    attributes: list[AttributeValue]

    def to_json(self) -> dict[str, Any]:
        """For ``get --json``: ``target`` as in ``history --json``, ``name``, and
        ``attributes`` (see ``AttributeValue.to_json``)."""
        target = self.state.target
        ident: int | str = int(target.id) if target.kind == "conversation" else target.id
        return {"target": {"kind": target.kind, "id": ident}, "name": self.state.name,
                "attributes": [a.to_json() for a in self.attributes]}


async def get_values(session: Session, target: Target) -> TargetValues:
    """``target``'s value for every attribute of its entity type, set or empty, as read
    now (with the definitions the session holds, loaded if it has none)."""
    state = await session.read_target(target)
    read = session.definitions or await session.load_definitions()
    rows = attribute_values(read.definitions, state.target.entity_type, state.values)
    return TargetValues(state, rows)
