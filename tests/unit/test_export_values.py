"""Values as CSV rows and JSON records: value paths that read back, label paths to read."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from dixa_tui.api.models import Conversation
from dixa_tui.domain.export_values import (
    LABEL_SUFFIX,
    TARGET_COLUMN,
    columns_for,
    csv_header,
    csv_row,
    is_label_column,
    label_text,
    record,
    value_text,
)
from dixa_tui.domain.options import path_values, resolve_path_text, walk
from dixa_tui.domain.query import QueryError, QuerySpec, compile_query
from dixa_tui.mock.demo import organization_definitions

NOW = datetime(2026, 11, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def defs():
    return organization_definitions()


def by(defs, name):
    return next(d for d in defs if d.identifier == name)


def test_a_csv_holds_value_paths_to_feed_back_and_label_paths_to_read(defs):
    reason, order = by(defs, "contact_reason"), by(defs, "order_number")
    columns = [reason, order]
    header = csv_header(columns)
    assert header == [TARGET_COLUMN, "contact_reason", "contact_reason" + LABEL_SUFFIX,
                      "order_number"]
    rows = [csv_row(10001, {reason.id: ["delivery", "damaged", "item"], order.id: "1, \"2\""},
                    columns),
            csv_row(10002, {reason.id: None}, columns)]
    assert rows == [["10001", "delivery/damaged/item", "Delivery > Damaged > Item",
                     "1, \"2\""], ["10002", "", "", ""]]
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    back = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert back[0]["order_number"] == "1, \"2\"" and back[1]["contact_reason"] == ""
    assert resolve_path_text(reason.options, back[0]["contact_reason"]).values == \
        ["delivery", "damaged", "item"]
    assert [is_label_column(h) for h in header] == [False, False, True, False]


def test_every_option_path_of_the_demo_reads_back_from_its_cell(defs):
    count = 0
    for d in defs:
        for path in walk(d.options):
            values = path_values(path)
            assert resolve_path_text(d.options, value_text(values)).values == values
            count += 1
    assert count > 100


def test_an_option_no_longer_in_the_tree_shows_its_raw_value(defs):
    reason = by(defs, "contact_reason")
    assert label_text(reason, ["delivery", "lost"]) == "Delivery > lost"
    assert label_text(reason, []) == "" and value_text([]) == "" and value_text("") == ""


def test_records_for_json(defs):
    reason, order = by(defs, "contact_reason"), by(defs, "order_number")
    conversation = Conversation.model_validate({
        "id": 10001, "createdAt": "2026-08-04T09:00:00Z", "state": "Closed",
        "channel": "Email", "_type": "EmailConversation"})
    assert record(10001, conversation, {reason.id: ["other"]}, [reason, order]) == {
        "conversation": 10001, "createdAt": "2026-08-04T09:00:00Z", "state": "Closed",
        "channel": "Email",
        "values": {"contact_reason": ["other"], "order_number": None},
        "labels": {"contact_reason": "Other", "order_number": None},
    }
    assert record(5, None, {}, [order]) == {"conversation": 5, "values": {"order_number": None},
                                            "labels": {"order_number": None}}


def test_columns_requested_named_or_defaulted(defs):
    names = [d.identifier for d in columns_for(defs, ["order_number,contact_reason",
                                                      "order_number"])]
    assert names == ["order_number", "contact_reason"]
    query = compile_query(QuerySpec(where=("sentiment is empty", "carrier is not empty",
                                           "sentiment is not empty")), defs, now=NOW)
    assert [d.identifier for d in columns_for(defs, None, query)] == ["sentiment", "carrier"]
    every = columns_for(defs)
    assert every and all(d.entity_type == "Conversation" and not d.is_archived for d in every)
    assert "legacy_ticket_ref" not in {d.identifier for d in every}


def test_bad_columns_are_all_said_at_once(defs):
    with pytest.raises(QueryError) as caught:
        columns_for(defs, ["ordr_number, customer_tier", "zzzqqq"])
    first, second, third = caught.value.problems
    assert first.startswith("--columns: no conversation attribute is named 'ordr_number'; "
                            "did you mean 'order_number'")
    assert second == ("--columns: 'customer_tier' is a Contact attribute, not a conversation "
                      "attribute")
    assert third == "--columns: no conversation attribute is named 'zzzqqq'"
