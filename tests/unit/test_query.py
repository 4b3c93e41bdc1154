"""The conversation query: moments, --where conditions on Text and nested Select, Dixa's
search body, the local checks, and every way a query is refused before any request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dixa_tui.api.models import Conversation, CustomAttributeDefinition
from dixa_tui.domain.dates import DateError, parse_moment, show, wire
from dixa_tui.domain.options import path_values, walk
from dixa_tui.domain.patch import DefinitionIndex
from dixa_tui.domain.query import (
    CHANNELS,
    QueryError,
    QuerySpec,
    compile_query,
    parse_query,
)
from dixa_tui.domain.where import WhereError, parse_condition, split_items
from dixa_tui.mock.demo import organization_definitions

NOW = datetime(2026, 11, 10, 12, 30, tzinfo=UTC)
QUEUE = "418c7cfd-29e1-5d10-81eb-200e72cc9720"
TAG = "639c1715-fd9a-5f72-abbd-64e7e0e0fe8e"
ITEM = ["delivery", "damaged", "item"]


@pytest.fixture(scope="module")
def defs() -> list[CustomAttributeDefinition]:
    return organization_definitions()


def ident(defs: list[CustomAttributeDefinition], name: str) -> CustomAttributeDefinition:
    return next(d for d in defs if d.identifier == name)


def where(defs, text: str):
    return parse_condition(text, DefinitionIndex(defs))


def problems(defs, **spec) -> list[str]:
    with pytest.raises(QueryError) as caught:
        compile_query(QuerySpec(**spec), defs, now=NOW)
    return caught.value.problems


# -- moments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("30m", NOW - timedelta(minutes=30)), ("24h", NOW - timedelta(hours=24)),
    ("7d", NOW - timedelta(days=7)), ("2w", NOW - timedelta(weeks=2)),
    (" 7D ", NOW - timedelta(days=7)), ("now", NOW),
    ("today", datetime(2026, 11, 10, tzinfo=UTC)),
    ("yesterday", datetime(2026, 11, 9, tzinfo=UTC)),
    ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
    ("2026-11-01T08:00", datetime(2026, 11, 1, 8, tzinfo=UTC)),
    ("2026-11-01 08:00:30", datetime(2026, 11, 1, 8, 0, 30, tzinfo=UTC)),
    ("2026-11-01T08:00+01:00", datetime(2026, 11, 1, 7, tzinfo=UTC)),
    ("2026-11-01T08:00:00Z", datetime(2026, 11, 1, 8, tzinfo=UTC)),
])
def test_moments_people_type(text, expected):
    moment = parse_moment(text, NOW)
    assert moment.at == expected and moment.at.tzinfo == UTC
    assert moment.text == text.strip()


def test_a_naive_now_is_utc_and_relative_moments_show_their_instant():
    moment = parse_moment("7d", NOW.replace(tzinfo=None))
    assert moment.at == NOW - timedelta(days=7)
    assert moment.show() == "7d (2026-11-03 12:30 UTC)"
    assert parse_moment("2026-11-01", NOW).show() == "2026-11-01 00:00 UTC"


@pytest.mark.parametrize(("text", "says"), [
    ("", "is empty"), ("7x", "not a moment"), ("last week", "not a moment"),
    ("2026-13-01", "not a valid date"), ("2026-11-01T25:00", "not a valid date"),
    ("999999w", "before the year 1"), ("1.5d", "not a moment"), ("-7d", "not a moment"),
])
def test_bad_moments_say_what_to_write(text, says):
    with pytest.raises(DateError) as caught:
        parse_moment(text, NOW)
    assert says in str(caught.value)
    assert "7d" in str(caught.value) or "smaller" in str(caught.value)


def test_wire_and_show_forms():
    assert wire(datetime(2026, 11, 1, 8, tzinfo=UTC)) == "2026-11-01T08:00:00Z"
    assert wire(datetime(2026, 11, 1, 9, 0, 0, 250000,
                         tzinfo=UTC) - timedelta(hours=1)) == "2026-11-01T08:00:00.250Z"
    assert show(datetime(2026, 11, 1, 8, 0, 5, tzinfo=UTC)) == "2026-11-01 08:00:05 UTC"


# -- every --where form, on Text and on a nested Select ----------------------------------------


TEXT_CASES = [
    # (condition, values that match, values that do not)
    ("order_number is empty", [None, "", []], ["100-2345"]),
    ("order_number is not empty", ["100-2345"], [None, ""]),
    ("order_number is 100-2345", ["100-2345"], ["100-2346", "100-2345 ", None]),
    ("order_number is not 100-2345", ["100-2346", None], ["100-2345"]),
    ("order_number is one of 100-2345, 100-9", ["100-2345", "100-9"], ["100-1", None]),
    ("order_number is not one of 100-2345, 100-9", ["100-1", None], ["100-9"]),
]
SELECT_CASES = [
    ("contact_reason is empty", [None, []], [ITEM]),
    ("contact_reason is not empty", [ITEM, ["other"]], [None, []]),
    ("contact_reason is delivery/damaged/item", [ITEM],
     [["delivery", "damaged"], ["delivery", "damaged", "packaging"], None]),
    ("contact_reason is Delivery > Damaged > Item", [ITEM], [["delivery", "damaged"]]),
    ("contact_reason is delivery/damaged", [["delivery", "damaged"]], [ITEM]),
    ("contact_reason is not delivery/damaged/item",
     [["delivery", "damaged", "packaging"], None], [ITEM]),
    ("contact_reason is one of payment/card, Delivery > Late",
     [["payment", "card"], ["delivery", "late"]], [ITEM, ["payment"], None]),
    ("contact_reason is not one of payment/card, delivery/late", [ITEM, None],
     [["payment", "card"]]),
    ("contact_reason under delivery", [ITEM, ["delivery"], ["delivery", "late"]],
     [["payment", "card"], ["other"], None]),
    ("contact_reason under delivery/damaged",
     [ITEM, ["delivery", "damaged", "packaging"], ["delivery", "damaged"]],
     [["delivery", "late"], ["delivery"], None]),
    ("contact_reason under Delivery > Damaged > Item", [ITEM],
     [["delivery", "damaged", "packaging"]]),
    ("contact_reason not under delivery", [["payment", "card"], None],
     [ITEM, ["delivery"]]),
]


@pytest.mark.parametrize(("text", "hits", "misses"), TEXT_CASES + SELECT_CASES)
def test_every_operator_form(defs, text, hits, misses):
    condition = where(defs, text)
    for value in hits:
        assert condition.matches(value), (text, value)
    for value in misses:
        assert not condition.matches(value), (text, value)


def test_keywords_are_case_free_and_the_identifier_may_be_the_id(defs):
    reason = ident(defs, "contact_reason")
    condition = where(defs, f"{reason.id} IS NOT ONE OF other, Payment")
    assert condition.definition is reason and condition.op == "not_one_of"
    assert condition.wanted == (("other",), ("payment",))
    assert where(defs, "contact_reason Under delivery").op == "under"
    assert where(defs, "contact_reason   is   EMPTY").op == "empty"


def test_quoted_values_hold_commas_keywords_and_quotes(defs):
    assert where(defs, 'order_number is "empty"').wanted == ("empty",)
    assert where(defs, 'order_number is "a, b"').wanted == ("a, b",)
    assert where(defs, 'order_number is one of "a, b", c, "say \\"hi\\""').wanted == \
        ("a, b", "c", 'say "hi"')
    assert where(defs, 'order_number is "is not one of"').op == "is"
    assert where(defs, '"order_number" is x').definition.identifier == "order_number"
    assert split_items(' a , "b,c" ,d') == ["a", "b,c", "d"]


def test_a_select_value_may_be_named_by_labels_in_any_case(defs):
    assert where(defs, "contact_reason is delivery > damaged").wanted == (("delivery",
                                                                            "damaged"),)
    assert where(defs, "contact_reason is DELIVERY/Damaged/item").wanted == (tuple(ITEM),)


def test_every_option_of_every_select_round_trips_through_the_text_form(defs):
    index = DefinitionIndex(defs)
    count = 0
    for d in defs:
        if d.entity_type != "Conversation" or d.input_type != "Select":
            continue
        for path in walk(d.options):
            values = path_values(path)
            condition = parse_condition(f"{d.identifier} under {'/'.join(values)}", index)
            assert condition.wanted == (tuple(values),)
            again = parse_condition(condition.text(), index)
            assert again == condition
            count += 1
    assert count > 50


def test_describe_uses_labels(defs):
    assert where(defs, "contact_reason under delivery/damaged").describe() == \
        "Contact reason under Delivery > Damaged"
    assert where(defs, "contact_reason is one of other, payment/card").describe() == \
        "Contact reason is one of Other or Payment > Card"
    assert where(defs, "order_number is not empty").describe() == "Order number is not empty"
    assert where(defs, "order_number is 100-2345").describe() == 'Order number is "100-2345"'


@pytest.mark.parametrize(("text", "says"), [
    ("contact_reaso is empty", "did you mean 'contact_reason'"),
    ("ordernumber is x", "did you mean 'order_number'"),
    ("zzzzqq is empty", "`dixa-tui definitions list` shows them all"),
    ("customer_tier is gold", "is an end-user (Contact) attribute"),
    ("contact_reason is delivery/nope", "'nope' is not an option under 'delivery'; options "
                                        "there: 'late' (Late), 'damaged' (Damaged)"),
    ("contact_reason under Shipping", "'Shipping' is not an option at the top level"),
    ("contact_reason is other/more", "has no sub-options"),
    ("order_number under 100", "'under' follows Select option trees"),
    ("order_number not under 100", "'under' follows Select option trees"),
    ("contact_reason is", "'is' needs a value"),
    ("contact_reason is one of", "'is one of' needs a value"),
    ("contact_reason is one of other,", "missing after the last comma"),
    ("contact_reason is one of other,,payment", "a value is missing"),
    ("contact_reason is other, payment", "'is' takes one value"),
    ("contact_reason equals other", "expected IDENT followed by"),
    ("contact_reason", "expected IDENT followed by"),
    ("", "the condition is empty"),
    ('order_number is "open', "a quote is not closed"),
    ('order_number is "a" b', "text follows a quoted value"),
    ('order_number is a"b', "has a quote inside"),
])
def test_bad_conditions_say_what_is_wrong(defs, text, says):
    with pytest.raises(WhereError) as caught:
        where(defs, text)
    assert says in str(caught.value)
    assert str(caught.value).startswith(f"'{text.strip()}'")


def test_an_input_type_this_version_does_not_know_can_only_be_tested_for_empty(defs):
    odd = CustomAttributeDefinition.model_validate({
        "id": "11111111-2222-3333-4444-555555555555", "entityType": "Conversation",
        "identifier": "due", "label": "Due", "inputDefinition": {"_type": "Date"}})
    assert where([*defs, odd], "due is not empty").matches("2026-01-01")
    with pytest.raises(WhereError, match="cannot compare"):
        where([*defs, odd], "due is 2026-01-01")


def test_an_identifier_two_definitions_share_must_be_given_by_id(defs):
    twin = ident(defs, "order_number").model_copy(update={"id": "twin"})
    with pytest.raises(WhereError, match="more than one attribute"):
        where([*defs, twin], "order_number is empty")


# -- the whole query -----------------------------------------------------------------------------


def test_search_body_holds_what_dixa_filters_and_never_the_attribute_conditions(defs):
    query = compile_query(QuerySpec(
        created_since="30d", closed_since="2026-11-01", closed_until="2026-11-05T12:00",
        status=("open,Closed", "awaiting-pending", "open"), channel=("email", "Widget-Chat"),
        queue=(QUEUE.upper(),), tag=(TAG,), text="  parcel damaged ",
        where=("contact_reason is empty", "order_number is 100-2345")), defs, now=NOW)
    assert query.search_body() == {
        "filters": {"strategy": "All", "conditions": [
            {"field": {"_type": "CreationDate",
                       "operator": {"_type": "Since", "timestamp": "2026-10-11T12:30:00Z"}}},
            {"field": {"_type": "ClosedDate",
                       "operator": {"_type": "Between", "timestampFrom": "2026-11-01T00:00:00Z",
                                    "timestampTo": "2026-11-05T12:00:00Z"}}},
            {"field": {"_type": "Status", "operator": {
                "_type": "IsOneOf", "values": ["Open", "Closed", "AwaitingPending"]}}},
            {"field": {"_type": "Channel", "operator": {
                "_type": "IsOneOf", "values": ["Email", "WidgetChat"]}}},
            {"field": {"_type": "QueueId", "operator": {"_type": "IsOneOf",
                                                        "values": [QUEUE]}}},
            {"field": {"_type": "TagId", "operator": {"_type": "IncludesOne",
                                                      "values": [TAG]}}},
        ]},
        "query": {"value": "parcel damaged", "exactMatch": False},
    }
    assert "CustomAttribute" not in repr(query.search_body())
    assert len(query.conditions) == 2 and query.needs_values


def test_parts_not_given_are_left_out(defs):
    assert compile_query(QuerySpec(), defs, now=NOW).search_body() == {}
    until = compile_query(QuerySpec(created_until="today"), defs, now=NOW).search_body()
    assert until["filters"]["conditions"] == [{"field": {"_type": "CreationDate", "operator": {
        "_type": "Until", "timestamp": "2026-11-10T00:00:00Z"}}}]
    only_text = compile_query(QuerySpec(text="refund"), defs, now=NOW)
    assert only_text.search_body() == {"query": {"value": "refund", "exactMatch": False}}
    assert not only_text.needs_values


def test_matches_needs_every_condition(defs):
    reason, order = ident(defs, "contact_reason"), ident(defs, "order_number")
    query = compile_query(QuerySpec(where=("contact_reason under delivery",
                                           "order_number is not empty")), defs, now=NOW)
    assert query.matches({reason.id: ITEM, order.id: "100-1"})
    assert not query.matches({reason.id: ITEM})
    assert not query.matches({reason.id: ["other"], order.id: "100-1"})
    assert compile_query(QuerySpec(), defs, now=NOW).matches({})


def conversation(**fields) -> Conversation:
    return Conversation.model_validate({"id": 1, "createdAt": "2026-11-05T10:00:00Z",
                                        "state": "Open", "channel": "Email",
                                        "queue": {"id": QUEUE}} | fields)


def test_confirms_rechecks_what_the_conversation_itself_shows(defs):
    query = compile_query(QuerySpec(created_since="2026-11-05T10:00", created_until="2d",
                                    status=("open",), channel=("email",), queue=(QUEUE,)),
                          defs, now=NOW)
    assert query.confirms(conversation())
    assert not query.confirms(conversation(createdAt="2026-11-05T09:59:59Z"))
    assert not query.confirms(conversation(createdAt="2026-11-08T12:30:01Z"))
    assert query.confirms(conversation(createdAt="2026-11-08T12:30:00Z"))
    assert not query.confirms(conversation(state="Closed"))
    assert not query.confirms(conversation(channel="Sms"))
    assert not query.confirms(conversation(queue={"id": TAG}))
    assert query.confirms(conversation(queue={"id": QUEUE.upper()}))
    bare = Conversation.model_validate({"id": 2})  # what it does not carry is not held against it
    assert query.confirms(bare)


def test_every_problem_is_listed_at_once(defs):
    found = problems(defs, created_since="7x", closed_until="2026-02-30", status=("opne",),
                     channel=("emial", "Sms"), queue=("billing",), tag=("vip",), text=" ",
                     where=("contact_reaso is empty", "customer_tier is gold"))
    assert len(found) == 9
    assert found[0].startswith("--created-since: '7x'")
    assert found[1].startswith("--closed-until: '2026-02-30' is not a valid date")
    assert "--status: 'opne' is not a status; did you mean open?" in found[2]
    assert "--channel: 'emial' is not one of Dixa's channels; did you mean Email?" in found[3]
    assert all(c in found[3] for c in CHANNELS)
    assert found[4].startswith("--queue: 'billing' is not a queue id")
    assert found[5].startswith("--tag: 'vip' is not a tag id")
    assert found[6].startswith("--text is empty")
    assert found[7].startswith("--where 'contact_reaso is empty': no conversation attribute")
    assert "did you mean 'contact_reason'" in found[7]
    assert "end-user (Contact) attribute" in found[8]


def test_a_window_that_ends_before_it_starts_is_refused(defs):
    found = problems(defs, created_since="2026-11-05", created_until="2026-11-01")
    assert found == ["--created-since (2026-11-05 00:00 UTC) is after --created-until "
                     "(2026-11-01 00:00 UTC): no conversation can match"]
    assert problems(defs, closed_since="1d", closed_until="2d")[0].startswith("--closed-since")


# -- the text form ---------------------------------------------------------------------------


def test_the_text_form_keeps_relative_moments_and_normalizes_the_rest(defs):
    spec = QuerySpec(created_since="7d", status=("Open", "pending,open"),
                     where=("contact_reason under Delivery > Damaged",
                            'order_number is one of "a, b", 100-2345'))
    query = compile_query(spec, defs, now=NOW)
    text = query.to_text()
    assert text == ("--created-since 7d --status open,pending "
                    "--where 'contact_reason under delivery/damaged' "
                    "--where 'order_number is one of \"a, b\", 100-2345'")
    later = parse_query(text, defs, now=NOW + timedelta(days=3))
    assert later.created_since is not None
    assert later.created_since.at == NOW + timedelta(days=3) - timedelta(days=7)
    assert later.conditions == query.conditions and later.statuses == query.statuses
    assert len({*later.conditions, *query.conditions}) == 2  # conditions can be set members
    assert QuerySpec.from_text(spec.to_text()) == spec


def test_describe_is_one_line_for_people(defs):
    query = compile_query(QuerySpec(created_since="7d", status=("open,pending",),
                                    text="zip", where=("contact_reason is empty",)),
                          defs, now=NOW)
    assert query.describe() == ('created since 7d (2026-11-03 12:30 UTC) · status Open or '
                                'Pending · text "zip" · Contact reason is empty')
    assert compile_query(QuerySpec(), defs, now=NOW).describe() == "every conversation"


@pytest.mark.parametrize(("text", "says"), [
    ("--created-sinse 7d", "'--created-sinse' is not a query option; did you mean "
                           "--created-since?"),
    ("--where", "--where needs a value"),
    ("--text a --text b", "--text is given twice"),
    ("--where 'open", "cannot be read"),
    ("contact_reason", "is not a query option"),
])
def test_bad_query_text(text, says):
    with pytest.raises(QueryError) as caught:
        QuerySpec.from_text(text)
    assert says in str(caught.value)


def test_options_may_be_written_with_equals():
    assert QuerySpec.from_args(["--status=open", "--where=x is empty", "--text=a=b"]) == \
        QuerySpec(status=("open",), where=("x is empty",), text="a=b")
    assert QuerySpec().is_empty() and not QuerySpec(text="x").is_empty()
