"""One meaning of "the same value" and of "where a target stands against a write": a bulk
plan, an undo, a ``--where`` condition and the settling of an unknown outcome all agree."""

from __future__ import annotations

from typing import Any

import pytest
from journal_helpers import make_entry

from dixa_tui.domain.bulk_plan import AttributeChange, PlanEntry
from dixa_tui.domain.bulk_planner import settle
from dixa_tui.domain.compare import is_empty, same_value, standing
from dixa_tui.domain.patch import Target
from dixa_tui.domain.undo import settle_outcome
from dixa_tui.domain.where import Condition
from dixa_tui.mock import MockState

PAIRS: list[tuple[Any, Any, bool]] = [
    (None, "", True), ("", [], True), (None, [], True), ((), None, True), ("x", "x", True),
    (["a", "b"], ("a", "b"), True), (["a"], ["a"], True), ("x", None, False),
    (["a"], "a", False), (["a", "b"], ["b", "a"], False), (" ", "", False),
    (["a"], ["a", "b"], False),
]


def plan_entry(before: Any, after: Any) -> PlanEntry:
    return PlanEntry(2, "10001", Target("conversation", "10001"), "change", {"d": after},
                     [AttributeChange("d", "ident", "Label", before, after, True)], [], [], "")


@pytest.mark.parametrize(("now", "written", "same"), PAIRS)
def test_a_bulk_plan_and_an_undo_read_a_target_alike(now: Any, written: Any,
                                                     same: bool) -> None:
    """A target holding ``now`` where a write set ``written``: the bulk run calls it landed
    exactly when the undo's settling calls it applied (a Select path read back as a list
    is the tuple a plan or a journal held)."""
    assert same_value(now, written) is same and same_value(written, now) is same
    landed, _ = settle(plan_entry("old", written), {"d": now})
    applied = settle_outcome(make_entry(1, {"d": ("old", written)}, outcome="unknown"),
                             {"d": now})
    assert (landed == "landed") is same
    assert (applied.outcome == "applied") is same


def test_is_empty_is_what_a_where_condition_calls_empty() -> None:
    reason = next(d for d in MockState.demo().definitions if d.identifier == "contact_reason")
    empty = Condition(reason, "empty")
    for value in (None, "", [], ()):
        assert is_empty(value) and empty.matches(value)
    for value in ("x", ["delivery"], " "):
        assert not is_empty(value) and not empty.matches(value)


def test_standing_checks_after_first_then_before() -> None:
    assert standing([("b", "a", "b")]).where == "after"
    assert standing([("same", "same", "same")]).where == "after"  # changed nothing
    assert standing([("a", "a", "b"), (None, "", "x")]).where == "before"
    mixed = standing([("b", "a", "b"), ("y", "x", "z")])
    assert mixed.where == "neither"
    assert mixed.at_after == (True, False) and mixed.at_before == (False, False)
