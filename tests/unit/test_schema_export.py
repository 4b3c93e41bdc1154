"""Exports: the JSON snapshot round trip (bytes), CSV that Python's csv module reads with the
documented header, and Markdown that hostile labels cannot break."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from dixa_tui.api.client import DixaClient
from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.api.salvage import DefinitionsRead, read_definitions
from dixa_tui.domain.options import path_label, walk
from dixa_tui.domain.schema_export import (
    CSV_COLUMN_NOTES,
    CSV_COLUMNS,
    export_csv,
    export_json,
    snapshot_bytes,
    snapshot_items,
)
from dixa_tui.domain.schema_markdown import export_markdown, md_code, md_text
from dixa_tui.mock import MockState, create_app
from dixa_tui.mock.hostile import build_hostile_state, hostile_payload
from dixa_tui.session.snapshots import load_snapshot
from dixa_tui.text import clean

KEY = "demo-key"


async def _read(state: MockState) -> DefinitionsRead:
    async with DixaClient(KEY, base_url="http://mock", rate=0,
                          transport=httpx.ASGITransport(app=create_app(state))) as client:
        return await client.list_definitions(keep_as_sent=True)


async def _served(path: Path) -> bytes:
    """What ``mock serve --org PATH`` answers to ``GET /custom-attributes``."""
    app = create_app(MockState.from_org_file(path))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock",
                                 headers={"Authorization": KEY}) as http:
        response = await http.get("/v1/custom-attributes")
    assert response.status_code == 200
    return response.content


# -- the JSON round trip ------------------------------------------------------------------


@pytest.mark.parametrize("include_archived", [False, True])
async def test_an_export_of_the_demo_is_served_back_byte_for_byte(tmp_path: Path,
                                                                  include_archived: bool):
    read = await _read(MockState.demo())
    exported = export_json(read.definitions, read.as_sent, include_archived=include_archived)
    path = tmp_path / "demo.json"
    path.write_bytes(exported)
    assert await _served(path) == exported
    archived = [d for d in read.definitions if d.is_archived]
    assert archived  # the demo has some, so both parameters test something
    items = json.loads(exported)["data"]
    assert len(items) == len(read.definitions) - (0 if include_archived else len(archived))
    definitions, meta = load_snapshot(path)
    assert definitions == [d for d in read.definitions if include_archived or not d.is_archived]
    assert meta.shape == "envelope" and meta.skipped == ()


async def test_an_export_of_the_hostile_organization_is_served_back_byte_for_byte(
        tmp_path: Path):
    """Hostile text (C1 controls, bidi overrides, RTL, emoji, nulls, unknown types) survives
    the trip; the unreadable items are not part of the export."""
    read = await _read(build_hostile_state())
    exported = export_json(read.definitions, read.as_sent, include_archived=True)
    path = tmp_path / "hostile.json"
    path.write_bytes(exported)
    assert await _served(path) == exported
    assert "\u202e".encode() in exported and "\x9b".encode() in exported
    assert len(json.loads(exported)["data"]) == len(read.definitions)


async def test_an_export_holds_what_dixa_sent_not_the_models_dump():
    read = await _read(build_hostile_state())
    assert read.as_sent is not None
    nulls = next(i for i, d in enumerate(read.definitions) if d.label == "" and d.options)
    item = json.loads(export_json(read.definitions, read.as_sent))["data"]
    sent = [x for x in read.as_sent if not x.get("isArchived")]
    assert item == sent
    assert read.as_sent[nulls]["label"] is None  # the model says "", the export says null
    assert read.definitions[nulls].to_dixa()["label"] == ""


@pytest.mark.parametrize("odd", ["lone \ud800 surrogate", float("nan"), float("inf")])
async def test_text_json_cannot_encode_plainly_still_round_trips(tmp_path: Path, odd: Any):
    """A lone surrogate (from a ``\\ud800`` escape) cannot be UTF-8; NaN is not JSON. Both
    reach Python through json.loads: the export and the mock write them the same way, where
    Starlette's JSONResponse would fail."""
    item = {"id": "d1", "entityType": "Contact", "identifier": "x", "label": "x",
            "inputDefinition": {"_type": "Text"}, "extra": odd}
    if isinstance(odd, str):
        item["label"] = odd
    read = read_definitions([item], keep_as_sent=True)
    exported = export_json(read.definitions, read.as_sent)
    path = tmp_path / "odd.json"
    path.write_bytes(exported)
    assert await _served(path) == exported
    loaded = json.loads(exported)["data"][0]
    assert loaded["extra"] == (odd if isinstance(odd, str) else None)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.lists(json_values, max_size=5))
