"""Bulk runs: plan a file of edits against the organization, then apply it at Dixa's pace.

Planning resolves every row's target (lookups included), reads its current values and
applies the same domain rules as ``patch``, so every bad row is known before anything is
sent. Applying sends each target's body through the session's journaled send under the
plan's batch id, after checking that the target still holds what the plan read (the plan
may be hours old). A run stopped half-way (Ctrl-C, SIGKILL) loses nothing: the next run of
the same plan reads the journal, skips what landed, settles what is unknown by reading the
target, and sends the rest. Targets run a few at a time so the client's token bucket stays
full (the pace is the bucket's, so there are no 429s) while each request's latency overlaps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dixa_tui.api.errors import DixaApiError, DixaError
from dixa_tui.domain.bulk_input import BulkInput, BulkRow, parse_bulk
from dixa_tui.domain.bulk_plan import Plan, PlanEntry, PlanOrigin, iso_utc
from dixa_tui.domain.bulk_planner import build_plan, needs_values, plan_entry, settle
from dixa_tui.domain.bulk_results import Outcome as ResultOutcome
from dixa_tui.domain.bulk_results import ResultLine
from dixa_tui.domain.bulk_rows import Format
from dixa_tui.domain.patch import StagedEdit, Target
from dixa_tui.session.bulk_files import batch_lock
from dixa_tui.session.parallel import CONCURRENCY
from dixa_tui.session.parallel import in_parallel as _in_parallel
from dixa_tui.session.progress import ProgressListener, ProgressMeter
from dixa_tui.session.writes import IN_FLIGHT, may_be_on_its_way, outcome_of

if TYPE_CHECKING:
    from dixa_tui.config import Profile
    from dixa_tui.journal import Entry, Journal
    from dixa_tui.session.core import Session

ResultListener = Callable[[ResultLine], None]


# -- planning ------------------------------------------------------------------------------


async def plan_bulk(session: Session, data: bytes | str, *, name: str | None = None,
                    format: str | None = None, on_progress: ProgressListener | None = None,
                    concurrency: int = CONCURRENCY,
                    origin: PlanOrigin = "file") -> tuple[BulkInput, Plan]:
    """Parse ``data`` and plan every row (nothing is sent). Rows that change something get
    their target resolved and read, ``concurrency`` at a time; progress counts those."""
    index = await session.index()
    fmt: Format | None = "csv" if format == "csv" else "jsonl" if format == "jsonl" else None
    parsed = parse_bulk(data, definitions=index, name=name, format=fmt)
    work = [row for row in parsed.rows if needs_values(row)]
    meter = ProgressMeter("reading", len(work), listener=on_progress)
    meter.report()
    entries: dict[int, PlanEntry] = {row.line: plan_entry(row, index) for row in parsed.rows
                                     if not needs_values(row)}

    async def one(row: BulkRow) -> None:
        target, current, problem = await _resolve_and_read(session, row)
        entries[row.line] = plan_entry(row, index, target=target, current=current,
                                       target_problem=problem)
        meter.advance(**({"not found": 1} if problem else {}))

    await _in_parallel(work, one, concurrency)
    profile = session.profile
    plan = build_plan(parsed, [entries[row.line] for row in parsed.rows],
                      created_at=datetime.now(UTC), profile=profile.name,
                      base_url=profile.base_url, api_version=profile.api_version,
                      origin=origin)
    return parsed, plan


async def plan_targets(session: Session, targets: Sequence[Target],
                       edits: Sequence[StagedEdit], *,
                       on_progress: ProgressListener | None = None,
                       concurrency: int = CONCURRENCY) -> Plan:
    """Plan one edit set for every target (marked in the TUI): each target is read at
    Dixa's pace and judged by the same rules as a row of a file, since the marks are
    written as one JSONL record per target and planned as such (the plan's input says
    ``origin: marks``). Nothing is sent. ``ValueError`` for no targets, a mix of end users
    and conversations, or no edits."""
    from dixa_tui.domain.bulk_marks import marks_jsonl

    text = marks_jsonl(targets, edits, await session.index())
    _, plan = await plan_bulk(session, text, format="jsonl", on_progress=on_progress,
                              concurrency=concurrency, origin="marks")
    return plan


async def _resolve_and_read(session: Session, row: BulkRow
                            ) -> tuple[Target | None, dict[str, Any] | None, str | None]:
    """The row's target and its values, or (None, None, why not)."""
    target = row.target
    if target is None and row.lookup is not None:
        users = await session.find_end_users(row.lookup, limit=2)
        if not users:
            return None, None, f"no end user has {row.lookup.kind} {row.lookup.value!r}"
        if len(users) > 1:
            return None, None, (f"more than one end user has {row.lookup.kind} "
                                f"{row.lookup.value!r}: give the UUID instead")
        target = Target("enduser", users[0].id)
    if target is None:
        return None, None, "the target could not be read from this row"
    try:
        state = await session.read_target(target)
    except DixaApiError as exc:
        if exc.status == 404:
            return None, None, f"{target.describe()} does not exist (HTTP 404)"
        raise
    return target, state.values, None


