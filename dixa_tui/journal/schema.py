"""The journal's tables and how a journal of any older version is brought up to date.

``PRAGMA user_version`` holds the number of steps of ``MIGRATIONS`` applied. A step is never
edited once released (journals in the field are at every version); a change of shape is a new
step at the end. Each step runs in one ``BEGIN IMMEDIATE`` transaction together with the
version bump, so a failure or a kill leaves the journal at the previous version, whole, and
two processes opening an old journal at once migrate it once (the second re-reads the version
under the lock and finds nothing to do).

Two steps from the start: v1 is the write-ahead record itself (intent and Dixa's answer);
v2 adds what undo and settlement need (origin, the undone entry or batch, the settlement note)
and the indexes of ``history``'s filters. Having an upgrade from day one means the upgrade
path is exercised by the tests on a real v1 file, not first run on a user's journal.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dixa_tui.journal.errors import newer_version_error

V1 = (
    """CREATE TABLE entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: `undo 12` names one write forever
        batch TEXT,
        time TEXT NOT NULL,                    -- UTC, fixed width: text order is time order
        profile TEXT NOT NULL,
        base_url TEXT NOT NULL,
        api_version TEXT NOT NULL,
        target_kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        body TEXT NOT NULL,                    -- JSON: the PATCH body as sent
        changes TEXT NOT NULL,                 -- JSON: [{definition_id, identifier, label,
                                               --         before, after}]
        outcome TEXT,                          -- NULL until completed: reads as unknown
        status INTEGER,
        returned TEXT,                         -- JSON: definition id -> value, as Dixa answered
        error TEXT,
        completed_at TEXT
    )""",
    "CREATE INDEX entries_by_target ON entries (target_kind, target_id, id)",
    "CREATE INDEX entries_by_batch ON entries (batch, id)",
)

V2 = (
    "ALTER TABLE entries ADD COLUMN origin TEXT NOT NULL DEFAULT 'cli'",
    "ALTER TABLE entries ADD COLUMN undoes TEXT",
    "ALTER TABLE entries ADD COLUMN settled TEXT",
    "ALTER TABLE entries ADD COLUMN settled_at TEXT",
    "CREATE INDEX entries_by_profile ON entries (profile, id)",
    "CREATE INDEX entries_by_time ON entries (time)",
    "CREATE INDEX entries_unsettled ON entries (id) WHERE outcome IS NULL OR outcome = 'unknown'",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (V1, V2)


def version_of(connection: sqlite3.Connection) -> int:
    row = connection.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(connection: sqlite3.Connection, path: Path,
            steps: tuple[tuple[str, ...], ...] = MIGRATIONS) -> int:
    """Apply the steps ``connection``'s journal lacks; returns the version it is now at.

    ``connection`` must be in autocommit mode (``isolation_level=None``): the transactions
    here are explicit. Raises ``JournalError`` for a journal newer than ``steps`` and lets
    ``sqlite3.Error`` through for the caller to explain.
    """
    latest = len(steps)
    version = version_of(connection)
    if version > latest:
        raise newer_version_error(path, version, latest)
    while version < latest:
        connection.execute("BEGIN IMMEDIATE")
        try:
            version = version_of(connection)  # another process may have done it meanwhile
            if version > latest:
                raise newer_version_error(path, version, latest)
            if version < latest:
                for statement in steps[version]:
                    connection.execute(statement)
                version += 1
                connection.execute(f"PRAGMA user_version = {version:d}")
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    return version
