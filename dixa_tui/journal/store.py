"""``Journal``: the SQLite file that records every write before it is sent.

One database per user (``journal.sqlite3`` in the state directory), shared by every dixa-tui
process: WAL lets ``history`` read while another process writes, ``BEGIN IMMEDIATE`` takes
the write lock up front (no deadlock between two writers upgrading read locks), and the busy
timeout turns a long-held lock into a ``JournalError`` instead of a hang. ``synchronous=FULL``
makes a committed intent survive a power cut, which is the whole point of writing it first.

The file and its ``-wal``/``-shm`` companions hold organization data (names of attributes,
customer values), so they are created 0600 whatever the umask.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

from dixa_tui.debuglog import redact
from dixa_tui.journal.errors import JournalError, journal_error
from dixa_tui.journal.model import (
    OUTCOMES,
    Change,
    Entry,
    Intent,
    JournalTargetKind,
    Origin,
    Outcome,
    canonical_target_id,
    check_intent,
    new_batch_id,
    parse_stored_time,
    stored_time,
)
from dixa_tui.journal.schema import migrate
from dixa_tui.paths import ensure_private_dir, state_dir

FILE_NAME = "journal.sqlite3"
FILE_MODE = 0o600
BUSY_TIMEOUT = 5.0
COMPANIONS = ("-wal", "-shm", "-journal")
_SURROGATE = re.compile("[\ud800-\udfff]")
_COLUMNS = ("id, batch, time, profile, base_url, api_version, target_kind, target_id, body, "
            "changes, outcome, status, returned, error, origin, undoes, completed_at, settled, "
            "settled_at")


def default_path() -> Path:
    """``journal.sqlite3`` in ``dixa_tui.paths.state_dir()`` (``DIXA_TUI_STATE`` moves it)."""
    return state_dir() / FILE_NAME


def _dumps(value: Any) -> str:
    """JSON in ASCII: a lone surrogate (valid in JSON, so possible in an organization's
    data) has no UTF-8 form, and escaped it round-trips exactly."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def _text(value: str | None) -> str | None:
    """A message for a TEXT column: redacted, and storable (a lone surrogate in a server's
    message becomes U+FFFD; the message is read by people, not replayed)."""
    if value is None:
        return None
    return _SURROGATE.sub("\ufffd", redact(value))