# -- applying ------------------------------------------------------------------------------


def planned_elsewhere(plan: Plan, profile: Profile) -> str | None:
    """Why ``plan`` must not be sent with ``profile``, or None. One host (dev.dixa.io)
    serves every organization and the key says which: a plan is sent only by the profile it
    was planned with, to the URL and API version it read."""
    here = (profile.name, profile.base_url, profile.api_version)
    if (plan.profile, plan.base_url, plan.api_version) == here:
        return None
    return (f"The plan was made with profile {plan.profile!r} for {plan.base_url} "
            f"({plan.api_version}), and this run uses profile {profile.name!r} for "
            f"{profile.base_url} ({profile.api_version}): apply it with --profile "
            f"{plan.profile}, the profile it was planned with. Nothing was sent.")


@dataclass
class ApplySummary:
    """What one run of ``bulk apply`` did, by outcome (``ResultLine.outcome``)."""

    batch: str
    counts: dict[str, int] = field(default_factory=dict)
    results: list[ResultLine] = field(default_factory=list)
    cancelled: bool = False

    def add(self, result: ResultLine) -> None:
        self.results.append(result)
        self.counts[result.outcome] = self.counts.get(result.outcome, 0) + 1

    @property
    def failures(self) -> int:
        return sum(self.counts.get(o, 0) for o in ("failed", "conflict", "unknown"))


async def apply_bulk(session: Session, plan: Plan, *, force: bool = False,
                     on_progress: ProgressListener | None = None,
                     on_result: ResultListener | None = None,
                     concurrency: int = CONCURRENCY,
                     stop: asyncio.Event | None = None) -> ApplySummary:
    """Send ``plan`` (whose ``batch_id`` is set and saved by the caller) at Dixa's pace.

    Targets the journal shows as applied under this batch are skipped; unknown ones are
    settled by reading the target first. Each target is read before its write: one that
    holds neither the plan's before nor its after values is a conflict (sent anyway with
    ``force``). ``on_result`` hears every target's outcome as it is known (write it down:
    a run can be killed at any moment). Cancelling the task stops starting new targets;
    what was sent stays sent and journaled. Setting ``stop`` stops gently: no new target
    starts, the ones on their way finish (so none is left of unknown outcome), and the
    summary says ``cancelled``; the rest is sent by applying the plan again."""
    if not plan.applicable:
        raise ValueError("the plan has errors: fix the input and plan again")
    if plan.batch_id is None:
        raise ValueError("the plan has no batch id: record one before applying")
    batch = plan.batch_id
    journal = await asyncio.to_thread(session.journal)
    done = await asyncio.to_thread(_journaled, journal, batch)
    summary = ApplySummary(batch)
    entries = plan.to_send
    meter = ProgressMeter("sending", len(entries), listener=on_progress)
    meter.report()

    def record(result: ResultLine) -> None:
        summary.add(result)
        if on_result is not None:
            on_result(result)
        meter.count(result.outcome)
        meter.advance()

    async def one(entry: PlanEntry) -> None:
        record(await _apply_entry(session, journal, entry, batch, done, force))

    try:
        with batch_lock(batch):
            await _in_parallel(entries, one, concurrency, stop)
    except asyncio.CancelledError:
        summary.cancelled = True
        raise
    summary.cancelled = len(summary.results) < len(entries)
    return summary


