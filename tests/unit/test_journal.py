"""The journal's API: write-ahead entries, completion and settlement, history and its filters,
the JSON scripts rely on, and batch ids. (Files, failures and migrations:
test_journal_storage.py.)"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from journal_helpers import OTHER_USER, USER, Clock, make_intent

from dixa_tui.journal import Journal, batch_id_problem, default_path
from dixa_tui.paths import ensure_private_dir, state_dir


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "journal.sqlite3"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def journal(path: Path, clock: Clock) -> Iterator[Journal]:
    with Journal.open(path, clock=clock) as journal:
        yield journal


# -- where it lives ------------------------------------------------------------------------


def test_state_dir_is_the_platform_state_dir_unless_dixa_tui_state_says(
        home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert state_dir() == home / ".local" / "state" / "dixa-tui"
    assert not state_dir().exists()  # naming it creates nothing
    monkeypatch.setenv("DIXA_TUI_STATE", str(tmp_path / "elsewhere"))
    assert state_dir() == tmp_path / "elsewhere"
    assert default_path() == tmp_path / "elsewhere" / "journal.sqlite3"
    with Journal.open() as journal:
        assert journal.path == tmp_path / "elsewhere" / "journal.sqlite3"
    assert (tmp_path / "elsewhere" / "journal.sqlite3").is_file()


def test_ensure_private_dir_makes_0700_whatever_the_umask_and_leaves_existing_ones(
        tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        made = ensure_private_dir(tmp_path / "a" / "b")
    finally:
        os.umask(old)
    assert made.stat().st_mode & 0o777 == 0o700
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    ensure_private_dir(shared)
    assert shared.stat().st_mode & 0o777 == 0o755  # the user's own folder: not ours to change


# -- write-ahead ---------------------------------------------------------------------------


KILLED_AFTER_BEGIN = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from journal_helpers import make_intent
from dixa_tui.journal import Journal
journal = Journal.open(Path(sys.argv[1]))
print(journal.begin(make_intent({"def-order": ("100-1", "100-2")})), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # between the intent and Dixa's answer
"""


