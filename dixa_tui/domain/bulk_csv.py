"""Bulk input as CSV: a header row, one target column, one column per attribute.

Read with Python's ``csv`` module in strict mode, which reads Excel's quoting (doubled
quotes, commas and line breaks inside quoted cells). Lines are split on ``\\n`` only, so a
record's line number is the physical line where it starts, however many line breaks its
quoted cells hold, and a stray ``\\r`` inside a line is reported rather than taken as a
line break that would shift every cell after it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

from dixa_tui.api.models import CustomAttributeDefinition, SelectInput
from dixa_tui.domain.bulk_rows import (
    CLEAR_CELL,
    TARGET_KINDS,
    BulkColumn,
    BulkRow,
    ReadValue,
    RowProblem,
    duplicate_problem,
    read_json_path,
    read_target,
    read_text_value,
    resolve_column,
)
from dixa_tui.domain.options import TRAILING_CR_HINT
from dixa_tui.domain.patch import DefinitionIndex, Problem, StagedEdit, TargetKind
from dixa_tui.text import plural

SPREADSHEET_ERRORS = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?",
                                "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA", "#ERROR!"})
"""What Excel, LibreOffice and Google Sheets write for a failed formula: never a value."""
READING_PREFIX = "#"
READING_SUFFIX = " (label)"
FIELD_LIMIT = csv.field_size_limit()
_LOOKS_LIKE_TARGET = re.compile(r"(conversation|end.?user|contact|customer|user|requester)",
                                re.IGNORECASE)


def is_reading_column(header: str) -> bool:
    """Columns for people, not for writing: a header that starts with ``#`` or ends with
    `` (label)`` (as ``find --csv`` writes a Select's label path beside its values)."""
    text = header.strip()
    return text.startswith(READING_PREFIX) or text.casefold().endswith(READING_SUFFIX)


def column_letter(index: int) -> str:
    """A spreadsheet's name for column ``index`` (0-based): A, B, ... Z, AA, AB..."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def physical_lines(text: str) -> list[str]:
    """The lines as the csv module reads them, each with its line ending; ``\\r`` alone ends
    lines only in a file with no ``\\n`` at all (classic Mac)."""
    separator = "\r" if "\n" not in text and "\r" in text else "\n"
    return [line for line in re.split(f"(?<={separator})", text) if line]


def sniff_delimiter(lines: list[str]) -> str:
    """Comma, unless the header holds no comma and splits on ``;`` or a tab (Excel's CSV in
    many European locales uses ``;``)."""
    header = next((line for line in lines if line.strip()), "")
    for delimiter in (",", ";", "\t"):
        if len(next(csv.reader([header], delimiter=delimiter), [])) > 1:
            return delimiter
    return ","


def _csv_error(exc: csv.Error, delimiter: str) -> tuple[str, str]:
    text = str(exc)
    if "new-line character" in text:
        return "stray-cr", (f"{TRAILING_CR_HINT}: a carriage return (\\r) stands inside this "
                            "line, outside quotes; remove it, or quote the cell that holds it")
    if "unexpected end of data" in text:
        return "unclosed-quote", ("a quoted cell that starts on this line is never closed: "
                                  "the rest of the file was read into it; add the closing \"")
    if "expected after" in text:
        return "bad-quoting", ("a quoted cell goes on after its closing quote (e.g. "
                               f"\"a\"b{delimiter}): quote the whole cell and double each "
                               "quote inside it")
    if "field larger" in text:
        return "cell-too-long", (f"a cell is longer than {FIELD_LIMIT:,} characters: probably "
                                 "a quote that is never closed")
    return "bad-csv", f"not valid CSV: {text}"


@dataclass
class CsvParse:
    """What :func:`parse_csv` read; :func:`dixa_tui.domain.bulk_input.parse_bulk` wraps it."""

    target_kind: TargetKind | None = None
    header: list[str] = field(default_factory=list)
    columns: list[BulkColumn] = field(default_factory=list)
    rows: list[BulkRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    definitions: dict[int, CustomAttributeDefinition] = field(default_factory=dict)


def parse_csv(text: str, index: DefinitionIndex, delimiter: str = ",") -> CsvParse:
    """Every record of ``text`` read, every problem collected (header problems once)."""
    out = CsvParse()
    reader = csv.reader(physical_lines(text), delimiter=delimiter, strict=True)
    header_line = 0
    seen: dict[tuple[str, ...], int] = {}
    unnamed_values: dict[int, list[int]] = {}
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            code, message = _csv_error(exc, delimiter)
            out.problems.append(RowProblem(start, message, code))
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, and the ",,," rows spreadsheets leave behind
        if not header_line:
            header_line = line
            out.header = cells
            _read_header(out, index, line, text)
            if out.target_kind is None:
                return out  # without one target column no row can be read
            continue
        for col in out.columns:
            if col.role == "ignored" and not col.header.strip() and \
                    col.index < len(cells) and cells[col.index].strip():
                unnamed_values.setdefault(col.index, []).append(line)
        row = _read_row(out, line, cells, delimiter, seen)
        out.rows.append(row)
        out.problems.extend(row.problems)
    if not header_line:
        out.problems.append(RowProblem(1, "the file is empty: it needs a header row (a "
                                       "conversation or enduser column, and a column per "
                                       "attribute) and a row per target", "empty-file",
                                       scope="file"))
    for col_index, lines in unnamed_values.items():
        shown = ", ".join(str(n) for n in lines[:5]) + (" ..." if len(lines) > 5 else "")
        out.problems.append(RowProblem(header_line, f"column {column_letter(col_index)} has "
                                       f"no header but holds values (lines {shown}): name it "
                                       "after an attribute, or delete it", "unnamed-column",
                                       scope="file"))
    return out


def _file_problem(out: CsvParse, line: int, message: str, code: str, column: str = "") -> None:
    out.problems.append(RowProblem(line, message, code, column=column, scope="file"))


def _read_header(out: CsvParse, index: DefinitionIndex, line: int, text: str) -> None:
    header = out.header
    targets = [(i, h.strip().casefold()) for i, h in enumerate(header)
               if h.strip().casefold() in TARGET_KINDS]
    if not targets:
        like = [h.strip() for h in header if _LOOKS_LIKE_TARGET.search(h) and
                isinstance(index.resolve(h.strip()), Problem)]
        hint = f" ('{like[0]}' may be it: rename it)" if like else ""
        if text.lstrip("\ufeff \t\r\n").startswith("{"):
            hint += "; the file starts with '{': if it is JSONL, name it .jsonl"
        _file_problem(out, line, "no target column: the header needs one column named "
                      f"conversation or enduser{hint}", "no-target-column")
    elif len(targets) > 1:
        where = ", ".join(f"{name} in column {column_letter(i)}" for i, name in targets)
        _file_problem(out, line, f"more than one target column ({where}): keep exactly one; "
                      "a file edits either conversations or end users", "two-target-columns")
    kind: TargetKind | None = None
    if len(targets) == 1:
        kind = "conversation" if targets[0][1] == "conversation" else "enduser"
    by_definition: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = raw.strip()
        if targets and i == targets[0][0] and kind is not None:
            out.columns.append(BulkColumn(i, raw, "target"))
            continue
        if not name or is_reading_column(name) or name.casefold() in TARGET_KINDS:
            out.columns.append(BulkColumn(i, raw, "ignored"))
            continue
        found = resolve_column(index, name, kind)
        if not isinstance(found, CustomAttributeDefinition):
            out.columns.append(BulkColumn(i, raw, "unknown"))
            _file_problem(out, line, f"{found[1]} (column {column_letter(i)})", found[0], name)
            continue
        if found.id in by_definition:
            first = by_definition[found.id]
            out.columns.append(BulkColumn(i, raw, "unknown"))
            _file_problem(out, line, f"names the same attribute as column "
                          f"{column_letter(first)} ({header[first].strip()}): keep one "
                          f"(column {column_letter(i)})", "duplicate-column", name)
            continue
        by_definition[found.id] = i
        out.definitions[i] = found
        out.columns.append(BulkColumn(i, raw, "attribute", found.id, found.identifier))
    if kind is not None and not any(c.role in ("attribute", "unknown") for c in out.columns):
        _file_problem(out, line, "no attribute columns: add one column per attribute to "
                      "change, headed by its identifier", "no-attribute-columns")
    out.target_kind = kind


def _read_row(out: CsvParse, line: int, cells: list[str], delimiter: str,
              seen: dict[tuple[str, ...], int]) -> BulkRow:
    assert out.target_kind is not None
    kind = out.target_kind
    problems: list[RowProblem] = []
    width = len(out.header)
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        problems.append(RowProblem(line, f"has {plural(len(cells), 'cell')} but the header "
                                   f"has {width}: a value holding '{delimiter}' must be in "
                                   "quotes",
                                   "extra-cells"))
    target_col = next(c for c in out.columns if c.role == "target")
    ref = cells[target_col.index].strip() if target_col.index < len(cells) else ""
    target = read_target(kind, ref)
    if target.problem:
        problems.append(RowProblem(line, target.problem, "bad-target" if ref else
                                   "missing-target", column=target_col.header.strip()))
    elif target.key is not None:
        if target.key in seen:
            problems.append(duplicate_problem(line, target.key, seen[target.key]))
        else:
            seen[target.key] = line
    edits: list[StagedEdit] = []
    filled = False
    for col in out.columns:
        cell = cells[col.index] if col.index < len(cells) else ""
        if col.role not in ("attribute", "unknown") or not cell.strip():
            continue
        filled = True
        if col.role == "unknown":
            continue  # said once, for the header
        name = col.header.strip()
        value = _read_cell(name, out.definitions[col.index], cell)
        problems.extend(RowProblem(line, message, code, severity, name)
                        for severity, code, message in value.problems)
        if value.edit is not None:
            edits.append(value.edit)
    if not filled:
        problems.append(RowProblem(line, f"nothing to change: every attribute cell is empty "
                                   f"(write {CLEAR_CELL} to clear a value); the row is skipped",
                                   "no-change", "warning"))
    return BulkRow(line, ref, kind, edits, list(cells), target.target_id, target.lookup,
                   problems)


def _read_cell(ref: str, definition: CustomAttributeDefinition, cell: str) -> ReadValue:
    """An attribute cell that is not empty: ``<clear>``, a Select path (or JSON list), or
    a Text value as written; never one of Excel's error values."""
    if cell.strip().casefold() == CLEAR_CELL:
        return ReadValue(StagedEdit.clear(ref))
    if cell.strip().upper() in SPREADSHEET_ERRORS:
        return ReadValue(None, [("error", "spreadsheet-error", f"'{cell.strip()}' is a "
                                 "spreadsheet's error value (a formula that failed, e.g. a "
                                 "lookup with no match): fix the cell, or empty it to leave "
                                 "the attribute alone")])
    if isinstance(definition.input_definition, SelectInput) and cell.lstrip().startswith("["):
        return read_json_path(ref, cell)
    return read_text_value(ref, definition, cell)
