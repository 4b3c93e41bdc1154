"""How ``find conversations`` writes its matches to stdout, one row at a time, as each is
confirmed (flushed per row, so what was printed before a Ctrl-C or an error stays).

- ``table`` (the default, for people): fixed-width columns, so a row can be printed before
  the next is known; every cell cleaned (``text.clean``) and cut to its column.
- ``csv``: :func:`~dixa_tui.domain.export_values.csv_header` then a row per match, RFC 4180
  (CRLF, Excel's quoting), UTF-8. Written to a regular file (``> found.csv``) it starts
  with a byte-order mark, so a spreadsheet opens it as UTF-8 (``bulk plan`` reads it with or
  without one); a pipe gets none.
- ``jsonl``: one :func:`~dixa_tui.domain.export_values.record` per line.
- ``json``: one array of those records, closed even when the find stops early.

Data leaves exact for a pipe or a file. On a terminal CSV cells are cleaned, since an
escape sequence in a value would be obeyed by the terminal; JSON is always safe to print as
it is (control, C1 and bidi characters leave as ``\\uXXXX`` escapes, which mean the same).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from collections.abc import Callable, Mapping, Sequence
from typing import Any, BinaryIO, Literal

from rich.cells import cell_len, set_cell_size

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.domain.dates import utc
from dixa_tui.domain.export_values import csv_header, csv_row, label_text, name_of, record
from dixa_tui.domain.query import STATUS_WORDS
from dixa_tui.session.find import Found
from dixa_tui.text import clean

Format = Literal["table", "csv", "jsonl", "json"]
Emit = Callable[[bytes], None]
BOM = "\ufeff".encode()
# Widths of the table's fixed columns (terminal cells); an attribute's column is as wide as
# its name, at least ATTRIBUTE_MIN and at most ATTRIBUTE_MAX.
FIXED = (("CONVERSATION", 12), ("CREATED", 16), ("STATUS", 16), ("CHANNEL", 11))
ATTRIBUTE_MIN, ATTRIBUTE_MAX, LAST_MAX = 24, 40, 48
_SURROGATE = re.compile("[\ud800-\udfff]")


def is_regular_file(stream: object) -> bool:
    """Whether ``stream`` writes to a regular file (a ``> file`` redirect)."""
    try:
        fileno = getattr(stream, "fileno", None)
        return fileno is not None and stat.S_ISREG(os.fstat(fileno()).st_mode)
    except (OSError, ValueError, io.UnsupportedOperation):
        return False


def json_line(value: Any) -> str:
    """Compact JSON on one line, safe to print to a terminal, the same value for a parser."""
    from dixa_tui.jsontext import for_terminal

    return for_terminal(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _utf8(text: str) -> bytes:
    """A lone surrogate (from a JSON ``\\ud800``) cannot be UTF-8: it becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text).encode("utf-8")


class RowWriter:
    """Writes one format; :meth:`start` once, :meth:`row` per match, :meth:`end` once (safe
    to call when nothing was started)."""

    def __init__(self, fmt: Format, columns: Sequence[CustomAttributeDefinition], emit: Emit,
                 *, terminal: bool, bom: bool = False,
                 names: Mapping[str, str] | None = None) -> None:
        self.fmt, self.columns, self.emit = fmt, list(columns), emit
        self.names = {d.id: (names or {}).get(d.id) or name_of(d) for d in self.columns}
        self.terminal, self.bom = terminal, bom
        self.rows = 0
        self.started = self.ended = False
        self._widths = self._table_widths()

    def start(self) -> None:
        self.started = True
        if self.fmt == "csv":
            self.emit((BOM if self.bom else b"") + self._csv(csv_header(self.columns,
                                                                        self.names)))
        elif self.fmt == "json":
            self.emit(b"[")
        elif self.fmt == "table":
            headers = [name for name, _ in FIXED] + [self.names[d.id] for d in self.columns]
            self.emit(_utf8(self._table_line(headers) + "\n"))

    def row(self, found: Found) -> None:
        values = found.values
        if self.fmt == "csv":
            self.emit(self._csv(csv_row(found.conversation_id, values, self.columns)))
        elif self.fmt in ("json", "jsonl"):
            line = json_line(record(found.conversation_id, found.conversation, values,
                                    self.columns, self.names))
            if self.fmt == "jsonl":
                self.emit(_utf8(line + "\n"))
            else:
                self.emit(_utf8(("\n" if self.rows == 0 else ",\n") + line))
        else:
            self.emit(_utf8(self._table_line(self._table_cells(found)) + "\n"))
        self.rows += 1

    def end(self) -> None:
        if self.started and not self.ended and self.fmt == "json":
            self.emit(b"\n]\n" if self.rows else b"]\n")
        self.ended = True

    # -- formats --------------------------------------------------------------------------

    def _csv(self, cells: Sequence[str]) -> bytes:
        buffer = io.StringIO()
        shown = [clean(c) for c in cells] if self.terminal else cells
        csv.writer(buffer, lineterminator="\r\n").writerow(shown)
        return _utf8(buffer.getvalue())

    def _table_widths(self) -> list[int]:
        return [width for _, width in FIXED] + [attribute_width(self.names[d.id])
                                                for d in self.columns]

    def _table_cells(self, found: Found) -> list[str]:
        conversation = found.conversation
        created = utc(conversation.created_at).strftime("%Y-%m-%d %H:%M") \
            if conversation.created_at else ""
        state = conversation.state or ""
        cells = [str(found.conversation_id), created, STATUS_WORDS.get(state, state),
                 conversation.channel or ""]
        for d in self.columns:
            cells.append(label_text(d, found.values.get(d.id)) or "-")
        return cells

    def _table_line(self, cells: Sequence[str]) -> str:
        out: list[str] = []
        last = len(cells) - 1
        for i, cell in enumerate(cells):
            width = LAST_MAX if i == last else self._widths[i]
            text = _cut(clean(cell), width)
            out.append(text if i == last else text + " " * (width - cell_len(text)))
        return "  ".join(out).rstrip()


def attribute_width(name: str) -> int:
    """The table column an attribute gets: as wide as its name, within bounds."""
    return min(ATTRIBUTE_MAX, max(ATTRIBUTE_MIN, cell_len(clean(name))))


def fitting(columns: Sequence[CustomAttributeDefinition],
            width: int) -> list[CustomAttributeDefinition]:
    """The first of ``columns`` whose table columns fit in ``width`` terminal cells beside
    the fixed ones (at least none): for a table nobody chose the columns of."""
    used = sum(w for _, w in FIXED) + 2 * (len(FIXED) - 1)
    chosen: list[CustomAttributeDefinition] = []
    for definition in columns:
        used += 2 + attribute_width(name_of(definition))
        if used > width:
            break
        chosen.append(definition)
    return chosen


def _cut(text: str, width: int) -> str:
    return text if cell_len(text) <= width else set_cell_size(text, width - 1) + "…"


class OutputClosed(Exception):
    """The reader of stdout went away (``| head`` has what it wanted): stop the find."""


def stdout_emitter(stream: BinaryIO) -> Emit:
    """Write and flush each piece at once: a row printed is a row kept."""

    def emit(data: bytes) -> None:
        try:
            stream.write(data)
            stream.flush()
        except BrokenPipeError:
            raise OutputClosed from None

    return emit


def silence_stdout() -> None:
    """Point stdout at /dev/null once its reader is gone, so what is still buffered does
    not fail again when the process exits."""
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
