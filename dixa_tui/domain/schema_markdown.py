"""Exporting definitions as Markdown for a wiki page: a table of the definitions, then each
Select's options as a nested list.

Every label, identifier, description and option comes from someone else's organization, so
none of it may become Markdown or HTML structure: a label holding ``|`` must not split a
table cell, backticks must not open code, ``<script>`` must show as text, ``*``/``_``/``[``
must not format or link, ``- x`` or ``1. x`` must not start a list, and a line break must
not end the row. Text is made safe by :func:`md_text` (escape sequences removed and control
characters made visible as ``text.clean`` does; ASCII punctuation backslash-escaped;
``< > &`` as entities; line breaks as ``<br>``) and identifiers and values by :func:`md_code`
(a code span with a fence longer than any run of backticks inside).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from dixa_tui.api.models import CustomAttributeDefinition, TextInput
from dixa_tui.domain.options import walk
from dixa_tui.domain.schema_export import encodable, exported
from dixa_tui.text import clean, plural

_LINE_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029\x0b\x0c\x85]")
# Backslash-escaped wherever they are: they can open or close inline structure (emphasis,
# code, links, images, strikethrough, math, table cells, escapes).
_ESCAPED = frozenset("\\`*_{}[]()|~$!")
# Structure only at the start of a line (a list item's text starts one): "- x", "+ x",
# "# x", "= x", "> x" (an entity anyway) and "1. x" / "1) x".
_BLOCK_START = re.compile(r"[-+#=]|[0-9]{1,9}[.)]")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
TITLE = "Custom attributes"


def md_text(text: str) -> str:
    """``text`` as inert Markdown inline text on one line (line breaks become ``<br>``),
    safe in a table cell, a list item or a heading."""
    lines = _LINE_BREAK.split(encodable(text))
    return "<br>".join(_escape_line(clean(line)) for line in lines)


def _escape_line(line: str) -> str:
    """Leading spaces as ``&#32;``: after a list marker, five spaces start a code block."""
    stripped = line.lstrip(" ")
    out: list[str] = ["&#32;"] * (len(line) - len(stripped))
    line = stripped
    start = _BLOCK_START.match(line)
    if start:
        out.append(start.group()[:-1] + "\\" + start.group()[-1])
        line = line[start.end():]
    for ch in line:
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch in _ESCAPED:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def md_code(text: str, *, in_table: bool = False) -> str:
    """``text`` as a code span: shown exactly (control characters made visible, line breaks
    as ``⏎``). In a table a ``|`` must still be escaped (GFM splits cells before it reads
    code spans, and takes ``\\|`` back to ``|`` inside them)."""
    body = clean(encodable(text))
    if body == "":
        return "(empty)"
    if in_table:
        body = body.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith(("`", " ")) or body.endswith(("`", " ")) else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def export_markdown(definitions: Sequence[CustomAttributeDefinition], *,
                    include_archived: bool = False, title: str = TITLE) -> str:
    """A wiki page: a heading, a summary line, a table of the definitions (label,
    identifier, entity, type, flags, description), then one section per Select with its
    options as a nested list in display order (values in code, deactivated ones marked).
    ``title`` is written as text (escaped), so it may be anything."""
    chosen = exported(definitions, include_archived=include_archived)
    entities = Counter(d.entity_type for d in chosen)
    summary = ", ".join(f"{count} {md_text(entity)}" for entity, count in sorted(entities.items()))
    archived = "archived ones included" if include_archived else "archived ones left out"
    lines = [f"# {md_text(title)}", "",
             f"{plural(len(chosen), 'definition')} ({archived})"
             + (f": {summary}." if summary else "."), ""]
    if chosen:
        lines += ["| Label | Identifier | Entity | Type | Flags | Description |",
                  "|---|---|---|---|---|---|"]
        lines += [_table_row(d) for d in chosen]
        lines.append("")
    for d in chosen:
        if d.input_type != "Select":
            continue
        lines += [f"## {md_text(d.label) or '(no label)'} ({md_code(d.identifier)})", ""]
        options = list(walk(d.options))
        if not options:
            lines += ["No options.", ""]
            continue
        for path in options:
            option = path[-1]
            state = " *(deactivated)*" if option.is_deactivated else ""
            lines.append(f"{'  ' * (len(path) - 1)}- {md_text(option.label) or '(no label)'}"
                         f" {md_code(option.value)}{state}")
        lines.append("")
    return "\n".join(lines)


def _table_row(d: CustomAttributeDefinition) -> str:
    flags = [name for name, on in (("required", d.is_required), ("archived", d.is_archived),
                                   ("deactivated", d.is_deactivated)) if on]
    spec = d.input_definition
    notes = md_text(d.description or "")
    if isinstance(spec, TextInput) and spec.placeholder:
        hint = f"placeholder: {md_text(spec.placeholder)}"
        notes = f"{notes}<br>{hint}" if notes else hint
    cells = [md_text(d.label), md_code(d.identifier, in_table=True),
             md_text(d.entity_type), md_text(d.input_type),
             ", ".join(flags), notes]
    return "| " + " | ".join(cells) + " |"
