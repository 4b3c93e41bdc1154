"""A query as a builder's list of parts: added, replaced, removed, each checked on its own
line, and written as the CLI reads it back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dixa_tui.domain.query import QueryError, QuerySpec, compile_query
from dixa_tui.domain.query_parts import (
    Part,
    add_part,
    check_parts,
    from_parts,
    parts,
    remove_part,
    where_part,
)
from dixa_tui.domain.where import Op
from dixa_tui.mock import MockState

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def definitions() -> list:
    return list(MockState.demo(NOW).definitions)


def by_ident(definitions: list, identifier: str):
    return next(d for d in definitions if d.identifier == identifier)


def test_parts_round_trip_through_the_spec() -> None:
    spec = QuerySpec(created_since="7d", status=("open,pending",),
                     where=("contact_reason is empty", "order_number is not empty"))
    listed = parts(spec)
    assert listed == [Part("--created-since", "7d"), Part("--status", "open,pending"),
                      Part("--where", "contact_reason is empty"),
                      Part("--where", "order_number is not empty")]
    assert from_parts(listed) == spec


def test_a_single_option_is_replaced_and_a_list_option_grows() -> None:
    spec = add_part(QuerySpec(created_since="7d"), Part("--created-since", "30d"))
    assert spec.created_since == "30d"
    spec = add_part(spec, Part("--where", "a is empty"))
    spec = add_part(spec, Part("--where", "b is empty"))
    assert spec.where == ("a is empty", "b is empty")
    spec = add_part(spec, Part("--text", "parcel"))
    assert spec.text == "parcel" and spec.created_since == "30d"


def test_remove_takes_the_indexed_part_only() -> None:
    spec = QuerySpec(created_since="7d", where=("a is empty", "b is empty"))
    assert remove_part(spec, 1) == QuerySpec(created_since="7d", where=("b is empty",))
    assert remove_part(spec, 0) == QuerySpec(where=("a is empty", "b is empty"))
    assert remove_part(spec, 9) == spec


def test_each_problem_is_on_its_own_part(definitions: list) -> None:
    spec = QuerySpec(created_since="7d", status=("opn",),
                     where=("contact_reason is empty", "contact_reasn is empty"))
    check = check_parts(spec, definitions, now=NOW)
    assert not check.ok
    states = [(c.part.option, bool(c.problems)) for c in check.parts]
    assert states == [("--created-since", False), ("--status", True), ("--where", False),
                      ("--where", True)]
    assert "did you mean open" in check.parts[1].problems[0]
    assert "did you mean 'contact_reason'" in check.parts[3].problems[0]
    assert check.parts[0].describe.startswith("created since 7d (2026-10-26 09:00 UTC)")
    assert check.parts[2].describe == "Contact reason is empty"
    assert check.whole == ()


def test_problems_of_the_whole_query_are_said_apart(definitions: list) -> None:
    spec = QuerySpec(created_since="2026-11-01", created_until="2026-10-01")
    check = check_parts(spec, definitions, now=NOW)
    assert all(not c.problems for c in check.parts)
    assert not check.ok and "is after --created-until" in check.whole[0]


@pytest.mark.parametrize(("identifier", "op", "wanted", "text"), [
    ("contact_reason", "empty", (), "contact_reason is empty"),
    ("contact_reason", "under", (("delivery",),), "contact_reason under delivery"),
    ("contact_reason", "is", (("delivery", "damaged", "item"),),
     "contact_reason is delivery/damaged/item"),
    ("contact_reason", "one_of", (("payment",), ("delivery", "late")),
     "contact_reason is one of payment, delivery/late"),
    ("order_number", "is", ("100, 200",), 'order_number is "100, 200"'),
    ("order_number", "is_not", ('say "is"',), 'order_number is not "say \\"is\\""'),
])
def test_where_parts_read_back_as_picked(definitions: list, identifier: str, op: Op,
                                         wanted: tuple, text: str) -> None:
    definition = by_ident(definitions, identifier)
    part = where_part(definition, op, wanted)
    assert part == Part("--where", text)
    condition = compile_query(from_parts([part]), definitions, now=NOW).conditions[0]
    assert (condition.definition.id, condition.op, condition.wanted) == (
        definition.id, op, tuple(wanted))


def test_an_option_given_twice_is_refused() -> None:
    with pytest.raises(QueryError):
        from_parts([Part("--text", "a"), Part("--text", "b")])
