"""Plain-text views for the headless CLI: stable columns for scripts, readable for people.

Every untrusted string goes through ``text.clean`` so a label cannot move the cursor, change
colours or fake extra lines. The models and the domain rules are imported by the views that
need them: ``definitions list`` prints its table from light rows (``api.rows``), without
pydantic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, set_cell_size

from dixa_tui.api.salvage import SkippedDefinition, skipped_lines
from dixa_tui.domain.options import walk
from dixa_tui.text import clean, plural

if TYPE_CHECKING:
    from dixa_tui.api.models import CustomAttribute, CustomAttributeDefinition, SelectInput
    from dixa_tui.api.rows import DefinitionFields
    from dixa_tui.domain.patch import DefinitionIndex, DiffRow, Problem

MAX_CELL = 48


def flags(definition: DefinitionFields) -> str:
    names = [name for name, on in (("required", definition.is_required),
                                   ("archived", definition.is_archived),
                                   ("deactivated", definition.is_deactivated)) if on]
    return ",".join(names) or "-"


def _cell(value: object, width: int = MAX_CELL) -> str:
    """Cleaned, and cut to ``width`` terminal cells (wide CJK and emoji take two)."""
    text = clean(value)
    return text if cell_len(text) <= width else set_cell_size(text, width - 1) + "…"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces; the last column is not padded.

    Widths are terminal cells, not characters, so wide and zero-width characters keep the
    columns aligned."""
    cells = [list(headers), *([_cell(c) for c in row] for row in rows)]
    widths = [max(cell_len(r[i]) for r in cells) for i in range(len(headers) - 1)]
    lines = []
    for row in cells:
        padded = [c + " " * (w - cell_len(c)) for c, w in zip(row, widths, strict=False)]
        lines.append("  ".join([*padded, row[-1]]).rstrip())
    return "\n".join(lines)


def definitions_table(definitions: Sequence[DefinitionFields]) -> str:
    """An empty cell is named, as in the terminal UI, so no column reads as missing."""
    rows = [(d.identifier or "(none)", d.label or "(no label)", d.input_type or "(none)",
             d.entity_type or "(none)", flags(d), d.id) for d in definitions]
    return table(("IDENTIFIER", "LABEL", "TYPE", "ENTITY", "FLAGS", "ID"), rows)


def definition_detail(d: CustomAttributeDefinition) -> str:
    from dixa_tui.api.models import SelectInput, TextInput

    fields = [
        ("Label", d.label), ("Identifier", d.identifier), ("Id", d.id),
        ("Entity type", d.entity_type), ("Input type", d.input_type),
        ("Required", _yes(d.is_required)), ("Archived", _yes(d.is_archived)),
        ("Deactivated", _yes(d.is_deactivated)),
        ("Description", d.description if d.description else "(none)"),
        ("Created", _when(d.created_at)), ("Updated", _when(d.updated_at)),
    ]
    spec = d.input_definition
    if isinstance(spec, TextInput):
        fields.append(("Placeholder", spec.placeholder or "(none)"))
    elif not d.is_editable_type:
        fields.append(("Note", "this input type is unknown to dixa-tui: shown, not editable"))
    width = max(len(k) for k, _ in fields)
    lines = [f"{k.ljust(width)}  {clean(v)}" for k, v in fields]
    if isinstance(spec, SelectInput):
        lines.append("")
        lines.append(option_tree(spec))
    return "\n".join(lines)


def option_tree(spec: SelectInput) -> str:
    paths = list(walk(spec.options))
    if not paths:
        return "Options: (none)"
    top = sum(1 for p in paths if len(p) == 1)
    lines = [f"Options: {len(paths)} in all, {top} at the top level "
             "(label  [value]; a Select value is the path of values, e.g. a/b)"]
    for path in paths:
        option = path[-1]
        mark = "  (deactivated)" if option.is_deactivated else ""
        n = len(option.nested_options)
        kids = f"  ({plural(n, 'sub-option')})" if n else ""
        lines.append(f"{'  ' * len(path)}{clean(option.label)}  [{clean(option.value)}]"
                     f"{kids}{mark}")
    return "\n".join(lines)


def problems_text(problems: Iterable[Problem]) -> str:
    """One line per problem, ``Error: ...`` or ``Warning: ...``: the prefix every message of
    the CLI uses."""
    return "\n".join(f"{p.severity.capitalize()}: {clean(p)}" for p in problems)


def skipped_text(skipped: Sequence[SkippedDefinition], limit: int = 5) -> str:
    """The warning for definitions that could not be read (for stderr), one clean line each."""
    lines = skipped_lines(skipped, limit)
    return "\n".join(clean(line) for line in ["Warning: " + lines[0], *lines[1:]])


def diff_table(rows: Sequence[DiffRow]) -> str:
    body = [(r.identifier, r.before_text, "->", r.after_text, "" if r.changed else "(no change)")
            for r in rows]
    return table(("ATTRIBUTE", "BEFORE", "", "AFTER", ""), body)


def result_table(index: DefinitionIndex, attributes: Sequence[CustomAttribute]) -> str:
    from dixa_tui.domain.patch import format_value

    rows = [(a.identifier, format_value(index.by_id.get(a.id), a.value)) for a in attributes]
    return table(("ATTRIBUTE", "VALUE NOW"), rows)


def to_json(value: Any) -> str:
    """Readable JSON (non-ASCII kept) that is still safe to print to a terminal."""
    from dixa_tui.jsontext import for_terminal

    return for_terminal(json.dumps(value, indent=2, ensure_ascii=False))


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _when(value: object) -> str:
    if value is None:
        return "(never)"
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if hasattr(value, "strftime") else str(value)