def _private_file(path: Path) -> None:
    """Create ``path`` 0600 if missing, and make an existing one 0600 (an older file may have
    been wider): done before SQLite opens it, since SQLite would create it per the umask."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def _entry(row: sqlite3.Row) -> Entry:
    changes = tuple(Change(definition_id=c["definition_id"], identifier=c["identifier"],
                           label=c["label"], before=c["before"], after=c["after"])
                    for c in json.loads(row["changes"]))
    outcome = row["outcome"] if row["outcome"] in OUTCOMES else "unknown"
    return Entry(
        id=row["id"], batch=row["batch"], time=parse_stored_time(row["time"]),
        profile=row["profile"], base_url=row["base_url"], api_version=row["api_version"],
        target_kind=cast(JournalTargetKind, row["target_kind"]), target_id=row["target_id"],
        body=json.loads(row["body"]), changes=changes, outcome=cast(Outcome, outcome),
        status=row["status"],
        returned=json.loads(row["returned"]) if row["returned"] is not None else None,
        error=row["error"], origin=cast(Origin, row["origin"]), undoes=row["undoes"],
        completed_at=parse_stored_time(row["completed_at"]) if row["completed_at"] else None,
        settled=row["settled"],
        settled_at=parse_stored_time(row["settled_at"]) if row["settled_at"] else None)


class Journal:
    """The write-ahead record of every attribute write. Use it like this, per write::

        with Journal.open() as journal:             # JournalError: do not send
            entry_id = journal.begin(intent)        # durable before it returns
            try:
                attributes = await client.patch_...(target, intent.body)
            except DixaError as exc:
                nothing_changed = exc.outcome in (REJECTED, NOT_SENT)  # dixa_tui.api.errors
                journal.complete(entry_id, "failed" if nothing_changed else "unknown",
                                 status=getattr(exc, "status", None), error=str(exc))
                raise
            journal.complete(entry_id, "applied", status=200,
                             returned=current_values(attributes))  # dixa_tui.domain.patch

    ``failed`` only for what certainly changed nothing (Dixa refused it with a 4xx, or it
    never left the machine); a 5xx, a lost answer or an unreadable 2xx may have landed:
    ``unknown``. An entry whose ``complete`` never ran reads as ``unknown`` too;
    ``unsettled`` lists those, and ``settle`` records what reading the target showed
    (``dixa_tui.domain.undo.settle_outcome``). If ``complete`` itself raises ``JournalError``
    the write was sent anyway: say so, the entry stays ``unknown`` for a later settle.

    The API takes no key, header or request object: only the body and the facts of the
    target, so the key cannot enter the journal. Every failure of the database or the file
    system is a ``JournalError`` whose text says what to do; misuse (an inconsistent intent,
    completing an entry twice, a closed journal) is a ``ValueError``.

    One connection, usable from any thread (calls are serialized by a lock): the TUI's
    thread workers may share one journal.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, *, timeout: float,
                 clock: Callable[[], datetime]) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = connection
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()

    # -- opening and closing ------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None = None, *, timeout: float = BUSY_TIMEOUT,
             clock: Callable[[], datetime] | None = None) -> Journal:
        """The journal at ``path`` (default: ``default_path()``), created if missing (its
        directory too, 0700), migrated to the current schema.

        ``timeout``: seconds to wait for another process's lock before giving up with a
        ``JournalError`` (reason ``locked``). ``clock``: returns aware datetimes (tests).
        Raises ``JournalError`` for a directory or file that cannot be written (nothing is
        created then), a full disk, a lock held too long, a damaged file or one written by
        a newer dixa-tui.
        """
        path = path if path is not None else default_path()
        doing = "open the journal"
        connection: sqlite3.Connection | None = None
        try:
            ensure_private_dir(path.parent)
            _private_file(path)
            connection = sqlite3.connect(path, timeout=timeout, isolation_level=None,
                                         check_same_thread=False)
            connection.row_factory = sqlite3.Row
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise JournalError(
                    f"Cannot open the journal: its file system does not support SQLite's WAL "
                    f"mode (got {mode!r}). Journal: {path}. Point DIXA_TUI_STATE at a local "
                    "disk, or run with --no-journal.", path=path, reason="io")
            connection.execute("PRAGMA synchronous = FULL")
            migrate(connection, path)
            journal = cls(connection, path, timeout=timeout,
                          clock=clock or (lambda: datetime.now(UTC)))
            journal._private_companions()
            return journal
        except (sqlite3.Error, OSError, JournalError) as exc:
            if connection is not None:
                connection.close()
            raise journal_error(exc, path, doing, timeout) from None

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _private_companions(self) -> None:
        """SQLite gives ``-wal``/``-shm`` the database's mode itself (they exist once the
        journal is open, and whoever recreates them later copies the mode again); this makes
        sure of it, and fixes files left wider by anything else."""
        for suffix in COMPANIONS:
            companion = self.path.with_name(self.path.name + suffix)
            with suppress(FileNotFoundError):
                os.chmod(companion, FILE_MODE)

    @contextmanager
    def _using(self, doing: str, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        """The connection, under the lock; in one ``BEGIN IMMEDIATE`` transaction for a
        write; every database or file failure becomes a ``JournalError`` about ``doing``."""
        with self._lock:
            if self._db is None:
                raise ValueError("the journal is closed")
            db = self._db
            try:
                if write:
                    db.execute("BEGIN IMMEDIATE")
                yield db
                if write:
                    db.execute("COMMIT")
            except (sqlite3.Error, OSError) as exc:
                if db.in_transaction:
                    with suppress(sqlite3.Error):  # the error being reported matters
                        db.execute("ROLLBACK")
                raise journal_error(exc, self.path, doing, self._timeout) from None
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    # -- writing --------------------------------------------------------------------------

    def begin(self, intent: Intent) -> int:
        """Record ``intent`` before it is sent; returns the new entry's id.

        Committed to disk (fsync) before it returns, so a process killed while the request is
        on its way leaves this entry, reading as outcome ``unknown``. Raises ``JournalError``
        when it cannot be recorded (then send nothing) and ``ValueError`` for an intent whose
        changes do not match its body.
        """
        intent = check_intent(intent)
        changes = _dumps([c.to_json() for c in intent.changes])
        with self._using("record the change before sending it", write=True) as db:
            cursor = db.execute(
                "INSERT INTO entries (batch, time, profile, base_url, api_version, target_kind,"
                " target_id, body, changes, origin, undoes) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (intent.batch, stored_time(self._clock()), intent.profile, intent.base_url,
                 intent.api_version, intent.target_kind, intent.target_id, _dumps(intent.body),
                 changes, intent.origin, intent.undoes))
            entry_id = cursor.lastrowid
        assert entry_id is not None
        return entry_id

    def complete(self, entry_id: int, outcome: Outcome, *, status: int | None = None,
                 returned: dict[str, Any] | None = None, error: str | None = None) -> None:
        """Record Dixa's answer to entry ``entry_id``: ``applied`` (with ``status`` and the
        ``returned`` values, definition id -> value), ``failed`` (Dixa refused: ``status``
        and ``error``), or ``unknown`` (no answer that says: a timeout, a dropped connection,
        a 5xx). ``error`` is the typed error's message; it is stored with every key the
        process has registered (``debuglog.register_secret``: every ``DixaClient`` does) and
        any Authorization header value blanked, in case a server echoed one into it.

        Once per entry: a second call is a ``ValueError`` (so is an unknown id). An entry
        settled meanwhile by another process takes the answer: Dixa's word beats a reading.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
        doing = ("record Dixa's answer (the change was sent: its entry reads as outcome "
                 "unknown until it is settled)")
        with self._using(doing, write=True) as db:
            cursor = db.execute(
                "UPDATE entries SET outcome = ?, status = ?, returned = ?, error = ?, "
                "completed_at = ? WHERE id = ? AND completed_at IS NULL",
                (outcome, status, _dumps(returned) if returned is not None else None,
                 _text(error), stored_time(self._clock()), entry_id))
            if cursor.rowcount != 1:
                self._refuse(db, entry_id, "was already completed")

    def settle(self, entry_id: int, outcome: Outcome, note: str) -> None:
        """Decide an ``unknown`` outcome from what the target holds now; ``note`` says how
        (``settle_outcome`` writes it). Settling as ``unknown`` keeps the entry unsettled but
        records the attempt. A ``ValueError`` for an entry whose outcome is known.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
        with self._using("record the settled outcome", write=True) as db:
            cursor = db.execute(
                "UPDATE entries SET outcome = ?, settled = ?, settled_at = ? "
                "WHERE id = ? AND (outcome IS NULL OR outcome = 'unknown')",
                (None if outcome == "unknown" else outcome, _text(note),
                 stored_time(self._clock()), entry_id))
            if cursor.rowcount != 1:
                self._refuse(db, entry_id, "has a known outcome already")

    @staticmethod
    def _refuse(db: sqlite3.Connection, entry_id: int, why: str) -> None:
        found = db.execute("SELECT 1 FROM entries WHERE id = ?", (entry_id,)).fetchone()
        raise ValueError(f"journal entry {entry_id} {why}" if found
                         else f"no journal entry {entry_id}")

    def new_batch_id(self) -> str:
        """A fresh batch id (``b-`` and 8 letters and digits), unused in this journal; it
        never reads as a number (entry ids are numbers) nor as ``last``."""
        while True:
            batch = new_batch_id()
            with self._using("read the journal") as db:
                if db.execute("SELECT 1 FROM entries WHERE batch = ? LIMIT 1",
                              (batch,)).fetchone() is None:
                    return batch

    # -- reading --------------------------------------------------------------------------

    def _select(self, where: list[str], params: list[Any], order: str,
                limit: int | None) -> list[Entry]:
        if limit is not None and limit < 0:
            raise ValueError("limit cannot be negative")
        sql = f"SELECT {_COLUMNS} FROM entries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY id {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params = [*params, limit]
        with self._using("read the journal") as db:
            rows = db.execute(sql, params).fetchall()
        return [_entry(row) for row in rows]

    @staticmethod
    def _filters(target: tuple[str, str] | None, profile: str | None,
                 since: datetime | None = None,
                 batch: str | None = None) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if target is not None:
            kind, target_id = target
            where.append("target_kind = ? AND target_id = ?")
            params += [kind, canonical_target_id(kind, target_id)]
        if batch is not None:
            where.append("batch = ?")
            params.append(batch)
        if since is not None:
            where.append("time >= ?")
            params.append(stored_time(since))
        if profile is not None:
            where.append("profile = ?")
            params.append(profile)
        return where, params

    def history(self, *, target: tuple[str, str] | None = None, batch: str | None = None,
                since: datetime | None = None, limit: int | None = None,
                profile: str | None = None) -> list[Entry]:
        """Entries newest first (journal order: ids grow with every ``begin``), filtered by
        all that are given: ``target`` as ``(kind, id)`` (any spelling of the id: UUIDs in
        any case, conversation numbers with leading zeros), ``batch``, ``since`` (an aware
        datetime; entries begun at or after it), ``profile``; at most ``limit``. A target
        that cannot be one (a conversation id that is not a number) is a ``ValueError``."""
        where, params = self._filters(target, profile, since, batch)
        return self._select(where, params, "DESC", limit)

    def get(self, entry_id: int) -> Entry | None:
        found = self._select(["id = ?"], [entry_id], "DESC", 1)
        return found[0] if found else None

    def batch_entries(self, batch: str) -> list[Entry]:
        """A batch's entries oldest first: the order they were sent in."""
        return self._select(["batch = ?"], [batch], "ASC", None)

    def unsettled(self, *, target: tuple[str, str] | None = None, profile: str | None = None,
                  begun_before: datetime | None = None) -> list[Entry]:
        """Entries of unknown outcome, newest first, including those begun and never
        completed.

        Careful: an entry begun moments ago may still be on its way in another process, and
        reading the target then would settle it as ``failed`` just before it lands. Pass
        ``begun_before=now - (the client's longest request time)`` to leave those alone.
        """
        where, params = self._filters(target, profile)
        where.append("(outcome IS NULL OR outcome = 'unknown')")
        if begun_before is not None:
            where.append("time < ?")
            params.append(stored_time(begun_before))
        return self._select(where, params, "DESC", None)
