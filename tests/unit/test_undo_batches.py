"""Undo of a batch: targets read and sent a few at a time with progress, a target deleted
since skipped (not the whole undo refused), a failed send not stopping the others, and a
stop (gentle, or a cancellation) keeping what was done."""

from __future__ import annotations

import asyncio
import functools

import httpx
import pytest

from dixa_tui.api.errors import DixaApiError
from dixa_tui.api.ratelimit import RetryPolicy
from dixa_tui.domain.patch import StagedEdit, Target
from dixa_tui.journal import Journal
from dixa_tui.mock import Knobs, MockState, create_app
from dixa_tui.mock.faults import Fault, FaultTransport
from dixa_tui.session.bulk import apply_bulk, plan_targets
from dixa_tui.session.bulk_files import start_batch
from dixa_tui.session.core import Session
from dixa_tui.session.progress import Progress
from dixa_tui.session.settings import Settings
from dixa_tui.session.undo import TargetSent, prepare_undo, send_undo

FIRST = 10001


def conversations(n: int) -> list[Target]:
    return [Target("conversation", str(FIRST + i)) for i in range(n)]


def order_id(state: MockState) -> str:
    return next(d.id for d in state.definitions if d.identifier == "order_number")


class Watched(httpx.AsyncBaseTransport):
    """Counts the requests in flight at once, by method; ``hold`` keeps a GET of one path
    waiting until released (``arrived`` is set when it is there)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.now: dict[str, int] = {"GET": 0, "PATCH": 0}
        self.most: dict[str, int] = {"GET": 0, "PATCH": 0}
        self.hold: str | None = None
        self.arrived = asyncio.Event()
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        method = request.method
        if self.hold is not None and method == "GET" and request.url.path.endswith(self.hold):
            self.arrived.set()
            await self.release.wait()
        self.now[method] = self.now.get(method, 0) + 1
        self.most[method] = max(self.most.get(method, 0), self.now[method])
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.now[method] -= 1


def session_on(transport: httpx.AsyncBaseTransport) -> Session:
    return Session.open(Settings(demo=True), transport=lambda: transport)


async def bulk_batch(session: Session, state: MockState, n: int, value: str = "700-1") -> str:
    """A bulk run setting order_number on ``n`` conversations: its batch id."""
    plan = await plan_targets(session, conversations(n), [StagedEdit(order_id(state), value)])
    plan, _ = await start_batch(session, plan, None)
    summary = await apply_bulk(session, plan)
    assert summary.counts.get("sent", 0) + summary.counts.get("unknown", 0) == n
    assert plan.batch_id is not None
    return plan.batch_id


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dixa_tui.api.client.RetryPolicy", functools.partial(
        RetryPolicy, base_delay=0.001, max_delay=0.01))


async def test_a_deleted_target_is_skipped_and_the_others_are_undone(state: MockState) -> None:
    order = order_id(state)
    before = {i: state.conversation_values(i).get(order) for i in (10001, 10002, 10003)}
    async with session_on(httpx.ASGITransport(app=create_app(state))) as session:
        batch = await bulk_batch(session, state, 3)
        del state.conversations[10002]  # deleted in Dixa since the run
        prepared = await prepare_undo(session, batch)
        assert [t.target.id for t in prepared.to_send] == ["10001", "10003"]
        assert len(prepared.skipped) == 1
        assert "conversation 10002 no longer exists" in prepared.skipped[0].reason
        result = await send_undo(session, prepared)
    assert len(result.sent) == 2 and not result.failed and not result.not_sent
    for i in (10001, 10003):
        assert state.conversation_values(i).get(order) == before[i]


async def test_a_read_failing_otherwise_still_stops_the_undo(state: MockState) -> None:
    faults = FaultTransport(httpx.ASGITransport(app=create_app(state)))
    async with session_on(faults) as session:
        batch = await bulk_batch(session, state, 3)
        faults.add("GET", "/conversations/10002", Fault.http(403, "Forbidden"))
        with pytest.raises(DixaApiError) as raised:
            await prepare_undo(session, batch)
    assert raised.value.status == 403


async def test_a_failed_send_does_not_stop_the_others_and_every_failure_is_listed(
        state: MockState) -> None:
    order = order_id(state)
    before = {i: state.conversation_values(i).get(order) for i in range(10001, 10006)}
    faults = FaultTransport(httpx.ASGITransport(app=create_app(state)))
    async with session_on(faults) as session:
        batch = await bulk_batch(session, state, 5)
        prepared = await prepare_undo(session, batch)
        for bad in ("10001", "10004"):
            faults.add("PATCH", f"/conversations/{bad}/custom-attributes",
                       Fault.http(400, "Invalid input for patching"))
        result = await send_undo(session, prepared, concurrency=1)
    assert sorted(part.target.id for part, _ in result.failed) == ["10001", "10004"]
    assert all(isinstance(e, DixaApiError) and e.status == 400 for _, e in result.failed)
    assert sorted(s.target.id for s in result.sent) == ["10002", "10003", "10005"]
    assert result.not_sent == []
    for i in (10002, 10003, 10005):
        assert state.conversation_values(i).get(order) == before[i]
    assert state.conversation_values(10004).get(order) == "700-1"


async def test_a_batch_is_read_and_sent_a_few_at_a_time_with_progress(
        state: MockState) -> None:
    order = order_id(state)
    watched = Watched(httpx.ASGITransport(app=create_app(state, knobs=Knobs(latency=0.02))))
    heard: list[Progress] = []
    async with session_on(watched) as session:
        batch = await bulk_batch(session, state, 12)
        watched.most = {"GET": 0, "PATCH": 0}
        prepared = await prepare_undo(session, batch, on_progress=heard.append)
        reading = [p for p in heard if p.stage == "reading"]
        assert reading[0].done == 0 and reading[-1].done == reading[-1].total == 12
        assert 1 < watched.most["GET"] <= 4
        heard.clear()
        result = await send_undo(session, prepared, on_progress=heard.append)
    assert len(result.sent) == 12
    assert 1 < watched.most["PATCH"] <= 4
    sending = [p for p in heard if p.stage == "sending"]
    assert [p.done for p in sending] == list(range(13)) and sending[-1].total == 12
    assert all(state.conversation_values(i).get(order) != "700-1" for i in range(10001, 10013))


async def test_a_stopped_send_keeps_what_it_sent_and_the_next_undo_finishes(
        state: MockState) -> None:
    order = order_id(state)
    async with session_on(httpx.ASGITransport(app=create_app(state))) as session:
        batch = await bulk_batch(session, state, 6)
        prepared = await prepare_undo(session, batch)
        stop = asyncio.Event()
        heard: list[TargetSent] = []

        def after_two(done: TargetSent) -> None:
            heard.append(done)
            if len(heard) == 2:
                stop.set()

        first = await send_undo(session, prepared, on_sent=after_two, concurrency=1, stop=stop)
        assert [s.target for s in first.sent] == [d.part.target for d in heard]
        assert len(first.sent) == 2 and first.stopped
        left = [p.target.id for p in prepared.to_send[2:]]
        assert [p.target.id for p in first.not_sent] == left
        again = await prepare_undo(session, batch)
        assert [t.target.id for t in again.to_send] == left
        assert sum(len(t.checked.unchanged) for t in again.targets) == 2  # restored: not sent
        second = await send_undo(session, again)
    assert len(second.sent) == 4
    assert all(state.conversation_values(i).get(order) != "700-1" for i in range(10001, 10007))
    with Journal.open() as journal:
        assert len(journal.batch_entries(prepared.batch)) == 2  # the first undo's writes


@pytest.mark.usefixtures("fast_retries")
async def test_a_cancelled_prepare_keeps_the_settlements_it_made(state: MockState) -> None:
    """Writes of unknown outcome (Dixa answered 503: never applied) are settled as each
    target is read, so cancelling the undo's preparation half-way keeps them."""
    watched = Watched(FaultTransport(httpx.ASGITransport(app=create_app(state))))
    faults = watched.inner
    assert isinstance(faults, FaultTransport)
    faults.add("PATCH", "/conversations/*/custom-attributes",
               Fault.http(503, "Service Unavailable"))
    async with session_on(watched) as session:
        batch = await bulk_batch(session, state, 3)
        faults.clear()
        with Journal.open() as journal:  # read in journal order: hold the last one
            *early, last = [e.target_id for e in journal.batch_entries(batch)]
        watched.hold = f"/conversations/{last}"
        task = asyncio.create_task(prepare_undo(session, batch, concurrency=1))
        await asyncio.wait_for(watched.arrived.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    with Journal.open() as journal:
        outcomes = {e.target_id: (e.outcome, bool(e.settled))
                    for e in journal.batch_entries(batch)}
    assert outcomes == {early[0]: ("failed", True), early[1]: ("failed", True),
                        last: ("unknown", False)}
