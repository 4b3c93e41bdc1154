"""Reading the journal: the history of writes, newest first, for the CLI and the TUI.

Reading needs no key and no network, and must not create anything: a ``history`` before the
first write finds no journal file and says so, instead of making an empty database in the
user's state directory. ``--no-journal`` turns off recording, not reading: the history of
earlier writes is still there to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dixa_tui.journal import Entry


@dataclass(frozen=True)
class HistoryQuery:
    """Which entries: all that are given must match; ``limit`` None for every one."""

    target: tuple[str, str] | None = None
    batch: str | None = None
    since: datetime | None = None
    limit: int | None = 50
    profile: str | None = None


@dataclass(frozen=True)
class History:
    """The entries found, newest first, and the journal file they came from (``exists``
    False: nothing has been recorded on this machine yet)."""

    entries: list[Entry]
    path: Path
    exists: bool


def journal_path() -> Path:
    from dixa_tui.journal import default_path

    return default_path()


def read_history(query: HistoryQuery, path: Path | None = None) -> History:
    """The entries of ``query`` (blocking: SQLite). Raises ``JournalError`` for a journal
    that exists but cannot be read, and ``ValueError`` for a target that cannot be one."""
    from dixa_tui.journal import Journal

    path = path or journal_path()
    if not path.exists():
        return History([], path, exists=False)
    with Journal.open(path) as journal:
        entries = journal.history(target=query.target, batch=query.batch, since=query.since,
                                  limit=query.limit, profile=query.profile)
    return History(entries, path, exists=True)


def read_entry(entry_id: int, path: Path | None = None) -> Entry | None:
    from dixa_tui.journal import Journal

    path = path or journal_path()
    if not path.exists():
        return None
    with Journal.open(path) as journal:
        return journal.get(entry_id)
