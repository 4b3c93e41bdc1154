"""The change journal: every attribute write recorded before it is sent, and completed after.

Dixa keeps no history of custom-attribute changes that its API exposes, so this journal is the
only record an admin has of what was changed, from what, and whether it landed; undo is built
from it (``dixa_tui.domain.undo``). The session layer is its only writer: every write of the
CLI, the TUI and bulk runs goes ``begin`` -> send -> ``complete``, and a journal that cannot
be written stops the write (``JournalError``) unless the user chose ``--no-journal``.

- ``model``: ``Intent``, ``Change``, ``Entry`` (and its ``to_json`` for scripts), batch ids.
- ``store``: ``Journal``, the SQLite file (WAL, 0600) in the state directory.
- ``schema``: the tables and the ordered migration steps (``PRAGMA user_version``).
- ``errors``: ``JournalError`` with a message that says what to do.

The journal never holds the API key: its API has no parameter a key could travel in.
"""

from __future__ import annotations

from dixa_tui.journal.errors import JournalError
from dixa_tui.journal.model import (
    Change,
    Entry,
    Intent,
    JournalTargetKind,
    Origin,
    Outcome,
    batch_id_problem,
    canonical_target_id,
)
from dixa_tui.journal.store import FILE_NAME, Journal, default_path

__all__ = [
    "FILE_NAME",
    "Change",
    "Entry",
    "Intent",
    "Journal",
    "JournalError",
    "JournalTargetKind",
    "Origin",
    "Outcome",
    "batch_id_problem",
    "canonical_target_id",
    "default_path",
]
