"""Bulk input files: CSV or JSONL, as bytes, text or a stream -> targets and their edits.

:func:`parse_bulk` never stops at the first problem and never raises for anything a file
can hold: every problem comes back with the line it is on, so a person fixes the file
once. The value rules (``domain.patch.build_patch``) are not applied here: the planner
applies them per row with the target in hand, exactly as ``patch`` does.

Decoding is strict UTF-8 (a BOM is allowed and remembered, so a failures file can give it
back to Excel); a file in another encoding is refused with the line and byte where it
stops being UTF-8, since guessing an encoding would put wrong letters into Dixa silently.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.domain.bulk_csv import parse_csv, physical_lines, sniff_delimiter
from dixa_tui.domain.bulk_jsonl import parse_jsonl
from dixa_tui.domain.bulk_rows import (
    CLEAR_CELL,
    BulkColumn,
    BulkRow,
    Format,
    RowProblem,
)
from dixa_tui.domain.patch import DefinitionIndex, TargetKind

__all__ = ["CLEAR_CELL", "BulkColumn", "BulkInput", "BulkRow", "RowProblem", "parse_bulk"]

EXTENSIONS: dict[str, Format] = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl",
                                 ".ndjson": "jsonl", ".json": "jsonl"}
_WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")
_SAVE_AS = "save it as \"CSV UTF-8 (Comma delimited)\" (Excel: File > Save As)"


class Readable(Protocol):
    """A file or standard input: pass ``sys.stdin.buffer`` (bytes), so decoding problems
    are reported with their line rather than raised by the stream."""

    def read(self) -> str | bytes: ...


@dataclass(frozen=True)
class BulkInput:
    """A parsed input: its targets (``rows``, in file order) and every problem found.

    ``problems`` holds file problems (``scope == "file"``: encoding, header, reported once)
    and every row's problems, in line order. ``header``, ``delimiter``, ``bom`` and
    ``newline`` describe the file's own form, so a failures file can be written back in it.
    """

    format: Format
    target_kind: TargetKind | None
    columns: list[BulkColumn]
    rows: list[BulkRow]
    problems: list[RowProblem]
    name: str | None = None
    sha256: str = ""
    header: list[str] = field(default_factory=list)
    delimiter: str = ","
    bom: bool = False
    newline: str = "\n"

    @property
    def errors(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def file_problems(self) -> list[RowProblem]:
        return [p for p in self.problems if p.scope == "file"]

    @property
    def ok(self) -> bool:
        """No error anywhere (warnings allowed)."""
        return not self.errors


def decode(raw: bytes) -> tuple[str, bool] | RowProblem:
    """UTF-8 text and whether it had a BOM, or why it is not UTF-8 text."""
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return _file_problem(1, f"is a spreadsheet workbook (.xlsx/.xls), not CSV: {_SAVE_AS}",
                             "not-text")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _file_problem(1, "is UTF-16 (Excel's \"Unicode Text\"), not UTF-8: "
                             f"{_SAVE_AS}", "encoding")
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    if b"\x00" in body[:4096]:
        at = body.index(b"\x00")
        return _file_problem(body[:at].count(b"\n") + 1, "holds NUL bytes: it is UTF-16 or "
                             f"binary, not UTF-8 text; {_SAVE_AS}", "encoding")
    try:
        return body.decode("utf-8"), bom
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        column = exc.start - (body.rfind(b"\n", 0, exc.start) + 1) + 1
        offset = exc.start + (3 if bom else 0)
        return _file_problem(line, f"is not UTF-8: byte {column} of the line (byte {offset} of "
                             f"the file) is 0x{body[exc.start]:02X}; the file is probably in "
                             f"Windows-1252 or Latin-1: {_SAVE_AS}, or convert it with "
                             "iconv -f WINDOWS-1252 -t UTF-8", "encoding")


def _file_problem(line: int, message: str, code: str) -> RowProblem:
    return RowProblem(line, message, code, scope="file")


def _extension(name: str | None) -> str:
    return posixpath.splitext((name or "").replace("\\", "/"))[1].lower()


def format_for(name: str | None, text: str) -> Format:
    """From the file extension, else sniffed: a first non-blank ``{`` (or ``[``) is JSON."""
    extension = _extension(name)
    if extension in EXTENSIONS:
        return EXTENSIONS[extension]
    return "jsonl" if text.lstrip("\ufeff \t\r\n").startswith(("{", "[")) else "csv"


def parse_bulk(
    data: str | bytes | Readable,
    *,
    definitions: Iterable[CustomAttributeDefinition] | DefinitionIndex,
    name: str | None = None,
    format: Format | None = None,
) -> BulkInput:
    """Read a bulk input: ``data`` is the file's bytes (best), its text, or a stream.

    ``name`` (a path or file name; ``None`` or ``-`` for standard input) chooses the format
    by extension and is kept for the plan; ``format`` forces it. Every problem is in the
    result; nothing here raises for bad input.
    """
    raw = data.read() if not isinstance(data, str | bytes) else data
    index = definitions if isinstance(definitions, DefinitionIndex) else \
        DefinitionIndex(definitions)
    digest = hashlib.sha256(raw if isinstance(raw, bytes) else raw.encode("utf-8")).hexdigest()
    extension = _extension(name)
    fmt: Format = format or EXTENSIONS.get(extension, "csv")
    if isinstance(raw, bytes):
        if format is None and extension in _WORKBOOKS:
            decoded: tuple[str, bool] | RowProblem = _file_problem(
                1, f"is a spreadsheet workbook ({extension}), not CSV: {_SAVE_AS}", "not-text")
        else:
            decoded = decode(raw)
        if isinstance(decoded, RowProblem):
            return BulkInput(fmt, None, [], [], [decoded], name, digest)
        text, bom = decoded
    else:
        bom = raw.startswith("\ufeff")
        text = raw[1:] if bom else raw
    fmt = format or format_for(name, text)
    newline = "\r\n" if "\r\n" in text else "\n"
    if fmt == "jsonl":
        if text.lstrip(" \t\r\n").startswith("["):
            return BulkInput("jsonl", None, [], [], [_file_problem(
                1, "is a JSON array, not JSONL (one object per line): `jq -c '.[]'` converts "
                "it", "not-jsonl")], name, digest, bom=bom, newline=newline)
        parsed = parse_jsonl(text, index)
        return BulkInput("jsonl", parsed.target_kind, parsed.columns, parsed.rows,
                         _ordered(parsed.problems), name, digest, bom=bom, newline=newline)
    delimiter = sniff_delimiter(physical_lines(text))
    csv_parse = parse_csv(text, index, delimiter)
    return BulkInput("csv", csv_parse.target_kind, csv_parse.columns, csv_parse.rows,
                     _ordered(csv_parse.problems), name, digest, csv_parse.header, delimiter,
                     bom, newline)


def _ordered(problems: list[RowProblem]) -> list[RowProblem]:
    """File problems first, then by line (stable: a row's problems keep their order)."""
    return sorted(problems, key=lambda p: (p.scope != "file", p.line))
