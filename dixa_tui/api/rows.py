"""The definitions list without pydantic: a light row per definition, and each item's JSON.

A list shows, per definition, its id, label, identifier, type, entity and flags; the
pydantic models (``api.models``) read everything else too, a Select's whole option tree
included, and at 10,000 definitions (12 MB) take about 0.5 s to. msgspec decodes only the
fields a row shows and skips the rest without building it (13 ms for the same 12 MB), so
the list can paint before the models exist. Three decoders:

* :func:`decode_rows`: the rows, deep parts unchecked (the terminal UI paints these, and
  replaces them with the models when those are read);
* :func:`checked_rows`: the rows of a list whose every item the models are sure to read
  the same way (the whole structure, option trees and timestamps included, against rules
  stricter than the models'; anything else is left to them): the CLI's table;
* :func:`raw_items`: each item's own bytes, for the models to read in steps.

Each returns None when a page is not what it expects: the caller then reads the list the
models' way, which is the authority on what is readable and why not (``api.salvage``).

The models also read a field by its snake_case name when the camelCase one is absent
(``populate_by_name``); a row would not, so an item with such a key is left to the models
too (the ``_SNAKE`` fields below refuse any value).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from types import GenericAlias
from typing import Annotated, Any, Protocol, TypeAlias, TypeVar

import msgspec
from msgspec import UNSET, Raw, Struct, UnsetType, field

__all__ = ["CheckedRow", "DefinitionFields", "DefinitionRow", "checked_rows", "decode_rows",
           "input_kind", "next_page_key", "raw_items", "zone_stripped"]


class DefinitionFields(Protocol):
    """What a list row, the CLI's table and the filter read of a definition: a
    :class:`DefinitionRow` or a model (``api.models.CustomAttributeDefinition``)."""

    @property
    def id(self) -> str: ...
    @property
    def entity_type(self) -> str: ...
    @property
    def identifier(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def input_type(self) -> str: ...
    @property
    def is_required(self) -> bool: ...
    @property
    def is_archived(self) -> bool: ...
    @property
    def is_deactivated(self) -> bool: ...


def input_kind(kind: str | None, has_options: bool, has_placeholder: bool) -> str:
    """The input type the models give an ``inputDefinition``: its ``_type`` (``kind``; None
    when absent), else Select when it has ``options``, Text when it has a ``placeholder``,
    else Unknown."""
    if kind is not None:
        return kind or "Unknown"
    if has_options:
        return "Select"
    return "Text" if has_placeholder else "Unknown"


def zone_stripped(value: str) -> str:
    """Dixa writes timestamps like ``2023-03-14T09:12:41.118Z[GMT]``: the text without the
    zone name, as ``datetime.fromisoformat`` reads it."""
    return value[: value.index("[")] if value.endswith("]") and "[" in value else value


def _input_type(self: Any) -> str:
    """The kind of a row's ``inputDefinition`` (light or checked)."""
    return input_kind(None if self.type is UNSET else self.type,
                      self.options is not UNSET, self.placeholder is not UNSET)


class _Kind(Struct, gc=False):
    """A row's ``inputDefinition``: its ``_type``, and whether it has options or a
    placeholder (kept as raw JSON, never decoded)."""

    type: str | UnsetType = field(default=UNSET, name="_type")
    options: Raw | UnsetType = UNSET
    placeholder: Raw | UnsetType = UNSET
    snake_kind: UnsetType = field(default=UNSET, name="kind")

    @property
    def input_type(self) -> str:
        return _input_type(self)  # as the checked kind's (``_checked_kind``)


OPTION_DEPTH = 40  # option levels a checked row may have: deeper trees are the models' to read


def _option_levels(depth: int) -> Any:
    """``list[option]`` for trees of at most ``depth`` levels, as msgspec types: the models
    refuse trees past a depth of their own (pydantic's validation depth), msgspec would
    read any, so a checked row accepts only far shallower ones (Dixa's have two or three)."""
    nested: Any = Annotated[list[Any], msgspec.Meta(max_length=0)]
    for _ in range(depth):
        option = msgspec.defstruct("_Option", [
            ("id", str), ("value", str | None), ("label", str | None, ""),
            ("is_deactivated", bool, False), ("order_index", int, 0),
            ("nested_options", nested, []),
            ("snake_is_deactivated", UnsetType, field(default=UNSET, name="is_deactivated")),
            ("snake_order_index", UnsetType, field(default=UNSET, name="order_index")),
            ("snake_nested_options", UnsetType, field(default=UNSET, name="nested_options")),
        ], rename="camel", gc=False, module=__name__)
        nested = GenericAlias(list, (option,))  # list[option], built at run time
    return nested


def _checked_kind() -> Any:
    """An ``inputDefinition`` checked as the models check every input kind: options and
    placeholder whatever the ``_type`` says (the models read only the kind's own; being
    stricter is fine here). Built on first use: the list paints without it."""
    return msgspec.defstruct("_CheckedKind", [
        ("type", str | UnsetType, field(default=UNSET, name="_type")),
        ("options", _option_levels(OPTION_DEPTH) | UnsetType, UNSET),
        ("placeholder", str | UnsetType | None, UNSET),
        ("snake_kind", UnsetType, field(default=UNSET, name="kind")),
    ], gc=False, module=__name__, namespace={"input_type": property(_input_type)})


