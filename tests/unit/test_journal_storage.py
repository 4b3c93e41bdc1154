"""The journal's file: private modes, WAL, migrations from older versions, every way it can
fail to be written (each a JournalError that says what to do, with nothing recorded), several
processes at once, and no API key in it after a realistic round trip."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import httpx
import pytest
from journal_helpers import make_intent

from dixa_tui.api.client import DixaClient
from dixa_tui.api.errors import DixaApiError
from dixa_tui.debuglog import register_secret, secret_forms
from dixa_tui.domain.patch import current_values
from dixa_tui.journal import Change, Intent, Journal, JournalError, schema
from dixa_tui.mock import MockState, create_app
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID

NOBODY = 65534


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "journal.sqlite3"


def files_of(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def assert_helpful(error: JournalError, path: Path, reason: str) -> None:
    """Says what failed, where, and the ways out; never SQLite's bare text."""
    text = str(error)
    assert error.reason == reason, text
    assert error.path == path
    assert text.startswith("Cannot ")
    assert str(path) in text
    assert "DIXA_TUI_STATE" in text and "--no-journal" in text
    assert not text.startswith(("unable to open", "database", "attempt to write", "file is"))


# -- the file ------------------------------------------------------------------------------


def test_the_journal_and_its_wal_files_are_0600_whatever_the_umask(path: Path) -> None:
    old = os.umask(0)
    try:
        with Journal.open(path) as journal:
            journal.begin(make_intent())
            modes = {p.name: p.stat().st_mode & 0o777 for p in path.parent.iterdir()}
    finally:
        os.umask(old)
    assert set(modes) >= {"journal.sqlite3", "journal.sqlite3-wal", "journal.sqlite3-shm"}
    assert set(modes.values()) == {0o600}, modes
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_an_existing_journal_with_wider_permissions_is_made_private(path: Path) -> None:
    Journal.open(path).close()
    path.chmod(0o644)
    Journal.open(path).close()
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_journal_is_in_wal_mode_and_readers_do_not_wait_for_a_writer(path: Path) -> None:
    with Journal.open(path, timeout=0.2) as journal:
        first = journal.begin(make_intent())
        other = sqlite3.connect(path, isolation_level=None)
        try:
            assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            other.execute("BEGIN IMMEDIATE")  # another process is writing...
            other.execute("UPDATE entries SET profile = 'x'")
            assert [e.id for e in journal.history()] == [first]  # ...history still reads
            assert journal.history()[0].profile == "prod"  # the committed state
        finally:
            other.execute("ROLLBACK")
            other.close()


# -- migrations ----------------------------------------------------------------------------

# The first version of the schema, written out here rather than taken from schema.V1: a
# journal made by an old dixa-tui is a fixed thing, whatever the code says today.
V1_SQL = """
CREATE TABLE entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, batch TEXT, time TEXT NOT NULL,
    profile TEXT NOT NULL, base_url TEXT NOT NULL, api_version TEXT NOT NULL,
    target_kind TEXT NOT NULL, target_id TEXT NOT NULL, body TEXT NOT NULL,
    changes TEXT NOT NULL, outcome TEXT, status INTEGER, returned TEXT, error TEXT,
    completed_at TEXT);
CREATE INDEX entries_by_target ON entries (target_kind, target_id, id);
CREATE INDEX entries_by_batch ON entries (batch, id);
PRAGMA user_version = 1;
"""


V1_ROWS = [
    ("b-oldbatch", "2025-06-01T08:00:00.000000Z", "prod", "https://dev.dixa.io", "v1",
     "conversation", "10001", '{"def-order":"100-9"}',
     '[{"definition_id":"def-order","identifier":"order_number","label":"Order number",'
     '"before":"100-1","after":"100-9"}]', "applied", 200, '{"def-order":"100-9"}',
     "2025-06-01T08:00:01.000000Z"),
    (None, "2025-06-01T09:00:00.000000Z", "prod", "https://dev.dixa.io", "v1", "enduser",
     "eba64c48-745b-5c86-9a75-e3cce144c401", '{"def-tier":["gold"]}',
     '[{"definition_id":"def-tier","identifier":"tier","label":"Tier","before":null,'
     '"after":["gold"]}]', None, None, None, None),
]


