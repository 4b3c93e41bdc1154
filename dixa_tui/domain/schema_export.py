"""Exporting an organization's definitions: a JSON snapshot in Dixa's own shape, and CSV.

**JSON** (:func:`export_json`) is ``{"data": [...]}`` as ``GET /custom-attributes``
answers, written by :func:`snapshot_bytes`. The embedded mock serves an org file's
listing with that same function, so ``mock serve --org FILE`` of an export answers exactly
the file's bytes (a test holds both sides to it). The rule that makes this hold is that
``snapshot_bytes(json.loads(snapshot_bytes(x))) == snapshot_bytes(x)`` for anything JSON
can hold: compact separators, no trailing newline, key order as given, UTF-8 as is; the
two things plain ``json.dumps`` cannot write in that form are made writable instead of
failing (a number that is not finite becomes ``null``; text holding a lone surrogate, which
JSON's ``\\ud800`` escapes can produce but UTF-8 cannot encode, makes the whole document
ASCII with ``\\u`` escapes). Items are exported as Dixa sent them when the caller has them
(``DefinitionsRead.as_sent``), else as the models dump them.

**CSV** (:func:`export_csv`) has one row per definition and one per option, with the
columns of :data:`CSV_COLUMNS` (documented there and in the README). Text is kept as it is
(line breaks inside quoted fields), except that a cell a spreadsheet would run as a formula
gets a leading ``'`` (``formula_guard``), and a lone surrogate becomes U+FFFD.

Archived definitions are left out unless ``include_archived``. Markdown is in
``schema_markdown``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

from dixa_tui.api.models import CustomAttributeDefinition, TextInput
from dixa_tui.domain.options import PATH_SEPARATOR, walk

# The CSV columns, in order, with what each holds (the README's table is made from this).
# Definition columns (``definition_id`` .. ``input_type``) are filled on every row, so option
# rows can be filtered by attribute; flags, description and placeholder only on definition
# rows; the ``option_*`` columns, ``order_index`` and ``depth`` only on option rows.
CSV_COLUMN_NOTES: dict[str, str] = {
    "kind": "`definition` or `option`",
    "definition_id": "Dixa's id of the definition (ids differ between organizations)",
    "identifier": "the definition's identifier",
    "label": "the definition's label",
    "entity_type": "`Contact` or `Conversation`",
    "input_type": "`Text`, `Select`, or an input type Dixa added since",
    "is_required": "`true` / `false` (definition rows only)",
    "is_archived": "`true` / `false` (definition rows only)",
    "is_deactivated": "`true` / `false` (definition rows only)",
    "description": "the definition's description (definition rows only)",
    "placeholder": "a Text attribute's placeholder (definition rows only)",
    "option_id": "Dixa's id of the option (option rows only)",
    "option_value": "the option's value",
    "option_label": "the option's label",
    "option_value_path": 'the values from the top level down as a JSON list, e.g. '
                         '`["delivery","damaged"]`: what Dixa stores',
    "option_label_path": "the labels from the top level down, joined by ` > `",
    "option_is_deactivated": "`true` / `false`",
    "order_index": "the option's `orderIndex` as Dixa sent it",
    "depth": "1 for a top-level option, 2 for its sub-options, and so on",
}
CSV_COLUMNS: tuple[str, ...] = tuple(CSV_COLUMN_NOTES)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def exported(definitions: Sequence[CustomAttributeDefinition], *,
             include_archived: bool = False) -> list[CustomAttributeDefinition]:
    """The definitions an export holds, in Dixa's order."""
    return [d for d in definitions if include_archived or not d.is_archived]


# -- JSON ---------------------------------------------------------------------------------


def snapshot_items(definitions: Sequence[CustomAttributeDefinition],
                   as_sent: Sequence[Any] | None = None, *,
                   include_archived: bool = False) -> list[Any]:
    """The ``data`` of a snapshot: each definition as Dixa sent it (``as_sent[i]`` for
    ``definitions[i]``) or, without ``as_sent``, as its model dumps it."""
    if as_sent is not None and len(as_sent) != len(definitions):
        raise ValueError(f"as_sent has {len(as_sent)} items for {len(definitions)} "
                         "definitions: they must be aligned (DefinitionsRead.as_sent)")
    items: list[Any] = []
    for i, definition in enumerate(definitions):
        if include_archived or not definition.is_archived:
            items.append(as_sent[i] if as_sent is not None else definition.to_dixa())
    return items