class _Row(Struct, rename="camel", gc=False):
    """What every row reads (``label`` and ``identifier`` are ``""`` where Dixa sent
    ``null``, as in the models)."""

    id: str
    entity_type: str
    identifier_: str | None = field(default="", name="identifier")
    label_: str | None = field(default="", name="label")
    is_required: bool = False
    is_archived: bool = False
    is_deactivated: bool = False
    snake_entity_type: UnsetType = field(default=UNSET, name="entity_type")
    snake_input_definition: UnsetType = field(default=UNSET, name="input_definition")
    snake_is_required: UnsetType = field(default=UNSET, name="is_required")
    snake_is_archived: UnsetType = field(default=UNSET, name="is_archived")
    snake_is_deactivated: UnsetType = field(default=UNSET, name="is_deactivated")
    snake_created_at: UnsetType = field(default=UNSET, name="created_at")
    snake_updated_at: UnsetType = field(default=UNSET, name="updated_at")

    @property
    def identifier(self) -> str:
        return self.identifier_ or ""

    @property
    def label(self) -> str:
        return self.label_ or ""


class DefinitionRow(_Row, kw_only=True):
    """One definition as a list row shows it."""

    input_definition: _Kind

    @property
    def input_type(self) -> str:
        return self.input_definition.input_type


class _Checked(_Row, kw_only=True):
    """What a checked row reads besides a row's fields (see :func:`checked_rows`); its
    ``input_definition``'s type is made at first use (``_checked_types``)."""

    input_definition: Any
    description: str | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def input_type(self) -> str:
        return str(self.input_definition.input_type)


@cache
def _checked_types() -> tuple[Any, msgspec.json.Decoder[Any]]:
    """The checked row type (``_Checked`` with its ``inputDefinition``), and the decoder of
    a page of them: built on first use."""
    row = msgspec.defstruct("CheckedRow", [("input_definition", _checked_kind())],
                            bases=(_Checked,), kw_only=True, module=__name__)
    page = msgspec.defstruct("_CheckedPage", [("data", GenericAlias(list, (row,)), [])],
                             gc=False, module=__name__)
    return row, msgspec.json.Decoder(page)


CheckedRow: TypeAlias = _Checked  # a row of checked_rows (its class is built at first use)


class _Meta(Struct, gc=False):
    next: str | None = None


class _Envelope(Struct, gc=False):
    meta: _Meta | None = None


class _RowsPage(Struct, gc=False):
    data: list[DefinitionRow] = []
    meta: _Meta | None = None


class _RawPage(Struct, gc=False):
    data: list[Raw] = []


_envelope: msgspec.json.Decoder[_Envelope] = msgspec.json.Decoder(_Envelope)
_rows: msgspec.json.Decoder[_RowsPage] = msgspec.json.Decoder(_RowsPage)
_raw: msgspec.json.Decoder[_RawPage] = msgspec.json.Decoder(_RawPage)
P = TypeVar("P")


def next_page_key(body: bytes) -> str | None:
    """``meta.next`` of a page of Dixa's list format (None on the last page). Raises
    ``ValueError`` when ``body`` is not such a page (the models then say why)."""
    meta = _envelope.decode(body).meta
    return meta.next if meta is not None else None


def rows_and_next_key(body: bytes) -> tuple[list[DefinitionRow], str | None] | None:
    """A page's rows and its ``meta.next`` in one reading (``next_page_key`` and
    :func:`decode_rows` read it once each); None when an item is not even a row."""
    try:
        page = _rows.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return None
    return page.data, page.meta.next if page.meta is not None else None


def row_fields(rows: Iterable[DefinitionRow]) -> list[tuple[str, str, str, str, str, bool, bool,
                                                           bool]]:
    """Each row's list fields (id, entity type, identifier, label, input type, required,
    archived, deactivated), read without the properties' calls (13 of 27 ms at 50,000)."""
    fields = []
    for row in rows:
        kind = row.input_definition
        named = kind.type
        fields.append((row.id, row.entity_type, row.identifier_ or "", row.label_ or "",
                       named if named.__class__ is str and named else kind.input_type,
                       row.is_required, row.is_archived, row.is_deactivated))
    return fields


def _pages(decoder: msgspec.json.Decoder[P], bodies: Iterable[bytes]) -> list[P] | None:
    try:
        return [decoder.decode(body) for body in bodies]
    except (msgspec.DecodeError, RecursionError):
        return None


def decode_rows(bodies: Iterable[bytes]) -> list[DefinitionRow] | None:
    """The rows of every page, in Dixa's order (repeated ids included: the caller drops
    them). None when an item is not even a row: the models then read the list."""
    pages = _pages(_rows, bodies)
    if pages is None:
        return None
    return [row for page in pages for row in page.data]


def checked_rows(bodies: Iterable[bytes]) -> list[CheckedRow] | None:
    """The rows of a list the models would read whole and alike (repeated ids included),
    or None: then only the models can say what is readable."""
    pages = _pages(_checked_types()[1], bodies)
    if pages is None:
        return None
    rows = [row for page in pages for row in page.data]
    if not all(_stamps_read(row) for row in rows):
        return None
    return rows


def raw_items(bodies: Iterable[bytes]) -> list[bytes] | None:
    """Each item of every page as the bytes Dixa sent, or None when a page is not a list."""
    pages = _pages(_raw, bodies)
    if pages is None:
        return None
    return [bytes(item) for page in pages for item in page.data]


def _stamps_read(row: _Checked) -> bool:
    """The timestamps are ones ``datetime.fromisoformat`` reads (the models read those
    alike; other texts only pydantic's parser can judge)."""
    for stamp in (row.created_at, row.updated_at):
        if stamp is None:
            continue
        try:
            datetime.fromisoformat(zone_stripped(stamp))
        except ValueError:
            return False
    return True