def make_v1(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(V1_SQL)
    db.executemany("INSERT INTO entries (batch, time, profile, base_url, api_version, "
                   "target_kind, target_id, body, changes, outcome, status, returned, "
                   "completed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", V1_ROWS)
    db.commit()
    db.close()


def user_version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def test_a_v1_journal_is_migrated_and_keeps_its_entries(path: Path) -> None:
    make_v1(path)
    with Journal.open(path) as journal:
        old = journal.history()
        assert [e.id for e in old] == [2, 1]
        applied, pending = old[1], old[0]
        assert (applied.outcome, applied.batch, applied.api_version) == \
            ("applied", "b-oldbatch", "v1")
        assert applied.changes == (Change("def-order", "order_number", "Order number",
                                          "100-1", "100-9"),)
        assert (applied.origin, applied.undoes, applied.settled) == ("cli", None, None)
        assert pending.outcome == "unknown" and not pending.completed
        assert [e.id for e in journal.unsettled()] == [2]  # v2's index serves v1's rows
        assert [e.id for e in journal.history(profile="prod", limit=1)] == [2]
        new = journal.begin(make_intent(origin="undo", undoes="1"))
        assert new == 3
        journal.settle(2, "applied", "read from the target")
    assert user_version(path) == len(schema.MIGRATIONS) == 2
    db = sqlite3.connect(path)
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    db.close()
    assert {"entries_by_profile", "entries_by_time", "entries_unsettled"} <= indexes


def test_a_failing_migration_step_leaves_the_journal_as_it_was(path: Path) -> None:
    make_v1(path)
    broken = (schema.V1, (*schema.V2, "ALTER TABLE nowhere ADD COLUMN x TEXT"))
    db = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        schema.migrate(db, path, broken)
    columns = {row[1] for row in db.execute("PRAGMA table_info(entries)")}
    db.close()
    assert "origin" not in columns  # the step's first statements were rolled back with it
    assert user_version(path) == 1
    with Journal.open(path) as journal:  # and the real steps still apply
        assert len(journal.history()) == 2


def test_a_journal_from_a_newer_dixa_tui_is_refused_untouched(path: Path) -> None:
    Journal.open(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 9")
    db.close()
    before = path.read_bytes()
    with pytest.raises(JournalError) as caught:
        Journal.open(path)
    assert caught.value.reason == "newer-version"
    assert "newer dixa-tui" in str(caught.value) and "Upgrade" in str(caught.value)
    assert path.read_bytes() == before


# -- when it cannot be written -------------------------------------------------------------

@contextmanager
def as_nobody() -> Iterator[None]:
    """File access as ``nobody`` for the block (root's real uid stays, to come back)."""
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[tuple[Path, Callable[[Path], JournalError]]]:
    """A directory the journal cannot write, and a function opening a journal there.

    Root writes anywhere, so as root the journal is opened with the effective uid of
    ``nobody`` in a directory of root's (0755, under a 0755 parent nobody can traverse);
    otherwise the directory is made 0555."""
    root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="dixa-journal-ro-")) if root else tmp_path
    base.chmod(0o755)
    directory = base / "state"
    directory.mkdir()
    directory.chmod(0o755 if root else 0o555)

    def open_journal(path: Path) -> JournalError:
        with as_nobody() if root else nullcontext(), pytest.raises(JournalError) as caught:
            Journal.open(path)
        return caught.value

    try:
        yield directory, open_journal
    finally:
        directory.chmod(0o755)
        if root:
            shutil.rmtree(base)


def test_a_read_only_directory_is_a_clear_error_and_nothing_is_created(
        read_only_dir: tuple[Path, Callable[[Path], JournalError]]) -> None:
    directory, open_journal = read_only_dir
    path = directory / "journal.sqlite3"
    error = open_journal(path)
    assert_helpful(error, path, "permission")
    assert "permissions" in str(error)
    assert files_of(directory) == []
    nested = directory / "missing" / "journal.sqlite3"  # its directory cannot be made either
    assert_helpful(open_journal(nested), nested, "permission")
    assert files_of(directory) == []


def test_a_journal_locked_too_long_is_a_clear_error_and_records_nothing(path: Path) -> None:
    with Journal.open(path, timeout=0.3) as journal:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            started = time.monotonic()
            with pytest.raises(JournalError) as caught:
                journal.begin(make_intent())
            waited = time.monotonic() - started
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert_helpful(caught.value, path, "locked")
        assert "0.3 s" in str(caught.value) and "record the change" in str(caught.value)
        assert 0.25 <= waited < 3
        assert journal.history() == []
        assert journal.begin(make_intent()) == 1  # the lock gone, it works again


