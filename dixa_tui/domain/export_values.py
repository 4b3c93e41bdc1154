"""Found conversations' values as rows: CSV for spreadsheets, records for JSON and JSONL.

The CSV is made to travel: ``conversation`` first (the target column the bulk plan reads),
then one column per requested attribute named by its identifier, holding the value as the
bulk plan and ``--where`` read it back (a Select path of option values joined by ``/``, the
form :func:`~dixa_tui.domain.options.resolve_path_text` reads; a Text value as is), and for a
Select one more column, ``<identifier> (label)``, with the path as people read it
(``Delivery > Damaged``). So a sheet can be edited in the value columns and fed to
``bulk plan``; the label columns are there to read and are told apart by their suffix
(:func:`is_label_column`). An empty cell is an empty value.

Values are written as they are: a cell that starts with ``=``, ``+``, ``-`` or ``@`` is
left unchanged (prefixing it would change the value a sheet feeds back).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from dixa_tui.api.models import (
    AttributeValue,
    Conversation,
    CustomAttributeDefinition,
    SelectInput,
)
from dixa_tui.domain.compare import is_empty
from dixa_tui.domain.options import labels_for_values
from dixa_tui.domain.patch import DefinitionIndex, Problem
from dixa_tui.domain.query import FindQuery, QueryError

TARGET_COLUMN = "conversation"
LABEL_SUFFIX = " (label)"


def name_of(definition: CustomAttributeDefinition) -> str:
    """A definition's column name: its identifier, or its id when it has none."""
    return definition.identifier or definition.id


def column_names(columns: Sequence[CustomAttributeDefinition],
                 definitions: Sequence[CustomAttributeDefinition]) -> dict[str, str]:
    """Each column's name by definition id: its identifier, or its id where the identifier
    would not read back as that attribute (missing; shared with another definition, which
    ``bulk plan`` and ``--where`` refuse as ambiguous; or shaped like a column ``bulk plan``
    skips or targets by)."""
    shared = Counter(d.identifier for d in definitions if d.identifier)
    names: dict[str, str] = {}
    for d in columns:
        ident = d.identifier
        usable = bool(ident) and shared[ident] == 1 and not is_label_column(ident) \
            and not ident.startswith("#") and ident not in (TARGET_COLUMN, "enduser")
        names[d.id] = ident if usable else d.id
    return names


def is_label_column(name: str) -> bool:
    """Whether a CSV column holds labels (to read) rather than values (to feed back)."""
    return name.endswith(LABEL_SUFFIX)


def _is_select(definition: CustomAttributeDefinition) -> bool:
    return isinstance(definition.input_definition, SelectInput)


def value_text(value: AttributeValue | None) -> str:
    """``delivery/damaged/item`` for a Select path, a Text value as is, ``""`` for none."""
    if value is None or is_empty(value):
        return ""
    return "/".join(value) if isinstance(value, list) else value


def label_text(definition: CustomAttributeDefinition, value: AttributeValue | None) -> str:
    """``Delivery > Damaged > Item`` (an unknown option shows its raw value); ``""`` for
    none; a Text value as is."""
    if value is None or is_empty(value):
        return ""
    if isinstance(value, list):
        return labels_for_values(definition.options, value)
    return value


def columns_for(
    definitions: Sequence[CustomAttributeDefinition], requested: Sequence[str] | None = None,
    query: FindQuery | None = None,
) -> list[CustomAttributeDefinition]:
    """The attributes to output: ``requested`` identifiers or ids (each occurrence may be
    a comma-separated list), checked like ``--where`` checks them; else the ones ``query``
    tests; else every conversation attribute that is not archived. Raises QueryError."""
    conversation = [d for d in definitions if d.entity_type == "Conversation"]
    if requested:
        index, similar = DefinitionIndex(definitions), DefinitionIndex(conversation)
        chosen: list[CustomAttributeDefinition] = []
        problems: list[str] = []
        for ref in (p.strip() for item in requested for p in item.split(",") if p.strip()):
            found = index.resolve(ref)
            if isinstance(found, Problem):
                close = similar.similar(ref)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                problems.append(f"--columns: no conversation attribute is named '{ref}'{hint}"
                                if found.code == "unknown-attribute"
                                else f"--columns: '{ref}': {found.message}")
            elif found.entity_type != "Conversation":
                problems.append(f"--columns: '{ref}' is a {found.entity_type} attribute, not a "
                                "conversation attribute")
            elif all(found.id != d.id for d in chosen):
                chosen.append(found)
        if problems:
            raise QueryError(problems)
        return chosen
    if query is not None and query.conditions:
        return list({c.definition.id: c.definition for c in query.conditions}.values())
    return [d for d in conversation if not d.is_archived]


def csv_header(columns: Sequence[CustomAttributeDefinition],
               names: Mapping[str, str] | None = None) -> list[str]:
    """The header row; ``names`` (:func:`column_names`) overrides :func:`name_of`."""
    header = [TARGET_COLUMN]
    for d in columns:
        name = (names or {}).get(d.id) or name_of(d)
        header.append(name)
        if _is_select(d):
            header.append(name + LABEL_SUFFIX)
    return header


def csv_row(conversation_id: int, values: Mapping[str, AttributeValue | None],
            columns: Sequence[CustomAttributeDefinition]) -> list[str]:
    """One row under :func:`csv_header` for a conversation's values (definition id ->
    value)."""
    row = [str(conversation_id)]
    for d in columns:
        value = values.get(d.id)
        row.append(value_text(value))
        if _is_select(d):
            row.append(label_text(d, value))
    return row


def record(conversation_id: int, conversation: Conversation | None,
           values: Mapping[str, AttributeValue | None],
           columns: Sequence[CustomAttributeDefinition],
           names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A JSON object for one conversation: its id, creation time, state and channel (when
    known), and per attribute (by identifier, or as ``names`` says) the value as Dixa stores
    it (``null`` when empty) and its label path."""
    out: dict[str, Any] = {TARGET_COLUMN: conversation_id}
    if conversation is not None:
        wire = conversation.to_dixa()
        for key in ("createdAt", "state", "channel"):
            if key in wire:
                out[key] = wire[key]
    named = {d.id: (names or {}).get(d.id) or name_of(d) for d in columns}
    out["values"] = {named[d.id]: (None if is_empty(v := values.get(d.id)) else v)
                     for d in columns}
    out["labels"] = {named[d.id]: label_text(d, values.get(d.id)) or None for d in columns}
    return out