def _journaled(journal: Journal | None, batch: str) -> dict[Target, list[Entry]]:
    """This batch's journal entries by target (an earlier, stopped run of the plan)."""
    if journal is None:
        return {}
    found: dict[Target, list[Entry]] = {}
    for entry in journal.batch_entries(batch):
        target = Target(entry.target_kind, entry.target_id).normalized()
        found.setdefault(target, []).append(entry)
    return found


async def _apply_entry(session: Session, journal: Journal | None, entry: PlanEntry,
                       batch: str, done: dict[Target, list[Entry]], force: bool) -> ResultLine:
    assert entry.target is not None  # a "change" entry always has its target
    target = entry.target.normalized()
    now = iso_utc(datetime.now(UTC))

    def result(outcome: ResultOutcome, message: str = "",
               status: int | None = None) -> ResultLine:
        return ResultLine(entry.line, entry.ref, entry.target, outcome, message, status,
                          [c.identifier for c in entry.changes if c.changed], batch, now)

    earlier = done.get(target, [])
    if any(e.outcome == "applied" for e in earlier):
        return result("skipped", "already applied by an earlier run of this plan "
                                 "(the journal says so)")
    try:
        state = await session.read_target(target)
    except DixaError as exc:
        return result("failed", f"could not read the target before writing: {exc.summary()}",
                      exc.status if isinstance(exc, DixaApiError) else None)
    standing, drifts = settle(entry, state.values)
    unknown = [e for e in earlier if e.outcome == "unknown"]
    moment = datetime.now(UTC)
    if any(may_be_on_its_way(e, moment) for e in unknown) and standing != "landed":
        # Another run's write may still land: reading now cannot tell, and sending again
        # could write twice. Said, not guessed; the next run settles it.
        return result("unknown", "an earlier run's write to this target began moments ago "
                                 "and its answer was never recorded: it may still be on its "
                                 f"way; run this plan again in {IN_FLIGHT:.0f} s to settle it")
    if unknown and journal is not None:  # settle what an earlier run left open
        if standing != "conflict":
            landed = standing == "landed"
            note = ("settled by bulk apply: the target " +
                    ("holds the values it sent" if landed else "still holds the values before"))
            for e in unknown:
                with suppress(ValueError):  # another run recorded its answer meanwhile
                    await asyncio.to_thread(journal.settle, e.id,
                                            "applied" if landed else "failed", note)
        if standing == "landed":
            return result("skipped", "an earlier run's write had landed (settled by reading "
                                     "the target)")
    if standing == "landed":
        return result("unchanged", "the target already holds the plan's values")
    if standing == "conflict" and not force:
        return result("conflict", "; ".join(str(d) for d in drifts) +
                      " — the target changed since the plan; --force sends anyway")
    kind: ResultOutcome
    try:
        sent = await session.send(target, entry.body, before=state.values, origin="bulk",
                                  batch=batch)
    except DixaError as exc:
        status = exc.status if isinstance(exc, DixaApiError) else None
        kind = "failed" if outcome_of(exc) == "failed" else "unknown"
        return result(kind, exc.summary() + (f" — {exc.outcome}" if kind == "unknown" else ""),
                      status)
    note = sent.journal_warning or ""
    return result("sent", note, 200)