def test_a_damaged_file_is_a_clear_error_and_is_left_alone(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a journal\n" * 300)
    with pytest.raises(JournalError) as caught:
        Journal.open(path)
    assert_helpful(caught.value, path, "corrupt")
    assert "keep it" in str(caught.value)
    assert path.read_bytes() == b"this is not a journal\n" * 300


def test_a_full_disk_is_a_clear_error_and_records_nothing(path: Path) -> None:
    """SQLite's own SQLITE_FULL, made by capping the database's size (filling a real disk
    would need a mount): the error path is the one a full disk takes."""
    with Journal.open(path) as journal:
        journal.begin(make_intent())
        pages = journal._db.execute("PRAGMA page_count").fetchone()[0]  # type: ignore[union-attr]
        journal._db.execute(f"PRAGMA max_page_count = {pages}")  # type: ignore[union-attr]
        big = make_intent({"def-order": (None, "x" * 200_000)})
        with pytest.raises(JournalError) as caught:
            journal.begin(big)
        assert_helpful(caught.value, path, "disk-full")
        assert "Free some disk space" in str(caught.value)
        assert [e.id for e in journal.history()] == [1]


# -- several processes ---------------------------------------------------------------------

WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from journal_helpers import make_intent
from dixa_tui.journal import Journal
with Journal.open(Path(sys.argv[1])) as journal:
    for n in range(int(sys.argv[3])):
        entry = journal.begin(make_intent(target_id=str(10000 + n), profile=sys.argv[4]))
        journal.complete(entry, "applied", status=200)
"""


def test_processes_writing_at_once_lose_nothing(path: Path) -> None:
    Journal.open(path).close()
    helpers = str(Path(__file__).parent)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), helpers, "40",
                                 f"p{n}"], stderr=subprocess.PIPE, text=True)
               for n in range(3)]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    with Journal.open(path) as journal:
        entries = journal.history()
    assert len(entries) == 120 and len({e.id for e in entries}) == 120
    assert all(e.outcome == "applied" for e in entries)
    for n in range(3):
        mine = [e for e in entries if e.profile == f"p{n}"]
        assert [e.target_id for e in mine] == [str(10039 - k) for k in range(40)]


# -- the key never enters the journal ------------------------------------------------------

SENTINEL = "SENTINELkey7fQ2zx9Lw"


async def test_a_realistic_round_trip_leaves_no_key_in_the_files(path: Path) -> None:
    """Read a conversation, write it, fail a write, record all of it as the session will,
    with a real client holding a sentinel key; then sweep every file of the journal for any
    form of the key. The journal's own data is found by the same sweep, so the sweep sees
    what is there (the files are not empty, not compressed, not elsewhere)."""
    state = MockState.demo()
    state.error_note = f" (you sent {SENTINEL})"  # a server that echoes the key in errors
    app = create_app(state, api_key=SENTINEL)
    index = state.index()
    order = index.by_identifier["order_number"][0]
    reason = index.by_identifier["contact_reason"][0]
    conversation = DEMO_CONVERSATION_ID
    async with DixaClient(SENTINEL, base_url="https://dev.dixa.io",
                          transport=httpx.ASGITransport(app=app)) as client:
        now = current_values((await client.get_conversation(conversation)).custom_attributes)
        body = {order.id: "100-7777-journal", reason.id: ["payment", "card"]}
        intent = Intent(profile="prod", base_url=client.base_url,
                        api_version=client.api_version, target_kind="conversation",
                        target_id=str(conversation), body=body,
                        changes=tuple(Change(d.id, d.identifier, d.label, now.get(d.id),
                                             body[d.id]) for d in (order, reason)))
        with Journal.open(path) as journal:
            entry = journal.begin(intent)
            answer = await client.patch_conversation_attributes(conversation, body)
            journal.complete(entry, "applied", status=200, returned=current_values(answer))
            bad = {reason.id: ["no-such-option"]}
            refused = journal.begin(Intent(
                profile="prod", base_url=client.base_url, api_version=client.api_version,
                target_kind="conversation", target_id=str(conversation), body=bad,
                changes=(Change(reason.id, reason.identifier, reason.label,
                                body[reason.id], bad[reason.id]),)))
            with pytest.raises(DixaApiError) as caught:
                await client.patch_conversation_attributes(conversation, bad)
            journal.complete(refused, "failed", status=caught.value.status,
                             error=f"{caught.value} {caught.value.hint}")
            live = {p.name: p.read_bytes() for p in path.parent.iterdir()}
            history = json.dumps([e.to_json() for e in journal.history()])
    closed = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    everything = b"".join([*live.values(), *closed.values(), history.encode()])
    for form in secret_forms(SENTINEL):
        for encoded in {form.encode(), form.encode("utf-16-le"), form.lower().encode()}:
            assert encoded not in everything, f"the key appears in the journal as {form!r}"
    # the sweep sees the journal's own content: what was sent, answered and refused
    assert b"100-7777-journal" in closed["journal.sqlite3"]
    assert b"no-such-option" in closed["journal.sqlite3"]
    assert str(caught.value.status).encode() in everything
    assert b"Invalid input for patching" in closed["journal.sqlite3"]


def test_error_texts_lose_any_key_the_process_knows(path: Path) -> None:
    """The journal cannot be handed the key, but an error text could carry one (a proxy or
    server echoing it): keys registered by any client are blanked before storing."""
    register_secret("SENTINELkey2-other-9Zq")  # as every DixaClient does with its key
    with Journal.open(path) as journal:
        entry = journal.begin(make_intent())
        journal.complete(entry, "failed", status=401,
                         error="HTTP 401: bad key SENTINELkey2-other-9Zq; "
                               "Authorization: SENTINELkey3-unregistered")
        journal.settle(journal.begin(make_intent()), "failed",
                       "read with SENTINELkey2-other-9Zq")
        stored = [e.error or "" for e in journal.history()] + \
            [e.settled or "" for e in journal.history()]
    assert "HTTP 401: bad key [redacted]; Authorization: [redacted]" in stored
    assert "read with [redacted]" in stored
    assert b"SENTINELkey" not in b"".join(p.read_bytes() for p in path.parent.iterdir())