def snapshot_bytes(items: Sequence[Any]) -> bytes:
    """``{"data": items}`` as the export writes it and the mock serves an org file's list.

    The same bytes as Starlette's ``JSONResponse`` for ordinary data; see the module's
    docstring for the two cases it writes differently instead of failing."""
    document = {"data": list(items)}
    try:
        text = _dumps(document, ascii_only=False)
    except ValueError:  # a NaN or an infinity somewhere (Python's json reads them)
        document = _finite(document)
        text = _dumps(document, ascii_only=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: only \u escapes can carry it
        return _dumps(document, ascii_only=True).encode("ascii")


def export_json(definitions: Sequence[CustomAttributeDefinition],
                as_sent: Sequence[Any] | None = None, *,
                include_archived: bool = False) -> bytes:
    """A snapshot of ``definitions`` in Dixa's shape (``{"data": [...]}``), ready to write
    to a file as it is (no trailing newline: the bytes are what the mock serves back)."""
    return snapshot_bytes(snapshot_items(definitions, as_sent,
                                         include_archived=include_archived))


def _dumps(document: Any, *, ascii_only: bool) -> str:
    return json.dumps(document, ensure_ascii=ascii_only, allow_nan=False, indent=None,
                      separators=(",", ":"))


def _finite(document: Any) -> Any:
    """``document`` with every float that is not finite replaced by None (iterative: a
    hostile document may nest deeper than Python's recursion limit)."""
    root: list[Any] = [document]
    stack: list[list[Any] | dict[str, Any]] = [root]
    while stack:
        container = stack.pop()
        if isinstance(container, list):
            for i, value in enumerate(container):
                container[i] = _finite_one(value, stack)
        else:
            for key, value in container.items():
                container[key] = _finite_one(value, stack)
    return root[0]


def _finite_one(value: Any, stack: list[list[Any] | dict[str, Any]]) -> Any:
    """``value`` made finite (a container: a copy, queued to be made finite in turn)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        items = list(value)
        stack.append(items)
        return items
    if isinstance(value, dict):
        fields = dict(value)
        stack.append(fields)
        return fields
    return value


# -- CSV ----------------------------------------------------------------------------------


def export_csv(definitions: Sequence[CustomAttributeDefinition], *,
               include_archived: bool = False, formula_guard: bool = True) -> str:
    """One row per definition followed by one per option of it (in display order), under
    the header :data:`CSV_COLUMNS`; lines end with ``\\n`` (write the text with
    ``newline=""``). ``formula_guard`` prefixes ``'`` to a cell starting with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return, which spreadsheets would otherwise run."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)

    def row(cells: dict[str, str]) -> None:
        writer.writerow([_cell(cells.get(c, ""), formula_guard) for c in CSV_COLUMNS])

    for d in exported(definitions, include_archived=include_archived):
        base = {"definition_id": d.id, "identifier": d.identifier, "label": d.label,
                "entity_type": d.entity_type, "input_type": d.input_type}
        spec = d.input_definition
        placeholder = spec.placeholder if isinstance(spec, TextInput) else None
        row(base | {"kind": "definition", "is_required": _flag(d.is_required),
                    "is_archived": _flag(d.is_archived),
                    "is_deactivated": _flag(d.is_deactivated),
                    "description": d.description or "", "placeholder": placeholder or ""})
        for path in walk(d.options):
            option = path[-1]
            row(base | {
                "kind": "option", "option_id": option.id, "option_value": option.value,
                "option_label": option.label,
                "option_value_path": json.dumps([o.value for o in path], ensure_ascii=False,
                                                separators=(",", ":")),
                "option_label_path": PATH_SEPARATOR.join(o.label for o in path),
                "option_is_deactivated": _flag(option.is_deactivated),
                "order_index": str(option.order_index), "depth": str(len(path))})
    return buffer.getvalue()


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _cell(text: str, formula_guard: bool) -> str:
    text = encodable(text)
    if formula_guard and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def encodable(text: str) -> str:
    """``text`` with each lone surrogate (which UTF-8 cannot encode) as U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text
