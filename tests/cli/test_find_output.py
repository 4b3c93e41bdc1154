"""The find's row writer: exact data for a pipe or a file, cleaned for a terminal, and the
live progress line stepping aside for rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from dixa_tui.api.models import Conversation, CustomAttributeDefinition
from dixa_tui.cli.find_output import RowWriter, is_regular_file, json_line
from dixa_tui.cli.progress import ProgressLine
from dixa_tui.mock.demo import organization_definitions
from dixa_tui.session.find import Found
from dixa_tui.session.progress import Progress

HOSTILE = "\x1b]52;c;cHduZWQ=\x07\x1b[2J\u202eevil\u2028line\x9b31m"


@pytest.fixture(scope="module")
def columns() -> list[CustomAttributeDefinition]:
    defs = organization_definitions()
    return [next(d for d in defs if d.identifier == name)
            for name in ("contact_reason", "order_number")]


def found(columns: list[CustomAttributeDefinition]) -> Found:
    reason, number = columns
    conversation = Conversation(id=4242, channel="Email", state="AwaitingPending",
                                created_at=datetime(2026, 11, 1, 8, 30, tzinfo=UTC))
    return Found(4242, conversation, {reason.id: ["delivery", "damaged", "item"],
                                      number.id: HOSTILE})


def written(fmt, columns, *, terminal: bool, bom: bool = False, rows: int = 1) -> bytes:
    out = bytearray()
    writer = RowWriter(fmt, columns, out.extend, terminal=terminal, bom=bom)
    writer.start()
    for _ in range(rows):
        writer.row(found(columns))
    writer.end()
    writer.end()  # twice is once
    return bytes(out)


def test_csv_for_a_pipe_is_exact_and_for_a_terminal_cleaned(columns) -> None:
    exact = list(csv.reader(io.StringIO(written("csv", columns, terminal=False).decode(),
                                        newline="")))
    assert exact == [["conversation", "contact_reason", "contact_reason (label)",
                      "order_number"],
                     ["4242", "delivery/damaged/item", "Delivery > Damaged > Item", HOSTILE]]
    shown = written("csv", columns, terminal=True)
    for raw in (b"\x1b", "\u202e".encode(), "\u2028".encode(), "\x9b".encode()):
        assert raw not in shown
    assert b"evil" in shown


def test_a_bom_only_when_asked(columns) -> None:
    assert written("csv", columns, terminal=False, bom=True).startswith(b"\xef\xbb\xbf")
    assert not written("csv", columns, terminal=False).startswith(b"\xef\xbb\xbf")
    assert not written("jsonl", columns, terminal=False, bom=True).startswith(b"\xef")


def test_json_is_the_exact_value_and_safe_for_a_terminal(columns) -> None:
    for fmt in ("json", "jsonl"):
        data = written(fmt, columns, terminal=False, rows=2)
        assert b"\x1b" not in data and "\u202e".encode() not in data
        assert "\u2028".encode() not in data and "\x9b".encode() not in data
        items = json.loads(data) if fmt == "json" else [json.loads(x) for x in
                                                        data.splitlines()]
        assert len(items) == 2
        assert items[0]["values"]["order_number"] == HOSTILE
        assert items[0]["labels"]["contact_reason"] == "Delivery > Damaged > Item"
        assert items[0]["state"] == "AwaitingPending"
    assert json.loads(written("json", columns, terminal=False, rows=0)) == []


def test_a_lone_surrogate_leaves_json_exact_and_csv_readable(columns) -> None:
    assert json.loads(json_line({"x": "a\ud800b"}).encode("utf-8")) == {"x": "a\ud800b"}
    bad = found(columns)
    bad.values[columns[1].id] = "a\ud800b"
    out = bytearray()
    writer = RowWriter("csv", columns, out.extend, terminal=False)
    writer.start()
    writer.row(bad)
    assert "a\ufffdb" in out.decode("utf-8")


def test_the_table_is_cleaned_and_keeps_its_columns(columns) -> None:
    text = written("table", columns, terminal=True, rows=2).decode()
    header, row, again = text.splitlines()
    assert header.split() == ["CONVERSATION", "CREATED", "STATUS", "CHANNEL",
                              "contact_reason", "order_number"]
    assert row == again and "\x1b" not in text and "\u202e" not in text
    assert row.startswith("4242          2026-11-01 08:30  awaiting-pending  Email")
    assert row.index("Delivery") == header.index("contact_reason")
    assert row.index("\ufffdevil") == header.index("order_number")


def test_a_regular_file_is_told_from_a_pipe(tmp_path) -> None:
    with (tmp_path / "x").open("wb") as file:
        assert is_regular_file(file)
    assert not is_regular_file(io.BytesIO())


def test_the_live_line_steps_aside_for_a_row_and_comes_back() -> None:
    out = io.StringIO()
    line = ProgressLine(out, live=True)
    line(Progress("checked", 3, None, 1.0, {"matches": 1}))
    line.clear()
    out.write("ROW\n")
    line.redraw()
    line.done()
    shown = [part.rsplit("\r", 1)[-1] for part in out.getvalue().split("\n")]
    assert shown == ["ROW", "checked 3 · 3.0/s · 1 matches", ""]
    log = io.StringIO()
    quiet = ProgressLine(log, live=False)
    quiet.clear()
    quiet.redraw()
    assert log.getvalue() == ""
