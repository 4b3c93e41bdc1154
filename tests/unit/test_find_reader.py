"""find_conversations against the in-process mock: the exact answer, what is requested
(counted at the transport), limit, sample, cancellation, progress, and counting."""

from __future__ import annotations

import asyncio
import json
from contextlib import aclosing
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from dixa_tui.api.client import DixaClient
from dixa_tui.api.errors import DixaApiError
from dixa_tui.domain.query import QuerySpec, compile_query
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app
from dixa_tui.mock.demo import DEMO_NOW
from dixa_tui.mock.records import ConversationRecord
from dixa_tui.session.find import Found, count_matches, find_conversations
from dixa_tui.session.progress import Progress

NOW = DEMO_NOW + timedelta(days=3, hours=2)


class Counting(httpx.ASGITransport):
    """The mock in-process, with every request recorded; ``fail`` answers chosen
    conversation reads with a status instead; ``in_flight`` tracks concurrent reads."""

    def __init__(self, app: Starlette, fail: dict[int, int] | None = None) -> None:
        super().__init__(app=app)
        self.sent: list[httpx.Request] = []
        self.fail = fail or {}
        self.in_flight = 0
        self.most_in_flight = 0

    @property
    def searches(self) -> list[httpx.Request]:
        return [r for r in self.sent if r.url.path.endswith("/search/conversations")]

    @property
    def reads(self) -> list[int]:
        return [int(r.url.path.rsplit("/", 1)[1]) for r in self.sent
                if "/conversations/" in r.url.path and r.method == "GET"]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        last = request.url.path.rsplit("/", 1)[1]
        if request.method == "GET" and last.isdigit() and int(last) in self.fail:
            return httpx.Response(self.fail[int(last)], json={"message": "injected"})
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await super().handle_async_request(request)
        finally:
            self.in_flight -= 1


def connect(state: MockState, knobs: Knobs | None = None,
            fail: dict[int, int] | None = None) -> tuple[DixaClient, Counting]:
    transport = Counting(create_app(state, knobs=knobs or Knobs()), fail)
    return DixaClient(DEMO_API_KEY, base_url="http://mock", rate=0,
                      transport=transport), transport


def query(state: MockState, **spec):
    return compile_query(QuerySpec(**spec), state.definitions, now=state.now)


def ident_id(state: MockState, identifier: str) -> str:
    return next(d.id for d in state.definitions if d.identifier == identifier)


def newest_first(records: list[ConversationRecord]) -> list[int]:
    return [r.id for r in sorted(records, key=lambda r: (r.conversation.created_at, r.id),
                                 reverse=True)]


def empty_reason(state: MockState, record: ConversationRecord) -> bool:
    return record.values.get(ident_id(state, "contact_reason")) in (None, [], "")


@pytest.fixture
def demo() -> MockState:
    return MockState.demo(NOW)


@pytest.fixture(scope="module")
def large() -> MockState:
    """5,000 conversations (read-only in these tests)."""
    return MockState.generated(MockState.demo().definitions, conversations=5000, now=NOW)


async def test_created_in_the_last_30_days_with_contact_reason_empty_is_exactly_the_mocks(
        demo: MockState):
    since = demo.now - timedelta(days=30)
    window = [r for r in demo.conversations.values() if r.conversation.created_at >= since]
    expected = newest_first([r for r in window if empty_reason(demo, r)])
    assert 0 < len(expected) < len(window)
    client, transport = connect(demo)
    async with client:
        found = [f async for f in find_conversations(
            client, query(demo, created_since="30d", where=("contact_reason is empty",)))]
    assert [f.conversation_id for f in found] == expected
    assert sorted(transport.reads) == sorted(r.id for r in window)  # each read once
    for f in found:
        assert f.conversation.id == f.conversation_id
        assert f.values == demo.conversation_values(f.conversation_id)
    bodies = [json.loads(r.content) for r in transport.searches]
    assert len(bodies) == (len(window) - 1) // 50 + 1 and "CustomAttribute" not in repr(bodies)
    assert all(b == bodies[0] for b in bodies)
    assert bodies[0]["filters"]["conditions"][0]["field"]["_type"] == "CreationDate"


