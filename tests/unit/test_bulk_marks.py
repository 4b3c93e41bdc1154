"""Marked targets and one edit set: written as bulk records, planned by the same rules as a
file, applied under one batch, stopped gently, retried by lines."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from dixa_tui.domain.bulk_input import parse_bulk
from dixa_tui.domain.bulk_marks import marks_jsonl
from dixa_tui.domain.bulk_plan import Plan
from dixa_tui.domain.patch import DefinitionIndex, StagedEdit, Target
from dixa_tui.journal import Journal
from dixa_tui.mock import Knobs, MockState, create_app
from dixa_tui.mock.demo import DEMO_END_USER_ID
from dixa_tui.session.bulk import apply_bulk, plan_targets
from dixa_tui.session.bulk_files import (
    append_results,
    plans_folder,
    results_path,
    start_batch,
    write_failures,
)
from dixa_tui.session.core import Session
from dixa_tui.session.settings import Settings


def ids(state: MockState) -> dict[str, str]:
    return {d.identifier: d.id for d in state.definitions}


def conversations(n: int) -> list[Target]:
    return [Target("conversation", str(10001 + i)) for i in range(n)]


def session_on(state: MockState, knobs: Knobs | None = None) -> Session:
    app = create_app(state, knobs=knobs or Knobs())
    return Session.open(Settings(demo=True), transport=lambda: httpx.ASGITransport(app=app))


def test_marks_are_records_of_the_documented_jsonl_form(state: MockState) -> None:
    index = DefinitionIndex(state.definitions)
    edits = [StagedEdit(ids(state)["order_number"], "100-7788"),
             StagedEdit(ids(state)["contact_reason"], ["payment", "card"]),
             StagedEdit(ids(state)["carrier"], None)]
    targets = [*conversations(2), Target("conversation", "10001")]  # a target marked twice
    text = marks_jsonl(targets, edits, index)
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines == [{"conversation": n, "set": {"order_number": "100-7788",
                                                 "contact_reason": ["payment", "card"]},
                      "clear": ["carrier"]} for n in (10001, 10002)]
    parsed = parse_bulk(text, definitions=index, format="jsonl")
    assert parsed.ok and [r.target_id for r in parsed.rows] == ["10001", "10002"]


@pytest.mark.parametrize(("targets", "edits", "said"), [
    ([], [StagedEdit("order_number", "x")], "nothing is marked"),
    ([Target("conversation", "10001"), Target("enduser", DEMO_END_USER_ID)],
     [StagedEdit("order_number", "x")], "both end users and conversations"),
    ([Target("conversation", "10001")], [], "no edits are staged"),
])
def test_marks_that_cannot_be_one_run_are_refused_in_words(state: MockState, targets, edits,
                                                           said: str) -> None:
    with pytest.raises(ValueError, match=said):
        marks_jsonl(targets, edits, DefinitionIndex(state.definitions))


async def test_plan_targets_reads_each_target_and_plans_like_a_file(state: MockState) -> None:
    order = ids(state)["order_number"]
    first, *rest = conversations(5)
    state.conversations[10003].values[order] = "700-1"  # already holds the value
    progress = []
    async with session_on(state) as session:
        plan = await plan_targets(session, [first, *rest], [StagedEdit(order, "700-1")],
                                  on_progress=progress.append)
    assert plan.input.origin == "marks" and plan.input.format == "jsonl"
    assert [e.target for e in plan.entries] == [first, *rest]
    assert [e.status for e in plan.entries] == ["change", "change", "unchanged", "change",
                                                "change"]
    assert plan.entries[0].changes[0].before == "100-2345"
    assert plan.totals.changes == 4 and plan.applicable
    assert progress[-1].done == 5 and progress[-1].total == 5
    assert sum(state.writes.values()) == 0  # planning sends nothing
    # the plan file of marks reads back as a plan (origin kept)
    assert Plan.from_json(plan.to_json()).input.origin == "marks"


async def test_a_marked_target_that_is_gone_is_an_error_of_its_own(state: MockState) -> None:
    order = ids(state)["order_number"]
    targets = [*conversations(2), Target("conversation", "99999")]
    async with session_on(state) as session:
        plan = await plan_targets(session, targets, [StagedEdit(order, "700-1")])
    assert [e.status for e in plan.entries] == ["change", "change", "error"]
    assert "does not exist" in plan.entries[2].errors[0].message
    sendable = plan.restricted_to(e.line for e in plan.entries if e.status != "error")
    assert sendable.applicable and sendable.totals.targets == 2


async def test_a_stopped_run_finishes_what_is_on_its_way_and_the_rest_resumes(
        state: MockState, home: Path) -> None:
    order = ids(state)["order_number"]
    targets = conversations(12)
    stop = asyncio.Event()
    seen = []

    def heard(result) -> None:
        seen.append(result)
        if len(seen) == 3:
            stop.set()

    async with session_on(state) as session:
        plan = await plan_targets(session, targets, [StagedEdit(order, "700-9")])
        plan, path = await start_batch(session, plan, None)
        assert path.parent == plans_folder() and path.name == f"{plan.batch_id}.plan.json"
        assert Plan.from_json(path.read_bytes()).batch_id == plan.batch_id
        summary = await apply_bulk(session, plan, on_result=heard, stop=stop, concurrency=2)
        assert summary.cancelled
        sent = summary.counts["sent"]
        assert 3 <= sent < 12  # the ones on their way finished: none left unknown
        append_results(path, summary.results)
        rest = await apply_bulk(session, plan)  # the same batch: what landed is skipped
    assert rest.counts == {"skipped": sent, "sent": 12 - sent}
    assert all(state.conversation_values(int(t.id))[order] == "700-9" for t in targets)
    assert all(state.writes[("conversation", t.id)] == 1 for t in targets)
    with Journal.open() as journal:
        entries = journal.batch_entries(plan.batch_id)
    assert len(entries) == 12 and {e.outcome for e in entries} == {"applied"}
    assert results_path(path).read_text().count("\n") == sent


async def test_failures_are_sent_again_alone_and_leave_a_failures_file(
        state: MockState, home: Path) -> None:
    from dixa_tui.mock.faults import Fault, FaultTransport

    order = ids(state)["order_number"]
    faults = FaultTransport(httpx.ASGITransport(app=create_app(state)))
    faults.add("PATCH", "/conversations/10002/custom-attributes",
               Fault.http(503, "Service Unavailable"), times=8)
    session = Session.open(Settings(demo=True), transport=lambda: faults)
    async with session:
        plan = await plan_targets(session, conversations(3), [StagedEdit(order, "700-2")])
        plan, path = await start_batch(session, plan, None)
        first = await apply_bulk(session, plan)
        append_results(path, first.results)
        assert first.counts == {"sent": 2, "unknown": 1}
        failures = write_failures(plan, path)
        assert failures is not None
        assert json.loads(failures.read_text()) == {"conversation": 10002,
                                                    "set": {"order_number": "700-2"}}
        faults.clear()
        failed = [r.line for r in first.results if r.outcome != "sent"]
        again = await apply_bulk(session, plan.restricted_to(failed))
        append_results(path, again.results)
    assert again.counts == {"sent": 1}
    assert state.conversation_values(10002)[order] == "700-2"
    assert write_failures(plan, path) is None  # the latest outcome of each line is a success
