"""Every write, journaled: begin (durable) -> PATCH -> complete, whoever asks for it.

The CLI's ``patch``, the TUI's editor, bulk runs and undo all send through
:func:`journaled_send`, so no write reaches Dixa without its intent on disk first (unless the
user chose ``--no-journal``). A journal that cannot be written stops the write before
anything is sent. The outcome is recorded as Dixa's answer says: ``applied``; ``failed`` only
when nothing can have changed (Dixa refused it, or it never left this machine); ``unknown``
otherwise (a 5xx, a lost answer, an unreadable 2xx, or a process stopped mid-send), to be
settled later by reading the target.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dixa_tui.api.errors import NOT_SENT, REJECTED, DixaApiError, DixaError
from dixa_tui.domain.patch import Target, current_values
from dixa_tui.session.targets import endpoint

if TYPE_CHECKING:
    from dixa_tui.api.client import DixaClient
    from dixa_tui.api.models import CustomAttribute
    from dixa_tui.config import Profile
    from dixa_tui.domain.patch import DefinitionIndex
    from dixa_tui.journal import Entry, Journal, Origin, Outcome


class ReadOnlyProfile(Exception):
    """The profile says ``read_only = true``: nothing is sent. ``str()`` says so and what
    to do (a usage error, exit 2)."""


def check_writable(profile: Profile) -> None:
    """Raise :class:`ReadOnlyProfile` for a read-only profile. Every write passes here
    (``Session.send``), so no front end can write with one, whatever it forgets to hide."""
    if profile.read_only:
        raise ReadOnlyProfile(
            f"Profile {profile.name!r} is read-only (read_only = true in the config file): "
            "it never writes to Dixa. Nothing was sent. Use another profile to make "
            "changes, or set read_only = false for this one.")


@dataclass(frozen=True)
class Sent:
    """A write Dixa answered: the body sent, the values it returned (by definition id), the
    journal entry that records it (None with ``--no-journal``), and a warning when the
    journal could not record the answer (the write was applied all the same)."""

    target: Target
    body: dict[str, Any]
    returned: dict[str, Any]
    attributes: list[CustomAttribute]
    entry_id: int | None = None
    journal_warning: str | None = None


def _in_flight_window() -> float:
    """Seconds a PATCH can still be on its way after its intent was recorded: waiting for a
    token of the shared pace (at most its debt bound), the retry budget (no try starts
    later), one more try's bound, and a margin."""
    from dixa_tui.api.constants import TRY_TIMEOUT
    from dixa_tui.api.ratelimit import RetryPolicy
    from dixa_tui.api.sharedpace import MAX_DEBT_SECONDS

    return MAX_DEBT_SECONDS + RetryPolicy().budget + TRY_TIMEOUT + 10.0


IN_FLIGHT = _in_flight_window()


def may_be_on_its_way(entry: Entry, now: datetime) -> bool:
    """An entry whose answer was never recorded and that began less than :data:`IN_FLIGHT`
    seconds ago: its write may still land, so reading the target now cannot settle it."""
    return (entry.outcome == "unknown" and not entry.completed
            and (now - entry.time).total_seconds() < IN_FLIGHT)


@dataclass(frozen=True)
class WriteContext:
    """Who writes where: recorded with every journal entry."""

    profile: Profile
    origin: Origin = "cli"
    batch: str | None = None
    undoes: str | None = None


def outcome_of(error: DixaError) -> Outcome:
    """``failed`` only for a write that certainly changed nothing; else ``unknown``."""
    return "failed" if error.outcome in (REJECTED, NOT_SENT) else "unknown"


async def journaled_send(client: DixaClient, journal: Journal | None, context: WriteContext,
                         index: DefinitionIndex, target: Target, body: Mapping[str, Any],
                         before: Mapping[str, Any]) -> Sent:
    """PATCH ``body`` to ``target``, recorded in ``journal`` before and after (``before``:
    the target's values as read before this write). Raises ``JournalError`` with nothing
    sent, or the client's ``DixaError`` (its outcome recorded)."""
    from dixa_tui.journal import Intent

    body = dict(body)
    entry_id: int | None = None
    if journal is not None:
        changes = tuple(_change(index, key, before.get(key), value) for key, value in
                        body.items())
        profile = context.profile
        intent = Intent(profile.name, profile.base_url, profile.api_version, target.kind,
                        target.id, body, changes, batch=context.batch, origin=context.origin,
                        undoes=context.undoes)
        entry_id = await asyncio.to_thread(journal.begin, intent)
    try:
        attributes = await endpoint(client, target).patch(body)
    except DixaError as exc:
        if journal is not None and entry_id is not None:
            status = exc.status if isinstance(exc, DixaApiError) else None
            await _complete(journal, entry_id, outcome_of(exc), status=status,
                            error=exc.summary())
        raise
    returned = current_values(attributes)
    warning = None
    if journal is not None and entry_id is not None:
        warning = await _complete(journal, entry_id, "applied", status=200, returned=returned)
    return Sent(target, body, returned, attributes, entry_id, warning)


def _change(index: DefinitionIndex, key: str, before: Any, after: Any) -> Any:
    from dixa_tui.journal import Change

    definition = index.by_id.get(key)
    return Change(key, definition.identifier if definition else key,
                  definition.label if definition else key, before, after)


async def _complete(journal: Journal, entry_id: int, outcome: Outcome, *,
                    status: int | None = None, returned: dict[str, Any] | None = None,
                    error: str | None = None) -> str | None:
    """Record Dixa's answer; a journal that fails now cannot undo the send: say so."""
    from dixa_tui.journal import JournalError

    try:
        await asyncio.to_thread(journal.complete, entry_id, outcome, status=status,
                                returned=returned, error=error)
    except JournalError as exc:
        return (f"The write was sent, but the journal could not record Dixa's answer: {exc} "
                f"Entry {entry_id} stays 'unknown' until it is settled.")
    return None