async def test_a_query_of_dixas_filters_only_finds_what_the_search_finds(demo: MockState):
    client, _ = connect(demo)
    async with client:
        found = [f.conversation_id async for f in find_conversations(
            client, query(demo, status=("open,pending",), channel=("email",)))]
    assert found == newest_first([r for r in demo.conversations.values()
                                  if r.conversation.state in ("Open", "Pending")
                                  and r.conversation.channel == "Email"])


def tenth_match(state: MockState, keep) -> int:
    """Where, in the search's order, the 10th conversation that ``keep``s lies."""
    order = newest_first(list(state.conversations.values()))
    hits = [n for n, cid in enumerate(order) if keep(state.conversations[cid])]
    return hits[9]


async def test_limit_stops_after_the_pages_it_needs_on_5000_conversations(large: MockState):
    position = tenth_match(large, lambda r: empty_reason(large, r))
    assert position >= 50  # the answer needs more than one page
    client, transport = connect(large)
    async with client:
        found = [f async for f in find_conversations(
            client, query(large, where=("contact_reason is empty",)), limit=10,
            concurrency=1)]
    assert len(found) == 10
    assert len(transport.searches) == position // 50 + 1  # of the 100 pages there are
    assert len(transport.reads) == position + 1  # not one conversation more


async def test_limit_with_reads_in_parallel_never_starts_a_read_that_cannot_count(
        large: MockState):
    position = tenth_match(large, lambda r: empty_reason(large, r))
    client, transport = connect(large)
    async with client:
        found = [f async for f in find_conversations(
            client, query(large, where=("contact_reason is empty",)), limit=10)]
    assert len(found) == 10
    # At most (limit - matches) reads are under way, so past the 10th match at most 3
    # reads were started, and no page beyond the one they lie on.
    assert position + 1 <= len(transport.reads) <= position + 4
    assert len(transport.searches) == (len(transport.reads) - 1) // 50 + 1


async def test_limit_without_conditions_reads_exactly_limit(large: MockState):
    client, transport = connect(large)
    async with client:
        found = [f.conversation_id async for f in find_conversations(
            client, query(large, status=("closed",)), limit=10)]
    assert found == newest_first([r for r in large.conversations.values()
                                  if r.conversation.state == "Closed"])[:10]
    assert len(transport.reads) == 10 and len(transport.searches) == 1


async def test_sample_checks_only_the_first_n(large: MockState):
    client, transport = connect(large)
    order = newest_first(list(large.conversations.values()))
    async with client:
        found = [f.conversation_id async for f in find_conversations(
            client, query(large, where=("contact_reason is empty",)), sample=120)]
    assert transport.reads == order[:120]
    assert len(transport.searches) == 3
    assert found == [c for c in order[:120] if empty_reason(large, large.conversations[c])]


async def test_reads_go_on_in_parallel_and_matches_come_in_search_order(demo: MockState):
    knobs = Knobs(latency=0.01)
    client, transport = connect(demo, knobs)
    async with client:
        found = [f.conversation_id async for f in find_conversations(
            client, query(demo, created_since="20d"), concurrency=4)]
    since = demo.now - timedelta(days=20)
    assert found == newest_first([r for r in demo.conversations.values()
                                  if r.conversation.created_at >= since])
    assert transport.most_in_flight == 4


async def test_stopping_early_keeps_what_was_yielded_and_requests_nothing_more(
        large: MockState):
    client, transport = connect(large, Knobs(latency=0.005))
    kept: list[Found] = []
    async with client:
        async with aclosing(find_conversations(client, query(large))) as found:
            async for item in found:
                kept.append(item)
                if len(kept) == 3:
                    break
        sent = len(transport.sent)
        await asyncio.sleep(0.05)
    assert len(kept) == 3 and len(transport.sent) == sent
    assert len(transport.reads) <= 3 + 4 and len(transport.searches) == 1


async def test_a_cancelled_find_keeps_its_matches(large: MockState):
    client, transport = connect(large, Knobs(latency=0.005))
    kept: list[int] = []

    async def consume() -> None:
        async for item in find_conversations(client, query(large)):
            kept.append(item.conversation_id)

    async with client:
        task = asyncio.create_task(consume())
        while len(kept) < 5:
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        sent = len(transport.sent)
        await asyncio.sleep(0.05)
        assert len(transport.sent) <= sent + 4  # reads already under way may still land
        settled = len(transport.sent)
        await asyncio.sleep(0.05)
        assert len(transport.sent) == settled
    order = newest_first(list(large.conversations.values()))
    assert kept == order[:len(kept)] and len(kept) >= 5


