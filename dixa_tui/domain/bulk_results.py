"""What ``bulk apply`` did: the results file (JSONL, one line per target) and the failures
file (the failed records in the input's own format, ready to fix and run again).

Like Salesforce's failed-results CSV, a CSV failures file is the input's header and the
failing rows' original cells, plus a ``#error`` column saying why; the ``#`` makes the
parser ignore that column, so the file is valid input as it stands. A JSONL failures file
is the failing lines, byte for byte (the reasons are in the results file).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from pydantic import ConfigDict, TypeAdapter, ValidationError

from dixa_tui.domain.bulk_plan import Plan
from dixa_tui.domain.patch import Target
from dixa_tui.jsontext import dumps
from dixa_tui.text import clean

Outcome = Literal["sent", "unchanged", "conflict", "failed", "unknown", "skipped"]
OUTCOMES: tuple[Outcome, ...] = ("sent", "unchanged", "conflict", "failed", "unknown",
                                 "skipped")
RETRY_OUTCOMES: frozenset[Outcome] = frozenset({"failed", "unknown"})
"""Outcomes sent again as they are (the review's retry): the write failed, or may not have
landed. A conflict is not among them: sending it again needs force."""
FAILURE_OUTCOMES: frozenset[Outcome] = RETRY_OUTCOMES | {"conflict"}
"""Outcomes whose record goes into the failures file: not done, or not known to be done."""
ERROR_COLUMN = "#error"


class ResultsFileError(ValueError):
    """A results file that cannot be read back; the message names the line."""


@dataclass(frozen=True)
class ResultLine:
    """One target's outcome.

    ``sent``: Dixa accepted the PATCH. ``unchanged``: nothing to send (the plan said so,
    or the target already held the after values). ``conflict``: the target changed since
    the plan (``message`` says how); not sent. ``failed``: Dixa refused or the request
    failed for good (``message`` is Dixa's own, ``http_status`` its status, None for a
    network failure). ``unknown``: the request went out and no answer came back.
    ``skipped``: already done by an earlier run of the same plan, per the journal.
    ``attributes`` are the identifiers concerned (sent, or in conflict).
    """

    __pydantic_config__ = ConfigDict(strict=True, extra="forbid")
    line: int
    ref: str
    target: Target | None
    outcome: Outcome
    message: str = ""
    http_status: int | None = None
    attributes: list[str] = field(default_factory=list)
    batch_id: str | None = None
    at: str | None = None

    def to_json(self) -> str:
        """One line of JSON, no line ending."""
        data = _adapter().dump_python(self, mode="json")
        return dumps(data, separators=(", ", ": "))

    @classmethod
    def from_json(cls, text: str) -> ResultLine:
        try:
            return _adapter().validate_json(text)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "the line"
            raise ResultsFileError(f"{where}: {first['msg']}") from None


@cache
def _adapter() -> TypeAdapter[ResultLine]:
    return TypeAdapter(ResultLine)


def results_jsonl(results: Iterable[ResultLine]) -> str:
    """A whole results file; each line can also be appended as it happens
    (``line.to_json() + "\\n"``), which is what makes a killed run's file still useful."""
    return "".join(r.to_json() + "\n" for r in results)


def read_results(text: str) -> list[ResultLine]:
    """A results file read back; :class:`ResultsFileError` names the first bad line. A
    last line cut short (a run killed mid-write) is dropped, not an error."""
    lines = text.split("\n")
    out = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            out.append(ResultLine.from_json(line))
        except ResultsFileError as exc:
            if number == len(lines):  # no newline after it: a write that never finished
                break
            raise ResultsFileError(f"results file line {number}: {exc}") from None
    return out


def latest(results: Iterable[ResultLine]) -> dict[int, ResultLine]:
    """Each input line's last outcome (a resumed run appends to the same file)."""
    return {r.line: r for r in results}


def failures_file(plan: Plan, results: Iterable[ResultLine]) -> bytes:
    """The records whose latest outcome is a failure, in the input's own format (header,
    delimiter, BOM, line ending), in input order; empty bytes when nothing failed.

    Write the bytes as they are (binary mode): they carry their own line endings.
    """
    failed = sorted((r for r in latest(results).values() if r.outcome in FAILURE_OUTCOMES),
                    key=lambda r: r.line)
    source = plan.input
    entries = {e.line: e for e in plan.entries}
    chosen = [(r, entries[r.line]) for r in failed if r.line in entries]
    if not chosen:
        return b""
    bom = "\ufeff" if source.bom else ""
    if source.format == "jsonl":
        text = "".join(str(e.source) + source.newline for _, e in chosen)
        return (bom + text).encode("utf-8")
    header = list(source.header)
    if ERROR_COLUMN in (h.strip() for h in header):
        at = [h.strip() for h in header].index(ERROR_COLUMN)
    else:
        at = len(header)
        header.append(ERROR_COLUMN)
    # Python's writer quotes a cell holding \r only when \r is in the line terminator:
    # with a cell like that, CRLF (CSV's own line ending) keeps the file readable
    newline = "\r\n" if any("\r" in cell for _, e in chosen for cell in e.source) else \
        source.newline
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=source.delimiter, lineterminator=newline)
    writer.writerow(header)
    for result, entry in chosen:
        cells = list(entry.source) if isinstance(entry.source, list) else []
        cells += [""] * (len(header) - len(cells))
        # the outcome word first: a server message can never start the cell as a formula
        cells[at] = result.outcome + (f": {clean(result.message)}" if result.message else "")
        writer.writerow(cells)
    return (bom + buffer.getvalue()).encode("utf-8")


def failures_name(input_name: str | None, format: Literal["csv", "jsonl"]) -> str:
    """``orders.csv`` -> ``orders.failures.csv``; standard input -> ``bulk.failures.csv``."""
    base = (input_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    if base in ("", "-"):
        base = "bulk"
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    return f"{stem}.failures.{format}"