def test_snapshot_bytes_are_stable_through_a_reading(items: list[Any]):
    """The property the round trip rests on: reading an export and writing it again gives
    the same bytes, whatever JSON (and Python's json) can hold."""
    once = snapshot_bytes(items)
    assert snapshot_bytes(json.loads(once)["data"]) == once
    assert not once.endswith(b"\n")


def test_snapshot_bytes_match_starlette_for_ordinary_data():
    from starlette.responses import JSONResponse

    items = [d.to_dixa() for d in MockState.demo().definitions]
    assert snapshot_bytes(items) == JSONResponse({"data": items}).body


def test_snapshot_items_need_aligned_items():
    definitions = MockState.demo().definitions
    with pytest.raises(ValueError, match="aligned"):
        snapshot_items(definitions, [{}])
    assert snapshot_items(definitions[:1]) == [definitions[0].to_dixa()]


def test_keep_as_sent_aligns_items_with_readable_definitions():
    payload = hostile_payload()
    read = read_definitions(payload, keep_as_sent=True)
    assert read.as_sent is not None and len(read.as_sent) == len(read.definitions)
    assert read.skipped and all(item.get("id") == d.id
                                for item, d in zip(read.as_sent, read.definitions, strict=True))
    assert read_definitions(payload).as_sent is None


# -- CSV ----------------------------------------------------------------------------------


def _rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    return list(reader)


def test_csv_has_the_documented_header_and_a_row_per_definition_and_option():
    definitions = MockState.demo().definitions
    rows = _rows(export_csv(definitions))
    shown = [d for d in definitions if not d.is_archived]
    options = [(d, p) for d in shown for p in walk(d.options)]
    assert [r["kind"] for r in rows].count("definition") == len(shown)
    assert [r["kind"] for r in rows].count("option") == len(options) > 100
    assert set(CSV_COLUMN_NOTES) == set(CSV_COLUMNS)
    option_rows = [r for r in rows if r["kind"] == "option"]
    for row, (d, path) in zip(option_rows, options, strict=True):
        assert row["identifier"] == d.identifier and row["definition_id"] == d.id
        assert json.loads(row["option_value_path"]) == [o.value for o in path]
        assert row["option_label_path"] == path_label(path)
        assert row["depth"] == str(len(path))
        assert row["order_index"] == str(path[-1].order_index)
        assert row["option_is_deactivated"] == str(path[-1].is_deactivated).lower()
    assert any(r["option_is_deactivated"] == "true" for r in option_rows)
    required = {r["identifier"] for r in rows if r["is_required"] == "true"}
    assert required == {d.identifier for d in shown if d.is_required}
    with_archived = _rows(export_csv(definitions, include_archived=True))
    assert any(r["is_archived"] == "true" for r in with_archived)


def test_hostile_labels_do_not_break_the_csv():
    definitions = build_hostile_state().definitions
    rows = _rows(export_csv(definitions, include_archived=True, formula_guard=False))
    by_id = {d.id: d for d in definitions}
    definition_rows = [r for r in rows if r["kind"] == "definition"]
    assert len(definition_rows) == len(definitions)
    for row in definition_rows:  # every label comes back exactly, line breaks and all
        assert row["label"] == by_id[row["definition_id"]].label
    assert any("\n" in r["label"] for r in definition_rows)
    assert any("\x1b" in r["label"] for r in definition_rows)


def test_formula_cells_are_guarded():
    item = {"id": "d1", "entityType": "Contact", "identifier": "=HYPERLINK(\"x\")",
            "label": "+cmd|' /C calc'!A0", "description": "@SUM(1)",
            "inputDefinition": {"_type": "Select", "options": [
                {"id": "o1", "label": "-1", "value": "safe", "orderIndex": 1}]}}
    definition = CustomAttributeDefinition.model_validate(item)
    row, option = _rows(export_csv([definition]))
    assert row["identifier"] == "'=HYPERLINK(\"x\")" and row["label"].startswith("'+")
    assert row["description"] == "'@SUM(1)" and option["option_label"] == "'-1"
    assert option["option_value"] == "safe"
    plain, _ = _rows(export_csv([definition], formula_guard=False))
    assert plain["label"] == "+cmd|' /C calc'!A0"


