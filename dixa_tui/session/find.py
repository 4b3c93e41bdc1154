"""Finding conversations: Dixa's search narrows, each conversation is read, the query decides.

Dixa's ``POST /search/conversations`` answers ids only, 50 a page; values need one
``GET /conversations/{id}`` each, at Dixa's 10 requests/s (the client paces itself). So a
find reads the search's pages one at a time and only when it needs more ids, reads a few
conversations at once (so network latency does not cost throughput: the client's token
bucket sets the pace), checks each one locally (:meth:`FindQuery.confirms`, then the
attribute conditions, :meth:`FindQuery.matches`) and yields the matches in the search's
order as soon as each is confirmed.

``limit`` stops the reading: no page or conversation is requested that could not change the
answer (a read starts only while the matches so far plus the reads under way are fewer than
``limit``). ``sample`` checks only the first N conversations the search returns. Stopping
early (``break``, or cancelling the task) keeps what was yielded; use
``contextlib.aclosing`` so the reads under way are cancelled at once rather than when the
generator is collected.

Conversations the search names but Dixa no longer has (404: deleted since) are skipped and
counted as ``missing``; any other failure ends the find with the client's ``DixaError``,
after the matches yielded before it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field

from dixa_tui.api.client import SEARCH_PAGE_LIMIT, DixaClient
from dixa_tui.api.errors import DixaApiError
from dixa_tui.api.models import AttributeValue, Conversation
from dixa_tui.domain.patch import current_values
from dixa_tui.domain.query import FindQuery
from dixa_tui.session.progress import ProgressListener, ProgressMeter

DEFAULT_CONCURRENCY = 4  # reads under way at once: hides ~300 ms of latency at 10/s


@dataclass(frozen=True)
class Found:
    """A conversation that matches: its id, Dixa's model of it, its values by definition id
    (a string, a list of option values, or None for a cleared value)."""

    conversation_id: int
    conversation: Conversation
    values: dict[str, AttributeValue | None] = field(default_factory=dict)


@dataclass
class Tally:
    """What a find did: search ``pages`` read, conversations ``checked`` (read and tested),
    ``matches``, and ``missing`` (named by the search, gone when read)."""

    pages: int = 0
    checked: int = 0
    matches: int = 0
    missing: int = 0


def _check_sizes(*, limit: int | None = None, sample: int | None = None,
                 concurrency: int = 1) -> None:
    """ValueError for a limit, sample or concurrency below 1 (a caller's mistake)."""
    for name, value in (("limit", limit), ("sample", sample)):
        if value is not None and value < 1:
            raise ValueError(f"{name} must be at least 1")
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")


class _Finder:
    """One run of a find; ``tally`` is current while it runs and final when it ends."""

    def __init__(self, client: DixaClient, query: FindQuery, *, limit: int | None,
                 sample: int | None, concurrency: int, page_limit: int,
                 on_progress: ProgressListener | None, clock: Callable[[], float]) -> None:
        _check_sizes(limit=limit, sample=sample, concurrency=concurrency)
        self.client, self.query = client, query
        self.limit, self.sample, self.concurrency = limit, sample, concurrency
        self.page_limit = page_limit
        self.tally = Tally()
        if sample is not None:
            self.meter = ProgressMeter("checked", sample, listener=on_progress, clock=clock)
        elif limit is not None:
            self.meter = ProgressMeter("found", limit, listener=on_progress, clock=clock)
        else:
            self.meter = ProgressMeter("checked", None, listener=on_progress, clock=clock)
        for name in ("pages", "checked", "matches"):
            if name != self._done_name:
                self.meter.count(name, 0)

    @property
    def _done_name(self) -> str:
        """Which tally the meter's ``done`` counts (the one with a known total, if any)."""
        return "matches" if self.limit is not None and self.sample is None else "checked"

    def _page_read(self) -> None:
        self.tally.pages += 1
        self.meter.count("pages")
        self.meter.report()

    def _checked(self, *, matched: bool, missing: bool = False) -> None:
        self.tally.checked += 1
        self.tally.matches += int(matched)
        self.tally.missing += int(missing)
        if missing:
            self.meter.count("missing")
        if self._done_name == "matches":
            self.meter.count("checked")
            self.meter.advance(1 if matched else 0)
        else:
            self.meter.count("matches", 1 if matched else 0)
            self.meter.advance()

    async def ids(self) -> AsyncGenerator[int, None]:
        """The search's ids, a page read only when the one before is used up."""
        pages = self.client.search_conversation_pages(self.query.search_body(),
                                                      page_limit=self.page_limit)
        try:
            async for page in pages:
                self._page_read()
                for conversation_id in page:
                    yield conversation_id
        finally:
            await pages.aclose()

    def _wants_more(self, taken: int, under_way: int) -> bool:
        if self.sample is not None and taken >= self.sample:
            return False
        return self.limit is None or self.tally.matches + under_way < self.limit

    async def _read(self, conversation_id: int) -> Conversation | None:
        try:
            return await self.client.get_conversation(conversation_id)
        except DixaApiError as exc:
            if exc.status == 404:
                return None
            raise

    async def run(self) -> AsyncGenerator[Found, None]:
        ids = self.ids()
        reads: deque[tuple[int, asyncio.Task[Conversation | None]]] = deque()
        taken = 0
        exhausted = False
        try:
            while True:
                while not exhausted and len(reads) < self.concurrency \
                        and self._wants_more(taken, len(reads)):
                    conversation_id = await anext(ids, None)
                    if conversation_id is None:
                        exhausted = True
                        break
                    taken += 1
                    reads.append((conversation_id, asyncio.create_task(
                        self._read(conversation_id))))
                if not reads:
                    return
                conversation_id, read = reads.popleft()
                conversation = await read
                found = self._check(conversation_id, conversation)
                if found is not None:
                    yield found
                if self.limit is not None and self.tally.matches >= self.limit:
                    return
        finally:
            for _, read in reads:
                read.cancel()
            await asyncio.gather(*(read for _, read in reads), return_exceptions=True)
            await ids.aclose()

    def _check(self, conversation_id: int, conversation: Conversation | None) -> Found | None:
        if conversation is None:
            self._checked(matched=False, missing=True)
            return None
        values = current_values(conversation.custom_attributes)
        matched = self.query.confirms(conversation) and self.query.matches(values)
        self._checked(matched=matched)
        return Found(conversation_id, conversation, values) if matched else None


def find_conversations(
    client: DixaClient, query: FindQuery, *, limit: int | None = None,
    sample: int | None = None, concurrency: int = DEFAULT_CONCURRENCY,
    page_limit: int = SEARCH_PAGE_LIMIT, on_progress: ProgressListener | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncGenerator[Found, None]:
    """The conversations matching ``query``, in the search's order, each yielded as soon as
    it is confirmed; at most ``limit`` of them, among the first ``sample`` the search names.

    ``on_progress`` hears a :class:`~dixa_tui.session.progress.Progress` after every page
    and every conversation checked. Its ``done``/``total`` count matches of ``limit`` when
    only a limit is given (stage ``found``: the ETA is then known), conversations checked of
    ``sample`` when sampling (stage ``checked``), and conversations checked with no total
    otherwise; ``counts`` holds the rest of ``pages``, ``checked``, ``matches`` (and
    ``missing`` once one is). Raises ValueError for a limit, sample or concurrency below 1.
    """
    finder = _Finder(client, query, limit=limit, sample=sample, concurrency=concurrency,
                     page_limit=page_limit, on_progress=on_progress, clock=clock)
    return finder.run()


async def count_matches(
    client: DixaClient, query: FindQuery, *, sample: int | None = None,
    concurrency: int = DEFAULT_CONCURRENCY, page_limit: int = SEARCH_PAGE_LIMIT,
    on_progress: ProgressListener | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Tally:
    """How many conversations match ``query`` (among the first ``sample``), by reading.

    A query without attribute conditions is answered by the search alone: its ids are
    counted, no conversation is read (``checked`` stays 0).
    """
    if not query.needs_values:
        _check_sizes(sample=sample, concurrency=concurrency)
        return await _count_ids(client, query, sample=sample, page_limit=page_limit,
                                on_progress=on_progress, clock=clock)
    finder = _Finder(client, query, limit=None, sample=sample, concurrency=concurrency,
                     page_limit=page_limit, on_progress=on_progress, clock=clock)
    async for _ in finder.run():
        pass
    return finder.tally


async def _count_ids(client: DixaClient, query: FindQuery, *, sample: int | None,
                     page_limit: int, on_progress: ProgressListener | None,
                     clock: Callable[[], float]) -> Tally:
    """The search's ids counted page by page (among the first ``sample``): what Dixa
    answers is the whole answer when no attribute has to be read."""
    meter = ProgressMeter("counted", sample, listener=on_progress, clock=clock)
    meter.count("pages", 0)
    tally = Tally()
    pages = client.search_conversation_pages(query.search_body(), page_limit=page_limit)
    try:
        async for page in pages:
            tally.pages += 1
            meter.count("pages")
            taken = len(page) if sample is None else min(len(page), sample - tally.matches)
            tally.matches += taken
            meter.advance(taken)
            if sample is not None and tally.matches >= sample:
                break
    finally:
        await pages.aclose()
    return tally