async def test_a_conversation_gone_since_the_search_is_skipped_and_counted(demo: MockState):
    order = newest_first(list(demo.conversations.values()))
    client, _ = connect(demo, fail={order[1]: 404})
    seen: list[Progress] = []
    async with client:
        found = [f.conversation_id async for f in find_conversations(
            client, query(demo), sample=5, on_progress=seen.append)]
    assert found == [order[0], *order[2:5]]
    assert seen[-1].counts["missing"] == 1 and seen[-1].done == 5


async def test_another_failure_ends_the_find_after_the_matches_before_it(demo: MockState):
    order = newest_first(list(demo.conversations.values()))
    client, _ = connect(demo, fail={order[6]: 500})
    kept: list[int] = []
    async with client:
        with pytest.raises(DixaApiError) as caught:
            async for f in find_conversations(client, query(demo), concurrency=2):
                kept.append(f.conversation_id)
    assert caught.value.status == 500
    assert kept == order[:6]


async def test_progress_with_a_limit_knows_its_eta(large: MockState):
    seen: list[Progress] = []
    client, _ = connect(large)
    async with client:
        found = [f async for f in find_conversations(
            client, query(large, where=("contact_reason is empty",)), limit=10,
            on_progress=seen.append, concurrency=1)]
    last = seen[-1]
    assert (last.stage, last.done, last.total) == ("found", 10, 10)
    assert last.eta == 0.0 and "ETA" in last.line()
    assert last.counts["checked"] >= 10 and last.counts["pages"] >= 2
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    assert len(found) == 10


async def test_progress_without_a_limit_counts_pages_checked_and_matches(demo: MockState):
    seen: list[Progress] = []
    client, _ = connect(demo)
    async with client:
        found = [f async for f in find_conversations(
            client, query(demo, where=("contact_reason is empty",)), on_progress=seen.append)]
    last = seen[-1]
    assert last.stage == "checked" and last.total is None and last.eta is None
    assert last.done == 240 and last.counts == {"pages": 5, "matches": len(found)}
    assert "ETA" not in last.line() and "5 pages" in last.line()


async def test_count_matches_reads_only_when_an_attribute_must_be_tested(demo: MockState):
    client, transport = connect(demo)
    async with client:
        tally = await count_matches(client, query(demo, where=("contact_reason is empty",)))
        assert tally.matches == sum(empty_reason(demo, r) for r in demo.conversations.values())
        assert tally.checked == 240 and tally.pages == 5
        transport.sent.clear()
        closed = await count_matches(client, query(demo, status=("closed",)))
        assert closed.matches == sum(r.conversation.state == "Closed"
                                     for r in demo.conversations.values())
        assert transport.reads == [] and closed.checked == 0
        transport.sent.clear()
        sampled = await count_matches(client, query(demo), sample=60)
        assert (sampled.matches, sampled.pages) == (60, 2) and transport.reads == []


@pytest.mark.parametrize("options", [{"limit": 0}, {"sample": -1}, {"concurrency": 0}])
async def test_bad_bounds_are_refused_before_any_request(demo: MockState, options):
    client, transport = connect(demo)
    async with client:
        with pytest.raises(ValueError):
            find_conversations(client, query(demo), **options)
    assert transport.sent == []


@pytest.mark.parametrize("options", [{"sample": 0}, {"concurrency": 0}])
async def test_a_count_by_ids_refuses_bad_bounds_and_builds_no_reader(
        demo: MockState, options, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without attribute conditions the search's ids are the whole answer: no reader of
    conversations is made for them, and bad bounds are still refused before any request."""
    from dixa_tui.session import find

    def no_reader(*_: object, **__: object) -> None:
        raise AssertionError("a count by ids built a conversation reader")

    monkeypatch.setattr(find, "_Finder", no_reader)
    client, transport = connect(demo)
    async with client:
        assert (await count_matches(client, query(demo), sample=60)).matches == 60
        with pytest.raises(ValueError, match="at least 1"):
            await count_matches(client, query(demo), **options)
    assert transport.reads == []