def test_csv_text_is_always_encodable():
    definition = CustomAttributeDefinition.model_validate(
        {"id": "d1", "entityType": "Contact", "identifier": "x", "label": "a\ud800b",
         "inputDefinition": {"_type": "Text"}})
    text = export_csv([definition])
    text.encode("utf-8")
    assert _rows(text)[0]["label"] == "a\ufffdb"


# -- Markdown -----------------------------------------------------------------------------


class _Cells(HTMLParser):
    """Table rows (cell texts), list items (each its own text, in document order) and the
    tags of rendered HTML; ``<br>`` counts as a line break."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.items: list[str] = []
        self.tags: set[str] = set()
        self._cell: list[str] | None = None
        self._open: list[int] = []  # indexes in items of the open <li>s

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "li":
            self._open.append(len(self.items))
            self.items.append("")
        elif tag == "br":
            self.handle_data("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "li":
            self.items[self._open[-1]] = self.items[self._open[-1]].strip("\n")
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._open:
            self.items[self._open[-1]] += data


def _render(markdown: str) -> _Cells:
    html = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)
    cells = _Cells()
    cells.feed(html)
    return cells


def test_hostile_labels_do_not_break_the_markdown():
    """Each definition is one table row of six cells whose label cell shows the label's
    visible text (lines kept apart by <br>); no label makes a tag, a link or emphasis."""
    definitions = build_hostile_state().definitions
    markdown = export_markdown(definitions, include_archived=True)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", markdown)
    rendered = _render(markdown)
    rows = rendered.rows[1:]
    assert len(rows) == len(definitions)
    assert all(len(row) == 6 for row in rows)
    for row, d in zip(rows, definitions, strict=True):
        lines = re.split(r"\r\n|[\n\r\u2028\u2029\x0b\x0c\x85]", d.label)
        assert row[0] == "\n".join(clean(line) for line in lines)
        assert row[1] == (clean(d.identifier) or "(empty)")
    assert rendered.tags <= {"h1", "h2", "p", "table", "thead", "tbody", "tr", "th", "td",
                             "ul", "li", "code", "br", "em"}
    selects = [d for d in definitions if d.input_type == "Select"]
    assert len(rendered.items) == sum(len(list(walk(d.options))) for d in selects)


@pytest.mark.parametrize("text", ["a|b", "`tick` ``two``", "<script>alert(1)</script>",
                                  "- not a list", "1. not a list", "# not a heading",
                                  "*not* _emphasis_ [not](a-link) ![no](image)",
                                  "&amp; stays", "    four spaces", "\\escaped\\"])
def test_markdown_text_and_code_show_exactly_what_was_written(text: str):
    row = f"| {md_text(text)} | {md_code(text, in_table=True)} |"
    rendered = _render(f"| a | b |\n|---|---|\n{row}\n")
    assert rendered.rows[1] == [text, text]
    item = _render(f"- {md_text(text)} {md_code(text)}\n")
    assert item.items == [f"{text} {text}"]
    assert rendered.tags <= {"table", "thead", "tbody", "tr", "th", "td", "code"}


def test_markdown_of_the_demo_lists_every_select_and_option_in_order():
    definitions = MockState.demo().definitions
    rendered = _render(export_markdown(definitions))
    shown = [d for d in definitions if not d.is_archived]
    assert [row[1] for row in rendered.rows[1:]] == [d.identifier for d in shown]
    expected = [f"{p[-1].label} {p[-1].value}" + (" (deactivated)" if p[-1].is_deactivated
                                                  else "")
                for d in shown if d.input_type == "Select" for p in walk(d.options)]
    assert rendered.items == expected


def test_nothing_to_export_is_still_a_page():
    assert "0 definitions" in export_markdown([])
    assert _rows(export_csv([])) == []
    assert json.loads(export_json([])) == {"data": []}