def test_a_process_killed_after_begin_leaves_an_unknown_entry(path: Path) -> None:
    """The intent is on disk before ``begin`` returns: a process killed right after it (no
    close, no checkpoint, no atexit) leaves an entry that reads as outcome unknown."""
    done = subprocess.run([sys.executable, "-c", KILLED_AFTER_BEGIN, str(path),
                           str(Path(__file__).parent)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    entry_id = int(done.stdout)
    with Journal.open(path) as journal:
        entry = journal.get(entry_id)
        assert entry is not None
        assert entry.outcome == "unknown" and not entry.completed
        assert entry.body == {"def-order": "100-2"}
        assert entry.changes[0].before == "100-1"
        assert [e.id for e in journal.unsettled()] == [entry_id]
        assert [e.id for e in journal.history()] == [entry_id]


def test_complete_records_dixas_answer_once(journal: Journal) -> None:
    applied = journal.begin(make_intent())
    failed = journal.begin(make_intent())
    journal.complete(applied, "applied", status=200, returned={"def-order": "100-2345"})
    journal.complete(failed, "failed", status=400, error="patch conversation 10001: HTTP 400")
    a, f = journal.get(applied), journal.get(failed)
    assert a is not None and f is not None
    assert (a.outcome, a.status, a.returned, a.error) == \
        ("applied", 200, {"def-order": "100-2345"}, None)
    assert (f.outcome, f.status, f.error) == ("failed", 400, "patch conversation 10001: HTTP 400")
    assert a.completed and a.completed_at is not None and a.completed_at > a.time
    with pytest.raises(ValueError, match="already completed"):
        journal.complete(applied, "failed")
    with pytest.raises(ValueError, match="no journal entry 99"):
        journal.complete(99, "applied")
    with pytest.raises(ValueError, match="outcome"):
        journal.complete(failed, "maybe")  # type: ignore[arg-type]
    assert journal.get(applied) == a  # the refused calls changed nothing


def test_unknown_entries_are_settled_and_a_late_answer_still_wins(journal: Journal,
                                                                  clock: Clock) -> None:
    timed_out = journal.begin(make_intent())
    journal.complete(timed_out, "unknown", error="patch conversation 10001: timed out")
    never = journal.begin(make_intent())
    recent = journal.begin(make_intent())
    assert [e.id for e in journal.unsettled()] == [recent, never, timed_out]
    third = journal.get(recent)
    assert third is not None
    assert [e.id for e in journal.unsettled(begun_before=third.time)] == [never, timed_out]

    journal.settle(timed_out, "applied", "read from the target: it holds every value")
    journal.settle(never, "unknown", "someone changed it since")
    settled = journal.get(timed_out)
    assert settled is not None and settled.outcome == "applied"
    assert settled.settled == "read from the target: it holds every value"
    assert settled.error == "patch conversation 10001: timed out"  # the answer stays too
    still = journal.get(never)
    assert still is not None and still.outcome == "unknown" and still.settled
    assert [e.id for e in journal.unsettled()] == [recent, never]
    with pytest.raises(ValueError, match="known outcome"):
        journal.settle(timed_out, "failed", "again")

    journal.settle(recent, "failed", "read from the target: it still holds the old values")
    journal.complete(recent, "applied", status=200)  # the process was slow, not dead
    late = journal.get(recent)
    assert late is not None and late.outcome == "applied" and late.completed


def test_an_intent_that_does_not_match_its_body_records_nothing(journal: Journal) -> None:
    good = make_intent({"def-a": (None, "x"), "def-b": ("y", None)})
    missing = make_intent({"def-a": (None, "x")})
    for bad, message in [
        (replace(good, changes=good.changes[:1]), "lacks the before"),
        (replace(good, body={**good.body, "def-b": "z"}), "after must equal"),
        (replace(good, changes=good.changes * 2), "once"),
        (replace(missing, body={"def-a": 3}), "string"),
        (replace(missing, body={}), "non-empty"),
        (replace(missing, profile=""), "profile"),
        (make_intent(kind="conversation", target_id="abc"), "positive number"),
        (make_intent(kind="ticket"), "target kind"),
        (make_intent(batch="42"), "number"),
        (make_intent(origin="api"), "origin"),
        (make_intent(undoes="12 or so"), "undoes"),
    ]:
        with pytest.raises(ValueError, match=message):
            journal.begin(bad)
    assert journal.history() == []


def test_any_json_string_round_trips_exactly(journal: Journal) -> None:
    """Values come from someone else's organization: a lone surrogate is valid JSON (so it
    can come from Dixa) and has no UTF-8 form; values are kept exactly, messages cleaned."""
    odd = ["\ud800half", "e\u0301 RTL \u202e \x00 \U0001f600"]
    entry_id = journal.begin(make_intent({"def-reason": (odd, ["x"]),
                                          "def-order": ("\udfff", "\u00e9\n")}))
    journal.complete(entry_id, "failed", error="HTTP 400: bad \ud83d value")
    entry = journal.get(entry_id)
    assert entry is not None
    assert entry.changes[0].before == odd and entry.body["def-order"] == "\u00e9\n"
    assert entry.changes[1].before == "\udfff"
    assert entry.error == "HTTP 400: bad \ufffd value"


def test_the_base_url_is_kept_without_credentials(journal: Journal) -> None:
    entry = journal.get(journal.begin(make_intent(
        base_url="https://someone:s3cr3t-in-url@dev.dixa.io:8443/x")))
    assert entry is not None and entry.base_url == "https://dev.dixa.io:8443/x"


def test_a_journal_is_usable_from_another_thread(journal: Journal) -> None:
    """The TUI's thread workers share the session's journal."""
    ids: list[int] = []
    worker = threading.Thread(target=lambda: ids.append(journal.begin(make_intent())))
    worker.start()
    worker.join()
    assert [e.id for e in journal.history()] == ids


def test_a_closed_journal_says_so(path: Path) -> None:
    journal = Journal.open(path)
    journal.close()
    journal.close()  # twice is fine
    with pytest.raises(ValueError, match="closed"):
        journal.history()


# -- history -------------------------------------------------------------------------------


@pytest.fixture
def populated(journal: Journal, clock: Clock) -> dict[str, int]:
    """Six writes over three targets, two profiles and one batch, one second apart."""
    batch = journal.new_batch_id()
    ids = {
        "c1": journal.begin(make_intent(target_id="10001")),
        "u1": journal.begin(make_intent(kind="enduser", target_id=USER, batch=batch)),
        "c2": journal.begin(make_intent(target_id="10002", profile="sandbox")),
        "u2": journal.begin(make_intent(kind="enduser", target_id=USER, batch=batch)),
        "o1": journal.begin(make_intent(kind="enduser", target_id=OTHER_USER, batch=batch)),
        "c3": journal.begin(make_intent(target_id="10001", profile="sandbox")),
    }
    ids["batch"] = batch  # type: ignore[assignment]
    return ids


def test_history_is_newest_first_and_filters_combine(journal: Journal,
                                                     populated: dict[str, int]) -> None:
    p = populated
    order = ["c3", "o1", "u2", "c2", "u1", "c1"]
    assert [e.id for e in journal.history()] == [p[k] for k in order]
    assert [e.id for e in journal.history(limit=2)] == [p["c3"], p["o1"]]
    assert journal.history(limit=0) == []
    assert [e.id for e in journal.history(target=("conversation", "10001"))] == \
        [p["c3"], p["c1"]]
    # any spelling of a target: a UUID in capitals, a conversation number with zeros
    assert [e.id for e in journal.history(target=("enduser", USER.upper()))] == \
        [p["u2"], p["u1"]]
    assert [e.id for e in journal.history(target=("conversation", "010001"))] == \
        [p["c3"], p["c1"]]
    assert [e.id for e in journal.history(batch=p["batch"])] == [p["o1"], p["u2"], p["u1"]]
    assert [e.id for e in journal.history(profile="sandbox")] == [p["c3"], p["c2"]]
    assert [e.id for e in journal.history(profile="sandbox",
                                          target=("conversation", "10001"))] == [p["c3"]]
    assert journal.history(batch="b-nothing") == []


def test_history_since_is_inclusive_and_wants_an_aware_time(journal: Journal,
                                                            populated: dict[str, int]) -> None:
    third = journal.get(populated["c2"])
    assert third is not None
    assert [e.id for e in journal.history(since=third.time)] == \
        [populated[k] for k in ("c3", "o1", "u2", "c2")]
    in_copenhagen = third.time.astimezone(datetime(2026, 3, 1, tzinfo=UTC).astimezone().tzinfo)
    assert len(journal.history(since=in_copenhagen)) == 4  # any zone, same instant
    assert len(journal.history(since=third.time + timedelta(microseconds=1))) == 3
    with pytest.raises(ValueError, match="timezone"):
        journal.history(since=datetime(2026, 3, 1, 12, 0))
    with pytest.raises(ValueError, match="negative"):
        journal.history(limit=-1)


def test_batches_read_oldest_first(journal: Journal, populated: dict[str, int]) -> None:
    assert [e.id for e in journal.batch_entries(populated["batch"])] == \
        [populated["u1"], populated["u2"], populated["o1"]]
    assert [e.id for e in journal.history(limit=1)] == [populated["c3"]]  # `undo last`'s
    assert journal.get(12345) is None


def test_an_empty_journal_has_no_entries(journal: Journal) -> None:
    assert journal.history() == [] and journal.unsettled() == []


# -- what scripts rely on ------------------------------------------------------------------


def test_to_json_has_the_documented_names_and_types(journal: Journal) -> None:
    batch = journal.new_batch_id()
    conv = journal.begin(make_intent({"def-reason": (["payment"], ["delivery", "late"]),
                                      "def-order": ("100-1", None)}, batch=batch))
    journal.complete(conv, "applied", status=200,
                     returned={"def-reason": ["delivery", "late"], "def-order": None})
    user = journal.begin(make_intent(kind="enduser", target_id=USER.upper(), origin="undo",
                                     undoes=str(conv)))
    undo_of_batch = journal.begin(make_intent(origin="undo", undoes=batch))

    data = json.loads(json.dumps([e.to_json() for e in journal.history()]))
    by_id = {item["id"]: item for item in data}
    c, u, b = by_id[conv], by_id[user], by_id[undo_of_batch]
    promised = {"id", "batch", "time", "profile", "target", "changes", "outcome"}
    more = {"base_url", "api_version", "status", "error", "returned", "origin", "undoes",
            "settled", "settled_at", "completed_at", "body"}
    assert promised | more <= set(c)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", c["time"])
    assert datetime.fromisoformat(c["time"].replace("Z", "+00:00")).tzinfo is not None
    assert c["target"] == {"kind": "conversation", "id": 10001}
    assert u["target"] == {"kind": "enduser", "id": USER}
    assert c["changes"] == [
        {"definition_id": "def-reason", "identifier": "reason", "label": "Reason",
         "before": ["payment"], "after": ["delivery", "late"]},
        {"definition_id": "def-order", "identifier": "order", "label": "Order",
         "before": "100-1", "after": None}]
    assert (c["outcome"], u["outcome"]) == ("applied", "unknown")
    assert (c["batch"], u["batch"]) == (batch, None)
    assert c["body"] == {"def-reason": ["delivery", "late"], "def-order": None}
    assert (c["status"], c["returned"]["def-reason"]) == (200, ["delivery", "late"])
    assert (u["origin"], u["undoes"]) == ("undo", conv)  # an entry: a number
    assert b["undoes"] == batch  # a batch: a string
    assert (c["profile"], c["base_url"], c["api_version"]) == \
        ("prod", "https://dev.dixa.io", "beta")
    assert c["completed_at"].endswith("Z") and u["completed_at"] is None
    assert c["settled"] is None and c["error"] is None


# -- batch ids -----------------------------------------------------------------------------


def test_batch_ids_are_short_distinct_and_never_numbers(journal: Journal) -> None:
    ids = {journal.new_batch_id() for _ in range(2000)}
    assert len(ids) == 2000
    for batch in ids:
        assert re.fullmatch(r"b-[2-9a-hjkmnp-z]{8}", batch), batch
        with pytest.raises(ValueError):
            int(batch)
        assert batch_id_problem(batch) is None


@pytest.mark.parametrize("text", ["12", " 12 ", "+7", "1_000", "١٢", "last", "LAST", "",
                                  "has space", "x" * 65, "tab\there"])
def test_what_cannot_be_a_batch_id(text: str) -> None:
    assert batch_id_problem(text) is not None
