"""The usage census over the session: count first (the ETA), then read each conversation.

Values are not in Dixa's search answer: the census costs one ``GET /conversations/{id}``
per conversation at Dixa's 10 requests/s. So :func:`plan_usage` first counts the ids the
query's search names (pages of 50: a fiftieth of the cost) and says how long reading them
will take, before anything is read; :func:`read_usage` then reads them with the find
reader (``session.find``) into a :class:`~dixa_tui.domain.usage.UsageTally` the caller
holds, so a census that is stopped (Ctrl-C, the TUI's stop key: the task is cancelled)
keeps every conversation it read.

Without a query the census covers the conversations created in the last 7 days.
"""

from __future__ import annotations

from contextlib import aclosing
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from dixa_tui.domain.query import FindQuery, QuerySpec, compile_query
from dixa_tui.domain.usage import UsageTally
from dixa_tui.session.progress import ProgressListener, duration

if TYPE_CHECKING:
    from dixa_tui.session.core import Session

DEFAULT_SPEC = QuerySpec(created_since="7d")
DIXA_RATE = 10.0  # requests/s: the ETA's pace when the profile does not pace itself
PAGE = 50  # ids per search page


@dataclass(frozen=True)
class UsagePlan:
    """A census about to run: the ``query``, how many conversations the search names
    (``found``: counting stops at ``sample``, so a sample bounds the count's cost too), how
    many will be read (``reads``), and the ``rate`` the client allows itself."""

    query: FindQuery
    found: int
    reads: int
    rate: float
    sample: int | None = None

    @property
    def requests(self) -> int:
        """One GET per conversation read, and the search's pages again as it goes."""
        return self.reads + -(-self.reads // PAGE)

    @property
    def seconds(self) -> float:
        return self.requests / self.rate

    def sentence(self) -> str:
        """``Reading 1,234 conversations (created since 7d …): about 2 min 06 s at 10
        requests/s.``"""
        what = self.query.describe()
        if not self.reads:
            return f"No conversation matches ({what}): nothing to read."
        noun = "conversation" if self.reads == 1 else "conversations"
        sampled = f"the first {self.reads:,} {noun} (--sample)" if self.sample is not None \
            and self.reads >= self.sample else f"{self.reads:,} {noun}"
        return (f"Reading {sampled} ({what}): about "
                f"{duration(self.seconds)} at {self.rate:g} requests/s, one per conversation.")


async def plan_usage(session: Session, spec: QuerySpec | None = None, *,
                     sample: int | None = None, now: datetime) -> UsagePlan:
    """Check the query (``query.QueryError`` lists every problem; nothing is sent) and count
    the conversations its search names (no conversation is read yet)."""
    from dixa_tui.session.find import count_matches

    if sample is not None and sample < 1:
        raise ValueError("--sample must be at least 1")
    read = session.definitions or await session.load_definitions()
    query = compile_query(spec if spec is not None and not spec.is_empty() else DEFAULT_SPEC,
                          read.definitions, now=now)
    client = session.require_client("count conversations")
    counted = await count_matches(client, replace(query, conditions=()), sample=sample)
    rate = session.profile.rate_limit or DIXA_RATE
    return UsagePlan(query, counted.matches, counted.matches, rate, sample)


async def read_usage(session: Session, plan: UsagePlan, tally: UsageTally, *,
                     on_progress: ProgressListener | None = None) -> UsageTally:
    """Read the plan's conversations into ``tally`` (which keeps them if this is cancelled)
    and return it. A ``--where`` condition keeps only the conversations it matches."""
    from dixa_tui.session.find import find_conversations

    if not plan.reads:
        return tally
    client = session.require_client("read conversations")
    found = find_conversations(client, plan.query, sample=plan.reads, on_progress=on_progress)
    async with aclosing(found) as conversations:
        async for conversation in conversations:
            tally.add(conversation.values, closed=conversation.conversation.state == "Closed")
    return tally


def new_tally(session: Session) -> UsageTally:
    """An empty tally over the session's definitions (loaded by :func:`plan_usage`)."""
    read = session.definitions
    return UsageTally(read.definitions if read is not None else [])
