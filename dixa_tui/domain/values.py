"""A target's values as a person (or a script) reads them: every attribute of its entity type.

Dixa's read of an end user or a conversation lists only the attributes that hold a value; an
admin checking a record (``dixa-tui get``) needs the empty ones too, to see what is missing
and to know the identifiers to ``--set``. So the listing here is driven by the definitions,
not by the read: each definition of the entity type once, in Dixa's order, set or empty, then
any value Dixa holds under an id no definition has (a definition deleted since), so nothing
the target holds is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dixa_tui.api.models import CustomAttributeDefinition, SelectInput
from dixa_tui.domain.compare import is_empty
from dixa_tui.domain.options import match_path
from dixa_tui.domain.patch import format_value


@dataclass(frozen=True)
class AttributeValue:
    """One attribute of a target. ``value`` is exactly as a PATCH body writes it (a string,
    a list of option values, or None); ``path`` is the ``--set`` form of a Select's value
    (option values joined by ``/``, "" when empty or not a Select); ``labels`` the option
    labels of that path; ``text`` the value as the TUI shows it. ``known`` is False for a
    value held under an id that no definition has."""

    definition_id: str
    identifier: str
    label: str
    input_type: str
    value: Any
    path: str
    labels: tuple[str, ...]
    text: str
    archived: bool = False
    deactivated: bool = False
    known: bool = True

    @property
    def is_set(self) -> bool:
        return not is_empty(self.value)

    def to_json(self) -> dict[str, Any]:
        """For ``get --json``: these names are a promise to scripts."""
        return {"id": self.definition_id, "identifier": self.identifier, "label": self.label,
                "input_type": self.input_type, "set": self.is_set, "value": self.value,
                "path": list(self.value) if isinstance(self.value, list) else None,
                "labels": list(self.labels) if isinstance(self.value, list) else None,
                "text": self.text if self.is_set else None, "archived": self.archived,
                "deactivated": self.deactivated, "known": self.known}


def _labels(definition: CustomAttributeDefinition, value: Any) -> tuple[str, ...]:
    spec = definition.input_definition
    if not isinstance(value, list) or not isinstance(spec, SelectInput):
        return ()
    match = match_path(spec.options, [str(v) for v in value])
    found = [o.label for o in match.matched]
    return tuple(found + [str(v) for v in value[len(found):]])


def attribute_values(definitions: Iterable[CustomAttributeDefinition], entity_type: str,
                     values: Mapping[str, Any]) -> list[AttributeValue]:
    """Every definition of ``entity_type`` with its value in ``values`` (definition id ->
    value, as read), in the definitions' order; then values under unknown ids."""
    rows: list[AttributeValue] = []
    seen: set[str] = set()
    for d in definitions:
        if d.entity_type != entity_type:
            continue
        seen.add(d.id)
        value = values.get(d.id)
        rows.append(AttributeValue(
            definition_id=d.id, identifier=d.identifier, label=d.label,
            input_type=d.input_type, value=value,
            path="/".join(str(v) for v in value) if isinstance(value, list) else "",
            labels=_labels(d, value), text=format_value(d, value), archived=d.is_archived,
            deactivated=d.is_deactivated))
    for key, value in values.items():
        if key in seen:
            continue
        rows.append(AttributeValue(
            definition_id=key, identifier="", label="", input_type="(no definition)",
            value=value,
            path="/".join(str(v) for v in value) if isinstance(value, list) else "",
            labels=(), text=format_value(None, value), known=False))
    return rows


def body_value_text(value: Any) -> str:
    """A value as a PATCH body holds it, readable without the definitions (the journal's
    history is read offline): a Select path joined by ``/`` (the form ``--set`` takes),
    ``(empty)`` for no value, a Text as it is."""
    if is_empty(value):
        return "(empty)"
    if isinstance(value, list):
        return "/".join(str(v) for v in value)
    return str(value)
