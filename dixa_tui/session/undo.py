"""Undo as an engine operation: journaled writes -> their inverse, checked, planned and sent.

The CLI's ``undo`` and the TUI's History screen both go through here, in two steps, so a
person sees the preview before anything is sent:

1. :func:`prepare_undo` names the entries (``ENTRY``, ``BATCH`` or ``last``), reads every
   target they touched, settles writes of unknown outcome from that reading (and records the
   settlement in the journal), works out what to put back (``domain.undo``), leaves out what
   someone changed since (reported, unless forced), and plans the body with the same value
   rules as any edit (``Session.plan``).
2. :func:`send_undo` sends each target's body through ``Session.send`` with
   ``origin="undo"``, the undone entry or batch in ``undoes``, and a batch id of its own, so
   the undo is journaled like any write and can itself be undone.

A batch can hold thousands of targets: both steps run a few targets at a time at the
client's pace (``session.parallel``, as bulk runs do), report
:class:`~dixa_tui.session.progress.Progress`, and can be stopped keeping what they did (a
settlement is recorded as soon as its target is read; what was sent stays sent and
journaled, and undoing the same entries again skips what already holds its old value). A
target deleted since (Dixa answers 404) is left out with the reason, and a target whose send
fails does not stop the others: every failure is listed.

A write begun moments ago and never answered may still be on its way to Dixa: reading its
target now would call it failed just before it lands. Such entries stop the undo until
:data:`IN_FLIGHT` seconds after they began (the longest a request of this client can take,
retries included), and the message says until when.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from dixa_tui.api.errors import DixaApiError, DixaError
from dixa_tui.domain.patch import PatchPlan, Problem, StagedEdit, Target
from dixa_tui.domain.undo import (
    CheckedUndo,
    Conflict,
    SettledOutcome,
    Skipped,
    UndoTarget,
    check_conflicts,
    settle_outcome,
    undo_targets,
)
from dixa_tui.session.parallel import CONCURRENCY, in_parallel
from dixa_tui.session.progress import ProgressListener, ProgressMeter
from dixa_tui.session.writes import IN_FLIGHT

if TYPE_CHECKING:
    from dixa_tui.journal import Entry, Journal
    from dixa_tui.session.core import Session
    from dixa_tui.session.targets import TargetState
    from dixa_tui.session.writes import Sent


class UndoRefused(Exception):
    """The undo cannot go ahead as asked; nothing was sent. ``str()`` says why and what to
    do (a usage error, exit 2, not Dixa's)."""


@dataclass(frozen=True)
class Settled:
    """An entry of unknown outcome, decided (or not) by reading its target just now."""

    entry_id: int
    outcome: SettledOutcome
    note: str


@dataclass(frozen=True)
class TargetUndo:
    """One target's part of an undo: the target as read now (``state.values`` are the
    undo's before values), what the conflict check kept (``checked``) and the planned body
    (``plan``: the domain's rules; empty when there is nothing to send)."""

    state: TargetState
    checked: CheckedUndo
    plan: PatchPlan
    entries: tuple[int, ...]

    @property
    def target(self) -> Target:
        return self.state.target

    @property
    def body(self) -> dict[str, Any]:
        return self.plan.body


@dataclass(frozen=True)
class PreparedUndo:
    """An undo ready to show and to send.

    ``ref``: as named (``12``, ``b-7k3m9q2x``, ``last``); ``undoes``: the entry id or batch
    id it reverses (recorded with each of its writes); ``batch``: the undo's own batch id.
    ``settled``: unknown outcomes decided by reading the targets; ``undecided``: those the
    reading could not decide, planned as if applied, so the conflict check decides each of
    their attributes (one that holds neither the old nor the new value is a conflict).
    ``skipped``: entries that changed nothing (failed). ``targets``: per target, in the order
    first written.
    """

    ref: str
    undoes: str
    batch: str
    entries: tuple[Entry, ...]
    targets: tuple[TargetUndo, ...]
    settled: tuple[Settled, ...] = ()
    undecided: tuple[Settled, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    forced: bool = False

    @property
    def conflicts(self) -> list[tuple[TargetUndo, Conflict]]:
        return [(t, c) for t in self.targets for c in t.checked.conflicts]

    @property
    def errors(self) -> list[tuple[TargetUndo, Problem]]:
        return [(t, p) for t in self.targets for p in t.plan.errors]

    @property
    def warnings(self) -> list[tuple[TargetUndo, Problem]]:
        return [(t, p) for t in self.targets for p in t.plan.warnings]

    @property
    def to_send(self) -> list[TargetUndo]:
        return [t for t in self.targets if t.body]

    @property
    def changes(self) -> int:
        """How many attribute values the undo sends, over every target."""
        return sum(len(t.body) for t in self.targets)

    def describe(self) -> str:
        """``entry 12`` or ``batch b-7k3m9q2x (4 entries)``."""
        if self.undoes.isdigit():
            return f"entry {self.undoes}"
        count = len(self.entries)
        return f"batch {self.undoes} ({count} entr{'y' if count == 1 else 'ies'})"


@dataclass(frozen=True)
class TargetSent:
    """One target of an undo, done: Dixa's answer (``sent``) or why it failed (``error``:
    its ``hint`` says what became of the change, and the journal has its outcome)."""

    part: TargetUndo
    sent: Sent | None = None
    error: DixaError | None = None


SentListener = Callable[[TargetSent], None]


@dataclass(frozen=True)
class UndoResult:
    """What was sent, in the prepared order: Dixa's answer per target restored (``sent``),
    every target whose send failed with its error (``failed``: the others were still sent),
    and the targets never tried because the undo was stopped (``not_sent``)."""

    prepared: PreparedUndo
    sent: list[Sent] = field(default_factory=list)
    failed: list[tuple[TargetUndo, DixaError]] = field(default_factory=list)
    not_sent: list[TargetUndo] = field(default_factory=list)

    @property
    def stopped(self) -> bool:
        return bool(self.not_sent)


# -- naming the entries -------------------------------------------------------------------------


def _select(journal: Journal, ref: str, profile: str) -> tuple[str, list[Entry]]:
    """(what the undo reverses, its entries) for ``ref``; ``last`` is this profile's newest
    entry, or its batch when it has one."""
    from dixa_tui.journal import batch_id_problem
    from dixa_tui.journal.model import LAST

    text = ref.strip()
    if not text:
        raise UndoRefused("Name what to undo: an entry id (12), a batch id (b-...) or 'last'. "
                          "`dixa-tui history` lists them.")
    if text.casefold() == LAST:
        newest = journal.history(limit=1, profile=profile)
        if not newest:
            raise UndoRefused(f"Nothing to undo: the journal holds no write of profile "
                              f"{profile!r}.")
        entry = newest[0]
        if entry.batch is not None:
            return entry.batch, journal.batch_entries(entry.batch)
        return str(entry.id), [entry]
    if text.isascii() and text.isdigit():
        found = journal.get(int(text)) if len(text) <= 18 else None  # past SQLite's int64
        if found is None:
            raise UndoRefused(f"No journal entry {text.lstrip('0') or '0'}: `dixa-tui "
                              "history` lists the entries with their ids.")
        return str(found.id), [found]
    problem = batch_id_problem(text)
    if problem:
        raise UndoRefused(f"{text!r} names no entry or batch ({problem}): give an entry id "
                          "(12), a batch id (b-...) or 'last'.")
    entries = journal.batch_entries(text)
    if not entries:
        raise UndoRefused(f"No batch {text!r} in the journal: `dixa-tui history` lists the "
                          "batches.")
    return text, entries


def _check_same_dixa(entries: Sequence[Entry], session: Session) -> None:
    """An undo is sent with this run's key to this run's Dixa: entries written elsewhere
    (another profile's organization) are refused, never sent to the wrong one."""
    from dixa_tui.journal.model import without_credentials

    here = without_credentials(session.profile.base_url).rstrip("/")
    for entry in entries:
        # One host (dev.dixa.io) serves every organization: the key, that is the profile,
        # says which one; the same base URL under another profile is another organization.
        if entry.base_url.rstrip("/") != here or entry.profile != session.profile.name:
            raise UndoRefused(
                f"Entry {entry.id} was written to {entry.base_url} (profile "
                f"{entry.profile!r}); this run talks to {here} (profile "
                f"{session.profile.name!r}). Run the undo with --profile {entry.profile} "
                "(or the same --base-url) so it reaches the organization the write went to.")


def _check_not_in_flight(entries: Sequence[Entry], now: datetime) -> None:
    window = timedelta(seconds=IN_FLIGHT)
    waiting = [e for e in entries if e.outcome == "unknown" and not e.completed
               and now - e.time < window]
    if not waiting:
        return
    latest = max(e.time for e in waiting) + window
    ids = ", ".join(str(e.id) for e in waiting)
    raise UndoRefused(
        f"Entr{'y' if len(waiting) == 1 else 'ies'} {ids} began less than {IN_FLIGHT:.0f} s "
        "ago and Dixa's answer was never recorded: the write may still be on its way, and "
        "reading the target now could not tell. Nothing was sent. Run the undo again after "
        f"{latest.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC.")


# -- preparing ----------------------------------------------------------------------------------


async def prepare_undo(session: Session, ref: str, *, force: bool = False,
                       now: datetime | None = None,
                       on_progress: ProgressListener | None = None,
                       concurrency: int = CONCURRENCY) -> PreparedUndo:
    """The undo of ``ref``, checked against every target as it is now (read ``concurrency``
    at a time; ``on_progress`` hears each). A target Dixa no longer has (404) is skipped with
    the reason. Raises :class:`UndoRefused` (nothing to undo, an unknown id, another
    organization's entries, a write still on its way), ``JournalError``, or the client's
    ``DixaError`` from any other failed read. Cancelling it keeps the settlements recorded
    so far."""
    journal = await asyncio.to_thread(session.journal)
    if journal is None:
        raise UndoRefused("undo reads the journal and records its own writes there, so that "
                          "the undo can be undone too: leave out --no-journal.")
    undoes, entries = await asyncio.to_thread(_select, journal, ref, session.profile.name)
    _check_same_dixa(entries, session)
    _check_not_in_flight(entries, now or datetime.now(UTC))

    read = await _read_targets(session, journal, entries, on_progress, concurrency)
    planned: list[Entry] = []
    gone: list[Skipped] = []
    for entry in entries:
        if entry.target in read.missing:
            gone.append(Skipped(entry.id, f"entry {entry.id}: {read.missing[entry.target]}"))
            continue
        reading = read.settled.get(entry.id)
        if reading is None:
            planned.append(entry)
        elif reading.outcome == "unknown":
            planned.append(replace(entry, outcome="applied"))
        else:
            planned.append(replace(entry, outcome=reading.outcome))

    plan = undo_targets(planned)
    targets = [await _plan_target(session, undo, read.states[undo.target], force)
               for undo in plan.targets]
    batch = await asyncio.to_thread(journal.new_batch_id)
    settled = [read.settled[e.id] for e in entries if e.id in read.settled]
    return PreparedUndo(ref=ref.strip(), undoes=undoes, batch=batch, entries=tuple(entries),
                        targets=tuple(targets),
                        settled=tuple(s for s in settled if s.outcome != "unknown"),
                        undecided=tuple(s for s in settled if s.outcome == "unknown"),
                        skipped=(*plan.skipped, *gone), forced=force)


@dataclass
class _Reading:
    """What reading the targets found: their states, why some are gone (target -> reason),
    and the unknown outcomes settled from them (entry id -> settlement)."""

    states: dict[tuple[str, str], TargetState] = field(default_factory=dict)
    missing: dict[tuple[str, str], str] = field(default_factory=dict)
    settled: dict[int, Settled] = field(default_factory=dict)


async def _read_targets(session: Session, journal: Journal, entries: Sequence[Entry],
                        on_progress: ProgressListener | None,
                        concurrency: int) -> _Reading:
    """Each target the entries touched, read once (failed entries' targets too: it keeps
    the preview's picture of the record whole), and its entries of unknown outcome settled
    from that reading at once: a run stopped half-way keeps what it learnt."""
    by_target: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries:
        by_target.setdefault(entry.target, []).append(entry)
    found = _Reading()
    meter = ProgressMeter("reading", len(by_target), listener=on_progress)
    meter.report()

    async def one(key: tuple[str, str]) -> None:
        first = by_target[key][0]
        target = Target(first.target_kind, first.target_id)
        try:
            state = await session.read_target(target)
        except DixaApiError as exc:
            if exc.status != 404:
                raise
            found.missing[key] = (f"{target.describe()} no longer exists (Dixa answers 404): "
                                  "there is nothing to put back")
            meter.advance(gone=1)
            return
        found.states[key] = state
        for entry in by_target[key]:
            if entry.outcome == "unknown":
                found.settled[entry.id] = await _settle(journal, entry, state)
        meter.advance()

    await in_parallel(list(by_target), one, concurrency)
    return found


async def _settle(journal: Journal, entry: Entry, state: TargetState) -> Settled:
    """Settle ``entry`` from its target as read, and record it in the journal."""
    reading = settle_outcome(entry, state.values)
    # ValueError: another process recorded its outcome meanwhile; our reading holds.
    with suppress(ValueError):
        await asyncio.to_thread(journal.settle, entry.id, reading.outcome, reading.note)
    return Settled(entry.id, reading.outcome, reading.note)


async def _plan_target(session: Session, undo: UndoTarget, state: TargetState,
                       force: bool) -> TargetUndo:
    checked = check_conflicts(undo, state.values, force=force)
    if checked.body:
        edits = [StagedEdit(key, value) for key, value in checked.body.items()]
        plan = await session.plan(state.target, edits)
    else:
        plan = PatchPlan(state.target, {})
    return TargetUndo(state, checked, plan, undo.entries)


# -- sending ------------------------------------------------------------------------------------


async def send_undo(session: Session, prepared: PreparedUndo, *,
                    on_progress: ProgressListener | None = None,
                    on_sent: SentListener | None = None,
                    concurrency: int = CONCURRENCY,
                    stop: asyncio.Event | None = None) -> UndoResult:
    """Send every target's body, ``concurrency`` at a time at the client's pace, journaled
    as ``origin="undo"`` under ``prepared.batch``. A target whose send fails is listed with
    its error and the others are still sent; ``on_sent`` hears each target as it is done.
    Setting ``stop`` starts no new target (those on their way finish; the rest is in
    ``not_sent``); cancelling the task stops at once, what was sent staying sent and
    journaled. Raises :class:`UndoRefused` for an undo whose plan has errors, or warnings it
    was not forced past, with nothing sent."""
    if prepared.errors:
        raise UndoRefused("The undo breaks the value rules (a definition or an option may "
                          "have changed since): nothing was sent.")
    if prepared.warnings and not prepared.forced:
        raise UndoRefused("The undo has warnings: nothing was sent. Run it with --force to "
                          "send it despite them.")
    pending = prepared.to_send
    done: dict[int, TargetSent] = {}
    meter = ProgressMeter("sending", len(pending), listener=on_progress)
    meter.report()

    async def one(position: int) -> None:
        part = pending[position]
        try:
            sent = await session.send(part.target, part.body, before=part.state.values,
                                      origin="undo", batch=prepared.batch,
                                      undoes=prepared.undoes)
        except DixaError as exc:
            outcome = TargetSent(part, error=exc)
            meter.count("failed")
        else:
            outcome = TargetSent(part, sent=sent)
        done[position] = outcome
        meter.advance()
        if on_sent is not None:
            on_sent(outcome)

    await in_parallel(range(len(pending)), one, concurrency, stop)
    result = UndoResult(prepared)
    for position, part in enumerate(pending):
        outcome = done.get(position)
        if outcome is None:
            result.not_sent.append(part)
        elif outcome.sent is not None:
            result.sent.append(outcome.sent)
        elif outcome.error is not None:
            result.failed.append((part, outcome.error))
    return result
