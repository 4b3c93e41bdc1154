"""Undo from journal entries: what to restore, conflicts with later changes, settling unknown
outcomes; and the whole loop against the mock (write, journal, undo, values as before)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from journal_helpers import USER, make_entry

from dixa_tui.api.client import DixaClient
from dixa_tui.domain.compare import normalized, same_value
from dixa_tui.domain.patch import current_values
from dixa_tui.domain.undo import (
    UndoTarget,
    check_conflicts,
    settle_outcome,
    undo_targets,
)
from dixa_tui.journal import Change, Intent, Journal
from dixa_tui.mock import MockState, create_app
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID


def test_undo_is_pure_it_loads_neither_the_journal_nor_sqlite() -> None:
    code = ("import sys, dixa_tui.domain.undo\n"
            "print(','.join(m for m in ('sqlite3', 'dixa_tui.journal', 'httpx')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""


# -- planning ------------------------------------------------------------------------------


def test_one_entry_restores_its_before_values_and_expects_its_after_values() -> None:
    entry = make_entry(1, {"def-order": ("100-1", "100-2"), "def-reason": (None, ["payment"])})
    plan = undo_targets([entry])
    assert plan.ready and plan.skipped == ()
    [target] = plan.targets
    assert (target.kind, target.id, target.entries) == ("conversation", "10001", (1,))
    assert [(r.definition_id, r.value, r.expected, r.entries) for r in target.restores] == [
        ("def-order", "100-1", "100-2", (1,)),
        ("def-reason", None, ["payment"], (1,)),  # it had no value: restoring clears it
    ]
    assert target.restores[0].identifier == "order" and target.restores[0].label == "Order"


def test_a_batch_writing_one_attribute_twice_restores_the_first_before() -> None:
    """A -> B, then B -> C on the same attribute of the same target: undo puts back A, and
    it expects C there now (B is nobody's business any more)."""
    first = make_entry(7, {"def-reason": (["payment", "card"], ["delivery"]),
                           "def-order": ("100-1", "100-2")}, batch="b-twice")
    second = make_entry(9, {"def-reason": (["delivery"], ["other"])}, batch="b-twice")
    plan = undo_targets([second, first])  # any order in: journal order used
    [target] = plan.targets
    by_id = {r.definition_id: r for r in target.restores}
    assert (by_id["def-reason"].value, by_id["def-reason"].expected) == \
        (["payment", "card"], ["other"])
    assert by_id["def-reason"].entries == (7, 9)
    assert (by_id["def-order"].value, by_id["def-order"].expected) == ("100-1", "100-2")
    assert [r.definition_id for r in target.restores] == ["def-reason", "def-order"]
    assert target.entries == (7, 9)
    checked = check_conflicts(target, {"def-reason": ["other"], "def-order": "100-2"})
    assert checked.body == {"def-reason": ["payment", "card"], "def-order": "100-1"}
    assert checked.conflicts == ()


def test_dixas_answer_is_what_the_target_is_expected_to_hold() -> None:
    entry = make_entry(3, {"def-order": ("a", " 100-2 ")}, returned={"def-order": "100-2"})
    [target] = undo_targets([entry]).targets
    assert target.restores[0].expected == "100-2"
    assert check_conflicts(target, {"def-order": "100-2"}).body == {"def-order": "a"}


def test_failed_writes_are_skipped_with_a_reason_and_unknown_ones_wait() -> None:
    applied = make_entry(1, {"def-order": ("a", "b")})
    failed = make_entry(2, {"def-order": ("b", "c")}, outcome="failed")
    unknown = make_entry(3, {"def-order": ("b", "d")}, outcome="unknown")
    plan = undo_targets([unknown, failed, applied, applied])
    assert [(s.entry_id, "failed" in s.reason) for s in plan.skipped] == [(2, True)]
    assert [e.id for e in plan.unsettled] == [3] and not plan.ready
    assert plan.unsettled[0] is unknown  # the caller's own entries come back
    [target] = plan.targets
    assert (target.restores[0].value, target.restores[0].expected) == ("a", "b")
    assert target.entries == (1,)


def test_targets_are_kept_apart_in_the_order_first_written() -> None:
    entries = [make_entry(1, {"def-order": ("a", "b")}, target_id="10002"),
               make_entry(2, {"def-tier": (None, ["gold"])}, kind="enduser", target_id=USER),
               make_entry(3, {"def-order": ("x", "y")}, target_id="10001"),
               make_entry(4, {"def-order": ("b", "c")}, target_id="10002")]
    shuffled = entries[:]
    random.Random(5).shuffle(shuffled)
    plan = undo_targets(shuffled)
    assert [t.target for t in plan.targets] == [("conversation", "10002"), ("enduser", USER),
                                                ("conversation", "10001")]
    assert [(r.value, r.expected) for r in plan.targets[0].restores] == [("a", "c")]
    assert plan == undo_targets(entries)


def test_nothing_to_undo_is_an_empty_plan() -> None:
    plan = undo_targets([make_entry(1, {"def-order": ("a", "b")}, outcome="failed")])
    assert plan.targets == () and plan.ready and len(plan.skipped) == 1


# -- conflicts -----------------------------------------------------------------------------


@pytest.fixture
def target() -> UndoTarget:
    entry = make_entry(1, {"def-order": ("100-1", "100-2"),
                           "def-reason": (["payment"], ["delivery", "late"]),
                           "def-note": (None, "call back")})
    return undo_targets([entry]).targets[0]


def test_an_attribute_changed_since_is_a_conflict_left_out(target: UndoTarget) -> None:
    now = {"def-order": "100-2", "def-reason": ["other"], "def-note": "call back"}
    checked = check_conflicts(target, now)
    assert checked.body == {"def-order": "100-1", "def-note": None}
    assert [c.restore.definition_id for c in checked.conflicts] == ["def-reason"]
    assert checked.conflicts[0].current == ["other"]
    assert checked.conflicts[0].describe() == \
        "reason: changed since (expected delivery/late, found other)"
    assert [r.definition_id for r in checked.restoring] == ["def-order", "def-note"]
    assert checked.current == {"def-order": "100-2", "def-note": "call back"}
    assert not checked.forced


def test_force_sends_conflicts_too_and_still_reports_them(target: UndoTarget) -> None:
    now = {"def-order": "someone else", "def-reason": ["delivery", "late"]}  # note cleared
    checked = check_conflicts(target, now, force=True)
    assert checked.body == {"def-order": "100-1", "def-reason": ["payment"]}
    assert {c.restore.definition_id for c in checked.conflicts} == {"def-order"}
    assert [r.definition_id for r in checked.unchanged] == ["def-note"]  # already empty
    assert checked.forced


def test_values_compare_normalized(target: UndoTarget) -> None:
    assert same_value(None, "") and same_value("", []) and same_value([], None)
    assert same_value(["a", "b"], ("a", "b"))
    assert not same_value(["a"], "a") and not same_value(["a", "b"], ["b", "a"])
    assert not same_value("x", "x ") and normalized([]) is None
    # a cleared note read back as "" or [] or missing is the same "no value"
    for empty in ("", [], None):
        checked = check_conflicts(target, {"def-order": "100-2",
                                           "def-reason": ("delivery", "late"),
                                           "def-note": empty})
        assert checked.conflicts == () and checked.body == {"def-order": "100-1",
                                                            "def-reason": ["payment"]}


def test_the_body_does_not_share_lists_with_the_plan(target: UndoTarget) -> None:
    checked = check_conflicts(target, {"def-reason": ["delivery", "late"]})
    checked.body["def-reason"].append("mutated")
    assert target.restores[1].value == ["payment"]


# -- settling unknown outcomes -------------------------------------------------------------


ENTRY = make_entry(5, {"def-order": ("100-1", "100-2"), "def-reason": (None, ["payment"])},
                   outcome="unknown")


@pytest.mark.parametrize(("now", "outcome", "words"), [
    ({"def-order": "100-2", "def-reason": ["payment"]}, "applied", "every value the write set"),
    ({"def-order": "100-1"}, "failed", "did not land"),
    ({"def-order": "100-1", "def-reason": ""}, "failed", "did not land"),
    ({"def-order": "100-9", "def-reason": ["payment"]}, "unknown", "other values for order"),
    ({"def-order": "100-2"}, "unknown", "new values of order but the old ones of reason"),
])
def test_settle_outcome_reads_the_target(now: dict[str, object], outcome: str,
                                         words: str) -> None:
    settled = settle_outcome(ENTRY, now)
    assert settled.outcome == outcome and words in settled.note


def test_a_write_that_changed_nothing_settles_as_applied() -> None:
    entry = make_entry(6, {"def-order": ("same", "same")}, outcome="unknown")
    settled = settle_outcome(entry, {"def-order": "same"})
    assert settled.outcome == "applied" and "changed nothing" in settled.note


# -- the whole loop against the mock -------------------------------------------------------


async def test_write_then_undo_restores_the_values_byte_for_byte(tmp_path: Path) -> None:
    """Three attributes written in one batch (one of them twice), journaled, then undone
    through the plan: the conversation's values equal the originals exactly, the conflict
    made in between is left alone, and the undo is itself journaled and undoable."""
    state = MockState.demo()
    with Journal.open(tmp_path / "journal.sqlite3") as journal:
        async with DixaClient("demo-key",
                              transport=httpx.ASGITransport(app=create_app(state))) as client:
            await undo_round_trip(state, client, journal)


async def undo_round_trip(state: MockState, client: DixaClient, journal: Journal) -> None:
    index = state.index()
    order, reason, sentiment, carrier = (index.by_identifier[name][0] for name in (
        "order_number", "contact_reason", "sentiment", "carrier"))
    conversation = DEMO_CONVERSATION_ID
    original = state.conversation_values(conversation)
    target = ("conversation", str(conversation))

    async def write(body: dict[str, object], batch: str | None, **extra: str) -> int:
        now = current_values((await client.get_conversation(conversation))
                             .custom_attributes)
        defs = [index.by_id[key] for key in body]
        entry = journal.begin(Intent(
            profile="demo", base_url=client.base_url, api_version=client.api_version,
            target_kind="conversation", target_id=str(conversation), body=body,
            changes=tuple(Change(d.id, d.identifier, d.label, now.get(d.id), body[d.id])
                          for d in defs), batch=batch, **extra))  # type: ignore[arg-type]
        answer = await client.patch_conversation_attributes(conversation, body)
        journal.complete(entry, "applied", status=200, returned=current_values(answer))
        return entry

    batch = journal.new_batch_id()
    await write({order.id: "100-0001", reason.id: ["payment", "card"]}, batch)
    await write({sentiment.id: None, order.id: "100-0002"}, batch)
    await write({carrier.id: ["gls"]}, batch)
    assert state.writes[target] == 3
    state.conversations[conversation].values[carrier.id] = ["dao"]  # someone else, since

    plan = undo_targets(journal.batch_entries(batch))
    assert plan.ready
    [undo] = plan.targets
    now = current_values((await client.get_conversation(conversation)).custom_attributes)
    checked = check_conflicts(undo, now)
    assert [c.restore.identifier for c in checked.conflicts] == ["carrier"]
    undo_batch = journal.new_batch_id()
    undo_entry = await write(checked.body, undo_batch, origin="undo", undoes=batch)

    after = state.conversation_values(conversation)
    assert after == {**original, carrier.id: ["dao"]}  # all but the conflict, exactly
    assert json.dumps(after, sort_keys=True) == \
        json.dumps({**original, carrier.id: ["dao"]}, sort_keys=True)
    assert state.writes[target] == 4

    # the undo is journaled like any write, and can itself be undone
    entry = journal.get(undo_entry)
    assert entry is not None and (entry.origin, entry.undoes) == ("undo", batch)
    [redo] = undo_targets(journal.batch_entries(undo_batch)).targets
    again = check_conflicts(redo, current_values(
        (await client.get_conversation(conversation)).custom_attributes))
    assert again.body == {order.id: "100-0002", reason.id: ["payment", "card"],
                          sentiment.id: None}
    forced = check_conflicts(undo, current_values(
        (await client.get_conversation(conversation)).custom_attributes), force=True)
    assert forced.body == {carrier.id: original[carrier.id]}  # only the conflict is left
