"""The definitions list's columns and cells, as text: no Textual (the list widget paints
them, and so does the frame drawn before Textual is imported: ``tui.firstframe``)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size

from dixa_tui.text import clean

if TYPE_CHECKING:
    from dixa_tui.api.rows import DefinitionFields

ENTITY_SHORT = {"Conversation": "Conv.", "Contact": "Contact"}


def flags(definition: DefinitionFields) -> str:
    """``R`` required, ``A`` archived, ``D`` deactivated; ``·`` where a flag is off."""
    return "".join(letter if on else "·" for letter, on in (
        ("R", definition.is_required), ("A", definition.is_archived),
        ("D", definition.is_deactivated)))


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int


@functools.lru_cache(maxsize=64)
def fit_columns(width: int, with_values: bool) -> tuple[Column, ...]:
    """The columns that fit ``width``, most important first; the label takes what is left."""
    wanted = [("flags", "RAD", 3), ("value", "Current value", 14), ("type", "Type", 6),
              ("entity", "Entity", 7), ("identifier", "Identifier", 16)]
    if not with_values:
        wanted = [c for c in wanted if c[0] != "value"]
    label_min, chosen, used = 12, [], 0
    for key, title, w in wanted:
        if used + w + 1 + label_min <= width:
            chosen.append(Column(key, title, w))
            used += w + 1
    label = width - used
    extra_value = 0
    if with_values and any(c.key == "value" for c in chosen) and label > 30:
        extra_value = (label - 30) // 2  # share wide terminals with the value column
        label -= extra_value
    extra_ident = 0
    if any(c.key == "identifier" for c in chosen) and label > 36:
        extra_ident = min(16, label - 36)
        label -= extra_ident
    columns = [Column("label", "Label", max(label, 1))]
    for c in chosen:
        grow = extra_value if c.key == "value" else extra_ident if c.key == "identifier" else 0
        columns.append(Column(c.key, c.title, c.width + grow))
    order = ["flags", "label", "identifier", "type", "entity", "value"]
    return tuple(sorted(columns, key=lambda c: order.index(c.key)))


def row_cells(definition: DefinitionFields, value: str | None = None) -> dict[str, str]:
    """A row's cells, cleaned (``value``: the target's, when values are shown)."""
    return {
        "flags": flags(definition),
        "label": clean(definition.label) or "(no label)",
        "identifier": clean(definition.identifier),
        "type": clean(definition.input_type),
        "entity": ENTITY_SHORT.get(definition.entity_type, clean(definition.entity_type)),
        "value": clean(value) if value is not None else "",
    }


def cell_texts(cells: Mapping[str, object], columns: Sequence[Column]) -> list[str]:
    """Each column's cell, fitted to its width (cut with ``…`` when longer)."""
    texts = []
    for column in columns:
        text = str(cells.get(column.key, ""))
        if cell_len(text) > column.width:
            text = set_cell_size(text, column.width - 1) + "…"
        texts.append(set_cell_size(text, column.width))
    return texts
